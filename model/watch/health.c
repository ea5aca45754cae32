/* health: one function per rule; each adds problems to the snapshot. */
#include "model/watch/health.h"
#include "model/watch/patroni_rules.h"
#include "model/watch/syncpolicy.h"
#include "model/pg/syncnames.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

static bool usable(const struct node_snap *n)
{
    return n->reach == REACH_OK;
}

/* "db_s1 (127.0.0.1:5433)", or just the name when it is the address */
static const char *who(const struct node_snap *n, char *buf, size_t len)
{
    if (strcmp(n->name, n->target) == 0 || !n->target[0])
        str_copy(buf, len, n->name);
    else
        str_printf(buf, len, "%s (%s)", n->name, n->target);
    return buf;
}

/* How long a walsender may go without a reply from a live standby: it replies at least every
 * wal_receiver_status_interval (10 s by default); a standby that vanished without a word keeps
 * its row until wal_sender_timeout (60 s). */
#define LIVE_REPLY_S 12.0

/* The row an unreachable standby is seen with (derive.c second_hand), NULL when none. */
static const struct repl_row *seen_row(const struct snapshot *s, const struct node_snap *n)
{
    const struct node_snap *up = n->seen_by[0] ? snapshot_find(s, n->seen_by) : NULL;
    for (int r = 0; up && r < up->nrepl; r++)
        if (str_eq_nocase(up->repl[r].application_name, n->application_name))
            return &up->repl[r];
    return NULL;
}

/* The slot an unreachable standby streams with on the node that sees it (derive.c second_hand:
 * the slot whose active_pid is its walsender), NULL when none. */
static const struct slot_row *seen_slot(const struct snapshot *s, const struct node_snap *n)
{
    const struct node_snap *up = n->seen_by[0] ? snapshot_find(s, n->seen_by) : NULL;
    for (int k = 0; up && n->primary_slot_name[0] && k < up->nslots; k++)
        if (strcmp(up->slots[k].name, n->primary_slot_name) == 0)
            return &up->slots[k];
    return NULL;
}

/* What the node that still sees an unreachable standby says of it; *live when it shows it
 * streaming and replying now. */
static void seen_as(const struct snapshot *s, const struct node_snap *n, char *buf, size_t len,
                    bool *live)
{
    const struct repl_row *row = seen_row(s, n);
    const struct slot_row *sl = seen_slot(s, n);
    char lag[32] = "", reply[48] = "", slot[NAME_LEN + 40] = "";
    buf[0] = '\0';
    *live = false;
    if (!row)
        return;
    if (num_known(n->lag_replay))
        format_bytes(n->lag_replay, lag, sizeof lag);
    if (dbl_known(row->reply_age))
        str_printf(reply, sizeof reply, ", last reply %.1f s ago", row->reply_age);
    if (sl)
        str_printf(slot, sizeof slot, ", slot %s %s%s%s", sl->name,
                   sl->active ? "active" : "inactive", sl->wal_status[0] ? " " : "",
                   sl->wal_status);
    *live = strcmp(row->state, "streaming") == 0 && dbl_known(row->reply_age) &&
            row->reply_age <= LIVE_REPLY_S;
    str_printf(buf, len, " (%s shows it %s%s%s%s%s%s%s: second-hand)", n->seen_by, row->state,
               n->sync_state[0] ? ", " : "", n->sync_state, lag[0] ? ", replay " : "", lag, reply,
               slot);
}

/* A node we cannot ask is critical, unless the node it streams from shows it streaming and
 * replying: then replication works and only our view of it is missing. */
static void rule_reachability(struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        char w[NAME_LEN + 140], seen[320];
        bool live;
        seen_as(s, n, seen, sizeof seen, &live);
        enum severity down = live ? SEV_WARNING : SEV_CRITICAL;
        switch (n->reach) {
        case REACH_UNREACHABLE:
            snapshot_add_problem(s, down, "unreachable", n->name, "%s is down%s: %s",
                                 who(n, w, sizeof w), seen,
                                 n->error[0] ? n->error : "no connection");
            break;
        case REACH_TIMEOUT:
            snapshot_add_problem(s, down, "timeout", n->name, "%s does not answer%s: %s",
                                 who(n, w, sizeof w), seen, n->error);
            break;
        case REACH_AUTH_FAILED:
            snapshot_add_problem(s, down, "auth_failed", n->name, "%s refused our login%s: %s",
                                 who(n, w, sizeof w), seen, n->error);
            break;
        case REACH_ERROR:
            snapshot_add_problem(s, SEV_WARNING, "query_failed", n->name,
                                 "%s answered with an error%s: %s", who(n, w, sizeof w), seen,
                                 n->error);
            break;
        default:
            break;
        }
    }
}

static const struct node_snap *rule_primaries(struct snapshot *s)
{
    const struct node_snap *first = NULL;
    char names[256] = "";
    int count = 0, answered = 0;
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (usable(n))
            answered++;
        /* a second entry of one server, or a node of another cluster, is no second primary */
        if (!usable(n) || n->role != ROLE_PRIMARY || n->same_server_as[0] || n->other_cluster)
            continue;
        if (!first)
            first = n;
        size_t len = strlen(names);
        str_printf(names + len, sizeof names - len, "%s%s", count ? ", " : "", n->name);
        count++;
    }
    if (count == 0 && s->nnodes > 0)
        snapshot_add_problem(s, SEV_CRITICAL, "no_primary", "",
                             "no reachable primary (%d of %d nodes answered)", answered, s->nnodes);
    else if (count > 1)
        snapshot_add_problem(s, SEV_CRITICAL, "multiple_primaries", "",
                             "%d nodes accept writes (%s): split brain", count, names);
    return count == 1 ? first : NULL;
}

/* The cluster's system identifier is the one most servers share (derive.c identify): each
 * node with another one is flagged, never counted as a primary or a candidate. */
static void rule_system_id(struct snapshot *s, const struct node_snap *primary)
{
    const struct node_snap *ref = primary;
    for (int i = 0; !ref && i < s->nnodes; i++)
        if (usable(&s->nodes[i]) && !s->nodes[i].other_cluster && s->nodes[i].system_identifier[0])
            ref = &s->nodes[i];
    for (int i = 0; ref && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->other_cluster)
            snapshot_add_problem(s, SEV_CRITICAL, "system_id_mismatch", n->name,
                                 "%s belongs to another cluster (system identifier %s, %s has %s)",
                                 n->name, n->system_identifier, ref->name, ref->system_identifier);
    }
}

/* One server listed twice (same system identifier, same address): a config mistake. */
static void rule_duplicates(struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (!n->same_server_as[0])
            continue;
        const struct node_snap *o = snapshot_find(s, n->same_server_as);
        snapshot_add_problem(s, SEV_WARNING, "duplicate_node", n->name,
                             "%s (%s) and %s (%s) are the same server (system identifier %s): "
                             "the config lists it twice",
                             n->same_server_as, o ? o->target : "?", n->name, n->target,
                             n->system_identifier);
    }
}

static bool streaming(const struct node_snap *n)
{
    return n->wr.present && strcmp(n->wr.status, "streaming") == 0;
}

static enum severity level(double v, double warn, double crit)
{
    return v >= crit ? SEV_CRITICAL : v >= warn ? SEV_WARNING : SEV_OK;
}

/* Byte lag and time lag each reach their own severity; the worse wins (on a tie the bytes are
 * named). The seconds count only while WAL is left to replay (PostgreSQL keeps the last
 * interval when idle). A delayed standby is behind by design: its bytes are judged by what it
 * has not received yet, its seconds by how far they exceed its delay. */
static void rule_lag(struct snapshot *s, const struct node_snap *n, const struct node_snap *primary,
                     const struct health_limits *lim)
{
    bool delayed = node_delayed(n);
    int64_t bytes = delayed ? n->lag_flush : n->lag_replay;
    double secs = n->lag_replay_s;
    if (dbl_known(secs) && delayed)
        secs -= n->apply_delay_s;
    enum severity sb = num_known(bytes) ? level((double)bytes, (double)lim->lag_warn_bytes,
                                                (double)lim->lag_crit_bytes)
                                        : SEV_OK;
    enum severity st = dbl_known(secs) && num_known(n->lag_replay) && n->lag_replay > 0
                           ? level(secs, lim->lag_warn_s, lim->lag_crit_s)
                           : SEV_OK;
    enum severity sev = sb > st ? sb : st;
    if (sev == SEV_OK)
        return;
    bool crit = sev == SEV_CRITICAL;
    const char *code = crit ? "lag_crit" : "lag_warn", *word = crit ? "crit" : "warn";
    const char *up = primary ? primary->name : "the primary";
    char have[32], at[32], what[48] = "replay";
    if (delayed)
        str_printf(what, sizeof what, "(delayed %.0f s) %s", n->apply_delay_s,
                   sb >= st ? "receive" : "replay beyond its delay");
    if (sb >= st) {
        format_bytes(bytes, have, sizeof have);
        format_bytes(crit ? lim->lag_crit_bytes : lim->lag_warn_bytes, at, sizeof at);
        snapshot_add_problem(s, sev, code, n->name, "%s %s is %s behind %s (%s at %s)", n->name,
                             what, have, up, word, at);
    } else
        snapshot_add_problem(s, sev, code, n->name, "%s %s is %.1f s behind %s (%s at %.0f s)",
                             n->name, what, secs, up, word,
                             crit ? lim->lag_crit_s : lim->lag_warn_s);
}

/* A delayed standby named failover candidate (no undelayed one could be): what it still has to
 * replay before it can take over. */
static void rule_delayed_candidate(struct snapshot *s)
{
    const struct node_snap *c = s->candidate[0] ? snapshot_find(s, s->candidate) : NULL;
    if (!c || !node_delayed(c))
        return;
    char left[32] = "an unknown amount of WAL";
    int64_t d = lsn_diff(node_wal_held(c), c->replay_lsn);
    if (num_known(d))
        format_bytes(d < 0 ? 0 : d, left, sizeof left);
    snapshot_add_problem(s, SEV_WARNING, "candidate_delayed", c->name,
                         "the failover candidate %s is a delayed standby (recovery_min_apply_delay "
                         "%.0f s): it still has %s to replay before it can take over",
                         c->name, c->apply_delay_s, left);
}

/* A standby configured to restore from the archive only (restore_command, no primary_conninfo)
 * has no WAL receiver by design: not a broken stream. */
static bool archive_only(const struct node_snap *n)
{
    return strcmp(n->recovery_source, "archive") == 0 && !n->wr.present;
}

/* The slot a standby streams with: its WAL receiver's, else its primary_slot_name. */
static const char *standby_slot(const struct node_snap *n)
{
    return n->wr.present && n->wr.slot_name[0] ? n->wr.slot_name : n->primary_slot_name;
}

static bool slot_lost(const struct slot_row *sl)
{
    return strcmp(sl->wal_status, "lost") == 0;
}

/* The lost physical slot `name` on the node a standby streams from (its upstream, else the
 * primary), NULL when there is none or that node did not answer. */
static const struct slot_row *lost_slot_of(const struct snapshot *s, const struct node_snap *n,
                                           const struct node_snap *primary,
                                           const struct node_snap **on)
{
    const char *name = standby_slot(n);
    const struct node_snap *src = n->upstream[0] ? snapshot_find(s, n->upstream) : NULL;
    if (!src)
        src = primary;
    if (!name[0] || !src || src == n || !usable(src))
        return NULL;
    for (int j = 0; j < src->nslots; j++) {
        const struct slot_row *sl = &src->slots[j];
        if (strcmp(sl->name, name) == 0 && strcmp(sl->type, "physical") == 0 && slot_lost(sl)) {
            *on = src;
            return sl;
        }
    }
    return NULL;
}

/* Waits for WAL it does not have, from any source (it replayed all it holds). */
static bool waits_for_wal(const struct node_snap *n)
{
    return strcmp(n->startup_wait, "RecoveryRetrieveRetryInterval") == 0 ||
           strcmp(n->startup_wait, "RecoveryWalStream") == 0;
}

/* Without a slot: a standby that waits for WAL older than the oldest WAL file the node it
 * streams from (its upstream, else the primary) still has, and no restore_command to get it
 * elsewhere. Its receiver asks for that segment and is refused ("requested WAL segment ... has
 * already been removed") every wal_retrieve_retry_interval. NULL when that is not shown. */
static const struct node_snap *wal_removed_on(const struct snapshot *s, const struct node_snap *n,
                                              const struct node_snap *primary)
{
    const struct node_snap *src = n->upstream[0] ? snapshot_find(s, n->upstream) : NULL;
    if (!src)
        src = primary;
    lsn_t held = node_wal_held(n);
    if (!src || src == n || !usable(src) || src->oldest_wal == LSN_UNKNOWN || held == LSN_UNKNOWN ||
        n->restore_command != 0 || n->needs_rewind || !waits_for_wal(n))
        return NULL;
    return held < src->oldest_wal ? src : NULL;
}

/* Broken for good, not behind: a standby that does not stream while the slot it streams with is
 * lost on its upstream, or (no slot) while the WAL it waits for is older than any its upstream
 * keeps. PostgreSQL removed the WAL it still needs ("requested WAL segment ... has already been
 * removed"); it never catches up by waiting, only a new base backup helps. */
static void rule_needs_resync(struct snapshot *s, const struct node_snap *primary)
{
    for (int i = 0; i < s->nnodes; i++) {
        struct node_snap *n = &s->nodes[i];
        const struct node_snap *on = NULL;
        if (!usable(n) || n->role != ROLE_STANDBY || streaming(n))
            continue;
        const struct slot_row *sl = lost_slot_of(s, n, primary, &on);
        if (sl) {
            n->needs_resync = true;
            snapshot_add_problem(s, SEV_CRITICAL, "needs_resync", n->name,
                                 "%s can never stream again: its slot %s on %s is lost (the WAL it "
                                 "needs is removed); resync it (r, or repltop resync %s)",
                                 n->name, sl->name, on->name, n->name);
        } else if ((on = wal_removed_on(s, n, primary))) {
            char need[LSN_STRLEN], kept[LSN_STRLEN];
            lsn_format(node_wal_held(n), need, sizeof need);
            lsn_format(on->oldest_wal, kept, sizeof kept);
            n->needs_resync = true;
            snapshot_add_problem(s, SEV_CRITICAL, "needs_resync", n->name,
                                 "%s can never stream again: it needs WAL from %s, %s keeps WAL "
                                 "only from %s on (no slot held it); resync it (r, or repltop "
                                 "resync %s)",
                                 n->name, need, on->name, kept, n->name);
        }
    }
}

/* The standby that streams with slot `name` of node `on`, NULL when none is known. */
static const struct node_snap *slot_user(const struct snapshot *s, const struct node_snap *on,
                                         const char *name)
{
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n != on && n->role == ROLE_STANDBY && strcmp(standby_slot(n), name) == 0 &&
            (!n->upstream[0] || strcmp(n->upstream, on->name) == 0))
            return n;
    }
    return NULL;
}

/* A standby on a fork (derive.c find_fork: evidence only, never a lagging timeline). */
static void rule_fork(struct snapshot *s, const struct node_snap *n, const struct node_snap *p)
{
    char held[LSN_STRLEN], fork[LSN_STRLEN], why[160];
    lsn_format(node_wal_held(n), held, sizeof held);
    lsn_format(n->fork_lsn, fork, sizeof fork);
    if (n->timeline > p->timeline)
        str_printf(why, sizeof why, "%s is on timeline %d, newer than %s's %d", n->name,
                   n->timeline, p->name, p->timeline);
    else if (n->fork_lsn != LSN_UNKNOWN)
        str_printf(why, sizeof why,
                   "%s holds WAL of timeline %d up to %s, past %s where %s's history left it",
                   n->name, n->timeline, held, fork, p->name);
    else
        str_printf(why, sizeof why, "%s is on timeline %d, which is not in the history of %s's %d",
                   n->name, n->timeline, p->name, p->timeline);
    snapshot_add_problem(s, SEV_CRITICAL, "timeline_diverged", n->name,
                         "%s: it cannot follow without a rewind (J, or repltop rejoin %s)", why,
                         n->name);
}

static void rule_standbys(struct snapshot *s, const struct node_snap *primary,
                          const struct health_limits *lim)
{
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (!usable(n) || n->role != ROLE_STANDBY)
            continue;
        bool diverged = primary && n->needs_rewind;
        if (diverged)
            rule_fork(s, n, primary);
        char tl[96] = "";
        if (primary && n->timeline > 0 && primary->timeline > n->timeline)
            str_printf(tl, sizeof tl, "; on timeline %d, %s on %d: it follows once it streams",
                       n->timeline, primary->name, primary->timeline);
        bool unseen = n->read_all_stats == 0 && !(n->wr.present && n->wr.status[0]);
        if (!diverged && !streaming(n) && !n->needs_resync && !archive_only(n) && !unseen)
            snapshot_add_problem(s, SEV_WARNING, "not_streaming", n->name,
                                 "%s is a standby but does not stream (WAL receiver: %s%s)",
                                 n->name, n->wr.present ? n->wr.status : "not running", tl);
        if (n->replay_paused == 1)
            snapshot_add_problem(s, SEV_WARNING, "replay_paused", n->name,
                                 "%s has WAL replay paused (pg_wal_replay_resume() resumes it)",
                                 n->name);
        rule_lag(s, n, primary, lim);
    }
}

static void rule_slots(struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        for (int j = 0; usable(n) && j < n->nslots; j++) {
            const struct slot_row *sl = &n->slots[j];
            if (sl->active)
                continue;
            if (slot_lost(sl)) {
                const struct node_snap *u = slot_user(s, n, sl->name);
                snapshot_add_problem(s, SEV_CRITICAL, "slot_inactive", n->name,
                                     "slot %s on %s is inactive and its WAL is already removed "
                                     "(wal_status lost)%s%s%s",
                                     sl->name, n->name, u ? ": " : "", u ? u->name : "",
                                     u ? " needs a resync" : "");
                continue;
            }
            bool unreserved = strcmp(sl->wal_status, "unreserved") == 0;
            char held[32] = "an unknown amount of";
            if (num_known(sl->retained_bytes))
                format_bytes(sl->retained_bytes, held, sizeof held);
            snapshot_add_problem(
                s, unreserved ? SEV_CRITICAL : SEV_WARNING, "slot_inactive", n->name,
                "slot %s on %s is inactive and holds %s WAL%s", sl->name, n->name, held,
                unreserved ? " (past max_slot_wal_keep_size: about to be lost)" : "");
        }
    }
}

/* A role without pg_read_all_stats reads the replication views' states as NULL: that is a fact
 * about the role, said once per node, and the rules that need those states stay silent. */
static void rule_privileges(struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (usable(n) && n->read_all_stats == 0)
            snapshot_add_problem(s, SEV_WARNING, "insufficient_privilege", n->name,
                                 "role %s on %s lacks pg_monitor (pg_read_all_stats): replication "
                                 "states are unknown, not down (GRANT pg_monitor TO %s)",
                                 n->watch_role[0] ? n->watch_role : "?", n->name,
                                 n->watch_role[0] ? n->watch_role : "ROLE");
    }
}

static void rule_writes_blocked(struct snapshot *s, const struct node_snap *p)
{
    if (!p || !p->synchronous_standby_names[0] || p->read_all_stats == 0)
        return;
    if (strcmp(p->synchronous_commit, "off") == 0 || strcmp(p->synchronous_commit, "local") == 0)
        return; /* commits do not wait for standbys */
    struct syncnames sn;
    if (!syncnames_parse(p->synchronous_standby_names, &sn, NULL, 0))
        return;
    const char **names = xcalloc((size_t)(p->nrepl ? p->nrepl : 1), sizeof *names);
    int n = 0;
    for (int i = 0; i < p->nrepl; i++)
        if (strcmp(p->repl[i].state, "streaming") == 0)
            names[n++] = p->repl[i].application_name;
    int listed = 0;
    for (int i = 0; i < n; i++)
        listed += syncnames_matches(&sn, names[i]);
    if (syncnames_would_block(&sn, names, n))
        snapshot_add_problem(s, SEV_CRITICAL, "writes_blocked", p->name,
                             "commits on %s wait for %d synchronous standby(s) of '%s' but only "
                             "%d listed standby(s) stream: writes hang",
                             p->name, syncnames_required(&sn), p->synchronous_standby_names,
                             listed);
    free(names);
}

/* A declared policy the cluster does not meet (no standby streams, fewer than it wants, or the
 * primary's list is not the policy's): a warning with syncpolicy_check's reason. When commits
 * would hang, writes_blocked is the critical problem already. */
static void rule_sync_policy(struct snapshot *s, const struct node_snap *p,
                             const struct health_limits *lim)
{
    char why[ERROR_LEN - 64];
    if (!p || !s->sync_policy[0] || !lim->cfg || p->read_all_stats == 0 ||
        !syncpolicy_check(s->sync_policy, lim->cfg, s, why, sizeof why))
        return;
    snapshot_add_problem(s, SEV_WARNING, "below_sync_policy", "", "below the sync policy %s: %s",
                         s->sync_policy, why);
}

void health_remap(struct snapshot *s, const struct config *cfg)
{
    if (!cfg || cfg->nseverities == 0)
        return;
    s->health = SEV_OK;
    for (int i = 0; i < s->nproblems; i++) {
        struct problem *p = &s->problems[i];
        int sev = config_severity_for(cfg, p->code, p->node);
        if (sev >= 0)
            p->severity = (enum severity)sev;
        if (p->severity > s->health)
            s->health = p->severity;
    }
}

void health_evaluate(struct snapshot *s, const struct health_limits *lim)
{
    rule_reachability(s);
    rule_privileges(s);
    const struct node_snap *primary = rule_primaries(s);
    rule_system_id(s, primary);
    rule_duplicates(s);
    rule_needs_resync(s, primary);
    rule_standbys(s, primary, lim);
    rule_slots(s);
    rule_delayed_candidate(s);
    rule_writes_blocked(s, primary);
    rule_sync_policy(s, primary, lim);
    patroni_rules_evaluate(s);
    health_remap(s, lim->cfg);
}
