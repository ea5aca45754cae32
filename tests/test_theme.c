/* test_theme: theme files — the parser (good lines, errors as FILE:LINE, unknown roles and
 * colours), the shipped theme files in themes/, the default theme file matching the built-in one,
 * and the lookup through $XDG_CONFIG_HOME. No terminal needed. */
#include "model/base/util.h"
#include "panels/roles.h"
#include "tui/theme.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static const char *root(void)
{
    const char *r = getenv("REPLTOP_ROOT");
    return r && *r ? r : ".";
}

/* Field by field: struct style has padding that memcmp would compare too. */
static bool styles_equal(const struct style *a, const struct style *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].fg != b[i].fg || a[i].bg != b[i].bg || a[i].attrs != b[i].attrs)
            return false;
    return true;
}

static void test_colors_and_attrs(void **state)
{
    (void)state;
    int16_t c;
    assert_true(theme_parse_color("default", &c));
    assert_int_equal(c, COLOR_DEFAULT);
    assert_true(theme_parse_color("red", &c));
    assert_int_equal(c, 1);
    assert_true(theme_parse_color("bright-cyan", &c));
    assert_int_equal(c, 14);
    assert_true(theme_parse_color("BrightWhite", &c));
    assert_int_equal(c, 15);
    assert_true(theme_parse_color("color208", &c));
    assert_int_equal(c, 208);
    assert_true(theme_parse_color("17", &c));
    assert_int_equal(c, 17);
    assert_false(theme_parse_color("256", &c));
    assert_false(theme_parse_color("purple", &c));
    assert_false(theme_parse_color("bright-17", &c));
    uint8_t a;
    assert_true(theme_parse_attrs("bold+underline", &a));
    assert_int_equal(a, ATTR_BOLD | ATTR_UNDERLINE);
    assert_true(theme_parse_attrs("reverse | dim", &a));
    assert_int_equal(a, ATTR_REVERSE | ATTR_DIM);
    assert_true(theme_parse_attrs("none", &a));
    assert_int_equal(a, 0);
    assert_false(theme_parse_attrs("blinking", &a));
}

static void test_parse_good(void **state)
{
    (void)state;
    struct theme t;
    theme_defaults(&t);
    char err[256] = "";
    const char *text = "# a comment\n"
                       "\n"
                       "  lag_warn = bright-yellow , black , bold+reverse   # trailing comment\n"
                       "down = white,red\n"
                       "spark=blue\n"
                       "; also a comment\n";
    assert_true(theme_parse(&t, text, "my.theme", err, sizeof err));
    assert_int_equal(t.role[CR_LAG_WARN].fg, 11);
    assert_int_equal(t.role[CR_LAG_WARN].bg, 0);
    assert_int_equal(t.role[CR_LAG_WARN].attrs, ATTR_BOLD | ATTR_REVERSE);
    assert_int_equal(t.role[CR_DOWN].fg, 7);
    assert_int_equal(t.role[CR_DOWN].bg, 1);
    assert_int_equal(t.role[CR_DOWN].attrs, 0);
    assert_int_equal(t.role[CR_SPARK].fg, 4);
    assert_int_equal(t.role[CR_SPARK].bg, COLOR_DEFAULT);
    /* a role the file does not name keeps the default theme's style */
    struct theme d;
    theme_defaults(&d);
    assert_true(styles_equal(&t.role[CR_PRIMARY], &d.role[CR_PRIMARY], 1));
}

/* A bad line is reported as FILE:LINE and leaves the theme untouched. */
static void expect_error(const char *text, const char *message)
{
    struct theme t, before;
    theme_defaults(&t);
    before = t;
    char err[256] = "";
    assert_false(theme_parse(&t, text, "bad.theme", err, sizeof err));
    assert_string_equal(err, message);
    assert_true(styles_equal(t.role, before.role, CR_COUNT));
    assert_string_equal(t.name, before.name);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_error("normal = default\nselected black,cyan\n",
                 "bad.theme:2: expected 'role = fg,bg,attrs'");
    expect_error("# ok\n\nlag_wran = red\n", "bad.theme:3: unknown role 'lag_wran'");
    expect_error("down = crimson\n", "bad.theme:1: down: unknown colour 'crimson'");
    expect_error("down = red,,bold,extra\n",
                 "bad.theme:1: down: expected fg,bg,attrs (at most three fields)");
    expect_error("down = red,blue,sparkly\n",
                 "bad.theme:1: down: unknown attribute in 'sparkly' (bold, dim, underline, "
                 "reverse, italic)");
    expect_error("down = ,blue\n", "bad.theme:1: down: missing foreground colour");
}

/* Every shipped theme parses, names every role, and default.theme is the built-in theme. */
static void test_shipped_themes(void **state)
{
    (void)state;
    struct theme builtin;
    theme_defaults(&builtin);
    for (int i = 0; theme_builtin_names[i]; i++) {
        char path[512], err[512] = "";
        str_printf(path, sizeof path, "%s/themes/%s.theme", root(), theme_builtin_names[i]);
        struct theme t;
        theme_defaults(&t);
        if (!theme_load_file(&t, path, err, sizeof err))
            fail_msg("%s", err);
        assert_string_equal(t.name, theme_builtin_names[i]);
        /* each file names every role: a theme must not silently inherit a colour */
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char text[8192];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
        for (int r = 0; r < CR_COUNT; r++) {
            char key[64];
            str_printf(key, sizeof key, "\n%s ", role_key((enum role)r));
            char key2[64];
            str_printf(key2, sizeof key2, "\n%s=", role_key((enum role)r));
            if (!strstr(text, key) && !strstr(text, key2))
                fail_msg("%s does not set role %s", path, role_key((enum role)r));
        }
        if (strcmp(theme_builtin_names[i], "default") == 0)
            for (int r = 0; r < CR_COUNT; r++)
                if (!styles_equal(&t.role[r], &builtin.role[r], 1))
                    fail_msg("themes/default.theme and panels/roles.h disagree on %s",
                             role_key((enum role)r));
        if (strcmp(theme_builtin_names[i], "monochrome") == 0)
            for (int r = 0; r < CR_COUNT; r++)
                assert_true(t.role[r].fg == COLOR_DEFAULT && t.role[r].bg == COLOR_DEFAULT);
    }
}

static void test_find_and_load(void **state)
{
    (void)state;
    char dir[] = "/tmp/repltop-theme-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[600], path[700], err[1024] = "";
    str_printf(sub, sizeof sub, "%s/repltop", dir);
    mkdir(sub, 0755);
    str_printf(sub, sizeof sub, "%s/repltop/themes", dir);
    mkdir(sub, 0755);
    str_printf(path, sizeof path, "%s/mine.theme", sub);
    FILE *f = fopen(path, "w");
    fputs("header = white,magenta,bold\n", f);
    fclose(f);
    setenv("XDG_CONFIG_HOME", dir, 1);

    struct theme t;
    memset(&t, 0, sizeof t);
    assert_true(theme_load(&t, "mine", err, sizeof err));
    assert_string_equal(t.name, "mine");
    assert_string_equal(t.path, path);
    assert_int_equal(t.role[CR_HEADER].bg, 5);
    /* a path works too */
    assert_true(theme_load(&t, path, err, sizeof err));
    assert_int_equal(t.role[CR_HEADER].bg, 5);
    /* the built-in default needs no file */
    assert_true(theme_load(&t, "default", err, sizeof err) || strstr(err, "default"));
    /* unknown: an error, and the default theme */
    assert_false(theme_load(&t, "no-such-theme", err, sizeof err));
    assert_non_null(strstr(err, "theme 'no-such-theme' not found"));
    struct theme d;
    theme_defaults(&d);
    assert_true(styles_equal(t.role, d.role, CR_COUNT));
    /* malformed: FILE:LINE, and the default theme */
    f = fopen(path, "w");
    fputs("# fine\nheader = white,magenta,bold\nheader: red\n", f);
    fclose(f);
    t.no_color = true;
    assert_false(theme_load(&t, "mine", err, sizeof err));
    char want[800];
    str_printf(want, sizeof want, "%s:3: expected 'role = fg,bg,attrs'", path);
    assert_string_equal(err, want);
    assert_true(styles_equal(t.role, d.role, CR_COUNT));
    assert_true(t.no_color); /* NO_COLOR survives a reload */
    unlink(path);
    rmdir(sub);
    str_printf(sub, sizeof sub, "%s/repltop", dir);
    rmdir(sub);
    rmdir(dir);
    unsetenv("XDG_CONFIG_HOME");
}

static void test_cycle(void **state)
{
    (void)state;
    assert_string_equal(theme_next_name("default"), "dark");
    assert_string_equal(theme_next_name("high-contrast"), "default");
    assert_string_equal(theme_next_name("my-own"), "default");
    assert_int_equal(role_from_key("lag_crit"), CR_LAG_CRIT);
    assert_int_equal(role_from_key("nope"), -1);
    assert_string_equal(role_key(CR_SELECTED), "selected");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colors_and_attrs), cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_errors),     cmocka_unit_test(test_shipped_themes),
        cmocka_unit_test(test_find_and_load),    cmocka_unit_test(test_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
