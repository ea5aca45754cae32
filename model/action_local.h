/* action_local: what resync and rejoin share — a node whose data directory is on this host.
 *
 * PostgreSQL's programs (pg_ctl, pg_basebackup, pg_rewind, pg_controldata) run from the node's
 * bindir as the owner of the data directory (when we are root), never through a shell, with
 * their output read line by line (progress lines, the error worth quoting). A node's own
 * configuration files are read before pg_basebackup or pg_rewind replaces them with the
 * primary's copies, and written back: a clone must not keep the primary's port, sync list or
 * slot (DESIGN.md section 7). Nothing here deletes a data directory: it is renamed aside. */
#ifndef REPLTOP_ACTION_LOCAL_H
#define REPLTOP_ACTION_LOCAL_H

#include "action.h"

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/* A node with a datadir in the config, and who owns it. */
struct local_node {
    struct node_conf *conf;
    char datadir[PATH_MAX];
    char log[PATH_MAX + 8]; /* DATADIR.log, pg_ctl's server log next to the data directory */
    char bindir[PATH_MAX];
    char owner[64];
    uid_t uid;
    gid_t gid;
    const char *run_as; /* owner when we are root, else NULL (we are the owner) */
};

/* Resolves the node's data directory, programs and owner. missing_ok: the directory may not
 * exist yet (a new replica: the owner is that of its parent, else of another local node's
 * data directory). False with a sentence in err: no datadir, not ours, owned by root... */
bool local_node_init(struct local_node *ln, struct node_conf *conf, const struct config *cfg,
                     bool missing_ok, char *err, size_t errlen);
bool local_datadir_exists(const struct local_node *ln);

/* ----- running programs ----- */

/* Called for every line (split at \n and \r) a program prints. */
typedef void (*local_line_fn)(struct action *a, void *ctx, const char *line);

/* Runs BINDIR/argv[0] argv[1..] (NULL-terminated) as the owner, env as in proc_spec. Returns
 * its exit status; -1 when it could not run, ran past timeout_s (0: no limit), or we were
 * interrupted (SIGINT/SIGTERM/SIGHUP: the program is stopped first). On any failure why says
 * what happened, quoting the program's last error line. */
int local_run(struct action *a, const struct local_node *ln, const char *const *argv,
              const char *const *env, int timeout_s, local_line_fn on_line, void *ctx, char *why,
              size_t whylen);

/* Signals that would kill us mid-way (leaving a directory moved aside) only set a flag
 * while an action runs; a program that runs when one arrives is stopped and fails. Catch returns
 * false when they were caught already (then the outer caller restores them). */
bool local_signals_catch(void);
void local_signals_restore(void);
bool local_interrupted(void);

/* ----- the server ----- */

bool local_running(const struct local_node *ln);
/* pg_ctl stop -m fast when it runs; then waits until no process works in the data directory
 * any more (the backends of a SIGKILLed postmaster linger for a moment). */
bool local_stop(struct action *a, const struct local_node *ln, char *err, size_t errlen);
/* pg_ctl start -l DATADIR.log; err quotes the server's reason from its log. */
bool local_start(struct action *a, const struct local_node *ln, char *err, size_t errlen);
/* The port it listened on when it last ran (postmaster.pid), else its config files'; -1. */
int local_old_port(const char *datadir);
/* pg_controldata: latest checkpoint's timeline and the WAL segment size (-1 when unknown). */
void local_controldata(struct action *a, const struct local_node *ln, int *tli, long *seg_size);

/* ----- files ----- */

enum { CONF_MAIN, CONF_HBA, CONF_IDENT, CONF_AUTO, CONF_NFILES };
extern const char *const local_conf_names[CONF_NFILES];

/* The node's own configuration files (those that exist in a data directory). */
struct local_conf {
    char *text[CONF_NFILES]; /* NULL when absent */
    mode_t mode[CONF_NFILES];
};
void local_conf_read(struct local_conf *c, const char *datadir);
void local_conf_free(struct local_conf *c);
/* Writes the files that are present into dir, owned by the owner. */
bool local_conf_write(const struct local_node *ln, const struct local_conf *c, const char *dir,
                      char *err, size_t errlen);

/* The last value of a setting in a config text (`key = 'value'`, `key value`), unquoted;
 * a heap string or NULL. Include directives are not followed. */
char *local_guc_get(const char *text, const char *key);
/* A new text: every line setting key removed, then `key = 'value'` appended (value NULL:
 * only removed). */
char *local_guc_set(const char *text, const char *key, const char *value);

/* Creates or replaces path atomically (temp file + rename), owned by the owner. */
bool local_write_file(const struct local_node *ln, const char *path, const char *text, mode_t mode,
                      char *err, size_t errlen);
bool local_mkdir(const struct local_node *ln, const char *path, mode_t mode, char *err,
                 size_t errlen);
/* DATADIR.repltop-WHAT-YYYYmmddTHHMMSS, a name that does not exist yet. */
void local_aside_path(const struct local_node *ln, const char *what, char *out, size_t n);

/* ----- becoming a standby ----- */

struct standby_conf {
    const char *primary_conninfo; /* may hold a password: only written to the file */
    const char *slot;             /* primary_slot_name, NULL or "" for none */
    int port;                     /* > 0: the port the node must listen on */
    const char *cluster_name;     /* set when not NULL (a new replica, not the primary's) */
};

/* Writes the node's own postgresql.conf, pg_hba.conf and pg_ident.conf back from own (those it
 * had), rebuilds postgresql.auto.conf (own's, else the one in DATADIR) with primary_conninfo,
 * primary_slot_name, synchronous_standby_names empty and the node's port, and makes sure
 * standby.signal exists. */
bool local_make_standby(struct action *a, const struct local_node *ln, const struct local_conf *own,
                        const struct standby_conf *sc, char *err, size_t errlen);

/* ----- the cluster ----- */

/* A fresh snapshot that leaves a->snap alone (promote holds pointers into it). */
struct snapshot *local_snapshot(struct action *a);
/* The one reachable primary that is not `self`; NULL with the reason in why. */
const struct node_snap *local_primary(const struct snapshot *s, const char *self, char *why,
                                      size_t whylen);
/* primary_conninfo of a reachable standby other than self (the replication user and its
 * options, to copy); a heap string (it may hold a password) or NULL. */
char *local_standby_conninfo(struct action *a, const struct snapshot *s, const char *self);
/* Refuses (false) when the running server reached through the node's conninfo works in
 * another directory than the configured datadir. */
bool local_check_datadir(struct action *a, const struct local_node *ln, const struct node_snap *ns,
                         char *err, size_t errlen);
/* Until the node is in recovery, its WAL receiver streams (on timeline tli when > 0) and the
 * primary lists application_name as streaming; false after timeout_s with what was seen and
 * the server's last complaint from its log. */
bool local_wait_streaming(struct action *a, const struct local_node *ln,
                          const struct node_conf *primary, const char *application_name, int tli,
                          int timeout_s, char *err, size_t errlen);
/* Whether the server log written since offset says the node cannot follow the timeline. */
bool local_log_says_diverged(const struct local_node *ln, long offset);
long local_log_size(const struct local_node *ln);

/* ----- resync (action_resync.c), also rejoin's fallback ----- */

struct resync_opts {
    bool new_replica;             /* --new: there is no data directory yet */
    const struct local_conf *own; /* the node's config files, read earlier; NULL: read them
                                   * from the directory being moved aside */
    const char *application_name; /* NULL: its current one, else its config name */
    const char *conninfo;         /* base for primary_conninfo; NULL: the old one's */
};

/* Stops the node, moves its data directory aside, clones it from primary with pg_basebackup,
 * makes it a standby with its own settings, starts it and waits until it streams. The checks
 * and the confirmation are the caller's. On failure the original directory is back in place
 * (when the clone did not finish) and err says what happened. */
bool resync_node(struct action *a, const struct local_node *ln, const struct snapshot *s,
                 const struct node_snap *primary, const struct resync_opts *o, char *err,
                 size_t errlen);

#endif
