/* host_remote: PostgreSQL's programs on a remote host (a password on stdin rather than in any
 * argv), and the checks a remote node must pass before an action changes anything — asked in
 * one round trip with what the action reads next; and what it reads of a fresh copy
 * (host_survey_copy). */
#include "model/local/host.h"
#include "model/local/local_node.h"
#include "model/local/local_exec.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* POSIX ps, else /proc (a container image without procps). Words joined by blanks: -X, which
 * resync passes next, ends the data directory. The pattern is the shell's own, so no process
 * shows it in its arguments. */
static const char copy_script[] =
    "if command -v ps >/dev/null 2>&1; then l=$(ps -A -o pid= -o args=)\n"
    "else l=$(for c in /proc/[0-9]*/cmdline; do p=${c#/proc/}; "
    "printf '%s %s\\n' \"${p%/cmdline}\" \"$(tr '\\0' ' ' 2>/dev/null <\"$c\")\"; done); fi\n"
    "printf '%s\\n' \"$l\" | { f=1; while read -r p a; do case $a in\n"
    "  *pg_basebackup\" -D $1 -X \"*) echo \"$p\"; f=0;;\n"
    "esac; done; exit $f; }";

int host_copy_running(const struct local_node *ln, char *pids, size_t n)
{
    const char *argv[] = {"sh", "-c", copy_script, "sh", ln->datadir, NULL};
    char why[300], *out = NULL;
    int rc = host_exec_read(&ln->host, argv, NULL, 30, NULL, NULL, &out, why, sizeof why);
    pids[0] = '\0';
    for (char *save, *w = rc == 0 && out ? strtok_r(out, " \n", &save) : NULL; w;
         w = strtok_r(NULL, " \n", &save))
        if (strspn(w, "0123456789") == strlen(w) && strlen(pids) + strlen(w) + 2 < n)
            strcat(strcat(pids, pids[0] ? " " : ""), w);
    free(out);
    return rc == 0 ? 1 : rc == 1 ? 0 : -1;
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

/* What an action reads next on the node's host, asked with the check: the data directory and
 * what the checks look at in it, the marker of a resync, the configuration files, the server.
 * Of a fresh copy (copy), only what is read before it starts: its configuration files,
 * standby.signal and the server log's size. */
static int survey_ops(const struct local_node *ln, bool copy, struct host_op *ops,
                      char (*paths)[PATH_MAX + 32])
{
    static const char *const files[] = {"postgresql.conf", "pg_hba.conf", "pg_ident.conf",
                                        "postgresql.auto.conf", "postmaster.pid"};
    const char *d = ln->datadir;
    int n = 0, p = 0;
    if (copy) {
        ops[n++] = (struct host_op){HQ_SIZE, NULL, ln->log, NULL};
        str_printf(paths[p], sizeof paths[p], "%s/standby.signal", d);
        ops[n++] = (struct host_op){HQ_EXISTS, NULL, paths[p++], NULL};
        for (size_t i = 0; i < 4; i++) {
            str_printf(paths[p], sizeof paths[p], "%s/%s", d, files[i]);
            ops[n++] = (struct host_op){HQ_READ, NULL, paths[p++], NULL};
        }
        return n;
    }
    str_copy(paths[p], sizeof paths[p], d);
    char *slash = strrchr(paths[p], '/');
    if (slash)
        slash == paths[p] ? (void)(slash[1] = '\0') : (void)(*slash = '\0');
    ops[n++] = (struct host_op){HQ_FREE, NULL, paths[p++], NULL};
    ops[n++] = (struct host_op){HQ_IS_DIR, NULL, d, NULL};
    ops[n++] = (struct host_op){HQ_DIR_EMPTY, NULL, d, NULL};
    ops[n++] = (struct host_op){HQ_REALPATH, NULL, d, NULL};
    ops[n++] = (struct host_op){HQ_MODE, NULL, d, NULL};
    ops[n++] = (struct host_op){HQ_MOUNT_POINT, NULL, d, NULL};
    ops[n++] = (struct host_op){HQ_RUNNING, NULL, d, NULL};
    ops[n++] = (struct host_op){HQ_SIZE, NULL, ln->log, NULL};
    str_printf(paths[p], sizeof paths[p], "%s/pg_tblspc", d);
    ops[n++] = (struct host_op){HQ_LIST, NULL, paths[p++], NULL};
    str_printf(paths[p], sizeof paths[p], "%s/pg_wal", d);
    ops[n++] = (struct host_op){HQ_IS_LINK, NULL, paths[p++], NULL};
    str_printf(paths[p], sizeof paths[p], "%s/standby.signal", d);
    ops[n++] = (struct host_op){HQ_EXISTS, NULL, paths[p++], NULL};
    str_printf(paths[p], sizeof paths[p], "%s.repltop-resync", d);
    ops[n++] = (struct host_op){HQ_READ, NULL, paths[p++], NULL};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        str_printf(paths[p], sizeof paths[p], "%s/%s", d, files[i]);
        ops[n++] = (struct host_op){HQ_READ, NULL, paths[p++], NULL};
    }
    return n;
}

#define SURVEY_MAX 24

void host_survey_copy(const struct local_node *ln)
{
    struct host_op ops[SURVEY_MAX];
    char paths[SURVEY_MAX][PATH_MAX + 32];
    int n = survey_ops(ln, true, ops, paths);
    host_prefetch(&ln->host, ops, n);
}

bool host_check_node(struct local_node *ln, bool missing_ok, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    struct host_facts *f = &ln->facts;
    memset(f, 0, sizeof *f);
    f->login_uid = -1;
    /* the check first, then what the action will read: one round trip (the ssh handshake too) */
    struct host_op ops[SURVEY_MAX + 1];
    char paths[SURVEY_MAX][PATH_MAX + 32];
    ops[0] =
        (struct host_op){HQ_N, check_script, ln->datadir, ln->conf->bindir ? ln->conf->bindir : ""};
    int n = 1 + survey_ops(ln, false, ops + 1, paths);
    char *outs[SURVEY_MAX + 1];
    int rcs[SURVEY_MAX + 1];
    char why[700];
    int rc = host_batch(&ln->host, ops, n, outs, rcs, why, sizeof why);
    if (rc == 0 && outs[0]) {
        for (char *save, *l = strtok_r(outs[0], "\n", &save); l; l = strtok_r(NULL, "\n", &save))
            check_line(ln, l);
        rc = rcs[0];
        if (rc != 0)
            str_printf(why, sizeof why, "the check of its host exited with status %d", rc);
    } else if (rc == 0) {
        rc = -1;
        str_copy(why, sizeof why, "no answer from its host");
    }
    for (int i = 0; i < n; i++) {
        if (outs[i])
            explicit_bzero(outs[i], strlen(outs[i]));
        free(outs[i]);
    }
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
