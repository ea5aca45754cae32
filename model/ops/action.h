/* action: what every operator action shares — a fresh snapshot to check against, progress
 * lines, confirmation, the audit log, and short-lived libpq sessions with deadlines.
 *
 * Actions are plain sequential code with deadlines on every network call. The command line
 * runs them directly; the dashboard runs the same command as a child process (fork+execvp
 * of its own binary with --yes) and reads its progress lines from a pipe in its poll() loop,
 * so a promote that waits or a basebackup that takes minutes never freezes the screen.
 *
 * Progress lines on stdout, one per step, start with a tag the dashboard understands:
 *   "step: ...", "ok: ...", "warn: ...", "fail: ...", "progress: DONE TOTAL", "done: ...". */
#ifndef REPLTOP_ACTION_H
#define REPLTOP_ACTION_H

#include "model/config/config.h"
#include "model/watch/snapshot.h"
#include "model/pg/pgexec.h" /* pg_exec, for every action */
#include "model/base/progress.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

struct action {
    const char *verb;   /* "promote", "sync set", "resync", "rejoin" */
    const char *target; /* node name or spec the action is about */
    struct config *cfg;
    bool yes, force;
    struct snapshot *snap; /* taken by action_begin; refreshed by action_refresh */
    FILE *audit;           /* NULL when the audit log cannot be opened (warned once) */
    /* its step/ok/warn lines, for what takes a progress (model/local): printed and logged
     * as action_step and the others print and log them */
    struct progress progress;
};

/* A new snapshot (after a change), replacing a->snap. */
void action_refresh(struct action *a);

void action_step(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void action_ok(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void action_warn(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports the refusal or failure and returns 1 (the command's exit status). */
int action_fail(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void action_progress(struct action *a, long long done, long long total);

/* Asks on the terminal unless --yes: the operator must type `expect` exactly. Refuses
 * (false) without a terminal. */
bool action_confirm(struct action *a, const char *question, const char *expect);

/* A blocking session for an action, with the configured connect deadline and a statement
 * timeout; NULL with libpq's message in err. Never used on the dashboard's path. */
PGconn *action_connect(const struct action *a, const struct node_conf *node, char *err,
                       size_t errlen);
/* ALTER SYSTEM SET name = value, the value escaped by libpq (a reload is the caller's). */
bool action_alter_system(PGconn *c, const char *name, const char *value, char *err, size_t errlen);
/* Runs a one-value query; a heap string (NULL for SQL NULL or error, err says which). */
char *action_value(PGconn *c, const char *sql, char *err, size_t errlen);

/* A node by its config name, else by the application_name it streams with (case-insensitive),
 * so `promote walreceiversync` and `promote db_s2` name the same standby. */
struct node_conf *action_find_node(struct action *a, const char *name_or_app);

/* The config entry and the snapshot entry of a node (NULL when unknown). */
struct node_conf *action_node_conf(struct action *a, const char *name);
const struct node_snap *action_node_snap(const struct action *a, const char *name);
/* The one reachable primary of the snapshot, NULL if none or several. */
const struct node_snap *action_primary(const struct action *a);

/* primary_conninfo for a standby that is to follow new_primary: the standby's current
 * conninfo (user, passfile, sslmode... kept) with host/hostaddr/port taken from the new
 * primary's config conninfo and application_name set. A heap string; holds whatever secret
 * the old one held, so it goes only to the server (escaped with PQescapeLiteral). */
char *action_follow_conninfo(const char *old_conninfo, const struct node_conf *new_primary,
                             const char *application_name);

/* Path of the audit log: $XDG_STATE_HOME/repltop/actions.log (~/.local/state/...). */
void action_audit_path(char *buf, size_t n);

/* ----- the subcommands ----- */

/* What action_main hands a command's hooks. */
struct action_call {
    char **args; /* the positional arguments */
    int nargs;
    void *opts;         /* the command's own option values, stored by its on_extra */
    const char *verb;   /* for the audit log: the command's name unless check sets another */
    const char *target; /* what it is about: args[0] (NULL without) unless check sets another */
};

/* One subcommand as a table, one per file. action_main parses the options every action takes
 * (-c FILE, --yes, --force, --help) and the command's own, loads the config and checks the
 * arguments, all before anything connects; then it runs the command between action_begin and
 * action_end. */
struct option;
struct action_cmd {
    const char *name;  /* "promote": the audit log's verb, and how messages call it */
    const char *usage; /* printed for --help */
    int nargs;         /* positional arguments it takes; -1: check decides */
    const char *takes; /* what they are, for when there are not nargs of them: "one NODE" */
    const struct option *extra; /* its own long options (zero-terminated), or NULL */
    void (*on_extra)(int opt, const char *arg, void *opts);
    /* More checks before anything connects (NULL: none): -1 to go on, else the exit status
     * (3, after saying why on stderr). */
    int (*check)(struct action_call *call);
    int (*run)(struct action *a, const struct action_call *call); /* the exit status */
};

/* Runs a subcommand: argv[0] is its name, config_path from options before it, opts where its
 * own option values go. The exit status: 0 done, 1 failed or refused, 3 bad usage. */
int action_main(int argc, char **argv, const char *config_path, const struct action_cmd *cmd,
                void *opts);

/* The subcommands (argv[0] is the command's name; config_path from options before it). */
int cmd_promote(int argc, char **argv, const char *config_path);
int cmd_sync(int argc, char **argv, const char *config_path);
int cmd_resync(int argc, char **argv, const char *config_path); /* argv[0] == "resync" */
int cmd_rejoin(int argc, char **argv, const char *config_path); /* argv[0] == "rejoin" */
/* for promote, which rejoins a local standby that needs a rewind automatically: */
bool action_rejoin_node(struct action *a, struct node_conf *node, char *err, size_t errlen);

#endif
