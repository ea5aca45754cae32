/* host: how the actions reach the host of a node's data directory. One interface for every way
 * of driving a server — this host (the local_* code itself), ssh, and later `docker exec` — so
 * that resync, new replica and rejoin run unchanged on any of them (docs/DESIGN.md 4.12).
 *
 * A remote way is a `struct host_way`: it turns an argument vector into the local argv that
 * runs it on the node's host (ssh: one command string of single-quoted words for the remote
 * shell; docker: `docker exec` with the words as they are), and says when a failure was its own
 * (ssh's exit 255) rather than the program's. Everything else is built on that here: a server's
 * status, start and stop, PostgreSQL's programs, reading, writing and moving files — with
 * nothing on the far side but a POSIX shell, its usual tools and PostgreSQL's programs. What a
 * remote way runs, runs as the user it logs in as, who must own the data directory. */
#ifndef REPLTOP_HOST_H
#define REPLTOP_HOST_H

#include "model/config/config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct host;
struct local_node;

struct host_way {
    const char *kind; /* "ssh", "docker" */
    /* The local argv (heap, NULL-terminated; host_argv_free) that runs the words of argv on the
     * host, reading its stdin from ours. */
    char **(*command)(const struct host *h, const char *const *argv);
    /* Whether status is the way's own failure (nothing ran); then why gets one line that says
     * what failed and the way forward, from the way's last message. */
    bool (*failed)(const struct host *h, int status, const char *said, char *why, size_t n);
    /* Ends what the way keeps open between commands (ssh's master connection); may be NULL. */
    void (*close)(const struct host *h);
    /* The server, when the way drives it itself (docker: it is the container's PID 1, started
     * and stopped with the container); NULL: pg_ctl on the host, its log DATADIR.log there. */
    bool (*running)(const struct local_node *ln);
    bool (*stop)(const struct local_node *ln, char *err, size_t errlen);
    bool (*start)(const struct local_node *ln, char *err, size_t errlen);
    char *(*log)(const struct local_node *ln); /* the server's whole log (heap), NULL */
    /* Lines the way's own client prints before the program's output begins (docker run's
     * "WARNING: IPv4 forwarding is disabled..."), dropped: they would be read as the file's first
     * line. A prefix, followed by no blank (PostgreSQL's own "WARNING:  " has two); NULL. */
    const char *noise;
    /* Seconds added to every command's deadline: what the way itself may take on a loaded
     * machine (docker: creating a temporary container) */
    int extra_s;
};

/* What host_check_node found on a remote host. */
struct host_facts {
    long login_uid, dir_uid;
    int dir;        /* 1 a directory, 0 absent, -1 something else */
    bool parent_ok; /* absent, and its parent is writable */
    char missing[PATH_MAX + 32];
};

struct host {
    const struct host_way *way; /* NULL: this host */
    const char *dest;           /* ssh: the destination as configured; docker: the container */
    const char *options;        /* ssh: ssh_options as configured; docker: docker_host; NULL */
};

/* The way to nc's host: ssh when it has `ssh =`, docker with `docker =`, else this host. */
void host_init(struct host *h, const struct node_conf *nc);
bool host_remote(const struct host *h);
void host_close(const struct host *h);
void host_argv_free(char **argv);

/* ----- the ways (host_ssh.c, host_docker.c) ----- */

const struct host_way *host_ssh_way(void);
const struct host_way *host_docker_way(void);
/* The container's address on its (first) network, from docker inspect; false: none (stopped,
 * absent). */
bool host_docker_address(const struct host *h, char *ip, size_t n);
/* For each docker node whose conninfo names no host: host=its container's address (or, when it
 * is not running, a socket path that cannot exist, so that nothing of this host answers). Runs
 * docker inspect: at start-up only, never on the UI path. */
void host_docker_addresses(struct config *c);

/* ----- running on a remote host (host_remote.c) ----- */

/* Runs argv (argv[0] a path or a name in the remote PATH) on the host, with in (may be NULL)
 * on its stdin. raw, when not NULL, gets the output (heap). Returns the exit status; -1 with
 * why when the way failed (why says how: refused, auth, host key...), it ran past timeout_s or
 * we were interrupted. What it may change forgets the answers kept of that host (host_query). */
int host_exec(const struct host *h, const char *const *argv, const char *in, int timeout_s,
              void (*on_line)(void *, const char *), void *ctx, char **raw, char *why,
              size_t whylen);
/* The same for a command that changes nothing there: the kept answers stay. */
int host_exec_read(const struct host *h, const char *const *argv, const char *in, int timeout_s,
                   void (*on_line)(void *, const char *), void *ctx, char **raw, char *why,
                   size_t whylen);
/* A program from the node's bindir, as local_run: env entries "K=V" (a password) travel on
 * stdin, read by the remote shell, never in an argv. */
int host_run_program(const struct local_node *ln, const char *const *argv, const char *const *env,
                     int timeout_s, void (*on_line)(void *, const char *), void *ctx, char *why,
                     size_t whylen);

/* Whether a pg_basebackup -D DATADIR runs on the host: 1, 0, -1 unknown (local_copy_running). */
int host_copy_running(const struct local_node *ln, char *pids, size_t n);

/* What a remote host must show before anything changes: it answers, its login user owns the
 * data directory (or may create it, missing_ok), PostgreSQL's programs are there. Fills
 * ln->bindir and ln->owner. False with one line in err. */
bool host_check_node(struct local_node *ln, bool missing_ok, char *err, size_t errlen);
/* Asks, in one round trip, what an action reads of a fresh copy in the data directory before it
 * starts it (its configuration files, standby.signal, the server log's size); kept for
 * host_query. host_check_node asks, with its check, what is read before any change. */
void host_survey_copy(const struct local_node *ln);

/* ----- read-only questions, many in one round trip (host_exec.c) ----- */

/* Each a constant script of POSIX tools; $1 a path (HQ_MOUNT_POINT: the mount point). */
enum host_query {
    HQ_EXISTS,
    HQ_IS_DIR,
    HQ_IS_LINK,
    HQ_DIR_EMPTY,
    HQ_WRITABLE,
    HQ_READ,        /* ls's mode field on the first line, then the file's text */
    HQ_LIST,        /* ls -A */
    HQ_FREE,        /* avail=KB */
    HQ_MOUNT_POINT, /* exit 0: $1 is a mount point */
    HQ_REALPATH,
    HQ_MODE, /* ls's mode field */
    HQ_RUNNING,
    HQ_SIZE, /* bytes (0 when absent) */
    HQ_N
};
/* One command of a batch: a query (body NULL), or a script of the caller's with $1 and $2. */
struct host_op {
    enum host_query q;
    const char *body;
    const char *a1, *a2;
};
/* A query's exit status and output (heap, out may be NULL): the kept answer when there is one,
 * else asked now and kept. -1 when the way failed. */
int host_query(const struct host *h, enum host_query q, const char *a1, const char *a2, char **out);
/* The script of a query, for a remote script that asks it again and again. */
const char *host_query_script(enum host_query q);
/* Runs ops in one round trip: outs[i] (heap, NULL when it did not run) and rcs[i]; the
 * queries' answers are kept. Returns the batch's own status (-1 with why: the way failed). */
int host_batch(const struct host *h, const struct host_op *ops, int n, char **outs, int *rcs,
               char *why, size_t whylen);
/* Asks ops in one round trip, only to keep the answers. */
void host_prefetch(const struct host *h, const struct host_op *ops, int n);
/* Forgets what was kept of h (of every host when h is NULL), or what a change of path alters. */
void host_forget(const struct host *h);
void host_forget_path(const struct host *h, const char *path);

/* ----- files on a remote host (host_files.c) ----- */

enum host_test { HOST_EXISTS, HOST_IS_DIR, HOST_IS_LINK, HOST_DIR_EMPTY, HOST_WRITABLE };
bool host_test(const struct host *h, enum host_test t, const char *path);
/* A regular file's text (heap, NULL when absent or unreadable) and its mode. */
char *host_read(const struct host *h, const char *path, mode_t *mode);
/* Replaces path with text: a temp file beside it, then renamed over it. */
bool host_write(const struct host *h, const char *path, const char *text, mode_t mode, char *err,
                size_t errlen);
/* Several files replaced (as host_write) or removed (text NULL), in one round trip; stops at
 * the first that fails. */
struct host_file {
    const char *path, *text;
    mode_t mode;
};
bool host_write_files(const struct host *h, const struct host_file *files, int n, char *err,
                      size_t errlen);
bool host_mkdir(const struct host *h, const char *path, mode_t mode, char *err, size_t errlen);
/* A resync's first changes in one round trip: the data directory renamed aside (when stem:
 * to stem, else stem-2, stem-3..., the first that does not exist; its name in old), an empty
 * one made (when mode), and the marker written, holding old. Stops at the first step that
 * fails and returns it, err saying why as the step alone would; what was done before stays
 * done (the caller undoes it). */
enum host_aside_step { HOST_ASIDE_DONE, HOST_ASIDE_MOVE, HOST_ASIDE_MKDIR, HOST_ASIDE_MARKER };
int host_move_aside(const struct host *h, const char *datadir, const char *stem, mode_t mode,
                    const char *marker, char *old, size_t n, char *err, size_t errlen);
/* Renames from to to (never into an existing directory). */
bool host_rename(const struct host *h, const char *from, const char *to, char *err, size_t errlen);
bool host_remove(const struct host *h, const char *path, bool dir);
/* The names in dir (heap array of heap strings, *n of them); NULL when unreadable. */
char **host_list(const struct host *h, const char *dir, int *n);
/* Copies the names in from (files) into to; how many could not be copied, -1 when none ran. */
int host_copy(const struct host *h, const char *from, char *const *names, int n, const char *to);
/* Free bytes for the owner in dir's file system and whether path is a mount point. */
bool host_disk(const struct host *h, const char *dir, long long *avail, const char *path,
               bool *mount_point);
/* The physical path (symbolic links resolved); false when it does not exist. */
bool host_realpath(const struct host *h, const char *path, char *out, size_t n);
/* The mode of path (0 when unknown). */
mode_t host_mode(const struct host *h, const char *path);

/* ----- a server on a remote host (host_server.c) ----- */

bool host_server_running(const struct local_node *ln);
bool host_server_stop(const struct local_node *ln, char *err, size_t errlen);
bool host_server_start(const struct local_node *ln, long log_offset, char *err, size_t errlen);
long host_log_size(const struct local_node *ln);
/* The server log's text from offset on (heap; NULL when unreadable). */
char *host_log_since(const struct local_node *ln, long offset);

#endif
