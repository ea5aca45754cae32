/* derive: turns per-node samples into cluster facts. Pure functions of the snapshot, so every
 * rule is unit-tested from hand-made snapshots.
 *
 * Which source wins (docs/DESIGN.md 7.4): pg_stat_replication's replay_lsn is
 * reported by the standby only every wal_receiver_status_interval when idle, so a reachable
 * standby's own receive/replay LSNs are preferred to the primary's view of them. */
#include "model/watch/derive.h"
#include "model/watch/patroni_rules.h"
#include "model/watch/health.h"
#include "model/pg/syncnames.h"
#include "model/watch/syncplan.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

static bool loopback(const char *h)
{
    return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0;
}

bool derive_same_addr(const char *a, const char *b)
{
    if (str_empty(a) || str_empty(b))
        return false;
    const char *pa = strrchr(a, ':'), *pb = strrchr(b, ':');
    if (!pa || !pb || strcmp(pa + 1, pb + 1) != 0)
        return false;
    char ha[128], hb[128];
    str_copy(ha, sizeof ha, a);
    str_copy(hb, sizeof hb, b);
    ha[pa - a] = '\0';
    hb[pb - b] = '\0';
    return str_eq_nocase(ha, hb) || (loopback(ha) && loopback(hb));
}

static bool usable(const struct node_snap *n)
{
    return n->reach == REACH_OK;
}

/* A usable node that is a member of the watched cluster in its own right: not a second entry of
 * a server listed before, not a node of another cluster. */
static bool member(const struct node_snap *n)
{
    return usable(n) && !n->same_server_as[0] && !n->other_cluster;
}

/* How many distinct servers (first entries) of s share node i's system identifier. */
static int sysid_count(const struct snapshot *s, int i)
{
    int c = 0;
    for (int k = 0; k < s->nnodes; k++) {
        const struct node_snap *o = &s->nodes[k];
        c += usable(o) && !o->same_server_as[0] &&
             strcmp(o->system_identifier, s->nodes[i].system_identifier) == 0;
    }
    return c;
}

/* Two entries reach one postmaster: the same system identifier, and the same address or (under
 * two names the address cannot tell apart: a host name and an IP, a Unix socket and TCP) the
 * same start time to the microsecond, role and timeline — two servers never share all that. */
static bool same_server(const struct node_snap *a, const struct node_snap *b)
{
    if (strcmp(a->system_identifier, b->system_identifier) != 0)
        return false;
    if (derive_same_addr(a->target, b->target))
        return true;
    return a->postmaster_start[0] && strcmp(a->postmaster_start, b->postmaster_start) == 0 &&
           a->role == b->role && a->timeline == b->timeline;
}

/* Identity (docs/DESIGN.md 7): two entries are one server when same_server() says so; the later
 * one is marked same_server_as the first. The cluster's
 * system identifier is the one most servers share (on a tie, the first listed of them); a node
 * with another one belongs to another cluster, whatever order the config lists them in. */
static void identify(struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++) {
        struct node_snap *n = &s->nodes[i];
        n->same_server_as[0] = '\0';
        n->other_cluster = false;
        for (int j = 0; j < i && usable(n) && n->system_identifier[0]; j++) {
            const struct node_snap *o = &s->nodes[j];
            if (usable(o) && !o->same_server_as[0] && same_server(o, n)) {
                str_copy(n->same_server_as, sizeof n->same_server_as, o->name);
                break;
            }
        }
    }
    int ref = -1, ref_count = 0;
    for (int i = 0; i < s->nnodes; i++) {
        if (!usable(&s->nodes[i]) || !s->nodes[i].system_identifier[0])
            continue;
        int c = sysid_count(s, i);
        if (c > ref_count) {
            ref = i;
            ref_count = c;
        }
    }
    for (int i = 0; ref >= 0 && i < s->nnodes; i++) {
        struct node_snap *n = &s->nodes[i];
        n->other_cluster = usable(n) && n->system_identifier[0] &&
                           strcmp(n->system_identifier, s->nodes[ref].system_identifier) != 0;
    }
}

/* The node a standby streams from: by its WAL receiver's sender address, else the one node
 * whose pg_stat_replication lists its application_name. -1 when unknown. */
static int find_upstream(const struct snapshot *s, int self)
{
    const struct node_snap *n = &s->nodes[self];
    for (int i = 0; i < s->nnodes; i++)
        if (i != self && derive_same_addr(s->nodes[i].target, n->upstream_addr))
            return i;
    if (!n->application_name[0])
        return -1;
    int found = -1;
    for (int i = 0; i < s->nnodes; i++) {
        if (i == self || !usable(&s->nodes[i]))
            continue;
        for (int r = 0; r < s->nodes[i].nrepl; r++) {
            if (str_eq_nocase(s->nodes[i].repl[r].application_name, n->application_name)) {
                if (found >= 0 && found != i)
                    return -1; /* ambiguous: say nothing */
                found = i;
            }
        }
    }
    return found;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

/* The upstream's row for this standby: same application_name; among several, the one whose
 * flush position is closest to what the standby says it received. */
static const struct repl_row *find_row(const struct node_snap *up, const struct node_snap *n)
{
    const struct repl_row *best = NULL;
    int64_t best_dist = 0;
    for (int r = 0; r < up->nrepl; r++) {
        const struct repl_row *row = &up->repl[r];
        if (!n->application_name[0] || !str_eq_nocase(row->application_name, n->application_name))
            continue;
        int64_t d = lsn_diff(row->flush_lsn, n->receive_lsn);
        d = num_known(d) ? abs64(d) : INT64_MAX;
        if (!best || d < best_dist) {
            best = row;
            best_dist = d;
        }
    }
    return best;
}

/* Lag of a position behind the primary's; never negative for a standby that follows it
 * (the two nodes are sampled a few milliseconds apart). */
static int64_t lag_of(lsn_t primary_lsn, lsn_t pos)
{
    int64_t d = lsn_diff(primary_lsn, pos);
    return num_known(d) && d < 0 ? 0 : d;
}

static double time_lag(double reported, int64_t bytes)
{
    /* PostgreSQL reports NULL when idle; nothing left to replay means zero time behind */
    if (!dbl_known(reported) && num_known(bytes) && bytes == 0)
        return 0;
    return reported;
}

/* Where the primary's history left timeline tli, or -1 when the history does not say (not read,
 * or tli is not in it). */
static int history_at(const struct node_snap *root, int tli)
{
    for (int k = 0; k < root->nhistory; k++)
        if (root->history[k].tli == tli)
            return k;
    return -1;
}

/* Evidence that a standby is on a fork of the primary's timeline (docs/DESIGN.md 7.1): it is on
 * a newer timeline than the primary; or on an older one that the primary's history left at a
 * point this standby holds WAL past (PostgreSQL then refuses to follow: "new timeline N forked
 * off current database system timeline M before current recovery point"); or on an older one
 * that is not in that history at all. A standby on an older timeline whose WAL the history does
 * not contradict is only behind: it crosses the switch once it streams (every standby does, for
 * a moment, in a switchover). Without the history there is no evidence, and no alarm. */
static void find_fork(struct node_snap *n, const struct node_snap *root)
{
    n->needs_rewind = false;
    n->fork_lsn = LSN_UNKNOWN;
    if (!root || n->timeline <= 0 || root->timeline <= 0 || n->timeline == root->timeline ||
        strcmp(n->system_identifier, root->system_identifier) != 0)
        return;
    if (n->timeline > root->timeline) {
        n->needs_rewind = true;
        return;
    }
    if (root->nhistory < 0)
        return;
    int k = history_at(root, n->timeline);
    if (k >= 0) {
        lsn_t held = node_wal_held(n);
        n->fork_lsn = root->history[k].end;
        n->needs_rewind = held != LSN_UNKNOWN && held > n->fork_lsn;
    } else /* not an ancestor, unless the lines that would say so were left out */
        n->needs_rewind =
            !(root->history_cut && root->nhistory > 0 && n->timeline < root->history[0].tli);
}

static void derive_standby(struct snapshot *s, int i, const struct node_snap *root)
{
    struct node_snap *n = &s->nodes[i];
    int up = find_upstream(s, i);
    if (up >= 0)
        str_copy(n->upstream, sizeof n->upstream, s->nodes[up].name);
    const struct repl_row *row =
        up >= 0 && usable(&s->nodes[up]) ? find_row(&s->nodes[up], n) : NULL;
    find_fork(n, root);
    if (row) {
        n->matched = true;
        str_copy(n->sync_state, sizeof n->sync_state, row->sync_state);
        n->sync_priority = row->sync_priority;
        str_copy(n->repl_state, sizeof n->repl_state, row->state);
    }
    if (!root || root->current_lsn == LSN_UNKNOWN)
        return;
    /* a standby on a fork of the primary's timeline is not behind it: it has diverged */
    if (n->needs_rewind)
        return;
    lsn_t cur = root->current_lsn;
    if (row) {
        n->lag_sent = lag_of(cur, row->sent_lsn);
        n->lag_write = lag_of(cur, row->write_lsn);
        n->lag_flush = lag_of(cur, row->flush_lsn);
        n->lag_replay = lag_of(cur, row->replay_lsn);
    }
    /* what it holds, not what its receiver says: a restarted receiver starts over at the
     * beginning of a segment, below what was already flushed and replayed */
    if (usable(n) && node_wal_held(n) != LSN_UNKNOWN)
        n->lag_flush = lag_of(cur, node_wal_held(n));
    if (usable(n) && n->replay_lsn != LSN_UNKNOWN)
        n->lag_replay = lag_of(cur, n->replay_lsn);
    if (row) {
        n->lag_write_s = time_lag(row->write_lag, n->lag_write);
        n->lag_flush_s = time_lag(row->flush_lag, n->lag_flush);
        n->lag_replay_s = time_lag(row->replay_lag, n->lag_replay);
    }
    /* what a promotion of this standby would lose if the primary died now: all WAL the
     * primary wrote that this standby has not made durable */
    n->data_at_risk = n->lag_flush;
}

/* A node repltop cannot ask may still be known to one it can: a row of that node's
 * pg_stat_replication for the application_name it streamed as when last seen (else its name:
 * an HA manager's members stream as their names). Only when no answering standby streams as
 * that name, and one answering node alone lists it: then its upstream, sync state and lag are
 * that node's word, marked second-hand (seen_by). */
static void second_hand(struct snapshot *s, int i, const struct node_snap *root)
{
    struct node_snap *n = &s->nodes[i];
    char known[NAME_LEN];
    str_copy(known, sizeof known, n->application_name);
    if (!n->application_name[0])
        str_copy(n->application_name, sizeof n->application_name, n->name);
    bool taken = false;
    for (int j = 0; j < s->nnodes; j++)
        taken = taken || (j != i && usable(&s->nodes[j]) && s->nodes[j].role == ROLE_STANDBY &&
                          str_eq_nocase(s->nodes[j].application_name, n->application_name));
    if (!taken)
        derive_standby(s, i, root);
    if (taken || !n->matched) {
        str_copy(n->application_name, sizeof n->application_name, known);
        n->upstream[0] = '\0';
        return;
    }
    str_copy(n->seen_by, sizeof n->seen_by, n->upstream);
    n->role = ROLE_STANDBY;
    /* the slot its walsender streams with (the slot's active_pid is that row's pid) is the
     * primary_slot_name it connected with */
    const struct node_snap *up = snapshot_find(s, n->upstream);
    const struct repl_row *row = up ? find_row(up, n) : NULL;
    for (int k = 0; row && row->pid > 0 && k < up->nslots; k++)
        if (up->slots[k].active_pid == row->pid)
            str_copy(n->primary_slot_name, sizeof n->primary_slot_name, up->slots[k].name);
}

static void state_word(struct node_snap *n)
{
    const char *w;
    switch (n->reach) {
    case REACH_PENDING:
        w = "connecting";
        break;
    case REACH_UNREACHABLE:
        w = "down";
        break;
    case REACH_TIMEOUT:
        w = "timeout";
        break;
    case REACH_AUTH_FAILED:
        w = "auth_failed";
        break;
    case REACH_ERROR:
        w = "error";
        break;
    default:
        w = NULL;
    }
    if (!w && n->role == ROLE_PRIMARY)
        w = "primary";
    else if (!w && n->role == ROLE_STANDBY) {
        if (n->needs_rewind)
            w = "needs_rewind";
        else if (n->needs_resync)
            w = "needs_resync";
        else if (n->replay_paused == 1)
            w = "paused";
        else if (n->matched && strcmp(n->repl_state, "streaming") != 0 && n->repl_state[0])
            w = n->repl_state; /* catchup, startup, backup, stopping */
        else if (n->wr.present && n->wr.status[0])
            w = n->wr.status; /* streaming, waiting, ... */
        else if (strcmp(n->recovery_source, "archive") == 0)
            w = "archive"; /* restore_command only: recovers from the archive by design */
        else if (n->read_all_stats == 0)
            w = "unknown (needs pg_monitor)"; /* its WAL receiver's state reads NULL */
        else
            w = "not_streaming";
    }
    str_copy(n->state, sizeof n->state, w ? w : "unknown");
}

/* How a standby stands in its primary's synchronous replication, for the tie-break between
 * standbys that received the same WAL: the synchronous one is the one guaranteed to hold every
 * acknowledged commit. */
struct standing {
    int rank;     /* sync 3, quorum 2, potential 1; 0 async or unknown */
    int priority; /* sync_priority: 1 is the first of the list; <= 0 async or unknown */
};

static struct standing standing_of(const char *state, int priority)
{
    struct standing st = {0, priority};
    if (strcmp(state, "sync") == 0)
        st.rank = 3;
    else if (strcmp(state, "quorum") == 0)
        st.rank = 2;
    else if (strcmp(state, "potential") == 0)
        st.rank = 1;
    return st;
}

/* What is known of each node's standing: what its primary shows now, else what it showed at
 * the last refresh in which one primary answered (last_sync_state). When no primary answers and
 * nothing of the kind is known for any node, the list remembered for this cluster stands in:
 * the states PostgreSQL would give these standbys under it (syncplan.h), with its priorities
 * (1 for every listed one under ANY, as PostgreSQL shows them). */
static void standings(const struct snapshot *s, bool no_primary, struct standing *st)
{
    bool known = false;
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->sync_state[0])
            st[i] = standing_of(n->sync_state, n->sync_priority);
        else if (n->last_sync_state[0])
            st[i] = standing_of(n->last_sync_state, n->last_sync_priority);
        known = known || n->last_sync_state[0] || st[i].rank > 0; /* not a cascade's async */
    }
    struct syncnames sn;
    if (known || !no_primary || !s->remembered_sync_names[0] ||
        !syncnames_parse(s->remembered_sync_names, &sn, NULL, 0))
        return;
    const char **apps = xcalloc((size_t)s->nnodes, sizeof *apps);
    const char **states = xcalloc((size_t)s->nnodes, sizeof *states);
    int *at = xcalloc((size_t)s->nnodes, sizeof *at), napps = 0;
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (usable(n) && n->role == ROLE_STANDBY && n->application_name[0]) {
            apps[napps] = n->application_name;
            at[napps++] = i;
        }
    }
    syncplan_states(&sn, apps, napps, states);
    for (int k = 0; k < napps; k++) {
        int idx = syncnames_index(&sn, apps[k]);
        int prio = idx < 0 ? 0 : sn.method == SYNC_FIRST ? idx + 1 : 1;
        st[at[k]] = standing_of(states[k], prio);
    }
    free(apps);
    free(states);
    free(at);
}

/* With one primary answering, its view becomes each node's last standing (what the tie-break
 * falls back on once that primary is down): a node that answers but has no row there is no
 * longer synchronous. A node that does not answer is not matched at all: it keeps the last. */
static void note_standings(struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++) {
        struct node_snap *n = &s->nodes[i];
        if (!usable(n))
            continue;
        str_copy(n->last_sync_state, sizeof n->last_sync_state, n->sync_state);
        n->last_sync_priority = n->sync_priority;
    }
}

/* -1, 0 or 1 as a stands weaker than, as strong as, or stronger than b. */
static int compare_standing(struct standing a, struct standing b)
{
    if (a.rank != b.rank)
        return a.rank > b.rank ? 1 : -1;
    if (a.priority > 0 && b.priority > 0 && a.priority != b.priority)
        return a.priority < b.priority ? 1 : -1;
    return 0;
}

/* Is a better failover candidate than b: not a delayed standby, then least data at risk (most WAL
 * received), then the stronger sync standing, then the least replay lag; on a full tie the first in
 * the config. */
static bool better_candidate(const struct node_snap *a, struct standing sa,
                             const struct node_snap *b, struct standing sb)
{
    if (node_delayed(a) != node_delayed(b))
        return !node_delayed(a); /* a delayed standby only when no other can be */
    lsn_t ha = node_wal_held(a), hb = node_wal_held(b);
    if (ha != hb)
        return ha > hb;
    int c = compare_standing(sa, sb);
    if (c != 0)
        return c > 0;
    return a->replay_lsn > b->replay_lsn;
}

static bool streams(const struct node_snap *n)
{
    return n->wr.present && strcmp(n->wr.status, "streaming") == 0;
}

/* Is n on a fork of the timeline tli: ahead of it, or behind it and not streaming (a standby
 * that streams from the primary crosses the timeline switch by itself). */
static bool on_fork(const struct node_snap *n, int tli)
{
    if (tli <= 0 || n->timeline <= 0)
        return false;
    return n->timeline > tli || (n->timeline < tli && !streams(n));
}

/* The timeline candidates are compared on: the one primary's; with none or several answering,
 * the timeline most streaming standbys of the cluster are on (on a tie the lowest, the line the
 * others forked from); -1 when none streams. LSNs of different timelines' histories say nothing
 * of which holds more. Only a streaming standby's timeline is known for sure (its WAL receiver's
 * received_tli): one whose receiver is down reports its last checkpoint's, which lags a switch by
 * minutes — after a failover or two the sync standby can show an older timeline than the other,
 * and dropping it for that would promote the standby that lacks acknowledged commits. */
static int reference_timeline(const struct snapshot *s, const struct node_snap *root)
{
    if (root)
        return root->timeline;
    int best = -1, best_count = 0;
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (!member(n) || n->role != ROLE_STANDBY || n->timeline <= 0 || !streams(n))
            continue;
        int c = 0;
        for (int k = 0; k < s->nnodes; k++)
            c += member(&s->nodes[k]) && s->nodes[k].role == ROLE_STANDBY &&
                 streams(&s->nodes[k]) && s->nodes[k].timeline == n->timeline;
        if (c > best_count || (c == best_count && n->timeline < best)) {
            best = n->timeline;
            best_count = c;
        }
    }
    return best;
}

static void pick_candidate(struct snapshot *s, const struct node_snap *root, bool no_primary)
{
    if (s->nnodes == 0)
        return;
    struct standing *st = xcalloc((size_t)s->nnodes, sizeof *st);
    standings(s, no_primary, st);
    int tli = reference_timeline(s, root);
    int best = -1;
    for (int i = 0; i < s->nnodes; i++) {
        struct node_snap *n = &s->nodes[i];
        /* with one primary, a fork shown by its history, or an older timeline it cannot place
         * on that history and does not stream on; with none, only a streaming standby's
         * timeline can rule it out */
        bool forked = root ? n->needs_rewind || (n->timeline > 0 && n->timeline != tli &&
                                                 !streams(n) && history_at(root, n->timeline) < 0)
                           : streams(n) && on_fork(n, tli);
        if (!member(n) || n->role != ROLE_STANDBY || forked || node_wal_held(n) == LSN_UNKNOWN)
            continue;
        if (root && strcmp(n->system_identifier, root->system_identifier) != 0)
            continue;
        if (!patroni_allows_candidate(s, n)) /* Patroni would refuse it (its sync standby...) */
            continue;
        if (best < 0 || better_candidate(n, st[i], &s->nodes[best], st[best]))
            best = i;
    }
    if (best >= 0) {
        s->nodes[best].best_candidate = true;
        str_copy(s->candidate, sizeof s->candidate, s->nodes[best].name);
    }
    free(st);
}

void derive_snapshot(struct snapshot *s, const struct health_limits *lim)
{
    identify(s);
    const struct node_snap *root = NULL;
    int primaries = 0;
    for (int i = 0; i < s->nnodes; i++) {
        if (member(&s->nodes[i]) && s->nodes[i].role == ROLE_PRIMARY) {
            if (!root)
                root = &s->nodes[i];
            primaries++;
        }
    }
    if (primaries == 1) {
        str_copy(s->primary, sizeof s->primary, root->name);
        str_copy(s->synchronous_standby_names, sizeof s->synchronous_standby_names,
                 root->synchronous_standby_names);
        str_copy(s->synchronous_commit, sizeof s->synchronous_commit, root->synchronous_commit);
    }
    for (int i = 0; i < s->nnodes; i++) {
        struct node_snap *n = &s->nodes[i];
        if (usable(n) && n->role == ROLE_STANDBY) {
            /* with several primaries, lag is measured against the one this standby follows */
            const struct node_snap *r = primaries == 1 && !n->other_cluster ? root : NULL;
            int up = find_upstream(s, i);
            if ((primaries > 1 || n->other_cluster) && up >= 0 &&
                s->nodes[up].role == ROLE_PRIMARY &&
                strcmp(s->nodes[up].system_identifier, n->system_identifier) == 0)
                r = &s->nodes[up];
            derive_standby(s, i, r);
        } else if (!usable(n))
            second_hand(s, i, primaries == 1 ? root : NULL);
    }
    if (primaries == 1)
        note_standings(s);
    pick_candidate(s, primaries == 1 ? root : NULL, primaries == 0);
    health_evaluate(s, lim);
    for (int i = 0; i < s->nnodes; i++)
        state_word(&s->nodes[i]);
}
