/* test_syncnames_parse: the synchronous_standby_names forms PostgreSQL 15 accepts, parsed into
 * method, count and names, and matched against application names (each case below was checked with
 * a real postgres 15). */
#include "model/pg/syncnames.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/syncnames_check.h"

/* ---- accepted forms ---- */

static void test_reference_first(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 1 (walreceiversync, walreceiver)");
    assert_int_equal(s.method, SYNC_FIRST);
    assert_int_equal(s.num, 1);
    assert_true(s.explicit_method);
    assert_names(&s, (const char *[]){"walreceiversync", "walreceiver"}, 2);
    assert_formats_as(&s, "FIRST 1 (walreceiversync, walreceiver)");
}

static void test_reference_any(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("ANY 1 (db_m, walreceiver)");
    assert_int_equal(s.method, SYNC_ANY);
    assert_int_equal(s.num, 1);
    assert_true(s.explicit_method);
    assert_names(&s, (const char *[]){"db_m", "walreceiver"}, 2);
    assert_formats_as(&s, "ANY 1 (db_m, walreceiver)");
}

static void test_empty_and_blank_mean_none(void **state)
{
    (void)state;
    const char *inputs[] = {"", "   ", " \t\n\r\f\v ", NULL};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct syncnames s = parse_ok(inputs[i]);
        assert_int_equal(s.method, SYNC_NONE);
        assert_int_equal(s.num, 0);
        assert_int_equal(s.nnames, 0);
        assert_false(s.explicit_method);
        assert_int_equal(syncnames_required(&s), 0);
        assert_formats_as(&s, "");
    }
}

static void test_bare_count_is_first(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("2 (a, b, c)");
    assert_int_equal(s.method, SYNC_FIRST);
    assert_int_equal(s.num, 2);
    assert_false(s.explicit_method);
    assert_names(&s, (const char *[]){"a", "b", "c"}, 3);
    assert_formats_as(&s, "FIRST 2 (a, b, c)");
}

static void test_plain_list_is_first_1(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("walreceiversync, walreceiver");
    assert_int_equal(s.method, SYNC_FIRST);
    assert_int_equal(s.num, 1);
    assert_false(s.explicit_method);
    assert_names(&s, (const char *[]){"walreceiversync", "walreceiver"}, 2);
    assert_formats_as(&s, "FIRST 1 (walreceiversync, walreceiver)");

    s = parse_ok("walreceiver");
    assert_int_equal(s.method, SYNC_FIRST);
    assert_int_equal(s.num, 1);
    assert_names(&s, (const char *[]){"walreceiver"}, 1);
}

/* A number is a count only before "("; anywhere else it is a standby name. */
static void test_numbers_as_names(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("1");
    assert_int_equal(s.method, SYNC_FIRST);
    assert_int_equal(s.num, 1);
    assert_names(&s, (const char *[]){"1"}, 1);

    s = parse_ok("3, 007");
    assert_int_equal(s.num, 1);
    assert_names(&s, (const char *[]){"3", "007"}, 2);

    s = parse_ok("2 (1, 2)");
    assert_int_equal(s.num, 2);
    assert_names(&s, (const char *[]){"1", "2"}, 2);
    assert_formats_as(&s, "FIRST 2 (\"1\", \"2\")");

    s = parse_ok("FIRST 01 (a)");
    assert_int_equal(s.num, 1);

    /* atoi() reads leading zeros however many there are; so do we. */
    char longnum[128];
    memset(longnum, '0', 99);
    longnum[99] = '\0';
    char text[160];
    snprintf(text, sizeof text, "ANY %s3 (a, b, c)", longnum);
    s = parse_ok(text);
    assert_int_equal(s.num, 3);
}

static void test_keywords_any_case(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("first 2 (a, b)");
    assert_int_equal(s.method, SYNC_FIRST);
    assert_int_equal(s.num, 2);
    s = parse_ok("aNy 1 (a, b)");
    assert_int_equal(s.method, SYNC_ANY);
    assert_true(s.explicit_method);

    /* Longer identifiers that start with a keyword are names. */
    s = parse_ok("first1, anybody, FIRST_standby");
    assert_int_equal(s.method, SYNC_FIRST);
    assert_false(s.explicit_method);
    assert_names(&s, (const char *[]){"first1", "anybody", "FIRST_standby"}, 3);
}

static void test_whitespace_anywhere(void **state)
{
    (void)state;
    struct syncnames s = parse_ok(" \tANY\n2\r(\fa ,b\v)  ");
    assert_int_equal(s.method, SYNC_ANY);
    assert_int_equal(s.num, 2);
    assert_names(&s, (const char *[]){"a", "b"}, 2);
    s = parse_ok("ANY 1(a,b)");
    assert_names(&s, (const char *[]){"a", "b"}, 2);
}

static void test_quoted_names(void **state)
{
    (void)state;
    struct syncnames s =
        parse_ok("ANY 2 (\"db-1\", \"standby two\", \"say \"\"hi\"\"\", \"a,b)\")");
    assert_names(&s, (const char *[]){"db-1", "standby two", "say \"hi\"", "a,b)"}, 4);
    assert_formats_as(&s, "ANY 2 (\"db-1\", \"standby two\", \"say \"\"hi\"\"\", \"a,b)\")");

    /* Keywords as names, the empty name, and a quoted plain identifier (quotes are dropped). */
    s = parse_ok("FIRST 1 (\"first\", \"ANY\", \"\", \"walreceiver\")");
    assert_names(&s, (const char *[]){"first", "ANY", "", "walreceiver"}, 4);
    assert_formats_as(&s, "FIRST 1 (\"first\", \"ANY\", \"\", walreceiver)");

    /* A quoted name may hold a newline; the scanner does not stop at it. */
    s = parse_ok("\"a\nb\"");
    assert_names(&s, (const char *[]){"a\nb"}, 1);
}

static void test_identifier_characters(void **state)
{
    (void)state;
    /* $ and digits after the first character, and bytes >= 0x80 (UTF-8) anywhere. */
    struct syncnames s = parse_ok("a$1, _x, d\xc3\xa9, \xc3\xa9t\xc3\xa9");
    assert_names(&s, (const char *[]){"a$1", "_x", "d\xc3\xa9", "\xc3\xa9t\xc3\xa9"}, 4);
    /* Quoted on output all the same, which PostgreSQL accepts too. */
    assert_formats_as(&s, "FIRST 1 (a$1, _x, \"d\xc3\xa9\", \"\xc3\xa9t\xc3\xa9\")");
}

static void test_wildcard(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("*");
    assert_names(&s, (const char *[]){"*"}, 1);
    assert_formats_as(&s, "FIRST 1 (*)");
    assert_true(syncnames_matches(&s, "walreceiver"));
    assert_true(syncnames_matches(&s, "anything at all"));

    /* PostgreSQL compares the dequoted text with "*", so a quoted star is a wildcard too. */
    s = parse_ok("ANY 2 (\"*\")");
    assert_names(&s, (const char *[]){"*"}, 1);
    assert_formats_as(&s, "ANY 2 (*)");
    assert_true(syncnames_matches(&s, "db_s1"));

    s = parse_ok("FIRST 1 (walreceiversync, *)");
    assert_int_equal(syncnames_index(&s, "walreceiversync"), 0);
    assert_int_equal(syncnames_index(&s, "walreceiver"), 1);
}

static void test_case_kept_and_matched_insensitively(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 1 (WalReceiverSync, walreceiver)");
    assert_string_equal(s.names[0], "WalReceiverSync"); /* not downcased */
    assert_formats_as(&s, "FIRST 1 (WalReceiverSync, walreceiver)");
    assert_true(syncnames_matches(&s, "walreceiversync"));
    assert_true(syncnames_matches(&s, "WALRECEIVER"));
    assert_false(syncnames_matches(&s, "walreceiver2"));
    assert_false(syncnames_matches(&s, "walreceive"));
    assert_false(syncnames_matches(&s, ""));
    assert_false(syncnames_matches(&s, NULL));
    assert_int_equal(syncnames_index(&s, "WALRECEIVERSYNC"), 0);
    assert_int_equal(syncnames_index(&s, "WalReceiver"), 1);
    assert_int_equal(syncnames_index(&s, "db_m"), -1);

    struct syncnames none = parse_ok("");
    assert_false(syncnames_matches(&none, "walreceiver"));
    assert_int_equal(syncnames_index(&none, "walreceiver"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_first),
        cmocka_unit_test(test_reference_any),
        cmocka_unit_test(test_empty_and_blank_mean_none),
        cmocka_unit_test(test_bare_count_is_first),
        cmocka_unit_test(test_plain_list_is_first_1),
        cmocka_unit_test(test_numbers_as_names),
        cmocka_unit_test(test_keywords_any_case),
        cmocka_unit_test(test_whitespace_anywhere),
        cmocka_unit_test(test_quoted_names),
        cmocka_unit_test(test_identifier_characters),
        cmocka_unit_test(test_wildcard),
        cmocka_unit_test(test_case_kept_and_matched_insensitively),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
