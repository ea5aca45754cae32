/* Timelines (issue 13 item 5, issue 15): a standby's timeline is what it really receives, never
 * a lagging checkpoint's, and timeline_diverged / needs_rewind are raised only on evidence of a
 * fork — the primary's history file against the WAL the standby holds — never while a standby
 * merely has not crossed a switch yet (every planned switchover has that moment). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/derive.h"
#include "model/watch/queries.h"
#include "model/base/util.h"

#include "tests/helpers/refcluster.h"

#include <stdlib.h>
#include <string.h>

/* A switchover just happened: db_m is the new primary on timeline 2, begun at 0/409D0E8 (where
 * timeline 1 ended), db_s2 follows it; db_s1's receiver is down for a moment and it is still on
 * timeline 1. */
static struct snapshot *switchover(const char *history)
{
    struct snapshot *s = refcluster_new();
    s->nodes[0].timeline = 2;
    queries_parse_history(history, &s->nodes[0]);
    s->nodes[1].wr.present = false;
    s->nodes[2].timeline = 2; /* db_s2 streams from it already */
    return s;
}

static void behind_a_switch_is_not_a_fork(void **state)
{
    (void)state;
    struct snapshot *s = switchover("1\t0/409D0E8\tno recovery target specified\n");
    derive_snapshot(s, &ref_limits);
    assert_false(has_problem(s, "timeline_diverged", NULL));
    assert_false(s->nodes[1].needs_rewind);
    assert_int_equal(s->nodes[1].fork_lsn, lsn_of("0/409D0E8"));
    assert_true(has_problem(s, "not_streaming", "db_s1"));
    assert_int_not_equal(s->health, SEV_CRITICAL);
    /* its WAL is on the primary's line: lag is measured, it may be the candidate */
    assert_int_equal(s->nodes[1].lag_flush, 0x409D0E8 - 0x4000000);
    snapshot_free(s);

    /* and without the history (no privilege to read it), no evidence: no alarm either */
    s = switchover(NULL);
    derive_snapshot(s, &ref_limits);
    assert_false(has_problem(s, "timeline_diverged", NULL));
    assert_false(s->nodes[1].needs_rewind);
    assert_true(has_problem(s, "not_streaming", "db_s1"));
    snapshot_free(s);
}

static void wal_past_the_switch_is_a_fork(void **state)
{
    (void)state;
    /* timeline 1 ended at 0/3000000 on the primary's line; db_s1 holds WAL to 0/4000000 */
    struct snapshot *s = switchover("1\t0/3000000\tno recovery target specified\n");
    derive_snapshot(s, &ref_limits);
    const struct node_snap *s1 = &s->nodes[1];
    assert_true(has_problem(s, "timeline_diverged", "db_s1"));
    assert_true(s1->needs_rewind);
    assert_string_equal(s1->state, "needs_rewind");
    assert_int_equal(s1->fork_lsn, lsn_of("0/3000000"));
    assert_false(s1->best_candidate);
    assert_true(s1->lag_flush == NUM_UNKNOWN); /* not behind: elsewhere */
    for (int i = 0; i < s->nproblems; i++)
        if (strcmp(s->problems[i].code, "timeline_diverged") == 0) {
            assert_non_null(strstr(s->problems[i].message, "0/4000000"));
            assert_non_null(strstr(s->problems[i].message, "0/3000000"));
            assert_non_null(strstr(s->problems[i].message, "repltop rejoin db_s1"));
        }
    snapshot_free(s);
}

static void newer_or_foreign_timeline_is_a_fork(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[1].timeline = 2; /* promoted elsewhere, then pointed back at db_m on 1 */
    derive_snapshot(s, &ref_limits);
    assert_true(s->nodes[1].needs_rewind);
    assert_true(has_problem(s, "timeline_diverged", "db_s1"));
    snapshot_free(s);

    /* db_m on 3 came from 1 directly (2 was a fork elsewhere): db_s1 on 2 is not on its line */
    s = refcluster_new();
    s->nodes[0].timeline = 3;
    queries_parse_history("1\t0/409D0E8\tno recovery target specified\n", &s->nodes[0]);
    s->nodes[1].timeline = 2;
    derive_snapshot(s, &ref_limits);
    assert_true(s->nodes[1].needs_rewind);
    snapshot_free(s);
}

static void streaming_standby_catching_up_is_fine(void **state)
{
    (void)state;
    struct snapshot *s = switchover("1\t0/3000000\tno recovery target specified\n");
    /* db_s2 streams on timeline 1 towards the switch, its WAL before it */
    s->nodes[2].receive_lsn = s->nodes[2].replay_lsn = lsn_of("0/2000000");
    s->nodes[2].timeline = 1;
    derive_snapshot(s, &ref_limits);
    assert_false(s->nodes[2].needs_rewind);
    assert_false(has_problem(s, "timeline_diverged", "db_s2"));
    snapshot_free(s);
}

static void history_file_parsing(void **state)
{
    (void)state;
    struct node_snap n;
    memset(&n, 0, sizeof n);
    node_snap_clear(&n);
    assert_int_equal(n.nhistory, -1);
    queries_parse_history("1\t0/3000148\tno recovery target specified\n\n# comment\n"
                          "2\t0/5000060\tno recovery target specified\n",
                          &n);
    assert_int_equal(n.nhistory, 2);
    assert_int_equal(n.history[1].tli, 2);
    assert_int_equal(n.history[1].end, lsn_of("0/5000060"));
    assert_false(n.history_cut);
    /* a long history keeps its newest lines */
    char text[HISTORY_MAX * 2 * 48] = "";
    for (int t = 1; t <= HISTORY_MAX + 5; t++) {
        size_t len = strlen(text);
        str_printf(text + len, sizeof text - len, "%d\t0/%X\treason\n", t, t * 0x1000);
    }
    queries_parse_history(text, &n);
    assert_int_equal(n.nhistory, HISTORY_MAX);
    assert_true(n.history_cut);
    assert_int_equal(n.history[0].tli, 6);
    assert_int_equal(n.history[HISTORY_MAX - 1].tli, HISTORY_MAX + 5);
    queries_parse_history(NULL, &n);
    assert_int_equal(n.nhistory, -1);
    /* a cut history says nothing of a timeline older than it keeps */
    struct snapshot *s = refcluster_new();
    s->nodes[0].timeline = HISTORY_MAX + 6;
    queries_parse_history(text, &s->nodes[0]);
    s->nodes[1].timeline = 3;
    s->nodes[1].wr.present = false;
    derive_snapshot(s, &ref_limits);
    assert_false(s->nodes[1].needs_rewind);
    snapshot_free(s);
}

static void walfile_positions(void **state)
{
    (void)state;
    assert_int_equal(walfile_start("000000020000000A00000004", 16 << 20), lsn_of("A/4000000"));
    assert_int_equal(walfile_start("000000010000000000000003", 1 << 30), lsn_of("0/C0000000"));
    assert_int_equal(walfile_start("0000000100000000", 16 << 20), LSN_UNKNOWN);
    assert_int_equal(walfile_start(NULL, 16 << 20), LSN_UNKNOWN);
    assert_int_equal(walfile_start("00000001000000000000000G", 16 << 20), LSN_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(behind_a_switch_is_not_a_fork),
        cmocka_unit_test(wal_past_the_switch_is_a_fork),
        cmocka_unit_test(newer_or_foreign_timeline_is_a_fork),
        cmocka_unit_test(streaming_standby_catching_up_is_fine),
        cmocka_unit_test(history_file_parsing),
        cmocka_unit_test(walfile_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
