/* demo_up: builds the sandbox cluster of docs/DESIGN.md section 1 from scratch, or starts the
 * stopped nodes of one that was completely built. Passwords are random and go only into DIR/pgpass
 * (and, for initdb, a 0600 file deleted right after): never onto a command line or into SQL text.
 */
#include "model/demo/demo.h"
#include "model/base/proc.h"
#include "model/base/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONF_LINE_MAX   190 /* the INI reader stops at 200 characters */
#define PORT_PROBE_SPAN 500

struct build {
    struct demo *d;
    int hold[DEMO_NODES]; /* bound sockets reserving each node's port until it starts */
    bool started[DEMO_NODES];
    bool touched; /* DIR was created or written to */
    char pw_super[64], pw_repl[64];
    char *conf_text; /* repltop.conf, prepared before anything is built */
};

enum dir_state { DIR_NEW, DIR_COMPLETE, DIR_PARTIAL, DIR_FOREIGN, DIR_UNUSABLE };

static enum dir_state dir_state(const struct demo *d)
{
    if (access(d->conf, F_OK) == 0)
        return DIR_COMPLETE;
    DIR *dir = opendir(d->dir);
    if (!dir)
        return errno == ENOENT ? DIR_NEW : DIR_UNUSABLE;
    bool empty = true;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(dir);
    if (empty)
        return DIR_NEW;
    char marker[PATH_MAX + 16];
    str_printf(marker, sizeof marker, "%s/.repltop-demo", d->dir);
    if (access(marker, F_OK) == 0)
        return DIR_PARTIAL;
    for (int i = 0; i < DEMO_NODES; i++)
        if (access(d->nodes[i].datadir, F_OK) == 0)
            return DIR_PARTIAL;
    return DIR_FOREIGN;
}

static bool random_password(char *buf, size_t n, char *err, size_t errlen)
{
    unsigned char raw[24];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t r = getrandom(raw + got, sizeof raw - got, 0);
        if (r < 0 && errno != EINTR) {
            str_printf(err, errlen, "cannot read random bytes: %s", strerror(errno));
            return false;
        }
        if (r > 0)
            got += (size_t)r;
    }
    for (size_t i = 0; i < sizeof raw && 2 * i + 2 < n; i++)
        str_printf(buf + 2 * i, 3, "%02x", raw[i]);
    return true;
}

/* Reserves a free 127.0.0.1 port per node, from base upwards. Bound like PostgreSQL binds
 * (SO_REUSEADDR: a port in TIME_WAIT is free) and listening, so that a concurrent `demo up`
 * cannot take it before our server starts. */
static bool pick_ports(struct build *b, int base, char *err, size_t errlen)
{
    int port = base;
    for (int i = 0; i < DEMO_NODES; i++) {
        for (;; port++) {
            if (port > base + PORT_PROBE_SPAN || port > 65535) {
                str_printf(err, errlen, "no free port on 127.0.0.1 between %d and %d", base,
                           port - 1);
                return false;
            }
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                str_printf(err, errlen, "socket: %s", strerror(errno));
                return false;
            }
            int one = 1;
            struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
                bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 1) == 0) {
                b->hold[i] = fd;
                b->d->nodes[i].port = port++;
                break;
            }
            close(fd);
        }
    }
    return true;
}

static void release_port(struct build *b, int i)
{
    if (b->hold[i] >= 0)
        close(b->hold[i]);
    b->hold[i] = -1;
}

/* repltop.conf, checked against the INI reader's line limit before anything is built. */
static bool prepare_conf(struct build *b, char *err, size_t errlen)
{
    const struct demo *d = b->d;
    char *text = xasprintf("# The repltop demo cluster, written by `repltop demo up`.\n"
                           "# Passwords are in %s only.\n[repltop]\nrefresh = 1\n\n[nodes]\n",
                           d->pgpass);
    for (int i = 0; i < DEMO_NODES; i++) {
        char ci[1024];
        demo_conninfo(d, i, "postgres", "application_name=repltop", ci, sizeof ci);
        char *more = xasprintf("%s%s = %s\n", text, d->nodes[i].name, ci);
        free(text);
        text = more;
    }
    for (int i = 0; i < DEMO_NODES; i++) {
        const struct demo_node *nd = &d->nodes[i];
        char *more = xasprintf("%s\n[node %s]\ndatadir = %s\nport = %d\nbindir = %s\n", text,
                               nd->name, nd->datadir, nd->port, d->bindir);
        free(text);
        text = more;
    }
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        if (len >= CONF_LINE_MAX) {
            str_printf(err, errlen,
                       "%s: path too long for repltop.conf lines (%zu characters, at most %d); "
                       "choose a shorter --dir",
                       d->dir, len, CONF_LINE_MAX - 1);
            free(text);
            return false;
        }
        line += len + (line[len] == '\n');
    }
    b->conf_text = text;
    return true;
}

static bool make_dir(struct build *b, char *err, size_t errlen)
{
    struct demo *d = b->d;
    b->touched = true;
    if (mkdir(d->dir, 0700) < 0 && errno != EEXIST) {
        str_printf(err, errlen, "cannot create %s: %s", d->dir, strerror(errno));
        return false;
    }
    if (chmod(d->dir, 0700) < 0 || (d->chown && chown(d->dir, d->owner_uid, d->owner_gid) < 0)) {
        str_printf(err, errlen, "cannot give %s to %s: %s", d->dir, d->run_as, strerror(errno));
        return false;
    }
    char marker[PATH_MAX + 16];
    str_printf(marker, sizeof marker, "%s/.repltop-demo", d->dir);
    return file_write_atomic(marker, "made by `repltop demo up`\n", 0644, demo_owner(d), err,
                             errlen);
}

static bool write_pgpass(struct build *b, char *err, size_t errlen)
{
    const struct demo *d = b->d;
    /* any port: every node has the same users, and so does a new replica of the demo
     * (repltop resync NAME --new --port P, the dashboard's `a` key) */
    char *text =
        xasprintf("# repltop demo: libpq password file (host:port:database:user:password)\n"
                  "127.0.0.1:*:*:postgres:%s\n"
                  "127.0.0.1:*:replication:replication_user:%s\n"
                  "127.0.0.1:*:*:replication_user:%s\n",
                  b->pw_super, b->pw_repl, b->pw_repl);
    bool ok = file_write_atomic(d->pgpass, text, 0600, demo_owner(d), err, errlen);
    explicit_bzero(text, strlen(text));
    free(text);
    return ok;
}

static bool init_primary(struct build *b, char *err, size_t errlen)
{
    const struct demo *d = b->d;
    const struct demo_node *m = &d->nodes[0];
    char pwfile[PATH_MAX + 16], line[80];
    str_printf(pwfile, sizeof pwfile, "%s/.initdb-pwfile", d->dir);
    str_printf(line, sizeof line, "%s\n", b->pw_super);
    bool ok = file_write_atomic(pwfile, line, 0600, demo_owner(d), err, errlen);
    explicit_bzero(line, sizeof line);
    if (!ok)
        return false;
    demo_say(d, "%s: initdb", m->name);
    const char *argv[] = {"initdb",
                          "-D",
                          m->datadir,
                          "-U",
                          "postgres",
                          "--pwfile",
                          pwfile,
                          "--auth-local=peer",
                          "--auth-host=scram-sha-256",
                          "-E",
                          "UTF8",
                          "--no-locale",
                          "--no-instructions",
                          NULL};
    int rc = demo_run(d, 0, 120, NULL, argv, err, errlen);
    unlink(pwfile);
    if (rc != 0)
        return false;

    /* Unix sockets live in DIR unless its path is too long for one. */
    struct sockaddr_un sun;
    bool sock_ok = strlen(d->dir) + strlen("/.s.PGSQL.65535") < sizeof sun.sun_path;
    char path[PATH_MAX + 32];
    char *conf =
        xasprintf("\n# ---- repltop demo: the cluster of repltop's docs/DESIGN.md section 1 ----\n"
                  "listen_addresses = '127.0.0.1'\n"
                  "unix_socket_directories = '%s'\n"
                  "wal_level = replica\n"
                  "max_wal_senders = 10\n"
                  "max_replication_slots = 10\n"
                  "hot_standby = on\n"
                  "hot_standby_feedback = on\n"
                  "wal_log_hints = on\n"
                  "wal_keep_size = '512MB'\n"
                  "synchronous_commit = on\n"
                  "shared_buffers = '32MB'\n"
                  "logging_collector = off\n"
                  "# this node (each clone appends its own lines: the last ones count)\n"
                  "cluster_name = '%s'\n"
                  "port = %d\n",
                  sock_ok ? d->dir : "", m->name, m->port);
    str_printf(path, sizeof path, "%s/postgresql.conf", m->datadir);
    ok = demo_append_file(path, conf, err, errlen);
    free(conf);
    if (!ok)
        return false;

    /* Local connections: the server's OS user as postgres only; TCP: passwords (SCRAM). */
    char *hba = xstrdup("# repltop demo\n"
                        "# TYPE  DATABASE     USER              ADDRESS        METHOD\n"
                        "local   all          postgres                         peer map=demo\n"
                        "host    replication  replication_user  127.0.0.1/32   scram-sha-256\n"
                        "host    all          all               127.0.0.1/32   scram-sha-256\n");
    str_printf(path, sizeof path, "%s/pg_hba.conf", m->datadir);
    ok = file_write_atomic(path, hba, 0600, demo_owner(d), err, errlen);
    free(hba);
    struct passwd *pw = getpwuid(d->chown ? d->owner_uid : geteuid());
    char *ident = xasprintf("# repltop demo: the server's OS user may connect as postgres\n"
                            "demo  %s  postgres\n",
                            pw ? pw->pw_name : "postgres");
    str_printf(path, sizeof path, "%s/pg_ident.conf", m->datadir);
    ok = ok && file_write_atomic(path, ident, 0600, demo_owner(d), err, errlen);
    free(ident);
    return ok;
}

/* replication_user gets a SCRAM verifier computed here: the password never reaches SQL text. */
static bool setup_primary(struct build *b, char *err, size_t errlen)
{
    const struct demo *d = b->d;
    const char *name = d->nodes[0].name;
    demo_say(d, "%s: create role replication_user, database demo, table users", name);
    PGconn *conn = demo_connect(d, 0, "postgres", err, errlen);
    if (!conn)
        return false;
    bool ok = false;
    char *verifier = PQencryptPasswordConn(conn, b->pw_repl, "replication_user", "scram-sha-256");
    char *lit = verifier ? PQescapeLiteral(conn, verifier, strlen(verifier)) : NULL;
    if (!lit) {
        str_printf(err, errlen, "%s: %s", name, PQerrorMessage(conn));
    } else {
        char *sql =
            xasprintf("CREATE ROLE replication_user WITH REPLICATION LOGIN PASSWORD %s", lit);
        ok = demo_exec(conn, name, sql, err, errlen) &&
             demo_exec(conn, name, "CREATE DATABASE demo", err, errlen);
        free(sql);
    }
    PQfreemem(lit);
    PQfreemem(verifier);
    PQfinish(conn);
    if (!ok)
        return false;
    conn = demo_connect(d, 0, "demo", err, errlen);
    if (!conn)
        return false;
    ok = demo_exec(conn, name,
                   "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, "
                   "created_at timestamptz NOT NULL DEFAULT now())",
                   err, errlen);
    PQfinish(conn);
    return ok;
}

static void stop_started(struct build *b)
{
    for (int i = DEMO_NODES - 1; i >= 0; i--) {
        char why[512];
        if (b->started[i] && !demo_node_stop(b->d, i, why, sizeof why))
            demo_say(b->d, "%s", why);
    }
}

static bool build(struct build *b, int base_port, char *err, size_t errlen)
{
    struct demo *d = b->d;
    if (!pick_ports(b, base_port, err, errlen) || !prepare_conf(b, err, errlen))
        return false;
    demo_say(d, "ports: %s %d, %s %d, %s %d", d->nodes[0].name, d->nodes[0].port, d->nodes[1].name,
             d->nodes[1].port, d->nodes[2].name, d->nodes[2].port);
    if (!make_dir(b, err, errlen) ||
        !random_password(b->pw_super, sizeof b->pw_super, err, errlen) ||
        !random_password(b->pw_repl, sizeof b->pw_repl, err, errlen) ||
        !write_pgpass(b, err, errlen) || !init_primary(b, err, errlen))
        return false;

    demo_say(d, "%s: start (primary, port %d)", d->nodes[0].name, d->nodes[0].port);
    release_port(b, 0);
    if (!demo_node_start(d, 0, err, errlen))
        return false;
    b->started[0] = true;
    if (!setup_primary(b, err, errlen) || !demo_clone_standbys(d, err, errlen))
        return false;
    for (int i = 1; i < DEMO_NODES; i++) {
        demo_say(d, "%s: start (standby, port %d)", d->nodes[i].name, d->nodes[i].port);
        release_port(b, i);
        if (!demo_node_start(d, i, err, errlen))
            return false;
        b->started[i] = true;
    }
    if (!demo_set_sync_names(d, err, errlen) || !demo_wait_streaming(d, err, errlen))
        return false;
    if (!file_write_atomic(d->conf, b->conf_text, 0644, demo_owner(d), err, errlen))
        return false;
    demo_say(d, "wrote %s", d->conf);
    return true;
}

static void say_ready(const struct demo *d, bool built, double seconds)
{
    if (built)
        demo_say(d, "demo cluster ready in %.1f s. Open the dashboard:", seconds);
    else
        demo_say(d, "demo cluster running. Open the dashboard:");
    demo_say(d, "  repltop -c %s", d->conf);
    demo_say(d, "  repltop -c %s status", d->conf);
    demo_say(d, "stop it with: repltop demo down --dir %s", d->dir);
}

bool demo_up(struct demo *d, int base_port, char *err, size_t errlen)
{
    int64_t t0 = clock_mono_ms();
    const char *who = d->run_as[0] ? d->run_as : NULL;
    switch (dir_state(d)) {
    case DIR_COMPLETE:
        demo_say(d,
                 "demo in %s exists: resuming it as it was left, starting what is stopped (after "
                 "a failover drill it is not the fresh cluster `repltop demo --help` describes; "
                 "for a fresh one: repltop demo down --dir %s --purge, then demo up)",
                 d->dir, d->dir);
        if (!demo_start_stopped(d, err, errlen))
            return false;
        say_ready(d, false, (double)(clock_mono_ms() - t0) / 1000.0);
        return true;
    case DIR_PARTIAL:
        str_printf(err, errlen,
                   "%s holds a half-built demo (a previous `demo up` did not finish): run "
                   "`repltop demo down --dir %s --purge` to stop and remove it, then try again",
                   d->dir, d->dir);
        return false;
    case DIR_FOREIGN:
        str_printf(err, errlen, "%s is not empty and is not a repltop demo: choose another --dir",
                   d->dir);
        return false;
    case DIR_UNUSABLE:
        str_printf(err, errlen, "%s: %s", d->dir, strerror(errno));
        return false;
    case DIR_NEW:
        break;
    }

    struct build b = {.d = d, .hold = {-1, -1, -1}};
    if (who) {
        if (!d->chown) {
            str_printf(err, errlen,
                       "running as root, the servers must run as user %s, which does not exist",
                       who);
            return false;
        }
        /* The parent must be enterable by the server user: it owns DIR, not its ancestors. */
        char parent[PATH_MAX];
        str_copy(parent, sizeof parent, d->dir);
        *strrchr(parent, '/') = '\0';
        if (!proc_user_can_access(who, parent[0] ? parent : "/", X_OK)) {
            str_printf(err, errlen,
                       "%s: user %s cannot reach this directory (running as root, the servers "
                       "run as %s); choose a --dir it can enter, e.g. under /tmp",
                       d->dir, who, who);
            return false;
        }
    }
    demo_say(d, "building the demo in %s%s%s (PostgreSQL programs: %s)", d->dir,
             who ? ", servers run as " : "", who ? who : "", d->bindir);
    bool ok = build(&b, base_port > 0 ? base_port : DEMO_BASE_PORT, err, errlen);
    for (int i = 0; i < DEMO_NODES; i++)
        release_port(&b, i);
    explicit_bzero(b.pw_super, sizeof b.pw_super);
    explicit_bzero(b.pw_repl, sizeof b.pw_repl);
    free(b.conf_text);
    if (!ok && b.touched) {
        stop_started(&b);
        size_t len = strlen(err);
        str_printf(err + len, errlen - len,
                   "; the demo is half-built: `repltop demo down --dir %s --purge` removes it",
                   d->dir);
        return false;
    }
    if (!ok)
        return false;
    say_ready(d, true, (double)(clock_mono_ms() - t0) / 1000.0);
    return true;
}
