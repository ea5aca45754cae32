/* action_promote: the steps of `repltop promote NODE` (its front end: cli/cmd_promote.c) — checks,
 * pg_promote(), the new primary's sync list, re-pointing the other standbys, and the standbys that
 * got ahead (docs/DESIGN.md 4 and 7).
 *
 * Order matters: the new primary's synchronous_standby_names is set right after promotion and
 * before anything writes, because a clone may carry a list naming itself (every commit would
 * hang); a standby that received WAL past the fork point cannot follow the new timeline and is
 * rejoined (pg_rewind) instead of re-pointed. */
#include "model/ops/action_promote.h"
#include "model/ops/action_follow.h"
#include "model/pg/conninfo.h"
#include "model/watch/memory.h"
#include "model/watch/queries.h"
#include "model/pg/syncnames.h"
#include "model/watch/syncplan.h"
#include "model/base/text.h"
#include "model/watch/syncpolicy.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool usable(const struct node_snap *n)
{
    return n && n->reach == REACH_OK;
}

/* The candidate is already a primary, but a reachable standby is still on an older timeline:
 * an earlier promote stopped part way (the node or the command was killed after pg_promote).
 * Running the promote again finishes it: the sync list, then re-pointing the standbys. */
static bool unfinished(const struct action *a, const struct node_snap *c)
{
    if (c->role != ROLE_PRIMARY || c->timeline <= 0)
        return false;
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n != c && usable(n) && n->role == ROLE_STANDBY && n->timeline > 0 &&
            n->timeline < c->timeline && strcmp(n->system_identifier, c->system_identifier) == 0)
            return true;
    }
    return false;
}

/* --- checks ------------------------------------------------------------------------- */

static int check_candidate(struct action *a, const struct node_snap *c)
{
    if (!usable(c))
        return action_fail(a, "%s is not reachable (%s): cannot promote it", c->name,
                           c->error[0] ? c->error : reach_name(c->reach));
    if (c->role == ROLE_PRIMARY && !unfinished(a, c))
        return action_fail(a, "%s is already a primary", c->name);
    if (c->role != ROLE_STANDBY && c->role != ROLE_PRIMARY)
        return action_fail(a, "%s's role is unknown: refusing", c->name);
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n != c && usable(n) && n->system_identifier[0] &&
            strcmp(n->system_identifier, c->system_identifier) != 0)
            return action_fail(a,
                               "%s (system identifier %s) and %s (%s) are not the same cluster: "
                               "refusing",
                               c->name, c->system_identifier, n->name, n->system_identifier);
    }
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n == c || !usable(n) || n->role != ROLE_PRIMARY)
            continue;
        if (!a->force)
            return action_fail(a,
                               "%s is a reachable, writable primary: promoting %s now makes two "
                               "primaries (split brain). Stop %s first, or use --force",
                               n->name, c->name, n->name);
        action_warn(a,
                    "FORCED: %s is still a reachable, writable primary. After this promote two "
                    "nodes accept writes: stop %s now and rejoin it (repltop rejoin %s)",
                    n->name, n->name, n->name);
    }
    return 0;
}

/* Says how much WAL each other standby has that the candidate lacks, and what is at risk. */
static void report_positions(struct action *a, const struct node_snap *c)
{
    char buf[32];
    const struct node_snap *p = action_primary(a);
    if (p && num_known(c->data_at_risk)) {
        format_bytes(c->data_at_risk, buf, sizeof buf);
        action_step(a, "%s has all but %s of the WAL %s wrote (data at risk)", c->name, buf,
                    p->name);
    }
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n == c || !usable(n) || n->role != ROLE_STANDBY)
            continue;
        int64_t ahead = lsn_diff(node_wal_held(n), node_wal_held(c));
        if (!num_known(ahead))
            continue;
        format_bytes(ahead > 0 ? ahead : -ahead, buf, sizeof buf);
        if (ahead > 0)
            action_warn(a,
                        "%s has received %s more WAL than %s: those transactions are lost by "
                        "this promote, and %s will need a rewind",
                        n->name, buf, c->name, n->name);
        else
            action_step(a, "%s is %s behind %s", n->name, buf, c->name);
    }
}

/* Replay of what the candidate received, so the promotion loses nothing it has. */
static void wait_replay(struct action *a, PGconn *conn, const char *name)
{
    char err[256];
    for (int i = 0; i < 40; i++) {
        char *v = action_value(conn,
                               "SELECT pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() OR "
                               "pg_last_wal_receive_lsn() IS NULL",
                               err, sizeof err);
        bool done = v && v[0] == 't';
        free(v);
        if (done) {
            action_ok(a, "%s has replayed all the WAL it received", name);
            return;
        }
        usleep(250 * 1000);
    }
    action_warn(a, "%s has not replayed all it received after 10 s; promotion replays the rest",
                name);
}

/* --- the new primary's synchronous_standby_names ---------------------------------- */

/* The setting a node holds itself, read from it, when it is not empty: a standby made with
 * pg_basebackup carries the primary's postgresql.conf and postgresql.auto.conf of the time it
 * was cloned. source (SETTING_LEN) says which file, and how old it may be. */
static bool own_setting(struct action *a, const struct node_snap *n, char *out, size_t len,
                        char *source)
{
    struct node_conf *nc = action_node_conf(a, n->name);
    char err[600];
    PGconn *conn = nc ? action_connect(a, nc, err, sizeof err) : NULL;
    if (!conn)
        return false;
    char *v =
        action_value(conn, "SELECT current_setting('synchronous_standby_names')", err, sizeof err);
    bool found = v && !str_empty(v);
    if (found) {
        str_copy(out, len, v);
        /* sourcefile is shown to superusers and pg_read_all_settings only; the file's date
         * to those who may call pg_stat_file */
        char *file = action_value(conn,
                                  "SELECT coalesce(sourcefile, source) FROM pg_settings WHERE "
                                  "name = 'synchronous_standby_names'",
                                  err, sizeof err);
        char *when = action_value(conn,
                                  "SELECT to_char((pg_stat_file(sourcefile)).modification, "
                                  "'YYYY-MM-DD HH24:MI:SS TZ') FROM pg_settings WHERE name = "
                                  "'synchronous_standby_names'",
                                  err, sizeof err);
        const char *base = file ? strrchr(file, '/') : NULL;
        base = base ? base + 1 : file;
        char dated[96] = "";
        if (!str_empty(when))
            str_printf(dated, sizeof dated, " (the file dates from %s)", when);
        if (!str_empty(base) && strstr(base, ".conf"))
            str_printf(source, SETTING_LEN,
                       "%s's own %s, as copied when it was cloned or last set there%s: it may "
                       "be old",
                       n->name, base, dated);
        else
            str_printf(source, SETTING_LEN,
                       "%s's own setting (source: %s), as it was when it was cloned or last set "
                       "there: it may be old",
                       n->name, str_empty(file) ? "unknown" : file);
        free(file);
        free(when);
    }
    free(v);
    PQfinish(conn);
    return found;
}

/* The list before the promote: the live primary's, what the caller says, what repltop last
 * saw on this cluster, or what the standbys themselves hold (the candidate first) — in that
 * order. source (SETTING_LEN) says which; old_primary (NAME_LEN) gets the name of the primary
 * it was seen on, when known. */
static bool previous_list(struct action *a, const struct node_snap *c, const char *given, char *out,
                          size_t n, char *source, char *old_primary)
{
    const struct node_snap *p = action_primary(a);
    struct cluster_memory mem;
    memory_load(c->system_identifier, &mem);
    bool resumed = strcmp(mem.primary, c->name) == 0; /* it was seen as the primary already */
    str_copy(old_primary, NAME_LEN, resumed ? mem.previous_primary : mem.primary);
    if (p == c) /* finishing an earlier promote: the list is the old primary's */
        p = NULL;
    if (p) {
        str_copy(old_primary, NAME_LEN, p->name);
        str_copy(out, n, p->synchronous_standby_names);
        str_copy(source, SETTING_LEN, "the current primary");
    } else if (given) {
        str_copy(out, n, given);
        str_copy(source, SETTING_LEN, "--previous-sync");
    } else if (resumed && mem.previous_primary[0]) {
        str_copy(out, n, mem.previous_synchronous_standby_names);
        str_copy(source, SETTING_LEN, "what repltop last saw on the primary before");
    } else if (!resumed && (mem.synchronous_standby_names[0] || mem.primary[0])) {
        str_copy(out, n, mem.synchronous_standby_names);
        str_copy(source, SETTING_LEN, "what repltop last saw on the primary");
    } else {
        if (usable(c) && own_setting(a, c, out, n, source))
            return true;
        for (int i = 0; i < a->snap->nnodes; i++) {
            const struct node_snap *x = &a->snap->nodes[i];
            if (x != c && usable(x) && x->role == ROLE_STANDBY && own_setting(a, x, out, n, source))
                return true;
        }
        return false;
    }
    return true;
}

/* The operator chose to lower durability: said, and so recorded in the audit log. */
static void say_downgrade(struct action *a, const char *node, const char *how)
{
    action_warn(a,
                "durability downgrade chosen by the operator (%s): %s will have "
                "synchronous_standby_names = '': commits will be acknowledged without any standby",
                how, node);
}

/* The new primary's list from the declared policy ([repltop] sync) and the nodes that exist
 * now; it wins over the old list. */
static int list_from_policy(struct action *a, const struct node_snap *c, bool known,
                            const char *old, const char *source, struct syncnames *sn)
{
    char err[600];
    if (!syncpolicy_list(a->cfg->sync_policy, a->cfg, a->snap, c->name, sn, err, sizeof err))
        return action_fail(a, "the sync policy '%s' cannot be used: %s", a->cfg->sync_policy, err);
    if (known)
        action_step(a,
                    "synchronous_standby_names from the declared policy '%s' ([repltop] sync in "
                    "%s): it wins over the old list '%s' (from %s)",
                    a->cfg->sync_policy, a->cfg->path ? a->cfg->path : "the config", old, source);
    else
        action_step(a,
                    "synchronous_standby_names from the declared policy '%s' ([repltop] sync in "
                    "%s): the old list is unknown",
                    a->cfg->sync_policy, a->cfg->path ? a->cfg->path : "the config");
    if (sn->method == SYNC_NONE)
        return action_fail(a,
                           "the policy '%s' leaves %s no standby to wait for (no other node is "
                           "configured): refusing to make it a primary that acknowledges "
                           "commits without any standby. Use --async to accept that",
                           a->cfg->sync_policy, c->name);
    if (syncnames_exceeds_list(sn))
        action_warn(a,
                    "the policy '%s' waits for %d synchronous standbys but only %d other node(s) "
                    "exist: every commit on %s will wait until that many stream",
                    a->cfg->sync_policy, sn->num, sn->nnames, c->name);
    return 0;
}

/* The new primary's list: --async (none), --sync-names, the declared policy, or the old list
 * with the candidate replaced by the remaining standbys and the old primary (which comes back
 * as a standby named after its config name). Unknown, with none of those: refused. */
static int new_sync_list(struct action *a, const struct node_snap *c, const struct promote_opts *o,
                         char *out, size_t n)
{
    struct syncnames sn = {.method = SYNC_NONE};
    char err[600], old[SETTING_LEN] = "", old_primary[NAME_LEN] = "", source[SETTING_LEN] = "";
    out[0] = '\0';
    if (o->async) {
        say_downgrade(a, c->name, "--async");
        return 0;
    }
    if (o->sync_names) {
        if (!syncnames_parse(o->sync_names, &sn, err, sizeof err)) {
            text_error("invalid --sync-names '%s': %s", o->sync_names, err);
            return 3;
        }
        if (sn.method == SYNC_NONE)
            say_downgrade(a, c->name, "--sync-names ''");
    } else {
        bool known = previous_list(a, c, o->previous, old, sizeof old, source, old_primary);
        if (known && !syncnames_parse(old, &sn, err, sizeof err)) {
            text_error("cannot parse the old list '%s' (%s): %s", old, source, err);
            return 3;
        }
        if (!str_empty(a->cfg->sync_policy)) {
            int rc = list_from_policy(a, c, known, old, source, &sn);
            if (rc)
                return rc;
        } else if (!known) {
            return action_fail(
                a,
                "the old synchronous_standby_names is unknown (no primary answers, repltop has "
                "no memory of this cluster, no standby holds a list, no policy is declared): "
                "refusing to make %s a primary that may acknowledge commits without any "
                "standby. Nothing was changed. Say what it should be: --sync-names SPEC, or "
                "--async to accept no synchronous standby, or declare a policy with "
                "[repltop] sync = FIRST 1 in %s",
                c->name, a->cfg->path ? a->cfg->path : "the config file");
        } else {
            action_step(a, "old synchronous_standby_names '%s' (from %s)", old, source);
            bool was_sync = sn.method != SYNC_NONE;
            syncplan_after_promote(a->snap, c, old_primary[0] ? old_primary : NULL, &sn);
            if (was_sync && sn.method == SYNC_NONE)
                return action_fail(a,
                                   "the old list '%s' names no standby that remains besides %s: "
                                   "%s would acknowledge commits without any standby. Refused: "
                                   "say what it should be with --sync-names SPEC, or --async",
                                   old, c->name, c->name);
        }
    }
    if (sn.method != SYNC_NONE && !syncnames_format(&sn, out, n)) {
        text_error("the new synchronous_standby_names would be invalid");
        return 3;
    }
    return 0;
}

/* --- the command --------------------------------------------------------------------- */

/* A node promoted by an earlier, interrupted promote has no application_name in the snapshot
 * (only standbys have one); the sync list still names it by what it streamed as. */
static void former_app_name(struct action *a, struct node_conf *cc, struct node_snap *c)
{
    char err[600];
    PGconn *conn = action_connect(a, cc, err, sizeof err);
    if (!conn)
        return;
    char *ci = action_value(conn, "SELECT current_setting('primary_conninfo')", err, sizeof err);
    char *cn = action_value(conn, "SELECT current_setting('cluster_name')", err, sizeof err);
    queries_app_name(ci ? ci : "", cn, c->application_name, sizeof c->application_name);
    if (ci)
        explicit_bzero(ci, strlen(ci)); /* it may hold a password */
    free(ci);
    free(cn);
    PQfinish(conn);
}

/* After pg_promote, when the new primary stops answering: what was left undone is finished by
 * running the same promote again once it is back. */
static int stopped_part_way(struct action *a, const char *name, const char *what, const char *err)
{
    char why[600];
    str_copy(why, sizeof why, err);
    why[strcspn(why, "\n")] = '\0';
    return action_fail(a,
                       "%s was promoted, then %s (%s): the promote stopped part way. When %s "
                       "answers again, run  repltop promote %s  again to finish it",
                       name, what, why, name, name);
}

bool promote_now(struct action *a, PGconn *conn, const char *name, lsn_t *fallback, int64_t *start,
                 bool fast)
{
    char err[600];
    wait_replay(a, conn, name);
    char *replayed = action_value(conn, "SELECT pg_last_wal_replay_lsn()", err, sizeof err);
    if (replayed)
        lsn_parse(replayed, fallback);
    free(replayed);

    /* pg_promote(true) looks every 100 ms; a switchover, whose writes wait meanwhile, signals
     * and looks every 10 ms itself */
    const char *sql = fast ? "SELECT pg_promote(false)" : "SELECT pg_promote(true, 60)";
    action_step(a, "%s on %s", sql, name);
    *start = clock_mono_ms();
    char *done = action_value(conn, sql, err, sizeof err);
    bool answered = done != NULL, ok = done && done[0] == 't';
    free(done);
    for (int i = 0; fast && ok && i < 6000; i++) {
        char *rec = action_value(conn, "SELECT pg_is_in_recovery()", err, sizeof err);
        answered = ok = rec != NULL;
        bool promoted = rec && rec[0] == 'f';
        free(rec);
        if (promoted)
            break;
        ok = ok && i < 5999;
        /* PostgreSQL 15 may take the promote request inside its WAL retry wait and then sleep
         * wal_retrieve_retry_interval (5 s) before acting on it; a reload wakes it up */
        if (ok && i % 10 == 9)
            pg_exec(conn, "SELECT pg_reload_conf()", err, sizeof err);
        if (ok)
            usleep(10 * 1000);
    }
    if (!ok) {
        action_fail(a, "pg_promote on %s failed: %s", name,
                    answered ? "not promoted within 60 s" : err);
        return false;
    }
    action_ok(a, "%s promoted in %lld ms", name, (long long)(clock_mono_ms() - *start));
    return true;
}

int action_promote(struct action *a, const char *arg, const struct promote_opts *o)
{
    struct node_conf *cc = action_find_node(a, arg);
    if (!cc)
        return action_fail(a, "no node named %s in %s", arg, a->cfg->path);
    const struct node_snap *c = action_node_snap(a, cc->name);
    int rc = check_candidate(a, c);
    if (rc)
        return rc;
    bool resume = c->role == ROLE_PRIMARY;
    if (resume) {
        action_warn(a,
                    "%s is already a primary on timeline %d, but a standby is still on an older "
                    "timeline: an earlier promote stopped part way, or the standby has not "
                    "reconnected yet. This one finishes it (no new pg_promote)",
                    cc->name, c->timeline);
        former_app_name(a, cc, (struct node_snap *)c); /* c is an entry of our own a->snap */
    }
    report_positions(a, c);
    char newlist[SYNCNAMES_FORMAT_MAX];
    if ((rc = new_sync_list(a, c, o, newlist, sizeof newlist)) != 0)
        return rc;
    action_step(a, "%s's synchronous_standby_names will be '%s'", cc->name, newlist);
    char question[256];
    str_printf(question, sizeof question, "%s %s to primary?",
               resume ? "Finish promoting" : "Promote", cc->name);
    if (!action_confirm(a, question, cc->name))
        return 1;

    char err[600];
    PGconn *conn = action_connect(a, cc, err, sizeof err);
    if (!conn)
        return action_fail(a, "cannot connect to %s: %s", cc->name, err);
    int64_t start = clock_mono_ms();
    lsn_t fallback = LSN_UNKNOWN;
    if (!resume && !promote_now(a, conn, cc->name, &fallback, &start, false)) {
        PQfinish(conn);
        return 1;
    }
    action_step(a, "ALTER SYSTEM SET synchronous_standby_names = '%s' on %s", newlist, cc->name);
    if (!action_alter_system(conn, "synchronous_standby_names", newlist, err, sizeof err) ||
        !pg_exec(conn, "SELECT pg_reload_conf()", err, sizeof err)) {
        PQfinish(conn);
        return stopped_part_way(a, cc->name, "could not set its sync list", err);
    }
    if (!promote_wait_writable(a, conn, cc->name)) {
        PQfinish(conn);
        return 1;
    }
    int tli = -1;
    lsn_t fork = LSN_UNKNOWN;
    promote_fork_point(conn, &tli, &fork, fallback, NULL);
    if (tli <= 0) {
        rc = stopped_part_way(a, cc->name, "lost the session to it", PQerrorMessage(conn));
        PQfinish(conn);
        return rc;
    }
    char f[LSN_STRLEN];
    lsn_format(fork, f, sizeof f);
    action_step(a, "new timeline %d forked at %s", tli, f[0] ? f : "(unknown)");

    int failures = promote_follow_all(a, c, cc, conn, tli, fork, start, NULL);
    bool alive = pg_exec(conn, "SELECT 1", err, sizeof err);
    PQfinish(conn);
    if (!alive)
        return stopped_part_way(a, cc->name, "stopped answering", err);
    /* the old primary: what c streamed from; when finishing, the one repltop saw before c */
    struct cluster_memory mem;
    memory_load(c->system_identifier, &mem);
    const char *was = resume ? mem.previous_primary : c->upstream;
    const struct node_snap *old = NULL;
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n != c && (n->role == ROLE_PRIMARY || (!usable(n) && strcmp(n->name, was) == 0)))
            old = n;
    }
    if (old)
        action_step(a, "when %s is back, make it a standby of %s: repltop rejoin %s", old->name,
                    cc->name, old->name);
    if (failures)
        return action_fail(a,
                           "%s is the primary on timeline %d, but %d standby(s) do not follow "
                           "it yet",
                           cc->name, tli, failures);
    printf("done: %s is the primary on timeline %d\n", cc->name, tli);
    return 0;
}
