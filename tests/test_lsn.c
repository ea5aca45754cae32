/* LSN parse, format, difference; WAL file timelines; human byte units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/pg/lsn.h"
#include "model/base/num.h"
#include "model/base/util.h"

static void parse_and_format(void **state)
{
    (void)state;
    lsn_t l = 0;
    assert_true(lsn_parse("0/409D0E8", &l));
    assert_int_equal(l, 0x409D0E8);
    assert_true(lsn_parse("16/B374D848", &l));
    assert_int_equal(l, ((uint64_t)0x16 << 32) | 0xB374D848);
    char buf[LSN_STRLEN];
    lsn_format(l, buf, sizeof buf);
    assert_string_equal(buf, "16/B374D848");
    assert_true(lsn_parse("ffffffff/ffffffff", &l));
    lsn_format(l, buf, sizeof buf);
    assert_string_equal(buf, "FFFFFFFF/FFFFFFFF");
}

static void parse_rejects_garbage(void **state)
{
    (void)state;
    lsn_t l = 42;
    const char *bad[] = {"", "0", "/1", "1/", "1/2/3", "g/1", "123456789/0", " 0/1", "0/1 ", NULL};
    for (int i = 0; bad[i]; i++) {
        assert_false(lsn_parse(bad[i], &l));
        assert_int_equal(l, 42);
    }
    assert_false(lsn_parse(NULL, &l));
}

static void unknown_formats_empty(void **state)
{
    (void)state;
    char buf[LSN_STRLEN] = "x";
    lsn_format(LSN_UNKNOWN, buf, sizeof buf);
    assert_string_equal(buf, "");
}

static void diff(void **state)
{
    (void)state;
    lsn_t a, b;
    lsn_parse("1/0", &a);
    lsn_parse("0/FFFFFF00", &b);
    assert_int_equal(lsn_diff(a, b), 256);
    assert_int_equal(lsn_diff(b, a), -256);
    assert_int_equal(lsn_diff(a, a), 0);
    assert_true(lsn_diff(a, LSN_UNKNOWN) == NUM_UNKNOWN);
    assert_true(lsn_diff(LSN_UNKNOWN, b) == NUM_UNKNOWN);
}

static void walfile(void **state)
{
    (void)state;
    assert_int_equal(walfile_timeline("000000020000000000000004"), 2);
    assert_int_equal(walfile_timeline("0000000A0000000100000004"), 10);
    assert_int_equal(walfile_timeline("00000002"), -1);
    assert_int_equal(walfile_timeline(NULL), -1);
    assert_int_equal(walfile_timeline("zzzzzzzz0000000000000004"), -1);
}

static void bytes_human(void **state)
{
    (void)state;
    char buf[32];
    format_bytes(0, buf, sizeof buf);
    assert_string_equal(buf, "0 B");
    format_bytes(1023, buf, sizeof buf);
    assert_string_equal(buf, "1023 B");
    format_bytes(643304, buf, sizeof buf);
    assert_string_equal(buf, "628 kB");
    format_bytes(19922944, buf, sizeof buf);
    assert_string_equal(buf, "19 MB");
    format_bytes(1536LL * 1024 * 1024, buf, sizeof buf);
    assert_string_equal(buf, "1.5 GB");
    format_bytes(-2048, buf, sizeof buf);
    assert_string_equal(buf, "-2.0 kB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_and_format),
        cmocka_unit_test(parse_rejects_garbage),
        cmocka_unit_test(unknown_formats_empty),
        cmocka_unit_test(diff),
        cmocka_unit_test(walfile),
        cmocka_unit_test(bytes_human),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
