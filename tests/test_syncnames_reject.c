/* test_syncnames_reject: what the synchronous_standby_names parser refuses — the limits on names,
 * counts and list length, and the forms PostgreSQL 15 rejects — each with one line saying what and
 * where (each case below was checked with a real postgres 15). */
#include "model/pg/syncnames.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/syncnames_check.h"

/* ---- limits ---- */

static void test_name_length_limit(void **state)
{
    (void)state;
    char name[80], text[200];
    memset(name, 'a', 63);
    name[63] = '\0';
    snprintf(text, sizeof text, "FIRST 1 (%s)", name);
    struct syncnames s = parse_ok(text);
    assert_string_equal(s.names[0], name);

    memset(name, 'a', 64);
    name[64] = '\0';
    snprintf(text, sizeof text, "FIRST 1 (%s)", name);
    parse_fails(text, "standby name at position 10 is 64 bytes long; an application_name has at "
                      "most 63");

    /* Quoted: the limit is on the dequoted name, so 63 quote characters fit in 128 bytes. */
    char quoted[200] = "\"";
    for (int i = 0; i < 63; i++)
        strcat(quoted, "\"\"");
    strcat(quoted, "\"");
    s = parse_ok(quoted);
    assert_int_equal(strlen(s.names[0]), 63);
    assert_int_equal(s.names[0][62], '"');
    strcpy(quoted, "x, \"");
    for (int i = 0; i < 64; i++)
        strcat(quoted, "\"\"");
    strcat(quoted, "\"");
    parse_fails(quoted, "standby name at position 4 is 64 bytes long; an application_name has at "
                        "most 63");
}

static void test_name_count_limit(void **state)
{
    (void)state;
    char text[1024];
    many_names(text, sizeof text, SYNC_MAX_NAMES);
    struct syncnames s = parse_ok(text);
    assert_int_equal(s.nnames, SYNC_MAX_NAMES);
    assert_string_equal(s.names[SYNC_MAX_NAMES - 1], "s63");

    many_names(text, sizeof text, SYNC_MAX_NAMES + 1);
    char expected[128];
    snprintf(expected, sizeof expected,
             "more than 64 standby names (the next one is at position %zu)",
             (size_t)(strstr(text, "s64") - text) + 1);
    parse_fails(text, expected);
}

static void test_count_limits(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 2147483647 (a)");
    assert_int_equal(s.num, INT_MAX);
    parse_fails("FIRST 2147483648 (a)",
                "number of synchronous standbys at position 7 is too large");
    /* PostgreSQL's atoi() turns this into 1; refusing is the honest answer. */
    parse_fails("ANY 4294967297 (a)", "number of synchronous standbys at position 5 is too large");
    parse_fails("FIRST 0 (a)",
                "number of synchronous standbys must be at least 1, got 0 at position 7");
    parse_fails("000 (a)",
                "number of synchronous standbys must be at least 1, got 0 at position 1");
}

/* PostgreSQL accepts a count larger than the list (commits then wait); so do we, and say so. */
static void test_count_above_list_is_accepted(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("ANY 3 (a, b)");
    assert_int_equal(s.num, 3);
    assert_int_equal(syncnames_required(&s), 3);
    assert_true(syncnames_exceeds_list(&s));

    s = parse_ok("FIRST 2 (a, b)");
    assert_false(syncnames_exceeds_list(&s));
    s = parse_ok("FIRST 3 (a, *)"); /* any number of standbys can match the wildcard */
    assert_false(syncnames_exceeds_list(&s));
    s = parse_ok("");
    assert_false(syncnames_exceeds_list(&s));
}

/* ---- rejections: one line, what and where ---- */

static void test_reject_syntax(void **state)
{
    (void)state;
    parse_fails("a b", "unexpected \"b\" at position 3; expected \",\" or end of input");
    parse_fails("FIRST (a)", "unexpected \"(\" at position 7; expected a number after FIRST");
    parse_fails("ANY x (a)", "unexpected \"x\" at position 5; expected a number after ANY");
    parse_fails("FIRST 1 a, b", "unexpected \"a\" at position 9; expected \"(\"");
    parse_fails("FIRST 1 (a, b", "unexpected end of input; expected \",\" or \")\"");
    parse_fails("FIRST 1 (a b)", "unexpected \"b\" at position 12; expected \",\" or \")\"");
    parse_fails("ANY 1 ()", "unexpected \")\" at position 8; expected a standby name");
    parse_fails("FIRST 1 (walreceiver, )",
                "unexpected \")\" at position 23; expected a standby name");
    parse_fails("a,", "unexpected end of input; expected a standby name");
    parse_fails(",a", "unexpected \",\" at position 1; expected a standby name");
    parse_fails("a,,b", "unexpected \",\" at position 3; expected a standby name");
    parse_fails("(a)", "unexpected \"(\" at position 1; expected a standby name");
    parse_fails("x(a)", "unexpected \"(\" at position 2; expected \",\" or end of input");
    parse_fails("2 (a", "unexpected end of input; expected \",\" or \")\"");
    parse_fails("1 x", "unexpected \"x\" at position 3; expected \"(\", \",\" or end of input");
    parse_fails("ANY 1 (a) junk",
                "unexpected \"junk\" at position 11; expected end of input after \")\"");
    parse_fails("1 (a), b", "unexpected \",\" at position 6; expected end of input after \")\"");
    parse_fails("FIRST 1 FIRST (a)", "unexpected \"FIRST\" at position 9; expected \"(\"");
    parse_fails("ANY 1 (a) \"b\"",
                "unexpected \"b\" at position 11; expected end of input after \")\"");
}

static void test_reject_characters(void **state)
{
    (void)state;
    parse_fails("db-1", "unexpected character \"-\" at position 3; a name with characters other "
                        "than letters, digits, _ and $ must be double-quoted");
    parse_fails("ANY 1 (db_m, db.s1)",
                "unexpected character \".\" at position 16; a name with characters other than "
                "letters, digits, _ and $ must be double-quoted");
    parse_fails("$a", "unexpected character \"$\" at position 1; a name with characters other "
                      "than letters, digits, _ and $ must be double-quoted");
    parse_fails("a;b", "unexpected character \";\" at position 2; a name with characters other "
                       "than letters, digits, _ and $ must be double-quoted");
    /* Control bytes are shown escaped so the message stays on one line. */
    parse_fails("a\x01", "unexpected character \"\\x01\" at position 2; a name with characters "
                         "other than letters, digits, _ and $ must be double-quoted");
    parse_fails("1abc", "unexpected \"abc\" at position 2; expected \"(\", \",\" or end of input "
                        "(a name that starts with a digit must be double-quoted)");
}

static void test_reject_quotes(void **state)
{
    (void)state;
    parse_fails("FIRST 1 (\"a, b)", "unterminated quoted name starting at position 10");
    parse_fails("\"", "unterminated quoted name starting at position 1");
    parse_fails("\"ab\"\"", "unterminated quoted name starting at position 1");
}

static void test_reject_keywords_as_names(void **state)
{
    (void)state;
    parse_fails("ANY 1 (first)", "unexpected keyword \"first\" at position 8; expected a standby "
                                 "name (write it in double quotes to use it as a name)");
    parse_fails("a, Any", "unexpected keyword \"Any\" at position 4; expected a standby name "
                          "(write it in double quotes to use it as a name)");
    parse_fails("first", "unexpected end of input; expected a number after FIRST (write \"first\" "
                         "in double quotes to use it as a name)");
    parse_fails("any, b", "unexpected \",\" at position 4; expected a number after ANY (write "
                          "\"any\" in double quotes to use it as a name)");
}

static void test_reject_long_token_is_cut_in_message(void **state)
{
    (void)state;
    char text[200];
    char word[61];
    memset(word, 'b', 60);
    word[60] = '\0';
    snprintf(text, sizeof text, "a %s", word);
    char expected[200];
    snprintf(expected, sizeof expected,
             "unexpected \"%.40s...\" at position 3; expected \",\" or end of input", word);
    parse_fails(text, expected);
}

static void test_error_buffer_optional(void **state)
{
    (void)state;
    struct syncnames s = parse_ok("FIRST 1 (keep)");
    assert_false(syncnames_parse("FIRST 1 (", &s, NULL, 0));
    assert_string_equal(s.names[0], "keep");
    char tiny[8];
    assert_false(syncnames_parse("FIRST 1 (", &s, tiny, sizeof tiny));
    assert_string_equal(tiny, "unexpec");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_length_limit),
        cmocka_unit_test(test_name_count_limit),
        cmocka_unit_test(test_count_limits),
        cmocka_unit_test(test_count_above_list_is_accepted),
        cmocka_unit_test(test_reject_syntax),
        cmocka_unit_test(test_reject_characters),
        cmocka_unit_test(test_reject_quotes),
        cmocka_unit_test(test_reject_keywords_as_names),
        cmocka_unit_test(test_reject_long_token_is_cut_in_message),
        cmocka_unit_test(test_error_buffer_optional),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
