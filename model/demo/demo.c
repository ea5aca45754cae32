/* demo: the sandbox's directory layout and the helpers every demo command shares: running
 * PostgreSQL's programs as the server user, starting, stopping and connecting to a node, files
 * owned by the server user. The commands: demo_up.c (+ demo_standby.c), demo_down.c (down,
 * status), demo_load.c, and demo_cmd.c for the command line. */
#include "model/demo/demo.h"
#include "model/base/proc.h"
#include "model/base/files.h"
#include "model/base/util.h"
#include "model/pg/pgexec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 32

static const char *const node_names[DEMO_NODES] = {"db_m", "db_s1", "db_s2"};
static const char *const node_appnames[DEMO_NODES] = {NULL, "walreceiver", "walreceiversync"};

void demo_default_dir(char *buf, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    if (str_empty(tmp))
        tmp = "/tmp";
    str_printf(buf, n, "%s/repltop-demo-%u", tmp, (unsigned)getuid());
}

/* The path goes unquoted into conninfo strings, passfile lines and the INI file. */
static bool path_chars_ok(const char *p)
{
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("/._-+@,~", *p)))
            return false;
    return true;
}

/* An absolute, symlink-free path for dir, which may not exist yet (its parent must). */
static bool resolve_dir(const char *in, char *out, size_t n, char *err, size_t errlen)
{
    char tmp[PATH_MAX], parent[PATH_MAX];
    str_copy(tmp, sizeof tmp, in);
    size_t len = strlen(tmp);
    while (len > 1 && tmp[len - 1] == '/')
        tmp[--len] = '\0';
    if (len == 0) {
        str_copy(err, errlen, "the demo directory must not be empty");
        return false;
    }
    if (realpath(tmp, parent)) {
        str_copy(out, n, parent);
        return true;
    }
    if (errno != ENOENT) {
        str_printf(err, errlen, "%s: %s", in, strerror(errno));
        return false;
    }
    char *slash = strrchr(tmp, '/');
    const char *base = slash ? slash + 1 : tmp;
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        str_printf(err, errlen, "%s: not a usable directory name", in);
        return false;
    }
    const char *dir = ".";
    if (slash == tmp)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = tmp;
    }
    char real[PATH_MAX];
    if (!realpath(dir, real)) {
        str_printf(err, errlen, "%s: its parent directory %s: %s", in, dir, strerror(errno));
        return false;
    }
    str_printf(out, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
    return true;
}

bool demo_init(struct demo *d, const char *dir, const char *bindir, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    char def[PATH_MAX];
    if (!dir) {
        demo_default_dir(def, sizeof def);
        dir = def;
    }
    if (!resolve_dir(dir, d->dir, sizeof d->dir, err, errlen))
        return false;
    if (!path_chars_ok(d->dir)) {
        str_printf(err, errlen,
                   "%s: the demo directory may hold only letters, digits and / . _ - + @ , ~ "
                   "(it goes into conninfo strings); choose another --dir",
                   d->dir);
        return false;
    }
    /* Node paths and the longest config line are checked by demo_up; keep room for them. */
    if (strlen(d->dir) > 200) {
        str_printf(err, errlen, "%s: path too long; choose a shorter --dir", d->dir);
        return false;
    }
    const char *bin = proc_pg_bindir(bindir);
    if (!bin) {
        str_copy(err, errlen,
                 "no PostgreSQL programs found (no pg_ctl in /usr/lib/postgresql/*/bin or PATH); "
                 "install PostgreSQL or pass --bindir");
        return false;
    }
    str_copy(d->bindir, sizeof d->bindir, bin);
    str_printf(d->pgpass, sizeof d->pgpass, "%s/pgpass", d->dir);
    str_printf(d->conf, sizeof d->conf, "%s/repltop.conf", d->dir);
    if (geteuid() == 0) {
        /* PostgreSQL refuses root: run as the owner of an existing demo, else as postgres. */
        char owner[64];
        if (proc_owner_of(d->dir, owner, sizeof owner) && strcmp(owner, "root") != 0)
            str_copy(d->run_as, sizeof d->run_as, owner);
        else
            str_copy(d->run_as, sizeof d->run_as, "postgres");
        struct passwd *pw = getpwnam(d->run_as);
        if (pw) {
            d->chown = true;
            d->owner_uid = pw->pw_uid;
            d->owner_gid = pw->pw_gid;
        }
    }
    for (int i = 0; i < DEMO_NODES; i++) {
        struct demo_node *nd = &d->nodes[i];
        nd->name = node_names[i];
        nd->appname = node_appnames[i];
        nd->port = -1;
        str_printf(nd->datadir, sizeof nd->datadir, "%s/%s", d->dir, nd->name);
        str_printf(nd->log, sizeof nd->log, "%s/%s.log", d->dir, nd->name);
    }
    return true;
}

void demo_say(const struct demo *d, const char *fmt, ...)
{
    if (!d->say)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    d->say(d->say_arg, line);
}

void demo_conninfo(const struct demo *d, int node, const char *dbname, const char *extra, char *buf,
                   size_t n)
{
    str_printf(buf, n, "host=127.0.0.1 port=%d user=postgres dbname=%s passfile=%s%s%s",
               d->nodes[node].port, dbname, d->pgpass, extra ? " " : "", extra ? extra : "");
}

struct pg_conn *demo_connect(const struct demo *d, int node, const char *dbname, char *err,
                             size_t errlen)
{
    char port[16];
    str_printf(port, sizeof port, "%d", d->nodes[node].port);
    const char *keys[] = {"host",     "port",
                          "user",     "dbname",
                          "passfile", "connect_timeout",
                          "sslmode",  "application_name",
                          NULL};
    const char *vals[] = {"127.0.0.1", port,      "postgres",     dbname, d->pgpass,
                          "2",         "disable", "repltop-demo", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 0);
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        str_copy(msg, sizeof msg, PQerrorMessage(conn));
        msg[strcspn(msg, "\n")] = '\0';
        str_printf(err, errlen, "%s: %s", d->nodes[node].name, msg);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

bool demo_write_file(const struct demo *d, const char *path, const char *text, mode_t mode,
                     char *err, size_t errlen)
{
    return file_write_atomic(
        path, text, mode,
        d->chown ? (struct file_owner){d->owner_uid, d->owner_gid} : FILE_OWNER_KEEP, err, errlen);
}

bool demo_append_file(const char *path, const char *text, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    size_t len = strlen(text);
    bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    if (fd >= 0 && close(fd) < 0)
        ok = false;
    if (!ok)
        str_printf(err, errlen, "cannot append to %s: %s", path, strerror(errno));
    return ok;
}

bool demo_exec(PGconn *conn, const char *node, const char *sql, char *err, size_t errlen)
{
    char msg[512];
    if (pg_exec(conn, sql, msg, sizeof msg))
        return true;
    str_printf(err, errlen, "%s: %s", node, msg);
    return false;
}

/* The line of a program's output worth showing: its last error, else its last line. */
static void output_summary(const char *out, char *buf, size_t n)
{
    const char *best = NULL, *last = NULL;
    for (const char *line = out; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 0) {
            last = line;
            const char *hit = memmem(line, len, "error", 5);
            if (!hit)
                hit = memmem(line, len, "FATAL", 5);
            if (hit)
                best = line;
        }
        line = end ? end + 1 : NULL;
    }
    const char *pick = best ? best : last;
    if (!pick) {
        str_copy(buf, n, "no output");
        return;
    }
    str_copy(buf, n, pick);
    buf[strcspn(buf, "\n")] = '\0';
}

int demo_pg(const struct demo *d, int timeout_s, const char *const *env, char **output, char *err,
            size_t errlen, const char *prog, ...)
{
    char path[PATH_MAX];
    str_printf(path, sizeof path, "%s/%s", d->bindir, prog);
    const char *argv[MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = path;
    va_list ap;
    va_start(ap, prog);
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < MAX_ARGS)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    struct proc_spec spec = {argv, env, d->run_as[0] ? d->run_as : NULL, NULL};
    char *out = NULL;
    int rc = proc_run(&spec, timeout_s * 1000, &out, err, errlen);
    if (rc > 0) {
        char how[64], line[512];
        proc_status_text(rc, how, sizeof how);
        output_summary(out, line, sizeof line);
        str_printf(err, errlen, "%s %s: %s", prog, how, line);
    }
    if (output)
        *output = out;
    else
        free(out);
    return rc;
}

void demo_read_ports(struct demo *d)
{
    for (int i = 0; i < DEMO_NODES; i++) {
        char path[PATH_MAX + 32], line[512];
        str_printf(path, sizeof path, "%s/postgresql.conf", d->nodes[i].datadir);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        while (fgets(line, sizeof line, f)) {
            int port;
            char *p = line + strspn(line, " \t");
            if (strncmp(p, "port", 4) != 0)
                continue;
            p += 4 + strspn(p + 4, " \t");
            if (*p == '=' && sscanf(p + 1, "%d", &port) == 1)
                d->nodes[i].port = port; /* the last one wins, as in PostgreSQL */
        }
        fclose(f);
    }
}

bool demo_node_exists(const struct demo *d, int node)
{
    char path[PATH_MAX + 16];
    str_printf(path, sizeof path, "%s/PG_VERSION", d->nodes[node].datadir);
    return access(path, F_OK) == 0;
}

/* A SIGKILLed postmaster stays a zombie until init reaps it, and pg_ctl takes it for alive. */
static bool postmaster_is_zombie(const struct demo *d, int node)
{
    char path[PATH_MAX + 32], buf[512];
    long pid = 0;
    str_printf(path, sizeof path, "%s/postmaster.pid", d->nodes[node].datadir);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    str_printf(path, sizeof path, "/proc/%ld/stat", pid);
    if (pid <= 0 || !(f = fopen(path, "r")))
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

bool demo_node_running(const struct demo *d, int node)
{
    char err[256];
    return demo_pg(d, 10, NULL, NULL, err, sizeof err, "pg_ctl", "status", "-D",
                   d->nodes[node].datadir, NULL) == 0 &&
           !postmaster_is_zombie(d, node);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

bool demo_node_start(const struct demo *d, int node, char *err, size_t errlen)
{
    const struct demo_node *nd = &d->nodes[node];
    char why[512];
    long logged = file_size(nd->log);
    /* Until init reaps a killed postmaster, a new one refuses its lock file: wait a little. */
    for (int64_t until = clock_mono_ms() + 10000;
         postmaster_is_zombie(d, node) && clock_mono_ms() < until;)
        poll(NULL, 0, 100);
    if (demo_pg(d, 90, NULL, NULL, why, sizeof why, "pg_ctl", "start", "-D", nd->datadir, "-l",
                nd->log, "-w", "-t", "60", NULL) == 0)
        return true;
    char cause[512];
    if (pg_log_start_failure(nd->log, logged, cause, sizeof cause))
        str_printf(err, errlen, "%s: could not start on port %d: %s (see %s)", nd->name, nd->port,
                   cause, nd->log);
    else
        str_printf(err, errlen, "%s: %s (see %s)", nd->name, why, nd->log);
    return false;
}

bool demo_node_stop(const struct demo *d, int node, char *err, size_t errlen)
{
    const struct demo_node *nd = &d->nodes[node];
    char why[512];
    if (demo_pg(d, 90, NULL, NULL, why, sizeof why, "pg_ctl", "stop", "-D", nd->datadir, "-m",
                "fast", "-w", "-t", "60", NULL) == 0)
        return true;
    str_printf(err, errlen, "%s: %s", nd->name, why);
    return false;
}
