/* demo: the sandbox's directory layout and the helpers every demo command shares: running
 * PostgreSQL's programs as the server user, starting, stopping and connecting to a node, files
 * owned by the server user. The commands: demo_up.c (+ demo_standby.c), demo_down.c (down,
 * status), demo_load.c, and demo_cmd.c for the command line. */
#include "model/demo/demo.h"
#include "model/base/proc.h"
#include "model/base/files.h"
#include "model/base/util.h"
#include "model/pg/pgexec.h"
#include "model/local/local_run.h"
#include "model/local/local_server.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void say_line(void *arg, const char *tag, const char *text)
{
    (void)tag;
    const struct demo *d = arg;
    d->say(d->say_arg, text);
}

void demo_say(const struct demo *d, const char *fmt, ...)
{
    if (!d->say)
        return;
    struct progress p = {say_line, (void *)d};
    va_list ap;
    va_start(ap, fmt);
    progress_vsay(&p, "say", fmt, ap);
    va_end(ap);
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
    /* 10 s: a server that has just started, on a busy machine (or with repltop under valgrind,
     * where SCRAM's key derivation alone takes seconds), can take well over 2 s to let us in */
    const char *vals[] = {"127.0.0.1", port,      "postgres",     dbname, d->pgpass,
                          "10",        "disable", "repltop-demo", NULL};
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

struct file_owner demo_owner(const struct demo *d)
{
    return d->chown ? (struct file_owner){d->owner_uid, d->owner_gid} : FILE_OWNER_KEEP;
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

void demo_local(const struct demo *d, const char *name, const char *datadir, struct node_conf *nc,
                struct local_node *ln)
{
    memset(nc, 0, sizeof *nc);
    memset(ln, 0, sizeof *ln);
    str_copy(nc->name, sizeof nc->name, name);
    nc->port = -1;
    ln->conf = nc;
    str_copy(ln->datadir, sizeof ln->datadir, datadir);
    str_printf(ln->log, sizeof ln->log, "%s.log", datadir); /* DIR/NAME.log */
    str_copy(ln->bindir, sizeof ln->bindir, d->bindir);
    str_copy(ln->owner, sizeof ln->owner, d->run_as);
    ln->uid = d->chown ? d->owner_uid : getuid();
    ln->gid = d->chown ? d->owner_gid : getgid();
    ln->run_as = d->run_as[0] ? ln->owner : NULL;
}

static void warnings_only(void *arg, const char *tag, const char *text)
{
    if (strcmp(tag, "warn") == 0)
        demo_say(arg, "%s", text);
}

struct progress demo_progress(const struct demo *d)
{
    return (struct progress){warnings_only, (void *)d};
}

int demo_run(const struct demo *d, int node, int timeout_s, const char *const *env,
             const char *const *argv, char *err, size_t errlen)
{
    struct node_conf nc;
    struct local_node ln;
    demo_local(d, d->nodes[node].name, d->nodes[node].datadir, &nc, &ln);
    return local_run(&ln, argv, env, timeout_s, NULL, NULL, err, errlen);
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

bool demo_node_running(const struct demo *d, int node)
{
    struct node_conf nc;
    struct local_node ln;
    demo_local(d, d->nodes[node].name, d->nodes[node].datadir, &nc, &ln);
    return local_running(&ln);
}

bool demo_node_start(const struct demo *d, int node, char *err, size_t errlen)
{
    struct node_conf nc;
    struct local_node ln;
    demo_local(d, d->nodes[node].name, d->nodes[node].datadir, &nc, &ln);
    struct progress pr = demo_progress(d);
    return local_start(&pr, &ln, err, errlen);
}

bool demo_node_stop(const struct demo *d, int node, char *err, size_t errlen)
{
    struct node_conf nc;
    struct local_node ln;
    demo_local(d, d->nodes[node].name, d->nodes[node].datadir, &nc, &ln);
    struct progress pr = demo_progress(d);
    return local_stop(&pr, &ln, err, errlen);
}
