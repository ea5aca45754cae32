/* test_switchover_check: what a planned switchover would do, judged from a snapshot
 * (model/watch/switchover_check.h) — the dashboard's dialog and `repltop switchover` both rely on
 * it. On the reference cluster: the sync standby caught up may take over; one behind more than
 * the limit, on another timeline, not streaming or streaming from elsewhere may not, each with
 * its reason; the new list has the old primary in the candidate's place, or is the policy's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/derive.h"
#include "model/watch/switchover_check.h"
#include "model/base/util.h"

#include "tests/helpers/dialog_check.h"
#include "tests/helpers/refcluster.h"

#include <string.h>

static struct snapshot *derived(void)
{
    struct snapshot *s = refcluster_new();
    derive_snapshot(s, &ref_limits);
    return s;
}

/* whether db_NAME may take over from db_m with max_lag; why gets the reason */
static bool may(struct snapshot *s, int node, int64_t max_lag, char *why, size_t n)
{
    int64_t behind;
    why[0] = '\0';
    return switchover_candidate_ok(&s->nodes[node], &s->nodes[0], max_lag, &behind, why, n);
}

static void the_sync_standby_caught_up_may(void **state)
{
    (void)state;
    struct snapshot *s = derived();
    char why[400];
    int64_t behind;
    assert_true(switchover_candidate_ok(&s->nodes[2], &s->nodes[0], SWITCHOVER_MAX_LAG_DEFAULT,
                                        &behind, why, sizeof why));
    assert_int_equal(behind, 0);
    snapshot_free(s);
}

static void too_far_behind_says_how_far(void **state)
{
    (void)state;
    struct snapshot *s = derived();
    char why[400];
    /* db_s1 received up to 0/4000000, db_m is at 0/409D0E8: 628 kB */
    assert_true(may(s, 1, SWITCHOVER_MAX_LAG_DEFAULT, why, sizeof why));
    assert_false(may(s, 1, 100000, why, sizeof why));
    assert_non_null(strstr(why, "db_s1 is 628 kB behind db_m (more than --max-lag 98 kB)"));
    snapshot_free(s);
}

static void other_timeline_not_streaming_elsewhere_refused(void **state)
{
    (void)state;
    struct snapshot *s = derived();
    char why[400];
    s->nodes[2].timeline = 2;
    assert_false(may(s, 2, SWITCHOVER_MAX_LAG_DEFAULT, why, sizeof why));
    assert_non_null(strstr(why, "db_s2 is on timeline 2, db_m on 1"));
    s->nodes[2].timeline = 1;
    str_copy(s->nodes[2].state, sizeof s->nodes[2].state, "waiting");
    assert_false(may(s, 2, SWITCHOVER_MAX_LAG_DEFAULT, why, sizeof why));
    assert_non_null(strstr(why, "db_s2 is not streaming from db_m (waiting)"));
    str_copy(s->nodes[2].state, sizeof s->nodes[2].state, "streaming");
    str_copy(s->nodes[2].upstream, sizeof s->nodes[2].upstream, "db_s1");
    assert_false(may(s, 2, SWITCHOVER_MAX_LAG_DEFAULT, why, sizeof why));
    assert_non_null(strstr(why, "db_s2 does not stream from the primary db_m (db_s1)"));
    assert_false(may(s, 0, SWITCHOVER_MAX_LAG_DEFAULT, why, sizeof why));
    assert_non_null(strstr(why, "db_m is not a standby"));
    snapshot_free(s);
}

static const char *list_after(struct snapshot *s, const char *policy)
{
    static char out[256];
    struct syncnames sn;
    char err[256];
    assert_true(switchover_list(policy, demo_config(policy), s, &s->nodes[2],
                                s->nodes[0].synchronous_standby_names, "db_m", &sn, err,
                                sizeof err));
    out[0] = '\0';
    if (sn.method != SYNC_NONE)
        assert_true(syncnames_format(&sn, out, sizeof out));
    return out;
}

static void the_old_primary_takes_the_candidates_place(void **state)
{
    (void)state;
    struct snapshot *s = derived();
    assert_string_equal(list_after(s, NULL), "FIRST 1 (db_m, walreceiver)");
    /* a declared policy wins: every other configured node, as it streams */
    assert_string_equal(list_after(s, "ANY 1"), "ANY 1 (db_m, walreceiver)");
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_sync_standby_caught_up_may),
        cmocka_unit_test(too_far_behind_says_how_far),
        cmocka_unit_test(other_timeline_not_streaming_elsewhere_refused),
        cmocka_unit_test(the_old_primary_takes_the_candidates_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
