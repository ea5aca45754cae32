/* test_syncnames_edit: edits of a synchronous_standby_names list (the replace after a promote, the
 * remove) and the questions asked of one (how many standbys a commit waits for, would it block). */
#include "model/pg/syncnames.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/syncnames_check.h"

/* ---- edits ---- */

static void test_replace_after_promote(void **state)
{
    (void)state;
    /* db_s2 (walreceiversync) was promoted: it cloned the primary's list, which names itself. */
    struct syncnames s = parse_ok("FIRST 1 (walreceiversync, walreceiver)");
    const char *rest[] = {"db_m", "walreceiver"};
    assert_true(syncnames_replace(&s, "WalReceiverSync", rest, 2));
    assert_formats_as(&s, "FIRST 1 (db_m, walreceiver)");
    assert_false(syncnames_matches(&s, "walreceiversync"));

    s.method = SYNC_ANY;
    assert_formats_as(&s, "ANY 1 (db_m, walreceiver)");
}

static void test_replace_rules(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 1 (a, b)");
    struct syncnames before = s;
    const char *x[] = {"x"};
    assert_false(syncnames_replace(&s, "zz", x, 1)); /* not listed */
    assert_same(&s, &before);
    assert_false(syncnames_replace(&s, "*", x, 1)); /* "*" is only a literal here */

    /* Later copies of the old name go too, or it would still be listed. */
    s = parse_ok("a, b, A");
    const char *c[] = {"c"};
    assert_true(syncnames_replace(&s, "a", c, 1));
    assert_names(&s, (const char *[]){"c", "b"}, 2);

    /* A new name already listed keeps its place; duplicates among new names are added once. */
    s = parse_ok("FIRST 2 (a, b, c)");
    const char *cd[] = {"C", "d", "D", "b"};
    assert_true(syncnames_replace(&s, "a", cd, 4));
    assert_names(&s, (const char *[]){"d", "b", "c"}, 3);

    /* The old name among the new ones stays, at its place. */
    s = parse_ok("a, b");
    const char *az[] = {"a", "z"};
    assert_true(syncnames_replace(&s, "a", az, 2));
    assert_names(&s, (const char *[]){"a", "z", "b"}, 3);

    /* Method and num are kept even when num now exceeds the list: the caller warns. */
    s = parse_ok("ANY 2 (a, b)");
    assert_true(syncnames_replace(&s, "a", NULL, 0));
    assert_int_equal(s.method, SYNC_ANY);
    assert_int_equal(s.num, 2);
    assert_names(&s, (const char *[]){"b"}, 1);
    assert_true(syncnames_exceeds_list(&s));

    /* Invalid new names leave the list alone. */
    s = parse_ok("a, b");
    before = s;
    char longname[80];
    memset(longname, 'l', 64);
    longname[64] = '\0';
    const char *bad1[] = {"ok", ""};
    const char *bad2[] = {longname};
    const char *bad3[] = {"ok", NULL};
    assert_false(syncnames_replace(&s, "a", bad1, 2));
    assert_false(syncnames_replace(&s, "a", bad2, 1));
    assert_false(syncnames_replace(&s, "a", bad3, 2));
    assert_false(syncnames_replace(&s, "a", NULL, 1));
    assert_false(syncnames_replace(&s, "a", x, -1));
    assert_same(&s, &before);

    struct syncnames none = parse_ok("");
    assert_false(syncnames_replace(&none, "a", x, 1));
}

static void test_replace_overflow(void **state)
{
    (void)state;
    char text[1024];
    many_names(text, sizeof text, SYNC_MAX_NAMES);
    struct syncnames s = parse_ok(text);
    struct syncnames before = s;
    const char *two[] = {"n1", "n2"};
    assert_false(syncnames_replace(&s, "s0", two, 2));
    assert_same(&s, &before);
    const char *one[] = {"n1"};
    assert_true(syncnames_replace(&s, "s0", one, 1));
    assert_int_equal(s.nnames, SYNC_MAX_NAMES);
    assert_string_equal(s.names[0], "n1");
}

static void test_replace_last_name_gives_none(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 1 (walreceiversync)");
    assert_true(syncnames_replace(&s, "walreceiversync", NULL, 0));
    assert_int_equal(s.method, SYNC_NONE);
    assert_int_equal(s.num, 0);
    assert_int_equal(s.nnames, 0);
    assert_formats_as(&s, "");
}

static void test_remove(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("ANY 2 (a, b, c, B)");
    assert_true(syncnames_remove(&s, "b"));
    assert_int_equal(s.method, SYNC_ANY);
    assert_int_equal(s.num, 2);
    assert_names(&s, (const char *[]){"a", "c"}, 2);
    assert_false(syncnames_remove(&s, "b"));
    assert_false(syncnames_remove(&s, "x"));
    assert_false(syncnames_remove(&s, NULL));
    assert_names(&s, (const char *[]){"a", "c"}, 2);

    /* "*" is removed only by name, and removing a name leaves "*" alone. */
    s = parse_ok("FIRST 1 (a, *)");
    assert_true(syncnames_remove(&s, "a"));
    assert_names(&s, (const char *[]){"*"}, 1);
    assert_true(syncnames_remove(&s, "*"));
    assert_int_equal(s.method, SYNC_NONE);
    assert_int_equal(syncnames_required(&s), 0);
    assert_formats_as(&s, "");
    assert_false(syncnames_remove(&s, "a"));
}

/* ---- questions ---- */

static void test_required(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("");
    assert_int_equal(syncnames_required(&s), 0);
    s = parse_ok("a, b");
    assert_int_equal(syncnames_required(&s), 1);
    s = parse_ok("ANY 2 (a, b, c)");
    assert_int_equal(syncnames_required(&s), 2);
    s = parse_ok("3 (a)");
    assert_int_equal(syncnames_required(&s), 3);
}

static void test_would_block(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 1 (walreceiversync, walreceiver)");
    const char *both[] = {"walreceiver", "walreceiversync"};
    const char *async_only[] = {"walreceiver"};
    const char *strangers[] = {"pg_basebackup", "other"};
    assert_false(syncnames_would_block(&s, both, 2));
    assert_false(syncnames_would_block(&s, async_only, 1)); /* FIRST 1: any listed one will do */
    assert_true(syncnames_would_block(&s, strangers, 2));
    assert_true(syncnames_would_block(&s, NULL, 0));

    s = parse_ok("ANY 2 (a, b, c)");
    const char *a[] = {"A"};
    const char *ab[] = {"a", "B"};
    assert_true(syncnames_would_block(&s, a, 1));
    assert_false(syncnames_would_block(&s, ab, 2));

    /* With "*" every connected standby counts. */
    s = parse_ok("FIRST 2 (*)");
    const char *xy[] = {"x", "y"};
    const char *x[] = {"x"};
    assert_false(syncnames_would_block(&s, xy, 2));
    assert_true(syncnames_would_block(&s, x, 1));

    /* PostgreSQL counts walsenders: two standbys with one application_name are two. */
    s = parse_ok("FIRST 2 (a)");
    const char *aa[] = {"a", "a"};
    assert_false(syncnames_would_block(&s, aa, 2));
    assert_true(syncnames_would_block(&s, aa, 1));

    /* No synchronous replication never blocks. */
    s = parse_ok("");
    assert_false(syncnames_would_block(&s, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace_after_promote),
        cmocka_unit_test(test_replace_rules),
        cmocka_unit_test(test_replace_overflow),
        cmocka_unit_test(test_replace_last_name_gives_none),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_would_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
