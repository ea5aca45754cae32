/* demo: the sandbox cluster of docs/DESIGN.md section 1 — db_m (primary), db_s1 (async standby,
 * application_name walreceiver), db_s2 (sync standby, walreceiversync) — on loopback ports
 * under one directory, plus a bounded insert load for the failover drill.
 *
 * DIR/db_m, DIR/db_s1, DIR/db_s2   data directories (their logs: DIR/<name>.log)
 * DIR/pgpass                        the only place the random passwords are written (0600)
 * DIR/repltop.conf                  the dashboard's config; written last, so it marks a demo
 *                                   that was completely built
 * DIR/.repltop-demo                 written first: DIR belongs to the demo
 *
 * When we run as root every file under DIR belongs to, and every PostgreSQL program runs as,
 * the `postgres` user. These are command-line tools: they block (with timeouts). */
#ifndef REPLTOP_DEMO_H
#define REPLTOP_DEMO_H

#include "model/local/local_node.h"
#include "model/base/progress.h"
#include "model/base/files.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DEMO_NODES      3
#define DEMO_BASE_PORT  54320
#define DEMO_SYNC_NAMES "FIRST 1 (walreceiversync, walreceiver)"

struct pg_conn; /* libpq's PGconn */

struct demo_node {
    const char *name;    /* db_m, db_s1, db_s2 */
    const char *appname; /* application_name of its walreceiver; NULL for db_m */
    int port;            /* -1 until known */
    char datadir[PATH_MAX];
    char log[PATH_MAX];
};

/* One line of progress ("db_m: initdb"); the command line prints it, the TUI may log it. */
typedef void (*demo_say_fn)(void *arg, const char *line);

struct demo {
    char dir[PATH_MAX]; /* absolute */
    char bindir[PATH_MAX];
    char pgpass[PATH_MAX];
    char conf[PATH_MAX];
    char run_as[64]; /* owner the servers run as when we are root; "" otherwise */
    bool chown;      /* files we create go to owner_uid/gid (run_as exists, we are root) */
    uid_t owner_uid;
    gid_t owner_gid;
    struct demo_node nodes[DEMO_NODES];
    demo_say_fn say;
    void *say_arg;
};

/* ${TMPDIR:-/tmp}/repltop-demo-<uid> */
void demo_default_dir(char *buf, size_t n);

/* Resolves dir (NULL: the default) to an absolute path and finds PostgreSQL's programs
 * (bindir NULL: the installed PostgreSQL). Touches nothing on disk. */
bool demo_init(struct demo *d, const char *dir, const char *bindir, char *err, size_t errlen);

/* Builds the cluster from scratch in a missing or empty DIR (base_port <= 0: DEMO_BASE_PORT),
 * or starts the stopped nodes of a complete one. Refuses a half-built or foreign DIR. */
bool demo_up(struct demo *d, int base_port, char *err, size_t errlen);

/* Stops (fast) every node of DIR that runs. With purge, then deletes DIR — only a directory
 * the demo made (DIR/repltop.conf or DIR/.repltop-demo present) and only once all stopped. */
bool demo_down(struct demo *d, bool purge, char *err, size_t errlen);

enum demo_role { DEMO_ROLE_UNKNOWN, DEMO_ROLE_PRIMARY, DEMO_ROLE_STANDBY };

struct demo_node_status {
    bool exists;  /* its data directory is there */
    bool running; /* pg_ctl status */
    enum demo_role role;
    char error[256]; /* why the role is unknown, when running */
};

/* Fills st[i] for every node (ports into d->nodes[i].port). False only when DIR is no demo. */
bool demo_status(struct demo *d, struct demo_node_status st[DEMO_NODES], char *err, size_t errlen);

struct demo_load_result {
    int node;          /* index of the primary it ran on, -1 if none found */
    long long rows;    /* rows whose commit was acknowledged */
    long long commits; /* acknowledged transactions */
    double seconds;
    char error[512]; /* why it stopped early ("" when it ran its time) */
};

/* Inserts into demo.public.users on the current primary for `seconds`, appending each
 * acknowledged id to ids_path (when not NULL) after every commit. Returns false (with err) when
 * it could not start: no primary, two primaries, ids file. A failure mid-run returns true with
 * the rows acknowledged so far and res->error set. */
bool demo_load(struct demo *d, double seconds, const char *ids_path, struct demo_load_result *res,
               char *err, size_t errlen);

/* `repltop demo up|down|status|load ...` (argv[0] is "up" etc.): 0 ok, 1 failure, 3 usage. */
int cmd_demo(int argc, char **argv);

/* ----- shared by the demo_*.c files ----- */

/* "host=127.0.0.1 port=P user=postgres dbname=DB passfile=DIR/pgpass" + extra (may be NULL). */
void demo_conninfo(const struct demo *d, int node, const char *dbname, const char *extra, char *buf,
                   size_t n);
/* A blocking connection (connect_timeout 10 s) as postgres; NULL with libpq's error in err. */
struct pg_conn *demo_connect(const struct demo *d, int node, const char *dbname, char *err,
                             size_t errlen);
/* A data directory of the demo (one of its nodes, or another under DIR) as model/local sees
 * it: its name, bindir and owner, for local_running, local_start, local_stop and local_run.
 * nc holds the name ln->conf points to. */
void demo_local(const struct demo *d, const char *name, const char *datadir, struct node_conf *nc,
                struct local_node *ln);
/* Where local_start and local_stop tell what they do: the demo prints only their warnings. */
struct progress demo_progress(const struct demo *d);
/* Runs BINDIR/argv[0] argv[1..] (NULL-terminated) as the server user, with node's local view
 * (local_run); returns its exit status, -1 when it could not run. On a failure err says
 * "prog exited with status N: why". */
int demo_run(const struct demo *d, int node, int timeout_s, const char *const *env,
             const char *const *argv, char *err, size_t errlen);
/* Reads each node's port from the last `port = N` line of its postgresql.conf. */
void demo_read_ports(struct demo *d);
bool demo_node_exists(const struct demo *d, int node);
bool demo_node_running(const struct demo *d, int node);
bool demo_node_start(const struct demo *d, int node, char *err, size_t errlen);
bool demo_node_stop(const struct demo *d, int node, char *err, size_t errlen);
/* Who the files the demo writes belong to (file_write_atomic): the server user. */
struct file_owner demo_owner(const struct demo *d);
bool demo_append_file(const char *path, const char *text, char *err, size_t errlen);
/* Runs one statement; false with "node: server message" in err. */
bool demo_exec(struct pg_conn *conn, const char *node, const char *sql, char *err, size_t errlen);
/* demo_standby.c: pg_basebackup of db_s1 and db_s2 from db_m (their own port and cluster_name,
 * primary_conninfo without password); synchronous_standby_names on the primary; waiting until
 * both stream. */
/* demo_ctl.c: starts the stopped nodes of a built demo, never a second primary. */
bool demo_start_stopped(struct demo *d, char *err, size_t errlen);
bool demo_clone_standbys(struct demo *d, char *err, size_t errlen);
bool demo_set_sync_names(struct demo *d, char *err, size_t errlen);
bool demo_wait_streaming(struct demo *d, char *err, size_t errlen);
void demo_say(const struct demo *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
