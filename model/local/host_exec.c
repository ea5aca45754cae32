/* host_exec: commands run on a remote host through its way (host.h), the output read as
 * local_run reads it; and the read-only questions an action asks there (is it a directory, a
 * file's text, free space, is the server running...), each a constant script of POSIX tools
 * with the paths as its positional words, many of them asked in ONE round trip (host_batch),
 * the answers kept until something changes on that host. Over ssh each command is a round trip on
 * the master connection; a resync asked ~40 of them one by one (bench/RESULTS.md, ssh).
 *
 * A kept answer is forgotten by any command that may change the host (host_exec), by a write or
 * removal of its path (host_forget_path), and after HOST_KEEP_MS: what is read again after
 * that, or after an operator was asked to confirm (action_confirm), is asked again. */
#include "model/local/host.h"
#include "model/local/local_exec.h"
#include "model/base/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define HOST_KEEP_MS    15000
#define CACHE_MAX       64
#define QUERY_TIMEOUT_S 60

/* ----- running ----- */

struct exec_lines {
    void (*on_line)(void *, const char *);
    void *ctx;
    char last[512];    /* the way's own message, when it fails, is its last line */
    const char *noise; /* the way's client's lines before the output (host_way.noise) */
    bool begun;        /* a line that is not noise was seen */
};

static bool is_noise(const char *noise, const char *line)
{
    size_t n = noise ? strlen(noise) : 0;
    return n && strncmp(line, noise, n) == 0 && line[n] != ' ' && line[n] != '\0';
}

/* Drops the noise lines at the start of text (in place). */
static void drop_noise(const char *noise, char *text)
{
    char *p = text, *nl;
    while (is_noise(noise, p) && (nl = strchr(p, '\n')))
        p = nl + 1;
    if (p != text)
        memmove(text, p, strlen(p) + 1);
}

static void exec_line(void *ctx, const char *line)
{
    struct exec_lines *el = ctx;
    if (!el->begun && is_noise(el->noise, line))
        return;
    el->begun = true;
    str_copy(el->last, sizeof el->last, line);
    if (el->on_line)
        el->on_line(el->ctx, line);
}

int host_exec(const struct host *h, const char *const *argv, const char *in, int timeout_s,
              void (*on_line)(void *, const char *), void *ctx, char **raw, char *why,
              size_t whylen)
{
    int rc = host_exec_read(h, argv, in, timeout_s, on_line, ctx, raw, why, whylen);
    host_forget(h); /* it may have changed what was kept */
    return rc;
}

int host_exec_read(const struct host *h, const char *const *argv, const char *in, int timeout_s,
                   void (*on_line)(void *, const char *), void *ctx, char **raw, char *why,
                   size_t whylen)
{
    char **cmd = h->way->command(h, argv);
    struct proc_spec spec = {(const char *const *)cmd, NULL, NULL, NULL, in, in ? strlen(in) : 0};
    struct exec_lines el = {on_line, ctx, "", h->way->noise, false};
    struct text_buf buf = {0};
    char local_why[700] = "";
    int rc = local_run_spec(&spec, argv[0], timeout_s > 0 ? timeout_s + h->way->extra_s : 0,
                            exec_line, &el, raw ? &buf : NULL, local_why, sizeof local_why);
    host_argv_free(cmd);
    if (raw && buf.text)
        drop_noise(h->way->noise, buf.text);
    if (raw)
        *raw = buf.text ? buf.text : xstrdup("");
    else
        free(buf.text);
    if (rc > 0 && h->way->failed(h, rc, el.last, why, whylen))
        return -1;
    str_copy(why, whylen, local_why);
    return rc;
}

/* ----- queries ----- */

/* $1 the path, $2 a second one (the mount point's) */
static const char *const bodies[HQ_N] = {
    [HQ_EXISTS] = "[ -e \"$1\" ] || [ -L \"$1\" ]",
    [HQ_IS_DIR] = "[ -d \"$1\" ]",
    [HQ_IS_LINK] = "[ -L \"$1\" ]",
    [HQ_DIR_EMPTY] = "[ -d \"$1\" ] && [ -z \"$(ls -A -- \"$1\")\" ]",
    [HQ_WRITABLE] = "[ -w \"$1\" ]",
    /* the first line is ls's mode field, the rest the file as it is */
    [HQ_READ] = "set -f; [ -f \"$1\" ] || exit 3; set -- \"$1\" $(ls -ln -- \"$1\"); "
                "printf '%s\\n' \"$2\"; exec cat -- \"$1\"",
    [HQ_LIST] = "exec ls -A -- \"$1\"",
    /* df -P: "fs blocks used available capacity mounted-on", 1024-byte blocks with -k */
    [HQ_FREE] = "set -f; set -- $(df -Pk -- \"$1\" | tail -n 1); echo \"avail=$4\"",
    /* a mount point is its own file system's mount directory */
    [HQ_MOUNT_POINT] = "set -f; p=$(cd -P -- \"$1\" && pwd -P) || exit 1; "
                       "set -- $(df -Pk -- \"$p\" | tail -n 1); [ \"$6\" = \"$p\" ]",
    [HQ_REALPATH] = "cd -P -- \"$1\" && pwd -P",
    [HQ_MODE] = "set -f; set -- $(ls -ldn -- \"$1\"); printf '%s\\n' \"$1\"",
    /* the pid file's process exists and is no zombie (pg_ctl status takes a zombie for alive:
     * a SIGKILLed postmaster stays one until its parent reaps it); exit 0: running */
    [HQ_RUNNING] = "pid=$(head -n 1 -- \"$1/postmaster.pid\" 2>/dev/null) || exit 3\n"
                   "case $pid in ''|*[!0-9]*) exit 3;; esac\n"
                   "st=$(ps -o stat= -p \"$pid\" 2>/dev/null) || exit 3\n"
                   "case $st in Z*|'') exit 3;; esac\n"
                   "exit 0\n",
    [HQ_SIZE] = "[ -f \"$1\" ] || { echo 0; exit 0; }; wc -c < \"$1\"",
};

/* Each op in its own subshell (its exit, set and variables stay there; a fork, not a new
 * sh: ~20 ops ask at once), its output then a line "TOKEN STATUS": the token is random per
 * call, so no file's text can end an answer early. */
static const char batch_script[] = "t=$1; shift\n"
                                   "while [ $# -ge 3 ]; do\n"
                                   "  (op_=$1; set -- \"$2\" \"$3\"; eval \"$op_\") </dev/null\n"
                                   "  printf '\\n%s %s\\n' \"$t\" \"$?\"\n"
                                   "  shift 3\n"
                                   "done\n";

struct kept {
    char *dest, *a1, *a2;
    enum host_query q;
    int rc;
    char *out;
    int64_t at;
};

static struct kept cache[CACHE_MAX];
static int ncache;

static void drop(int i)
{
    struct kept *k = &cache[i];
    if (k->out)
        explicit_bzero(k->out, strlen(k->out)); /* postgresql.auto.conf may hold a password */
    free(k->out);
    free(k->dest);
    free(k->a1);
    free(k->a2);
    cache[i] = cache[--ncache];
}

void host_forget(const struct host *h)
{
    for (int i = ncache - 1; i >= 0; i--)
        if (!h || strcmp(cache[i].dest, h->dest) == 0)
            drop(i);
}

void host_forget_path(const struct host *h, const char *path)
{
    for (int i = ncache - 1; i >= 0; i--) {
        const struct kept *k = &cache[i];
        /* the file itself, and what a file more or less changes: a listing, free space */
        bool touched =
            strcmp(k->a1, path) == 0 || k->q == HQ_LIST || k->q == HQ_DIR_EMPTY || k->q == HQ_FREE;
        if (strcmp(k->dest, h->dest) == 0 && touched)
            drop(i);
    }
}

static int find(const struct host *h, enum host_query q, const char *a1, const char *a2)
{
    int64_t now = clock_mono_ms();
    for (int i = ncache - 1; i >= 0; i--) {
        const struct kept *k = &cache[i];
        if (now - k->at > HOST_KEEP_MS) {
            drop(i);
            continue;
        }
        if (k->q == q && strcmp(k->dest, h->dest) == 0 && strcmp(k->a1, a1) == 0 &&
            strcmp(k->a2, a2) == 0)
            return i;
    }
    return -1;
}

static void keep(const struct host *h, enum host_query q, const char *a1, const char *a2, int rc,
                 const char *out)
{
    int i = find(h, q, a1, a2);
    if (i >= 0)
        drop(i);
    if (ncache == CACHE_MAX)
        drop(0);
    cache[ncache++] = (struct kept){xstrdup(h->dest),        xstrdup(a1),    xstrdup(a2), q, rc,
                                    xstrdup(out ? out : ""), clock_mono_ms()};
}

const char *host_query_script(enum host_query q)
{
    return bodies[q];
}

int host_query(const struct host *h, enum host_query q, const char *a1, const char *a2, char **out)
{
    if (!a2)
        a2 = "";
    int i = find(h, q, a1, a2);
    if (i >= 0) {
        if (out)
            *out = xstrdup(cache[i].out);
        return cache[i].rc;
    }
    const char *argv[] = {"sh", "-c", bodies[q], "repltop", a1, a2, NULL};
    char why[700], *text = NULL;
    int rc = host_exec_read(h, argv, NULL, QUERY_TIMEOUT_S, NULL, NULL, &text, why, sizeof why);
    if (rc >= 0)
        keep(h, q, a1, a2, rc, text);
    if (out)
        *out = text;
    else
        free(text);
    return rc;
}

/* 32 hex digits nobody can guess before the call */
static void make_token(char *t, size_t n)
{
    unsigned char r[16] = {0};
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        int64_t x = clock_mono_ms() ^ (int64_t)getpid() << 20;
        memcpy(r, &x, sizeof x);
    }
    for (size_t i = 0; i < sizeof r && 2 * i + 2 < n; i++)
        snprintf(t + 2 * i, 3, "%02x", r[i]);
}

int host_batch(const struct host *h, const struct host_op *ops, int n, char **outs, int *rcs,
               char *why, size_t whylen)
{
    const char **argv = xcalloc((size_t)n * 3 + 6, sizeof *argv);
    char token[40] = "";
    make_token(token, sizeof token);
    int k = 0;
    argv[k++] = "sh";
    argv[k++] = "-c";
    argv[k++] = batch_script;
    argv[k++] = "repltop";
    argv[k++] = token;
    for (int i = 0; i < n; i++) {
        argv[k++] = ops[i].body ? ops[i].body : bodies[ops[i].q];
        argv[k++] = ops[i].a1;
        argv[k++] = ops[i].a2 ? ops[i].a2 : "";
        outs[i] = NULL;
        rcs[i] = -1;
    }
    argv[k] = NULL;
    char *raw = NULL;
    int rc = host_exec_read(h, argv, NULL, QUERY_TIMEOUT_S, NULL, NULL, &raw, why, whylen);
    free(argv);
    char mark[64];
    int marklen = snprintf(mark, sizeof mark, "\n%s ", token);
    char *p = raw;
    for (int i = 0; rc == 0 && p && i < n; i++) {
        char *end = strstr(p, mark);
        if (!end)
            break;
        outs[i] = xmalloc((size_t)(end - p) + 1);
        memcpy(outs[i], p, (size_t)(end - p));
        outs[i][end - p] = '\0';
        rcs[i] = atoi(end + marklen);
        if (!ops[i].body)
            keep(h, ops[i].q, ops[i].a1, ops[i].a2 ? ops[i].a2 : "", rcs[i], outs[i]);
        p = strchr(end + marklen, '\n');
        p = p ? p + 1 : NULL;
    }
    if (raw)
        explicit_bzero(raw, strlen(raw));
    free(raw);
    return rc;
}

void host_prefetch(const struct host *h, const struct host_op *ops, int n)
{
    char **outs = xcalloc((size_t)n, sizeof *outs);
    int *rcs = xcalloc((size_t)n, sizeof *rcs);
    char why[700];
    host_batch(h, ops, n, outs, rcs, why, sizeof why);
    for (int i = 0; i < n; i++) {
        if (outs[i])
            explicit_bzero(outs[i], strlen(outs[i]));
        free(outs[i]);
    }
    free(outs);
    free(rcs);
}
