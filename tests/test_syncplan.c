/* Which sync_state PostgreSQL gives each standby under a synchronous_standby_names: the
 * preview of `sync set` and of the editor, checked against pg_stat_replication afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/syncplan.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_one_of_two),
        cmocka_unit_test(any_is_quorum),
        cmocka_unit_test(unlisted_and_none),
        cmocka_unit_test(star_and_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
