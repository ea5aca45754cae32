/* action: what every operator action shares — a fresh snapshot to check against, progress
 * lines, confirmation, the audit log, and short-lived libpq sessions with deadlines. The steps
 * of each action (action_promote.h, action_sync.h, action_rejoin.h, action_resync_checks.h)
 * take arguments the front end (cli/) has already checked.
 *
 * Actions are plain sequential code with deadlines on every network call. The command line
 * (cli/action_main.c) runs them directly; the dashboard runs the same command as a child process
 * (fork+execvp of its own binary with --confirmed=dashboard) and reads its progress lines from a
 * pipe in its poll() loop, so a promote that waits or a basebackup that takes minutes never freezes
 * the screen.
 *
 * Progress lines on stdout, one per step, start with a tag the dashboard understands:
 *   "step: ...", "ok: ...", "warn: ...", "fail: ...", "progress: DONE TOTAL", "done: ...".
 * (On a terminal the progress line is for a person: "progress: 15 MB of 30 MB (50 %)".) */
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
    /* how the operator confirmed before it ran (yes): "--yes", or "typed in the dashboard"
     * (--confirmed=dashboard); the audit log records it. NULL without yes. */
    const char *confirmed;
    struct snapshot *snap; /* taken by action_begin; refreshed by action_refresh */
    FILE *audit;           /* NULL when the audit log cannot be opened (warned once) */
    /* its step/ok/warn lines, for what takes a progress (model/local): printed and logged
     * as action_step and the others print and log them */
    struct progress progress;
    /* How the front end asks the operator, set after action_begin (NULL: nobody to ask, so
     * only --yes goes on): 1 when they typed `expect`, 0 when they declined, -1 when there was
     * no answer (no terminal, end of input). It says why itself; the audit log is ours. */
    int (*ask)(const struct action *a, const char *question, const char *expect);
    /* the nodes whose action role was named in a step line already (one line per node) */
    char roles_said[1024];
    /* --allow-full-copy: a rejoin whose rewind is impossible may copy everything instead */
    bool allow_full_copy;
};

/* Loads nothing: cfg is ready. Opens the audit log and takes a snapshot of the cluster.
 * confirmed: NULL to ask the operator (a->ask), else how they confirmed already ("--yes",
 * "typed in the dashboard"), recorded in the audit log. */
void action_begin(struct action *a, const char *verb, const char *target, struct config *cfg,
                  const char *confirmed, bool force);
/* Closes the audit log (recording the result) and frees the snapshot. */
void action_end(struct action *a, bool ok);

/* A new snapshot (after a change), replacing a->snap. */
void action_refresh(struct action *a);

void action_step(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void action_ok(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void action_warn(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports the refusal or failure and returns 1 (the command's exit status). */
int action_fail(struct action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void action_progress(struct action *a, long long done, long long total);

/* Asks the operator (a->ask) unless --yes: they must type `expect` exactly. Refuses (false)
 * when nobody answers. */
bool action_confirm(struct action *a, const char *question, const char *expect);

/* A blocking session for an action as its action role (config_admin_conninfo: [node X] admin,
 * [repltop] admin_user, else the node's conninfo), with the configured connect deadline and a
 * statement timeout; the first session on each node says which role it is. NULL with libpq's
 * message in err. Never used on the dashboard's path. */
PGconn *action_connect(struct action *a, const struct node_conf *node, char *err, size_t errlen);
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

#endif
