/* test_syncnames_format: synchronous_standby_names written back in canonical form — quoting, round
 * trips through the parser, equality, buffer sizes, and the structs it refuses to write. */
#include "model/pg/syncnames.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/syncnames_check.h"

/* ---- canonical form ---- */

static void test_format_quoting(void **state)
{
    (void)state;
    static const char *const names[] = {
        "plain", "Upper_Case$1", "db-1",    "first", "Any", "1abc",
        "123",   "with space",   "q\"uote", "*",     "",    "_",
    };
    struct syncnames s;
    memset(&s, 0, sizeof s);
    s.method = SYNC_ANY;
    s.num = 2;
    s.nnames = (int)(sizeof names / sizeof names[0]);
    for (int i = 0; i < s.nnames; i++)
        strcpy(s.names[i], names[i]);
    assert_formats_as(&s, "ANY 2 (plain, Upper_Case$1, \"db-1\", \"first\", \"Any\", \"1abc\", "
                          "\"123\", \"with space\", \"q\"\"uote\", *, \"\", _)");

    struct syncnames back =
        parse_ok("ANY 2 (plain, Upper_Case$1, \"db-1\", \"first\", \"Any\", "
                 "\"1abc\", \"123\", \"with space\", \"q\"\"uote\", *, \"\", _)");
    s.explicit_method = true;
    assert_same(&back, &s);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "FIRST 1 (walreceiversync, walreceiver)",
        "ANY 1 (db_m, walreceiver)",
        "walreceiversync, walreceiver",
        "3 (a, b)",
        "*",
        "1, 2",
        "ANY 2 (\"db-1\", \"first\", \"say \"\"hi\"\"\", \"\", \"*\", Mixed)",
        "any 1 (\"a\nb\", \"tab\there\", \"(x)\")",
        "FIRST 1 (a, a, A)",
        "",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct syncnames a = parse_ok(inputs[i]);
        char once[SYNCNAMES_FORMAT_MAX], twice[SYNCNAMES_FORMAT_MAX];
        assert_true(syncnames_format(&a, once, sizeof once));
        struct syncnames b = parse_ok(once);
        if (a.method != SYNC_NONE)
            a.explicit_method = true; /* the canonical form always writes the method */
        assert_same(&a, &b);
        assert_true(syncnames_equal(&a, &b));
        assert_true(syncnames_format(&b, twice, sizeof twice));
        assert_string_equal(once, twice);
    }
}

static void test_equal(void **state)
{
    (void)state;
    struct syncnames a = parse_ok("walreceiversync, walreceiver");
    struct syncnames b = parse_ok("FIRST 1 (WALRECEIVERSYNC, \"walreceiver\")");
    assert_true(syncnames_equal(&a, &b));
    b = parse_ok("ANY 1 (walreceiversync, walreceiver)");
    assert_false(syncnames_equal(&a, &b));
    b = parse_ok("FIRST 2 (walreceiversync, walreceiver)");
    assert_false(syncnames_equal(&a, &b));
    b = parse_ok("FIRST 1 (walreceiver, walreceiversync)");
    assert_false(syncnames_equal(&a, &b));
    b = parse_ok("FIRST 1 (walreceiversync)");
    assert_false(syncnames_equal(&a, &b));
    b = parse_ok("");
    assert_false(syncnames_equal(&a, &b));
    a = parse_ok("  ");
    assert_true(syncnames_equal(&a, &b));
}

/* ---- format limits ---- */

static void test_format_buffer(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 1 (walreceiversync, walreceiver)");
    char small[16];
    assert_false(syncnames_format(&s, small, sizeof small));
    assert_int_equal(strlen(small), sizeof small - 1);
    char exact[sizeof "FIRST 1 (walreceiversync, walreceiver)"];
    assert_true(syncnames_format(&s, exact, sizeof exact));
    assert_false(syncnames_format(&s, exact, sizeof exact - 1));

    /* The worst case fits SYNCNAMES_FORMAT_MAX: the largest count, 64 names of 63 quotes. */
    memset(&s, 0, sizeof s);
    s.method = SYNC_FIRST;
    s.num = INT_MAX;
    s.nnames = SYNC_MAX_NAMES;
    for (int i = 0; i < SYNC_MAX_NAMES; i++)
        memset(s.names[i], '"', SYNC_NAME_LEN - 1);
    char big[SYNCNAMES_FORMAT_MAX];
    assert_true(syncnames_format(&s, big, sizeof big));
    struct syncnames back = parse_ok(big);
    s.explicit_method = true;
    assert_same(&back, &s);
}

static void test_format_refuses_invalid_struct(void **state)
{
    (void)state;
    struct syncnames s;
    memset(&s, 0, sizeof s);
    s.method = SYNC_ANY;
    s.num = 1;
    char buf[64];
    assert_false(syncnames_format(&s, buf, sizeof buf)); /* no names */
    s.nnames = 1;
    strcpy(s.names[0], "a");
    s.num = 0;
    assert_false(syncnames_format(&s, buf, sizeof buf)); /* count below 1 */
    s.num = 1;
    assert_true(syncnames_format(&s, buf, sizeof buf));
    assert_string_equal(buf, "ANY 1 (a)");
}

static void test_method_names(void **state)
{
    (void)state;
    assert_string_equal(sync_method_name(SYNC_FIRST), "FIRST");
    assert_string_equal(sync_method_name(SYNC_ANY), "ANY");
    assert_string_equal(sync_method_name(SYNC_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_quoting),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_format_buffer),
        cmocka_unit_test(test_format_refuses_invalid_struct),
        cmocka_unit_test(test_method_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
