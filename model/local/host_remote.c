/* host_remote: running commands on a remote host through its way (host.h) — the output read as
 * local_run reads it, a password on stdin rather than in any argv — and the checks a remote
 * node must pass before an action changes anything. */
#include "model/local/host.h"
#include "model/local/local_node.h"
#include "model/local/local_exec.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Reads K=V lines up to an empty one from stdin into the environment, then runs the program:
 * a password reaches it without being in any argv on either host. */
static const char env_script[] = "while IFS= read -r kv && [ -n \"$kv\" ]; do export \"$kv\"; "
                                 "done; exec \"$@\"";

int host_run_program(const struct local_node *ln, const char *const *argv, const char *const *env,
                     int timeout_s, void (*on_line)(void *, const char *), void *ctx, char *why,
                     size_t whylen)
{
    const char *args[48];
    int n = 0;
    char *path = xasprintf("%s/%s", ln->bindir, argv[0]);
    args[n++] = "sh";
    args[n++] = "-c";
    args[n++] = env_script;
    args[n++] = argv[0]; /* $0: names the program in the remote shell's messages */
    args[n++] = path;
    for (int i = 1; argv[i] && n < 47; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    size_t len = 2;
    for (int i = 0; env && env[i]; i++)
        len += strlen(env[i]) + 1;
    char *in = xmalloc(len), *o = in;
    for (int i = 0; env && env[i]; i++)
        if (strchr(env[i], '=') && !strchr(env[i], '\n'))
            o += sprintf(o, "%s\n", env[i]);
    *o++ = '\n';
    *o = '\0';
    int rc = host_exec(&ln->host, args, in, timeout_s, on_line, ctx, NULL, why, whylen);
    explicit_bzero(in, len);
    free(in);
    free(path);
    return rc;
}

/* One round trip: who we are there, where PostgreSQL's programs are, the data directory's
 * owner (or whether its parent is writable). Only words from $1 (datadir) and $2 (bindir). */
static const char check_script[] =
    "d=$1; b=$2\n"
    "if [ -z \"$b\" ]; then best=-1\n"
    "  for x in /usr/lib/postgresql/*/bin; do v=${x#/usr/lib/postgresql/}; v=${v%%/*}; "
    "v=${v%%.*}\n"
    "    case $v in ''|*[!0-9]*) continue;; esac\n"
    "    if [ -x \"$x/pg_ctl\" ] && [ \"$v\" -gt \"$best\" ]; then best=$v; b=$x; fi; done\n"
    "fi\n"
    "if [ -z \"$b\" ]; then p=$(command -v pg_ctl) && b=${p%/*}; fi\n"
    "echo \"uid=$(id -u)\"; echo \"user=$(id -un)\"; echo \"bindir=$b\"\n"
    "for p in pg_ctl pg_basebackup pg_rewind pg_controldata; do\n"
    "  [ -x \"$b/$p\" ] || echo \"missing=$b/$p\"; done\n"
    "set -f\n" /* no globbing of ls's words below (the glob above is the only one) */
    "if [ -d \"$d\" ]; then set -- $(ls -ldn -- \"$d\"); echo \"dir=$3\"\n"
    "elif [ -e \"$d\" ]; then echo notdir=1\n"
    "else echo nodir=1; [ -w \"${d%/*}/\" ] && echo parentok=1; fi\n";

static void check_line(void *ctx, const char *line)
{
    struct local_node *ln = ctx;
    const char *v = strchr(line, '=');
    if (!v)
        return;
    size_t k = (size_t)(v++ - line);
    char key[16];
    str_printf(key, sizeof key, "%.*s", (int)(k < 15 ? k : 15), line);
    struct host_facts *f = &ln->facts;
    if (strcmp(key, "uid") == 0)
        f->login_uid = atol(v);
    else if (strcmp(key, "user") == 0)
        str_copy(ln->owner, sizeof ln->owner, v);
    else if (strcmp(key, "bindir") == 0 && !ln->conf->bindir)
        str_copy(ln->bindir, sizeof ln->bindir, v);
    else if (strcmp(key, "missing") == 0)
        str_copy(f->missing, sizeof f->missing, v);
    else if (strcmp(key, "dir") == 0)
        f->dir_uid = atol(v), f->dir = 1;
    else if (strcmp(key, "notdir") == 0)
        f->dir = -1;
    else if (strcmp(key, "parentok") == 0)
        f->parent_ok = true;
}

bool host_check_node(struct local_node *ln, bool missing_ok, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    struct host_facts *f = &ln->facts;
    memset(f, 0, sizeof *f);
    f->login_uid = -1;
    const char *argv[] = {"sh",         "-c",
                          check_script, "repltop-check",
                          ln->datadir,  ln->conf->bindir ? ln->conf->bindir : "",
                          NULL};
    char why[700];
    int rc = host_exec(&ln->host, argv, NULL, 30, check_line, ln, NULL, why, sizeof why);
    if (rc != 0 || f->login_uid < 0) {
        str_printf(err, errlen, "%s: %s", name, rc != 0 ? why : "no answer from its host");
        return false;
    }
    if (!ln->bindir[0] || f->missing[0]) {
        str_printf(err, errlen,
                   "%s: PostgreSQL's programs are not there on %s (%s): set bindir "
                   "in [node %s]",
                   name, ln->host.dest, f->missing[0] ? f->missing : "no pg_ctl found", name);
        return false;
    }
    if (f->dir < 0) {
        str_printf(err, errlen, "%s: %s on %s is not a directory", name, ln->datadir,
                   ln->host.dest);
        return false;
    }
    if (f->dir == 0 && !missing_ok) {
        str_printf(err, errlen, "%s: no data directory at %s on %s", name, ln->datadir,
                   ln->host.dest);
        return false;
    }
    if (f->dir == 0 && !f->parent_ok) {
        str_printf(err, errlen, "%s: %s cannot create %s on %s (its parent is not writable)", name,
                   ln->owner, ln->datadir, ln->host.dest);
        return false;
    }
    if (f->dir > 0 && f->dir_uid != f->login_uid) {
        str_printf(
            err, errlen, "%s: %s %s runs as %s (uid %ld), but %s belongs to uid %ld: %s", name,
            ln->host.way->kind, ln->host.dest, ln->owner, f->login_uid, ln->datadir, f->dir_uid,
            ln->host.way->start ? "the image's postgres user must own it"
                                : "log in as the data directory's owner (e.g. postgres@HOST)");
        return false;
    }
    if (f->login_uid == 0) {
        str_printf(err, errlen,
                   "%s: %s %s runs as root, and PostgreSQL refuses to run as "
                   "root: log in as the data directory's owner",
                   name, ln->host.way->kind, ln->host.dest);
        return false;
    }
    return true;
}
