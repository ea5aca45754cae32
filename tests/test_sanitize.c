/* text_escape (model/base/text.h): text from outside is printed with its control characters and
 * invalid UTF-8 escaped, the same way on the screen's grid as in every printed line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/base/text.h"
#include "panels/grid.h"

#include <stdlib.h>
#include <string.h>

static void check(const char *in, const char *want)
{
    char *out = text_escape_dup(in);
    assert_string_equal(out, want);
    free(out);
}

static void escapes_controls(void **state)
{
    (void)state;
    check("plain text", "plain text");
    check("héllo 日本語 ★ – e\xcc\x81", "héllo 日本語 ★ – e\xcc\x81"); /* kept */
    check("a\nb\tc\rd", "a\\nb\\tc\\rd");
    check("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07");
    check("del\x7f", "del\\x7f");
    check("\x01\x1f", "\\x01\\x1f");
    check("back\\slash", "back\\slash"); /* for eyes only: not doubled */
    check(NULL, "");
    check("", "");
}

static void escapes_c1_and_invalid_utf8(void **state)
{
    (void)state;
    check("csi\xc2\x9b"
          "2J",
          "csi\\u009b2J"); /* U+009B, the 8-bit CSI */
    check("\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0");
    check("\x9b"
          "2J",
          "\\x9b2J"); /* a lone C1 byte is not UTF-8 */
    check("\xff\xfe", "\\xff\\xfe");
    check("\xc0\xaf", "\\xc0\\xaf");                   /* overlong '/' */
    check("\xe0\x80\xaf", "\\xe0\\x80\\xaf");          /* overlong, 3 bytes */
    check("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* a surrogate */
    check("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
    check("cut \xe6\x97", "cut \\xe6\\x97");
    check("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* U+1F600 kept */
}

static void drops_trailing_line_ends(void **state)
{
    (void)state;
    check("could not connect\n", "could not connect");
    check("two\nlines\r\n", "two\\nlines");
    check("\n", "");
}

static void bounded_between_units(void **state)
{
    (void)state;
    char buf[8];
    text_escape(buf, sizeof buf,
                "ab\x1b"
                "cd");
    assert_string_equal(buf, "ab\\x1bc"); /* 7 bytes and the NUL */
    text_escape(buf, 5,
                "ab\x1b"
                "cd");
    assert_string_equal(buf, "ab"); /* never half an escape */
    text_escape(buf, 3, "a日");
    assert_string_equal(buf, "a"); /* never half a character */
    text_escape(buf, 1, "abc");
    assert_string_equal(buf, "");
}

/* Every cell of the grid holds valid UTF-8 without a control byte. */
static void grid_never_holds_a_control(void **state)
{
    (void)state;
    const char *hostile[] = {"a%0Ab\x1b[2J",
                             "\x1b]0;owned\x07",
                             "x\xc2\x9b"
                             "31m",
                             "\xff\xfe\x80",
                             "\r\n\t\x7f",
                             "e\xcc\x81\x1b",
                             NULL};
    for (int utf8 = 0; utf8 < 2; utf8++) {
        struct grid *g = grid_new(40, 3, utf8);
        for (int i = 0; hostile[i]; i++) {
            grid_clear(g, CR_NORMAL);
            grid_text(g, 0, 0, 40, CR_NORMAL, 0, hostile[i]);
            grid_text_clip(g, 0, 1, 8, CR_NORMAL, 0, hostile[i]);
            grid_wrap(g, 0, 2, 10, CR_NORMAL, 0, hostile[i], 1);
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 40; x++) {
                    const char *ch = grid_at(g, x, y)->ch;
                    char *again = text_escape_dup(ch);
                    assert_string_equal(again, ch); /* nothing left to escape */
                    free(again);
                }
            }
        }
        grid_free(g);
    }
    struct grid *g = grid_new(20, 1, true);
    assert_int_equal(grid_text(g, 0, 0, 20, CR_NORMAL, 0, "a\x1b[2J"), 8);
    assert_int_equal(text_width("a\x1b[2J", true), 8);
    char *t = grid_to_text(g);
    assert_string_equal(t, "a\\x1b[2J\n");
    free(t);
    grid_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_controls),           cmocka_unit_test(escapes_c1_and_invalid_utf8),
        cmocka_unit_test(drops_trailing_line_ends),   cmocka_unit_test(bounded_between_units),
        cmocka_unit_test(grid_never_holds_a_control),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
