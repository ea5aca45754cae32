/* test_candidate: the failover candidate's tie-break once the primary is down (derive.c) and the
 * memory it uses (lastsync.h): between standbys that received the same WAL, the one that was
 * synchronous wins, whatever the config order; more WAL received still wins over that; with
 * nothing remembered the order stays what it was (replay, then the config). On hand-made
 * snapshots of the reference cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/derive.h"
#include "model/base/intern.h"
#include "model/watch/lastsync.h"
#include "model/watch/memory.h"
#include "model/base/util.h"

#include "tests/helpers/refcluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SAME "0/5000000"

/* db_m is down; db_s1 and db_s2 received WAL up to recv1 and recv2 and replayed all of it. */
static struct snapshot *primary_gone(const char *recv1, const char *recv2)
{
    struct snapshot *s = refcluster_new();
    node_snap_clear(&s->nodes[0]);
    s->nodes[0].reach = REACH_UNREACHABLE;
    const char *recv[] = {NULL, recv1, recv2};
    for (int i = 1; i < 3; i++) {
        s->nodes[i].receive_lsn = s->nodes[i].replay_lsn = lsn_of(recv[i]);
        s->nodes[i].wr.present = false;
    }
    return s;
}

static void remember(struct node_snap *n, const char *state, int priority)
{
    str_copy(n->last_sync_state, sizeof n->last_sync_state, state);
    n->last_sync_priority = priority;
}

/* The candidate derive_snapshot() picks; s is freed. */
static const char *candidate_of(struct snapshot *s)
{
    static char name[NAME_LEN];
    derive_snapshot(s, &ref_limits);
    str_copy(name, sizeof name, s->candidate);
    int marked = 0;
    for (int i = 0; i < s->nnodes; i++)
        marked += s->nodes[i].best_candidate && strcmp(s->nodes[i].name, name) == 0;
    assert_int_equal(marked, name[0] ? 1 : 0);
    snapshot_free(s);
    return name;
}

static void equal_lsn_former_sync_wins(void **state)
{
    (void)state;
    /* db_s2, second in the config, was the synchronous standby: it wins, though it replayed less */
    struct snapshot *s = primary_gone(SAME, SAME);
    remember(&s->nodes[1], "potential", 2);
    remember(&s->nodes[2], "sync", 1);
    s->nodes[2].replay_lsn = lsn_of("0/4000000");
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->candidate, "db_s2");
    assert_true(s->nodes[2].best_candidate && !s->nodes[1].best_candidate);
    /* unknown stays unknown: no sync_state is made up, what was remembered is left as it was */
    for (int i = 1; i < 3; i++) {
        assert_string_equal(s->nodes[i].sync_state, "");
        assert_int_equal(s->nodes[i].sync_priority, -1);
        assert_true(s->nodes[i].data_at_risk == NUM_UNKNOWN);
    }
    assert_string_equal(s->nodes[2].last_sync_state, "sync");
    assert_int_equal(s->nodes[2].last_sync_priority, 1);
    assert_string_equal(s->nodes[1].last_sync_state, "potential");
    snapshot_free(s);

    /* the other way round: db_s1, first in the config, was the synchronous one */
    s = primary_gone(SAME, SAME);
    remember(&s->nodes[1], "sync", 1);
    remember(&s->nodes[2], "potential", 2);
    s->nodes[1].replay_lsn = lsn_of("0/4000000");
    assert_string_equal(candidate_of(s), "db_s1");

    /* then the potential ones by priority, and quorum before async */
    s = primary_gone(SAME, SAME);
    remember(&s->nodes[1], "potential", 3);
    remember(&s->nodes[2], "potential", 2);
    assert_string_equal(candidate_of(s), "db_s2");
    s = primary_gone(SAME, SAME);
    remember(&s->nodes[1], "async", 0);
    remember(&s->nodes[2], "quorum", 1);
    assert_string_equal(candidate_of(s), "db_s2");
}

static void unequal_lsn_higher_still_wins(void **state)
{
    (void)state;
    /* db_s1 received 256 bytes more than the former sync standby: it has WAL db_s2 lacks */
    struct snapshot *s = primary_gone("0/5000100", SAME);
    remember(&s->nodes[1], "potential", 2);
    remember(&s->nodes[2], "sync", 1);
    assert_string_equal(candidate_of(s), "db_s1");

    s = primary_gone(SAME, "0/5000100");
    remember(&s->nodes[1], "sync", 1);
    remember(&s->nodes[2], "potential", 2);
    assert_string_equal(candidate_of(s), "db_s2");

    /* the same with only the remembered list to go by */
    s = primary_gone("0/5000100", SAME);
    s->remembered_sync_names = str_intern("FIRST 1 (walreceiversync, walreceiver)");
    assert_string_equal(candidate_of(s), "db_s1");
}

static void nothing_remembered_keeps_the_order(void **state)
{
    (void)state;
    /* equal everything: the first in the config */
    assert_string_equal(candidate_of(primary_gone(SAME, SAME)), "db_s1");
    /* equal receive: the one that replayed more */
    struct snapshot *s = primary_gone(SAME, SAME);
    s->nodes[1].replay_lsn = lsn_of("0/4000000");
    assert_string_equal(candidate_of(s), "db_s2");
    /* a quorum has no order among its members: as if nothing were remembered */
    s = primary_gone(SAME, SAME);
    remember(&s->nodes[1], "quorum", 1);
    remember(&s->nodes[2], "quorum", 1);
    assert_string_equal(candidate_of(s), "db_s1");
    /* a remembered list that does not parse says nothing */
    s = primary_gone(SAME, SAME);
    s->remembered_sync_names = str_intern("FIRST 1 (");
    assert_string_equal(candidate_of(s), "db_s1");
}

static void remembered_list_when_nothing_was_seen(void **state)
{
    (void)state;
    static const struct {
        const char *list, *candidate;
    } cases[] = {
        {"FIRST 1 (walreceiversync, walreceiver)", "db_s2"},
        {"walreceiver, walreceiversync", "db_s1"},
        {"FIRST 1 (nobody, WalReceiverSync)", "db_s2"}, /* listed beats unlisted, any case */
        {"ANY 1 (walreceiversync)", "db_s2"},           /* quorum beats async */
        {"ANY 1 (walreceiver, walreceiversync)", "db_s1"},
        {"FIRST 1 (*)", "db_s1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct snapshot *s = primary_gone(SAME, SAME);
        s->remembered_sync_names = str_intern(cases[i].list);
        const char *got = candidate_of(s);
        if (strcmp(got, cases[i].candidate) != 0)
            fail_msg("'%s': %s, expected %s", cases[i].list, got, cases[i].candidate);
    }

    /* a standing remembered for any node outranks the list */
    struct snapshot *s = primary_gone(SAME, SAME);
    s->remembered_sync_names = str_intern("FIRST 1 (walreceiversync, walreceiver)");
    remember(&s->nodes[1], "potential", 2);
    assert_string_equal(candidate_of(s), "db_s1");

    /* and so does a primary that answers */
    s = refcluster_new();
    s->nodes[1].receive_lsn = s->nodes[2].receive_lsn;
    s->remembered_sync_names = str_intern("FIRST 1 (walreceiver, walreceiversync)");
    assert_string_equal(candidate_of(s), "db_s2");
}

static void standing_noted_while_the_primary_answers(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->nodes[1].last_sync_state, "potential");
    assert_int_equal(s->nodes[1].last_sync_priority, 2);
    assert_string_equal(s->nodes[2].last_sync_state, "sync");
    assert_int_equal(s->nodes[2].last_sync_priority, 1);
    assert_string_equal(s->nodes[0].last_sync_state, "");
    assert_int_equal(s->nodes[0].last_sync_priority, -1);
    snapshot_free(s);

    /* db_s2 answers but the primary has no row for it: no longer synchronous. db_s1 does not
     * answer: whatever the primary says, it keeps what was remembered. */
    s = refcluster_new();
    s->nodes[0].nrepl = 1; /* walreceiver's row only */
    remember(&s->nodes[2], "sync", 1);
    node_snap_clear(&s->nodes[1]);
    s->nodes[1].reach = REACH_TIMEOUT;
    remember(&s->nodes[1], "potential", 2);
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->nodes[2].last_sync_state, "");
    assert_int_equal(s->nodes[2].last_sync_priority, -1);
    assert_string_equal(s->nodes[1].last_sync_state, "potential");
    assert_int_equal(s->nodes[1].last_sync_priority, 2);
    snapshot_free(s);
}

/* One refresh as cluster_snapshot() does it. */
static void refresh(struct lastsync *m, struct snapshot *s)
{
    lastsync_recall(m, s);
    derive_snapshot(s, &ref_limits);
    lastsync_keep(m, s);
}

static void lastsync_carries_the_standing_across_refreshes(void **state)
{
    (void)state;
    struct lastsync *m = lastsync_new(3);
    struct snapshot *s = refcluster_new(); /* db_m answers: db_s2 is its sync standby */
    refresh(m, s);
    snapshot_free(s);
    for (int round = 0; round < 2; round++) { /* then db_m is down, for two refreshes */
        s = primary_gone(SAME, SAME);
        refresh(m, s);
        assert_string_equal(s->nodes[2].last_sync_state, "sync");
        assert_string_equal(s->nodes[1].last_sync_state, "potential");
        assert_string_equal(s->remembered_sync_names, ""); /* a primary was seen: no list */
        assert_string_equal(s->candidate, "db_s2");
        assert_string_equal(s->nodes[2].sync_state, "");
        snapshot_free(s);
    }
    lastsync_free(m);
}

static void lastsync_reads_the_list_remembered_on_disk(void **state)
{
    (void)state;
    char dir[] = "/tmp/repltop-candidate-XXXXXX", path[512], sub[256];
    assert_non_null(mkdtemp(dir));
    setenv("XDG_STATE_HOME", dir, 1);

    /* nothing on disk: the deterministic order */
    struct lastsync *m = lastsync_new(3);
    struct snapshot *s = primary_gone(SAME, SAME);
    refresh(m, s);
    assert_string_equal(s->remembered_sync_names, "");
    assert_string_equal(s->candidate, "db_s1");
    snapshot_free(s);
    lastsync_free(m);

    /* an earlier run saw db_m and remembered its list */
    s = refcluster_new();
    derive_snapshot(s, &ref_limits);
    memory_save(s);
    snapshot_free(s);
    /* a process that never saw the primary (repltop status after it died) */
    m = lastsync_new(3);
    s = primary_gone(SAME, SAME);
    refresh(m, s);
    assert_string_equal(s->remembered_sync_names, "FIRST 1 (walreceiversync, walreceiver)");
    assert_string_equal(s->candidate, "db_s2");
    assert_string_equal(s->nodes[2].last_sync_state, ""); /* the list is not a seen state */
    snapshot_free(s);
    lastsync_free(m);

    snprintf(sub, sizeof sub, "%s/repltop", dir);
    snprintf(path, sizeof path, "%s/cluster-%s.conf", sub, REF_SYSID);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(dir), 0);
    unsetenv("XDG_STATE_HOME");
}

/* A standby restarted while the primary is down has its receive position reset; what it holds
 * is what it replayed from its own pg_wal. It must not lose the rank that WAL gives it. */
static void restarted_standby_counts_what_it_replayed(void **state)
{
    (void)state;
    struct snapshot *s = primary_gone("0/5000000", "0/5000000");
    s->nodes[2].receive_lsn = lsn_of("0/3000000"); /* reset by the restart */
    s->nodes[2].replay_lsn = lsn_of("0/6000000");
    assert_string_equal(candidate_of(s), "db_s2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_lsn_former_sync_wins),
        cmocka_unit_test(unequal_lsn_higher_still_wins),
        cmocka_unit_test(nothing_remembered_keeps_the_order),
        cmocka_unit_test(remembered_list_when_nothing_was_seen),
        cmocka_unit_test(standing_noted_while_the_primary_answers),
        cmocka_unit_test(lastsync_carries_the_standing_across_refreshes),
        cmocka_unit_test(lastsync_reads_the_list_remembered_on_disk),
        cmocka_unit_test(restarted_standby_counts_what_it_replayed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
