/* switchover_steps: the steps of a switchover once confirmed (switchover_plan.h), from the phase
 * an earlier run reached (docs/DESIGN.md 4.11).
 *
 * Why nothing is lost and nothing rewound: a fast shutdown writes a shutdown checkpoint as the
 * primary's last WAL record and its walsenders exit only once the connected standbys have
 * flushed everything up to it. When the candidate has replayed past that checkpoint (checked,
 * not assumed), its promotion forks the new timeline after the old primary's last record, so
 * the old primary's WAL is a prefix of the new history and it can follow as it is.
 *
 * The point of no return is pg_promote. Before it, any failure starts the old primary again as
 * the primary: nothing changed. After it, each failure says what state things are in, and the
 * same command finishes the rest. */
#include "model/ops/switchover_plan.h"
#include "model/ops/action_follow.h"
#include "model/ops/action_promote.h"
#include "model/ops/local_cluster.h"
#include "model/local/local_conf.h"
#include "model/local/local_run.h"
#include "model/base/util.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define RECEIVED_WAIT_MS 5000
#define STREAM_WAIT_S    60

/* Before the promote: the old primary back as it was, and the command fails. Only when this run
 * stopped it: one found stopped may have been stopped for a reason (and another node may have
 * become the primary since), so it is left as it is. */
static int undo(struct action *a, struct switchover_plan *p, const char *why)
{
    char err[800];
    if (p->phase != SW_START)
        return action_fail(a,
                           "%s. %s was not promoted; %s stays stopped as it was found: nothing "
                           "was changed. If %s is still the cluster's primary, start it again "
                           "(pg_ctl start -D %s)",
                           why, p->cc->name, p->pc->name, p->pc->name, p->pl.datadir);
    action_warn(a, "%s: starting %s again as the primary", why, p->pc->name);
    if (!local_start(&a->progress, &p->pl, err, sizeof err))
        return action_fail(a,
                           "%s, and %s did not start again: %s. %s was not promoted: start %s "
                           "by hand (pg_ctl start -D %s)",
                           why, p->pc->name, err, p->cc->name, p->pc->name, p->pl.datadir);
    return action_fail(a, "%s. %s is the primary again, %s was not promoted: nothing was changed",
                       why, p->pc->name, p->cc->name);
}

/* A clean stop, and its control data: the shutdown checkpoint, the end of its WAL. */
static int stop_old(struct action *a, struct switchover_plan *p)
{
    char err[800];
    if (!local_stop(&a->progress, &p->pl, err, sizeof err)) {
        if (local_running(&p->pl))
            return action_fail(a, "%s. %s still runs as the primary: nothing was changed", err,
                               p->pc->name);
        return undo(a, p, err);
    }
    if (!local_control_read(&p->pl, &p->ctl) || strcmp(p->ctl.state, "shut down") != 0) {
        char why[200];
        str_printf(why, sizeof why, "%s did not shut down cleanly (its control data says '%s')",
                   p->pc->name, p->ctl.state[0] ? p->ctl.state : "unknown");
        return undo(a, p, why);
    }
    return 0;
}

/* Whether the candidate replayed past the old primary's shutdown checkpoint, on its timeline:
 * 1 yes, 0 not (yet), -1 no answer. seen describes what it has. Its timeline is its WAL
 * receiver's; once that has stopped (the primary is gone) it is on the old primary's timeline
 * unless it knows a newer one (a history file in its pg_wal): its control file's timeline lags
 * until a restartpoint. */
static int has_checkpoint(PGconn *c, const struct local_control *ctl, char *seen, size_t n)
{
    PGresult *r = PQexec(c, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), (SELECT "
                            "received_tli FROM pg_stat_wal_receiver), (SELECT max(('x' || "
                            "substr(name, 1, 8))::bit(32)::int) FROM pg_ls_waldir() WHERE name ~ "
                            "'^[0-9A-F]{8}\\.history$')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        str_copy(seen, n, PQerrorMessage(c));
        seen[strcspn(seen, "\n")] = '\0';
        PQclear(r);
        return -1;
    }
    bool recovery = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    lsn_t replayed = LSN_UNKNOWN;
    lsn_parse(PQgetvalue(r, 0, 1), &replayed);
    int received = PQgetisnull(r, 0, 2) ? -1 : atoi(PQgetvalue(r, 0, 2));
    int newest = PQgetisnull(r, 0, 3) ? 1 : atoi(PQgetvalue(r, 0, 3));
    PQclear(r);
    int tli = received > 0 ? received : newest > ctl->tli ? newest : ctl->tli;
    char at[LSN_STRLEN];
    lsn_format(replayed, at, sizeof at);
    str_printf(seen, n, "it has replayed up to %s on timeline %d", at[0] ? at : "(unknown)", tli);
    if (!recovery) {
        str_copy(seen, n, "it is not a standby any more");
        return -1;
    }
    return tli == ctl->tli && replayed != LSN_UNKNOWN && replayed > ctl->checkpoint;
}

/* The candidate holds everything the old primary wrote, or the old primary comes back. */
static int check_received(struct action *a, struct switchover_plan *p, PGconn **conn)
{
    char ck[LSN_STRLEN], err[600], seen[600] = "";
    lsn_format(p->ctl.checkpoint, ck, sizeof ck);
    action_step(a, "%s's shutdown checkpoint is at %s on timeline %d: checking that %s has it",
                p->pc->name, ck, p->ctl.tli, p->cc->name);
    if (!*conn && !(*conn = action_connect(a, p->cc, err, sizeof err))) {
        char why[800];
        str_printf(why, sizeof why, "cannot connect to %s before the promote: %s", p->cc->name,
                   err);
        return undo(a, p, why);
    }
    int got = 0;
    for (int64_t until = clock_mono_ms() + RECEIVED_WAIT_MS;
         (got = has_checkpoint(*conn, &p->ctl, seen, sizeof seen)) == 0 && clock_mono_ms() < until;)
        poll(NULL, 0, 10);
    if (got == 1) {
        action_ok(a, "%s has replayed %s's WAL past its shutdown checkpoint %s: nothing is lost",
                  p->cc->name, p->pc->name, ck);
        return 0;
    }
    char why[1400];
    str_printf(why, sizeof why, "%s %s: %s", p->cc->name,
               got < 0 ? "did not answer before the promote"
                       : "does not hold the shutdown "
                         "checkpoint",
               seen);
    return undo(a, p, why);
}

/* The new list, set on the candidate (a standby ignores it until it is promoted, so it holds
 * from the first commit on). */
static bool set_list(struct action *a, const struct switchover_plan *p, PGconn *conn)
{
    char err[600];
    action_step(a, "ALTER SYSTEM SET synchronous_standby_names = '%s' on %s", p->newlist,
                p->cc->name);
    if (action_alter_system(conn, "synchronous_standby_names", p->newlist, err, sizeof err) &&
        pg_exec(conn, "SELECT pg_reload_conf()", err, sizeof err))
        return true;
    action_warn(a, "could not set %s's synchronous_standby_names: %s", p->cc->name, err);
    return false;
}

/* The old primary as a standby of the candidate: its own files, primary_conninfo with the
 * replication user a standby uses, its slot on the new primary; then started. */
static bool old_to_standby(struct action *a, struct switchover_plan *p, PGconn *conn, char *err,
                           size_t errlen)
{
    struct local_conf own;
    local_conf_read(&own, p->pl.datadir);
    const char *auto_conf = own.text[CONF_AUTO];
    char *slot = auto_conf ? local_guc_get(auto_conf, "primary_slot_name") : NULL;
    char *base = local_standby_conninfo(a, a->snap, p->pc->name);
    if (!base) {
        base = xstrdup(p->pc->conninfo);
        action_warn(a,
                    "no standby's primary_conninfo to copy the replication user from: %s "
                    "replicates with the user of %s's conninfo in the config",
                    p->pc->name, p->cc->name);
    }
    char *ci = action_follow_conninfo(base, p->cc, p->p_app);
    bool ok = ci != NULL;
    if (!ok)
        str_printf(err, errlen, "cannot build %s's primary_conninfo", p->pc->name);
    if (ok && slot && slot[0])
        promote_create_slot(a, conn, slot);
    int port = p->pc->port > 0 ? p->pc->port : local_old_port(p->pl.datadir);
    struct standby_conf sc = {ci, slot, port, NULL, NULL};
    if (ok)
        action_step(a, "%s: standby.signal, primary_conninfo to %s (application_name %s)",
                    p->pc->name, p->cc->name, p->p_app);
    ok = ok && local_make_standby(&a->progress, &p->pl, &own, &sc, err, errlen) &&
         local_start(&a->progress, &p->pl, err, errlen);
    explicit_bzero(base, strlen(base));
    if (ci)
        explicit_bzero(ci, strlen(ci));
    free(base);
    free(ci);
    free(slot);
    local_conf_free(&own);
    return ok;
}

/* After pg_promote: the stopped old primary can follow without a rewind when its last
 * checkpoint is on the timeline the new one forked off, before the fork. */
static bool follows_without_rewind(struct action *a, const struct switchover_plan *p, int parent,
                                   lsn_t fork)
{
    char ck[LSN_STRLEN], f[LSN_STRLEN];
    lsn_format(p->ctl.checkpoint, ck, sizeof ck);
    lsn_format(fork, f, sizeof f);
    if (p->ctl.tli == parent && fork != LSN_UNKNOWN && p->ctl.checkpoint < fork) {
        action_ok(a, "%s's WAL ends at %s on timeline %d, before the fork at %s: no rewind",
                  p->pc->name, ck, p->ctl.tli, f);
        return true;
    }
    action_fail(a,
                "%s's last checkpoint %s (timeline %d) is not before %s's fork at %s (off timeline "
                "%d): it cannot follow without a rewind. Left stopped: repltop rejoin %s",
                p->pc->name, ck, p->ctl.tli, p->cc->name, f[0] ? f : "(unknown)", parent,
                p->pc->name);
    return false;
}

static int stopped_after_promote(struct action *a, const struct switchover_plan *p,
                                 const char *what)
{
    return action_fail(a,
                       "%s was promoted, then %s. %s is stopped with all its WAL on %s. When %s "
                       "answers again, run  repltop switchover %s  again to finish it",
                       p->cc->name, what, p->pc ? p->pc->name : "the old primary", p->cc->name,
                       p->cc->name, p->cc->name);
}

/* From the promoted candidate on: writable, the old primary back as a standby, the others
 * re-pointed. t_stop: when the old primary was stopped (0: by an earlier run). */
static int finish(struct action *a, struct switchover_plan *p, PGconn *conn, lsn_t fallback,
                  int64_t t_stop, int64_t start)
{
    const char *cn = p->cc->name;
    char err[1200];
    if (!conn && !(conn = action_connect(a, p->cc, err, sizeof err)))
        return stopped_after_promote(a, p, "it did not answer");
    if (p->phase == SW_PROMOTED && p->list_known && !set_list(a, p, conn)) {
        PQfinish(conn);
        return stopped_after_promote(a, p, "its sync list could not be set");
    }
    if (!promote_wait_writable(a, conn, cn)) {
        PQfinish(conn);
        return stopped_after_promote(a, p, "it did not accept writes");
    }
    if (t_stop)
        action_ok(a, "no primary for %lld ms (from stopping %s to %s accepting writes)",
                  (long long)(clock_mono_ms() - t_stop), p->pc->name, cn);
    int tli = -1, parent = -1;
    lsn_t fork = LSN_UNKNOWN;
    promote_fork_point(conn, &tli, &fork, fallback, &parent);
    if (tli <= 0) {
        PQfinish(conn);
        return stopped_after_promote(a, p, "stopped answering");
    }
    /* the other standbys first: re-pointing one is a reload, starting the old primary takes a
     * server start, and commits wait for whichever of the list streams first */
    int failures =
        promote_follow_all(a, p->c, p->cc, conn, tli, fork, start, p->pc ? p->pc->name : NULL);
    err[0] = '\0';
    bool old_ok = !p->pc || (follows_without_rewind(a, p, parent, fork) &&
                             old_to_standby(a, p, conn, err, sizeof err));
    if (p->pc && !old_ok && err[0])
        action_warn(a, "%s", err);
    err[0] = '\0';
    if (p->pc && old_ok &&
        !local_wait_streaming(a, &p->pl, p->cc, p->p_app, tli, STREAM_WAIT_S, err, sizeof err))
        old_ok = false;
    char why[300];
    bool alive = pg_exec(conn, "SELECT 1", why, sizeof why);
    PQfinish(conn);
    if (!alive)
        return stopped_after_promote(a, p, "stopped answering");
    if (!old_ok)
        return action_fail(a,
                           "%s is the primary on timeline %d, but %s does not stream from it%s%s. "
                           "Once the cause is fixed, run  repltop switchover %s  again",
                           cn, tli, p->pc->name, err[0] ? ": " : "", err, cn);
    if (failures)
        return action_fail(a,
                           "%s is the primary on timeline %d, but %d standby(s) do not follow it "
                           "yet: run  repltop switchover %s  again",
                           cn, tli, failures, cn);
    if (p->pc)
        printf("done: %s is the primary on timeline %d; %s streams from it (no rewind)\n", cn, tli,
               p->pc->name);
    else
        printf("done: %s is the primary on timeline %d\n", cn, tli);
    fflush(stdout);
    return 0;
}

static int run(struct action *a, struct switchover_plan *p)
{
    PGconn *conn = NULL;
    int64_t t_stop = 0, start = clock_mono_ms();
    lsn_t fallback = LSN_UNKNOWN;
    int rc = 0;
    if (p->phase == SW_PROMOTED)
        return finish(a, p, NULL, fallback, 0, start);
    if (p->phase == SW_START) {
        char err[600];
        /* connected before the stop: a new session is not set up while writes wait */
        if (!(conn = action_connect(a, p->cc, err, sizeof err)))
            return action_fail(a, "cannot connect to %s: %s. Nothing was changed", p->cc->name,
                               err);
        t_stop = clock_mono_ms();
        if ((rc = stop_old(a, p)) != 0) {
            PQfinish(conn);
            return rc;
        }
    }
    if ((rc = check_received(a, p, &conn)) != 0) {
        PQfinish(conn);
        return rc;
    }
    if (!set_list(a, p, conn)) {
        PQfinish(conn);
        return undo(a, p, "the new sync list could not be set");
    }
    /* the point of no return */
    if (!promote_now(a, conn, p->cc->name, &fallback, &start, true)) {
        char why[300];
        char *rec = PQstatus(conn) == CONNECTION_OK
                        ? action_value(conn, "SELECT pg_is_in_recovery()", why, sizeof why)
                        : NULL;
        bool standby = rec && rec[0] == 't', promoted = rec && rec[0] == 'f';
        free(rec);
        if (promoted) /* it answered late: promoted after all */
            return finish(a, p, conn, fallback, t_stop, start);
        PQfinish(conn);
        if (standby)
            return undo(a, p, "the promote did not happen");
        return action_fail(a,
                           "whether %s was promoted is unknown (it does not answer). %s is "
                           "stopped with all its WAL on %s. When %s answers again, run  "
                           "repltop switchover %s  again: it finishes the promote, or goes on "
                           "from the stopped %s",
                           p->cc->name, p->pc->name, p->cc->name, p->cc->name, p->cc->name,
                           p->pc->name);
    }
    return finish(a, p, conn, fallback, t_stop, start);
}

int switchover_run(struct action *a, struct switchover_plan *p)
{
    bool caught = local_signals_catch();
    int rc = run(a, p);
    if (caught)
        local_signals_restore();
    return rc;
}
