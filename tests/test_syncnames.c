/* test_syncnames: synchronous_standby_names parsing, formatting and list edits, against the forms
 * PostgreSQL 15 accepts and rejects (each case below was checked with a real postgres 15). */
#include "model/syncnames.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Parses s, failing the test with the parser's message when it does not parse. */
static struct syncnames parse_ok(const char *s)
{
    struct syncnames out;
    char err[256] = "";
    if (!syncnames_parse(s, &out, err, sizeof err))
        fail_msg("parse of '%s' failed: %s", s ? s : "(null)", err);
    return out;
}

/* Asserts that s is rejected with exactly this message, and that the output was left alone. */
static void parse_fails(const char *s, const char *message)
{
    struct syncnames out, before;
    memset(&out, 0x5a, sizeof out);
    before = out;
    char err[512] = "";
    bool ok = syncnames_parse(s, &out, err, sizeof err);
    if (ok)
        fail_msg("'%s' parsed, expected: %s", s, message);
    assert_string_equal(err, message);
    assert_memory_equal(&out, &before, sizeof out);
}

static void assert_names(const struct syncnames *s, const char *const *names, int n)
{
    assert_int_equal(s->nnames, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(s->names[i], names[i]);
}

/* Field by field, names byte-exact, unused names zero (memcmp would also see padding). */
static void assert_same(const struct syncnames *a, const struct syncnames *b)
{
    assert_int_equal(a->method, b->method);
    assert_int_equal(a->num, b->num);
    assert_int_equal(a->explicit_method, b->explicit_method);
    assert_int_equal(a->nnames, b->nnames);
    assert_memory_equal(a->names, b->names, sizeof a->names);
}

static void assert_formats_as(const struct syncnames *s, const char *expected)
{
    char buf[SYNCNAMES_FORMAT_MAX];
    assert_true(syncnames_format(s, buf, sizeof buf));
    assert_string_equal(buf, expected);
}

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

/* Builds "ANY 1 (s0, s1, ...)" with n names. */
static void many_names(char *buf, size_t size, int n)
{
    size_t len = (size_t)snprintf(buf, size, "ANY 1 (");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, size - len, "%ss%d", i ? ", " : "", i);
    snprintf(buf + len, size - len, ")");
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
        cmocka_unit_test(test_format_quoting),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_equal),
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
        cmocka_unit_test(test_format_buffer),
        cmocka_unit_test(test_format_refuses_invalid_struct),
        cmocka_unit_test(test_replace_after_promote),
        cmocka_unit_test(test_replace_rules),
        cmocka_unit_test(test_replace_overflow),
        cmocka_unit_test(test_replace_last_name_gives_none),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_would_block),
        cmocka_unit_test(test_method_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
