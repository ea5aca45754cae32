/* Which sync_state PostgreSQL gives each standby under a synchronous_standby_names: the
 * preview of `sync set` and of the editor, checked against pg_stat_replication afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/syncplan.h"

#include <string.h>

static void plan(const char *spec, const char *const *names, int n, const char **states)
{
    struct syncnames sn;
    char err[256];
    if (!syncnames_parse(spec, &sn, err, sizeof err))
        fail_msg("%s: %s", spec, err);
    syncplan_states(&sn, names, n, states);
}

static void first_one_of_two(void **state)
{
    (void)state;
    const char *names[] = {"walreceiver", "walreceiversync"};
    const char *st[2];
    plan("FIRST 1 (walreceiversync, walreceiver)", names, 2, st);
    assert_string_equal(st[0], "potential");
    assert_string_equal(st[1], "sync");
    /* the sync one gone: the next by priority takes over */
    plan("FIRST 1 (walreceiversync, walreceiver)", names, 1, st);
    assert_string_equal(st[0], "sync");
}

static void any_is_quorum(void **state)
{
    (void)state;
    const char *names[] = {"db_m", "walreceiver", "other"};
    const char *st[3];
    plan("ANY 1 (db_m, walreceiver)", names, 3, st);
    assert_string_equal(st[0], "quorum");
    assert_string_equal(st[1], "quorum");
    assert_string_equal(st[2], "async");
}

static void unlisted_and_none(void **state)
{
    (void)state;
    const char *names[] = {"a", "b"};
    const char *st[2];
    plan("", names, 2, st);
    assert_string_equal(st[0], "async");
    assert_string_equal(st[1], "async");
    plan("b", names, 2, st); /* a plain list is FIRST 1 */
    assert_string_equal(st[0], "async");
    assert_string_equal(st[1], "sync");
}

static void star_and_case(void **state)
{
    (void)state;
    const char *names[] = {"Zed", "alpha", "beta"};
    const char *st[3];
    plan("FIRST 2 (ALPHA, *)", names, 3, st);
    /* alpha has priority 1, the others priority 2: the first of those is sync */
    assert_string_equal(st[1], "sync");
    assert_string_equal(st[0], "sync");
    assert_string_equal(st[2], "potential");
}

/* After the reference drill: db_m (primary) died, db_s2 (walreceiversync) is promoted. */
static void after_promote(void **state)
{
    (void)state;
    struct snapshot *s = snapshot_new(3);
    const char *names[] = {"db_m", "db_s1", "db_s2"};
    for (int i = 0; i < 3; i++) {
        strcpy(s->nodes[i].name, names[i]);
        node_snap_clear(&s->nodes[i]);
    }
    s->nodes[0].reach = REACH_UNREACHABLE;
    s->nodes[1].reach = s->nodes[2].reach = REACH_OK;
    s->nodes[1].role = s->nodes[2].role = ROLE_STANDBY;
    strcpy(s->nodes[1].application_name, "walreceiver");
    strcpy(s->nodes[2].application_name, "walreceiversync");
    strcpy(s->nodes[2].upstream, "db_m");
    struct syncnames sn;
    char out[SYNCNAMES_FORMAT_MAX];
    assert_true(syncnames_parse("FIRST 1 (walreceiversync, walreceiver)", &sn, NULL, 0));
    syncplan_after_promote(s, &s->nodes[2], NULL, &sn);
    assert_true(syncnames_format(&sn, out, sizeof out));
    assert_string_equal(out, "FIRST 1 (db_m, walreceiver)");

    /* ANY keeps its method; a standby that is down (name unknown) is not invented */
    s->nodes[1].reach = REACH_UNREACHABLE;
    s->nodes[1].role = ROLE_UNKNOWN;
    s->nodes[1].application_name[0] = '\0';
    assert_true(syncnames_parse("ANY 1 (walreceiversync, walreceiver)", &sn, NULL, 0));
    s->nodes[2].upstream[0] = '\0'; /* not derived: the name remembered from before counts */
    syncplan_after_promote(s, &s->nodes[2], "db_m", &sn);
    assert_true(syncnames_format(&sn, out, sizeof out));
    assert_string_equal(out, "ANY 1 (db_m, walreceiver)");
    snapshot_free(s);
}

static void after_switchover_one(const char *before, const char *cand_app, const char *after)
{
    struct syncnames sn;
    char err[256], out[256];
    if (!syncnames_parse(before, &sn, err, sizeof err))
        fail_msg("%s: %s", before, err);
    syncplan_after_switchover(&sn, "db_s2", cand_app, "db_m");
    if (sn.method == SYNC_NONE)
        out[0] = '\0';
    else
        assert_true(syncnames_format(&sn, out, sizeof out));
    assert_string_equal(out, after);
}

/* The old primary takes the candidate's place; method, number and the others are kept. */
static void after_switchover(void **state)
{
    (void)state;
    after_switchover_one("FIRST 1 (walreceiversync, walreceiver)", "walreceiversync",
                         "FIRST 1 (db_m, walreceiver)");
    after_switchover_one("ANY 2 (walreceiver, WalReceiverSync, x)", "walreceiversync",
                         "ANY 2 (walreceiver, db_m, x)");
    /* named by its config name */
    after_switchover_one("FIRST 1 (db_s2)", "walreceiversync", "FIRST 1 (db_m)");
    /* not listed: kept; an asynchronous cluster stays asynchronous */
    after_switchover_one("FIRST 1 (walreceiver)", "walreceiversync", "FIRST 1 (walreceiver)");
    after_switchover_one("", "walreceiversync", "");
    /* a * keeps matching everyone */
    after_switchover_one("ANY 1 (*)", "walreceiversync", "ANY 1 (*)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_one_of_two),  cmocka_unit_test(any_is_quorum),
        cmocka_unit_test(unlisted_and_none), cmocka_unit_test(star_and_case),
        cmocka_unit_test(after_promote),     cmocka_unit_test(after_switchover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
