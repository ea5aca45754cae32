/* Derivations (upstream matching, lag, data at risk, candidate) and the health rules, on
 * hand-made snapshots shaped like the reference cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/derive.h"
#include "model/base/intern.h"
#include "model/watch/queries.h"
#include "model/base/util.h"

#include "tests/helpers/refcluster.h"

#include <stdlib.h>
#include <string.h>

static void healthy_reference(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->primary, "db_m");
    assert_string_equal(s->synchronous_standby_names, "FIRST 1 (walreceiversync, walreceiver)");
    const struct node_snap *s1 = &s->nodes[1], *s2 = &s->nodes[2];
    /* matched by application_name, not node name */
    assert_true(s1->matched);
    assert_string_equal(s1->sync_state, "potential");
    assert_int_equal(s1->sync_priority, 2);
    assert_string_equal(s2->sync_state, "sync");
    assert_string_equal(s1->upstream, "db_m");
    assert_string_equal(s2->upstream, "db_m"); /* localhost == 127.0.0.1 */
    /* lag against the primary's current LSN 0/409D0E8 */
    assert_int_equal(s1->lag_sent, 0);
    assert_int_equal(s1->lag_write, 0x409D0E8 - 0x4000000);
    assert_int_equal(s1->lag_flush, 0x409D0E8 - 0x4000000);
    assert_int_equal(s1->lag_replay, 0x409D0E8 - 0x2D9D0E8);
    assert_int_equal(s1->data_at_risk, 643304);
    assert_int_equal(s2->lag_replay, 0);
    assert_int_equal(s2->data_at_risk, 0);
    /* idle NULL intervals with nothing to replay are zero seconds behind */
    assert_true(s2->lag_replay_s == 0);
    /* with work left, a NULL interval stays unknown */
    assert_true(isnan(s1->lag_replay_s));
    /* the primary has no lag of its own */
    assert_true(s->nodes[0].lag_replay == NUM_UNKNOWN);
    assert_true(s->nodes[0].data_at_risk == NUM_UNKNOWN);
    assert_string_equal(s->candidate, "db_s2");
    assert_true(s2->best_candidate && !s1->best_candidate);
    /* 19 MB replay lag is over the 16 MB warning */
    assert_true(has_problem(s, "lag_warn", "db_s1"));
    assert_int_equal(s->health, SEV_WARNING);
    assert_string_equal(s->nodes[0].state, "primary");
    assert_string_equal(s1->state, "streaming");
    snapshot_free(s);
}

static void no_lag_no_problem(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[1].replay_lsn = lsn_of("0/409D0E8");
    s->nodes[1].receive_lsn = lsn_of("0/409D0E8");
    derive_snapshot(s, &ref_limits);
    assert_int_equal(s->nproblems, 0);
    assert_int_equal(s->health, SEV_OK);
    assert_int_equal(s->nodes[1].lag_replay, 0);
    snapshot_free(s);
}

static void standby_sampled_after_primary_is_not_negative(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[2].receive_lsn = lsn_of("0/5000000"); /* sampled a moment after the primary */
    s->nodes[2].replay_lsn = lsn_of("0/5000000");
    derive_snapshot(s, &ref_limits);
    assert_int_equal(s->nodes[2].lag_replay, 0);
    assert_int_equal(s->nodes[2].data_at_risk, 0);
    snapshot_free(s);
}

static void lag_crit_and_time_lag(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[0].current_lsn = lsn_of("1/0");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "lag_crit", "db_s1"));
    assert_int_equal(s->health, SEV_CRITICAL);
    snapshot_free(s);

    s = refcluster_new();
    s->nodes[1].replay_lsn = lsn_of("0/4000000"); /* small byte lag ... */
    s->nodes[0].repl[0].replay_lag = 12.5;        /* ... but 12.5 s behind */
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "lag_warn", "db_s1"));
    assert_true(s->nodes[1].lag_replay_s == 12.5);
    snapshot_free(s);
}

static void unreachable_and_timeout(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    struct node_snap *s1 = &s->nodes[1];
    node_snap_clear(s1);
    s1->reach = REACH_UNREACHABLE;
    str_copy(s1->error, sizeof s1->error, "connection refused");
    node_snap_clear(&s->nodes[2]);
    s->nodes[2].reach = REACH_TIMEOUT;
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "unreachable", "db_s1"));
    assert_true(has_problem(s, "timeout", "db_s2"));
    assert_string_equal(s1->state, "down");
    assert_string_equal(s->nodes[2].state, "timeout");
    /* unknown stays unknown */
    assert_true(s1->lag_replay == NUM_UNKNOWN);
    assert_true(s1->data_at_risk == NUM_UNKNOWN);
    assert_string_equal(s->candidate, "");
    assert_int_equal(s->health, SEV_CRITICAL);
    snapshot_free(s);
}

static void no_primary_picks_most_advanced_standby(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    node_snap_clear(&s->nodes[0]);
    s->nodes[0].reach = REACH_UNREACHABLE;
    /* the async standby got more WAL than the sync one before the primary died */
    s->nodes[1].receive_lsn = lsn_of("0/5000000");
    s->nodes[1].wr.present = false;
    s->nodes[2].wr.present = false;
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "no_primary", NULL));
    assert_true(has_problem(s, "not_streaming", "db_s1"));
    assert_string_equal(s->primary, "");
    assert_string_equal(s->candidate, "db_s1");
    snapshot_free(s);
}

static void split_brain_and_foreign_node(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    struct node_snap *s2 = &s->nodes[2];
    s2->role = ROLE_PRIMARY;
    s2->current_lsn = lsn_of("0/6000000");
    s2->timeline = 2;
    s2->wr.present = false;
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "multiple_primaries", NULL));
    assert_string_equal(s->primary, "");
    assert_int_equal(s->health, SEV_CRITICAL);
    snapshot_free(s);

    s = refcluster_new();
    str_copy(s->nodes[1].system_identifier, sizeof s->nodes[1].system_identifier, "42");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "system_id_mismatch", "db_s1"));
    assert_false(has_problem(s, "system_id_mismatch", "db_s2"));
    snapshot_free(s);
}

static void timeline_diverged(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[0].timeline = 2;
    /* the primary's history: timeline 1 was left at 0/409D0E8; db_s1 received WAL past it */
    queries_parse_history("1\t0/409D0E8\tno recovery target specified\n", &s->nodes[0]);
    s->nodes[1].receive_lsn = lsn_of("0/5000000");
    str_copy(s->nodes[1].wr.status, sizeof s->nodes[1].wr.status, "waiting");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "timeline_diverged", "db_s1"));
    assert_true(s->nodes[1].needs_rewind);
    assert_string_equal(s->nodes[1].state, "needs_rewind");
    assert_false(has_problem(s, "not_streaming", "db_s1"));
    /* db_s2 streams on the old timeline for a moment while it switches: not diverged */
    assert_false(has_problem(s, "timeline_diverged", "db_s2"));
    snapshot_free(s);
}

static void paused_and_slots(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[2].replay_paused = 1;
    struct node_snap *m = &s->nodes[0];
    m->slots = calloc(2, sizeof *m->slots);
    m->nslots = 2;
    str_copy(m->slots[0].name, sizeof m->slots[0].name, "gone_replica");
    m->slots[0].active = false;
    m->slots[0].retained_bytes = 300 << 20;
    str_copy(m->slots[0].wal_status, sizeof m->slots[0].wal_status, "extended");
    str_copy(m->slots[1].name, sizeof m->slots[1].name, "live");
    m->slots[1].active = true;
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "replay_paused", "db_s2"));
    assert_string_equal(s->nodes[2].state, "paused");
    assert_true(has_problem(s, "slot_inactive", "db_m"));
    int slot_problems = 0;
    for (int i = 0; i < s->nproblems; i++)
        slot_problems += strcmp(s->problems[i].code, "slot_inactive") == 0;
    assert_int_equal(slot_problems, 1);
    snapshot_free(s);
}

static void writes_blocked(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    struct node_snap *m = &s->nodes[0];
    m->synchronous_standby_names = str_intern("FIRST 2 (walreceiversync, nosuchstandby)");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "writes_blocked", "db_m"));
    snapshot_free(s);

    /* both listed standbys streaming: not blocked */
    s = refcluster_new();
    s->nodes[0].synchronous_standby_names = str_intern("ANY 2 (WalReceiverSync, walreceiver)");
    derive_snapshot(s, &ref_limits);
    assert_false(has_problem(s, "writes_blocked", NULL));
    snapshot_free(s);

    /* the sync standby in catchup does not count */
    s = refcluster_new();
    str_copy(s->nodes[0].repl[1].state, sizeof s->nodes[0].repl[1].state, "catchup");
    str_copy(s->nodes[0].repl[0].state, sizeof s->nodes[0].repl[0].state, "catchup");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "writes_blocked", "db_m"));
    assert_string_equal(s->nodes[2].state, "catchup");
    snapshot_free(s);

    /* synchronous_commit = local: commits do not wait */
    s = refcluster_new();
    str_copy(s->nodes[0].synchronous_commit, sizeof s->nodes[0].synchronous_commit, "local");
    s->nodes[0].synchronous_standby_names = str_intern("FIRST 1 (nobody)");
    derive_snapshot(s, &ref_limits);
    assert_false(has_problem(s, "writes_blocked", NULL));
    snapshot_free(s);
}

static void duplicate_app_names_match_closest_row(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    /* both standbys stream with the default application_name */
    struct node_snap *m = &s->nodes[0];
    str_copy(m->repl[1].application_name, sizeof m->repl[1].application_name, "walreceiver");
    str_copy(s->nodes[2].application_name, sizeof s->nodes[2].application_name, "walreceiver");
    derive_snapshot(s, &ref_limits);
    assert_int_equal(s->nodes[1].lag_write, 0x409D0E8 - 0x4000000);
    assert_int_equal(s->nodes[2].lag_write, 0);
    snapshot_free(s);
}

static void same_addr(void **state)
{
    (void)state;
    assert_true(derive_same_addr("127.0.0.1:5432", "localhost:5432"));
    assert_true(derive_same_addr("::1:5432", "127.0.0.1:5432"));
    assert_true(derive_same_addr("DB1:5432", "db1:5432"));
    assert_false(derive_same_addr("127.0.0.1:5432", "127.0.0.1:5433"));
    assert_false(derive_same_addr("db1:5432", "db2:5432"));
    assert_false(derive_same_addr("", "db2:5432"));
}

/* below_sync_policy: a declared policy the cluster does not meet is a warning with the reason;
 * none without a policy or without the config it goes by. */
static const char *problem_message(const struct snapshot *s, const char *code)
{
    for (int i = 0; i < s->nproblems; i++)
        if (strcmp(s->problems[i].code, code) == 0)
            return s->problems[i].message;
    return NULL;
}

static struct snapshot *with_policy(const char *policy, struct health_limits *lim)
{
    static struct node_conf nodes[3] = {{.name = "db_m"}, {.name = "db_s1"}, {.name = "db_s2"}};
    static struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.nodes = nodes;
    cfg.nnodes = 3;
    cfg.sync_policy = (char *)policy;
    *lim = ref_limits;
    lim->cfg = &cfg;
    struct snapshot *s = refcluster_new();
    s->sync_policy = str_intern(policy ? policy : "");
    s->nodes[1].replay_lsn = lsn_of("0/409D0E8"); /* no lag problem in the way */
    s->nodes[1].receive_lsn = lsn_of("0/409D0E8");
    return s;
}

static void below_sync_policy(void **state)
{
    (void)state;
    struct health_limits lim;
    /* the primary's list is the named policy's, and its standby streams: met */
    struct snapshot *s = with_policy("FIRST 1 (walreceiversync, walreceiver)", &lim);
    derive_snapshot(s, &lim);
    assert_false(has_problem(s, "below_sync_policy", NULL));
    assert_int_equal(s->health, SEV_OK);
    snapshot_free(s);

    /* FIRST 1 without names: every other node, in any order, meets it */
    s = with_policy("FIRST 1", &lim);
    derive_snapshot(s, &lim);
    assert_false(has_problem(s, "below_sync_policy", NULL));
    snapshot_free(s);

    /* ... a list that leaves one out does not */
    s = with_policy("FIRST 1", &lim);
    s->nodes[0].synchronous_standby_names = str_intern("FIRST 1 (walreceiversync)");
    derive_snapshot(s, &lim);
    assert_true(has_problem(s, "below_sync_policy", ""));
    assert_int_equal(s->health, SEV_WARNING);
    const char *msg = problem_message(s, "below_sync_policy");
    assert_non_null(strstr(msg, "below the sync policy FIRST 1: "));
    assert_non_null(strstr(msg, "FIRST 1 (walreceiver, walreceiversync)"));
    snapshot_free(s);

    /* no standby streams: below it, and why */
    s = with_policy("FIRST 1 (walreceiversync, walreceiver)", &lim);
    for (int i = 0; i < s->nodes[0].nrepl; i++)
        str_copy(s->nodes[0].repl[i].state, sizeof s->nodes[0].repl[i].state, "catchup");
    derive_snapshot(s, &lim);
    assert_true(has_problem(s, "below_sync_policy", ""));
    msg = problem_message(s, "below_sync_policy");
    assert_non_null(strstr(msg, "stream"));
    /* commits hang too: that is writes_blocked, the critical one */
    assert_true(has_problem(s, "writes_blocked", "db_m"));
    assert_int_equal(s->health, SEV_CRITICAL);
    snapshot_free(s);

    /* no policy, or no config to go by: never */
    s = with_policy(NULL, &lim);
    derive_snapshot(s, &lim);
    assert_false(has_problem(s, "below_sync_policy", NULL));
    snapshot_free(s);
    s = with_policy("FIRST 1", &lim);
    lim.cfg = NULL;
    derive_snapshot(s, &lim);
    assert_false(has_problem(s, "below_sync_policy", NULL));
    snapshot_free(s);
}

/* s with one more node at index at: a copy of node from (its own rows), named name at target. */
static struct snapshot *with_copy(struct snapshot *s, int from, int at, const char *name,
                                  const char *target)
{
    struct snapshot *t = snapshot_new(s->nnodes + 1);
    for (int i = 0, k = 0; i < t->nnodes; i++) {
        const struct node_snap *src = &s->nodes[i == at ? from : k++];
        struct node_snap *n = &t->nodes[i];
        *n = *src;
        n->repl = src->nrepl ? xcalloc((size_t)src->nrepl, sizeof *n->repl) : NULL;
        if (src->nrepl)
            memcpy(n->repl, src->repl, (size_t)src->nrepl * sizeof *n->repl);
        n->slots = NULL;
        n->nslots = 0;
        if (i == at) {
            str_copy(n->name, sizeof n->name, name);
            str_copy(n->target, sizeof n->target, target);
        }
    }
    snapshot_free(s);
    return t;
}

/* The same primary listed twice (once by another spelling of its address) is a config
 * mistake naming both entries, not a split brain; a second primary on another address is. */
static void same_server_twice_is_no_split_brain(void **state)
{
    (void)state;
    struct snapshot *s = with_copy(refcluster_new(), 0, 3, "db_m_uri", "localhost:5432");
    derive_snapshot(s, &ref_limits);
    assert_false(has_problem(s, "multiple_primaries", NULL));
    assert_true(has_problem(s, "duplicate_node", "db_m_uri"));
    const char *msg = problem_message(s, "duplicate_node");
    assert_non_null(strstr(msg, "db_m (127.0.0.1:5432)"));
    assert_non_null(strstr(msg, "db_m_uri (localhost:5432)"));
    assert_string_equal(s->nodes[3].same_server_as, "db_m");
    assert_string_equal(s->primary, "db_m");
    assert_string_equal(s->candidate, "db_s2");
    snapshot_free(s);

    /* the same identifier at another address: two servers, a real split brain */
    s = with_copy(refcluster_new(), 0, 3, "db_m2", "127.0.0.1:6543");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "multiple_primaries", NULL));
    assert_false(has_problem(s, "duplicate_node", NULL));
    snapshot_free(s);

    /* under a name the address cannot match (a Unix socket): the same postmaster answered */
    s = refcluster_new();
    str_copy(s->nodes[0].postmaster_start, sizeof s->nodes[0].postmaster_start,
             "1764930000.123456");
    s = with_copy(s, 0, 3, "db_m_socket", "/run/postgresql:5432");
    derive_snapshot(s, &ref_limits);
    assert_false(has_problem(s, "multiple_primaries", NULL));
    assert_string_equal(s->nodes[3].same_server_as, "db_m");
    snapshot_free(s);

    /* another postmaster (started at another time) with the same identifier: split brain */
    s = refcluster_new();
    str_copy(s->nodes[0].postmaster_start, sizeof s->nodes[0].postmaster_start,
             "1764930000.123456");
    s = with_copy(s, 0, 3, "db_m2", "10.0.0.9:5432");
    str_copy(s->nodes[3].postmaster_start, sizeof s->nodes[3].postmaster_start,
             "1764930007.654321");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "multiple_primaries", NULL));
    snapshot_free(s);
}

/* A node of another cluster is flagged as such whichever order the config lists it in, never
 * counted as a second primary and never the candidate. */
static void other_cluster_in_either_order(void **state)
{
    (void)state;
    for (int at = 0; at <= 3; at += 3) {
        /* a primary of another cluster */
        struct snapshot *s = with_copy(refcluster_new(), 0, at, "other", "127.0.0.1:6000");
        struct node_snap *o = &s->nodes[at];
        str_copy(o->system_identifier, sizeof o->system_identifier, "42");
        o->nrepl = 0;
        derive_snapshot(s, &ref_limits);
        assert_true(has_problem(s, "system_id_mismatch", "other"));
        assert_false(has_problem(s, "system_id_mismatch", "db_m"));
        assert_false(has_problem(s, "multiple_primaries", NULL));
        assert_string_equal(s->primary, "db_m");
        assert_true(s->nodes[at].other_cluster);
        snapshot_free(s);

        /* a standby of another cluster that received more WAL than any of ours */
        s = with_copy(refcluster_new(), 2, at, "other", "127.0.0.1:6000");
        o = &s->nodes[at];
        str_copy(o->system_identifier, sizeof o->system_identifier, "42");
        o->receive_lsn = o->replay_lsn = lsn_of("9/0");
        derive_snapshot(s, &ref_limits);
        assert_true(has_problem(s, "system_id_mismatch", "other"));
        assert_string_equal(s->candidate, "db_s2");
        assert_false(s->nodes[at].best_candidate);
        snapshot_free(s);
    }
}

/* Bytes and seconds each reach their own severity; the worse wins. */
static void time_lag_beats_byte_lag(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[0].current_lsn = lsn_of("0/A000000"); /* db_s1 150 MB behind: a warning */
    s->nodes[1].replay_lsn = lsn_of("0/0A00000");  /* ... */
    s->nodes[0].repl[0].replay_lag = 139;          /* ... but 139 s: critical */
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "lag_crit", "db_s1"));
    assert_false(has_problem(s, "lag_warn", "db_s1"));
    assert_non_null(strstr(problem_message(s, "lag_crit"), "139.0 s behind db_m (crit at 60 s)"));
    snapshot_free(s);
}

/* A receiver restarted at the start of a segment holds what it replayed: flush lag and data at
 * risk never exceed the replay lag. */
static void restarted_receiver_holds_what_it_replayed(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[1].receive_lsn = lsn_of("0/2000000"); /* reset below the replayed 0/2D9D0E8 */
    derive_snapshot(s, &ref_limits);
    assert_int_equal(s->nodes[1].lag_flush, 0x409D0E8 - 0x2D9D0E8);
    assert_int_equal(s->nodes[1].data_at_risk, 0x409D0E8 - 0x2D9D0E8);
    snapshot_free(s);
}

/* After an accidental promotion (db_s2 on timeline 2) a standby that follows it with a larger
 * LSN is not a candidate for the line the other standby is on. */
static void candidate_on_one_timeline(void **state)
{
    (void)state;
    struct snapshot *s = with_copy(refcluster_new(), 1, 3, "db_s3", "127.0.0.1:5435");
    struct node_snap *s2 = &s->nodes[2], *s3 = &s->nodes[3];
    s2->role = ROLE_PRIMARY;
    s2->current_lsn = lsn_of("0/9000000");
    s2->timeline = 2;
    s2->wr.present = false;
    s3->timeline = 2;
    s3->receive_lsn = s3->replay_lsn = lsn_of("0/8000000");
    str_copy(s3->upstream_addr, sizeof s3->upstream_addr, "localhost:5434");
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "multiple_primaries", NULL));
    assert_string_equal(s->candidate, "db_s1");
    snapshot_free(s);

    /* with one primary, a standby ahead of its timeline is no candidate */
    s = refcluster_new();
    s->nodes[2].timeline = 2;
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->candidate, "db_s1");
    snapshot_free(s);
}

/* The primary died after a few failovers: no WAL receiver runs, and each standby reports its last
 * checkpoint's timeline, which lags. The two show different timelines, and the sync standby,
 * which holds every acknowledged commit, shows the newer one; neither timeline is evidence of a
 * fork, so it is still the candidate, on the WAL it holds. */
static void candidate_when_the_primary_died_after_failovers(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    struct node_snap *m = &s->nodes[0], *s1 = &s->nodes[1], *s2 = &s->nodes[2];
    m->reach = REACH_UNREACHABLE;
    m->role = ROLE_UNKNOWN;
    s1->wr.present = s2->wr.present = false;
    s1->timeline = 5; /* the potential one: no checkpoint since the last switch */
    s2->timeline = 6; /* the sync one: checkpointed since */
    s1->receive_lsn = s1->replay_lsn = lsn_of("0/8000000");
    s2->receive_lsn = s2->replay_lsn = lsn_of("0/8100000");
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->candidate, "db_s2");
    snapshot_free(s);
}

/* A delayed standby: its replay lag is judged against its delay, it is ranked after the others,
 * and named candidate only with what it still has to replay. */
static void delayed_standby(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    struct node_snap *s2 = &s->nodes[2];
    s2->apply_delay_s = 3600;
    s2->replay_lsn = lsn_of("0/0A00000"); /* 54 MB and 139 s to replay: inside its delay */
    s->nodes[0].repl[1].replay_lag = 139;
    derive_snapshot(s, &ref_limits);
    assert_false(has_problem(s, "lag_warn", "db_s2"));
    assert_false(has_problem(s, "lag_crit", "db_s2"));
    assert_string_equal(s->candidate, "db_s1"); /* though db_s2 received more */
    assert_false(has_problem(s, "candidate_delayed", NULL));
    snapshot_free(s);

    /* beyond its delay plus the thresholds it is late like any other */
    s = refcluster_new();
    s->nodes[2].apply_delay_s = 60;
    s->nodes[2].replay_lsn = lsn_of("0/0A00000");
    s->nodes[0].repl[1].replay_lag = 139;
    derive_snapshot(s, &ref_limits);
    assert_true(has_problem(s, "lag_crit", "db_s2"));
    snapshot_free(s);

    /* the only standby left: the candidate, with a warning of what it has to replay */
    s = refcluster_new();
    s->nodes[2].apply_delay_s = 3600;
    s->nodes[2].replay_lsn = lsn_of("0/0A00000");
    node_snap_clear(&s->nodes[1]);
    s->nodes[1].reach = REACH_UNREACHABLE;
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->candidate, "db_s2");
    assert_true(has_problem(s, "candidate_delayed", "db_s2"));
    assert_non_null(strstr(problem_message(s, "candidate_delayed"), "55 MB to replay"));
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(below_sync_policy),
        cmocka_unit_test(healthy_reference),
        cmocka_unit_test(no_lag_no_problem),
        cmocka_unit_test(standby_sampled_after_primary_is_not_negative),
        cmocka_unit_test(lag_crit_and_time_lag),
        cmocka_unit_test(unreachable_and_timeout),
        cmocka_unit_test(no_primary_picks_most_advanced_standby),
        cmocka_unit_test(split_brain_and_foreign_node),
        cmocka_unit_test(timeline_diverged),
        cmocka_unit_test(paused_and_slots),
        cmocka_unit_test(writes_blocked),
        cmocka_unit_test(duplicate_app_names_match_closest_row),
        cmocka_unit_test(same_addr),
        cmocka_unit_test(same_server_twice_is_no_split_brain),
        cmocka_unit_test(other_cluster_in_either_order),
        cmocka_unit_test(time_lag_beats_byte_lag),
        cmocka_unit_test(restarted_receiver_holds_what_it_replayed),
        cmocka_unit_test(candidate_on_one_timeline),
        cmocka_unit_test(candidate_when_the_primary_died_after_failovers),
        cmocka_unit_test(delayed_standby),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
