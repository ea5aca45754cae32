/* test_panels: the dashboard rendered from JSON snapshot fixtures (tests/fixtures/NAME.json)
 * into a cell grid, compared as text with golden files (tests/golden/NAME-COLSxROWS.txt) at
 * 80x24 and 120x40. REPLTOP_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing:
 * read the diff before committing them. Also: the layout rules a user relies on (nothing
 * wider than the terminal, unknown values as a dash, the too-small message, ASCII fallback),
 * the grid helpers, and the key handling of the panels. */
#include "model/watch/events.h"
#include "model/watch/history.h"
#include "model/store/json.h"
#include "model/base/util.h"
#include "panels/grid.h"
#include "panels/keys.h"
#include "panels/view.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tests/helpers/fixture.h"
#include "tests/helpers/golden.h"

static const char *const fixtures[] = {"healthy",   "lagging", "primary-down", "two-primaries",
                                       "hung-node", "quorum",  "below-policy"};
#define NFIXTURES (sizeof fixtures / sizeof fixtures[0])

/* Forty seconds of history ending in the fixture: lag and TPS rise and fall, so the
 * sparklines have a shape. */
static void fill_history(struct history *h, const struct snapshot *s)
{
    static const double wave[] = {0.0, 0.1, 0.3, 0.6, 1.0, 0.8, 0.5, 0.2, 0.1, 0.0};
    for (int i = 0; i < 39; i++) {
        struct snapshot *c = snapshot_copy(s);
        c->taken_at = s->taken_at - (39 - i);
        for (int j = 0; j < c->nnodes; j++) {
            struct node_snap *n = &c->nodes[j];
            if (num_known(n->lag_replay))
                n->lag_replay = (int64_t)(20e6 * wave[i % 10]);
            if (dbl_known(n->tps))
                n->tps = 100 + 700 * wave[(i + 3) % 10];
        }
        history_feed(h, c);
        snapshot_free(c);
    }
    history_feed(h, s);
}

/* Renders a fixture the way the dashboard shows it a moment after the refresh. */
static char *render(const char *name, int w, int h, bool utf8, bool help)
{
    struct snapshot *s = fixture_load(name);
    struct history *hist = history_new(HISTORY_DEFAULT_CAPACITY);
    struct events *ev = events_new(EVENTS_DEFAULT_CAPACITY);
    fill_history(hist, s);
    events_diff(ev, NULL, s);
    struct view v;
    view_init(&v);
    v.now = s->taken_at + 0.4;
    v.interval_s = 1;
    v.history = hist;
    v.events = ev;
    v.theme_name = "default";
    v.show_help = help;
    /* the row of interest selected: the lagging, down, hung or new primary node */
    v.selected = strcmp(name, "healthy") == 0 || strcmp(name, "below-policy") == 0 ? 2
                 : strcmp(name, "two-primaries") == 0                              ? 2
                 : strcmp(name, "primary-down") == 0                               ? 0
                 : strcmp(name, "quorum") == 0                                     ? 0
                                                                                   : 1;
    struct grid *g = grid_new(w, h, utf8);
    dashboard_render(s, &v, g);
    char *text = grid_to_text(g);
    grid_free(g);
    history_free(hist);
    events_free(ev);
    snapshot_free(s);
    return text;
}

static void check_golden(const char *name, int w, int h, bool utf8, const char *suffix)
{
    char *text = render(name, w, h, utf8, false);
    assert_fits(text, w, h, utf8);
    char golden[128];
    str_printf(golden, sizeof golden, "%s%s", name, suffix);
    golden_check(text, golden, w, h);
    free(text);
}

static void test_golden_80x24(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFIXTURES; i++)
        check_golden(fixtures[i], 80, 24, true, "");
}

static void test_golden_120x40(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFIXTURES; i++)
        check_golden(fixtures[i], 120, 40, true, "");
}

static void test_golden_ascii(void **state)
{
    (void)state;
    check_golden("lagging", 80, 24, false, "-ascii");
}

/* Sizes between the minimum and very wide: nothing ever overflows a line. */
static void test_every_size_fits(void **state)
{
    (void)state;
    static const int sizes[][2] = {{60, 15},  {61, 16},  {79, 23},  {80, 24}, {100, 30},
                                   {132, 43}, {160, 50}, {200, 60}, {300, 80}};
    for (size_t f = 0; f < NFIXTURES; f++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            for (int u = 0; u < 2; u++) {
                char *text = render(fixtures[f], sizes[i][0], sizes[i][1], u, false);
                assert_fits(text, sizes[i][0], sizes[i][1], u);
                free(text);
            }
        }
    }
}

/* The line of the node table that shows a node (the first line starting with the name). */
static char *row_of(const char *text, const char *node, char *buf, size_t n)
{
    char pat[80];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p);
        str_printf(pat, sizeof pat, " %s ", node);
        if (len < n) {
            memcpy(buf, p, len);
            buf[len] = '\0';
            if (strstr(buf, pat) && strstr(buf, "│"))
                return buf;
        }
        p = nl + 1;
    }
    fail_msg("no row for %s", node);
    return NULL;
}

static void test_unknown_is_dash_not_zero(void **state)
{
    (void)state;
    char *text = render("primary-down", 120, 40, true, false);
    char row[1024];
    row_of(text, "db_m", row, sizeof row);
    assert_non_null(strstr(row, "down"));
    assert_non_null(strstr(row, "–"));
    assert_null(strstr(row, " 0 "));
    assert_null(strstr(row, "0 B"));
    /* the standbys do not know their lag without a primary */
    row_of(text, "db_s1", row, sizeof row);
    assert_null(strstr(row, "0 B"));
    free(text);
}

static void test_candidate_and_roles(void **state)
{
    (void)state;
    char *text = render("healthy", 80, 24, true, false);
    char row[1024];
    assert_non_null(strstr(row_of(text, "db_s2", row, sizeof row), "★"));
    assert_null(strstr(row_of(text, "db_s1", row, sizeof row), "★"));
    assert_non_null(strstr(row_of(text, "db_m", row, sizeof row), "primary"));
    assert_non_null(strstr(row_of(text, "db_s1", row, sizeof row), "standby"));
    assert_non_null(strstr(text, " OK "));
    free(text);
    text = render("lagging", 80, 24, true, false);
    assert_non_null(strstr(row_of(text, "db_s1", row, sizeof row), "19 MB"));
    assert_non_null(strstr(text, " WARNING "));
    free(text);
}

static void test_columns_drop_and_widen(void **state)
{
    (void)state;
    char *narrow = render("healthy", 80, 24, true, false);
    char *wide = render("healthy", 200, 50, true, false);
    assert_null(strstr(narrow, "REPLAY LSN"));
    assert_non_null(strstr(narrow, "LAG"));
    assert_non_null(strstr(narrow, "SYNC"));
    assert_non_null(strstr(wide, "REPLAY LSN"));
    assert_non_null(strstr(wide, "UPSTREAM"));
    assert_non_null(strstr(wide, "LAG TREND"));
    free(narrow);
    free(wide);
}

static void test_too_small(void **state)
{
    (void)state;
    char *text = render("healthy", 59, 20, true, false);
    assert_non_null(strstr(text, "terminal too small"));
    assert_non_null(strstr(text, "need 60×15"));
    free(text);
    text = render("healthy", 100, 14, false, false);
    assert_non_null(strstr(text, "need 60x15"));
    free(text);
    text = render("healthy", 10, 3, true, false); /* tiny: still no crash or overflow */
    assert_fits(text, 10, 3, true);
    free(text);
}

static void test_help_from_key_table(void **state)
{
    (void)state;
    for (int size = 0; size < 2; size++) {
        char *text =
            size ? render("healthy", 120, 40, true, true) : render("healthy", 80, 24, true, true);
        assert_non_null(strstr(text, "keys"));
        /* every line of the key table is there, the operator actions with their keys */
        for (int i = 0; i < key_nhelp; i++) {
            const char *h = key_help[i].text ? key_help[i].text : cmd_help(key_help[i].cmd[0]);
            if (!strstr(text, h))
                fail_msg("help misses \"%s\":\n%s", h, text);
        }
        assert_non_null(strstr(text, "p                 promote the selected standby"));
        assert_non_null(strstr(text, "J                 the selected old primary back"));
        if (size) /* the notes below the keys need the larger screen */
            assert_non_null(strstr(text, "Actions open a dialog"));
        assert_non_null(strstr(text, "↑ k / ↓ j"));
        assert_fits(text, size ? 120 : 80, size ? 40 : 24, true);
        free(text);
    }
}

static void test_keys(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("quorum");
    struct view v;
    view_init(&v);
    assert_int_equal(keys_cmd('j'), CMD_DOWN);
    assert_int_equal(keys_cmd(K_DOWN), CMD_DOWN);
    assert_int_equal(keys_cmd('J'), CMD_REJOIN);
    assert_int_equal(keys_cmd('q'), CMD_QUIT);
    assert_int_equal(keys_cmd('\r'), CMD_DETAIL);
    assert_int_equal(keys_cmd('Z'), CMD_NONE);
    assert_int_equal(dashboard_key(&v, s, CMD_DOWN), INTENT_REDRAW);
    assert_int_equal(v.selected, 1);
    for (int i = 0; i < 10; i++)
        dashboard_key(&v, s, CMD_DOWN);
    assert_int_equal(v.selected, s->nnodes - 1); /* clamped */
    dashboard_key(&v, s, CMD_HOME);
    assert_int_equal(v.selected, 0);
    assert_int_equal(dashboard_key(&v, s, CMD_QUIT), INTENT_QUIT);
    assert_int_equal(dashboard_key(&v, s, CMD_EXPORT), INTENT_EXPORT);
    assert_int_equal(dashboard_key(&v, s, CMD_PROMOTE), INTENT_ACTION);
    assert_int_equal(v.cmd, CMD_PROMOTE);
    /* Tab cycles nodes -> detail -> events -> nodes; without details it skips them */
    dashboard_key(&v, s, CMD_NEXT_PANEL);
    assert_int_equal(v.focus, PANEL_DETAIL);
    dashboard_key(&v, s, CMD_NEXT_PANEL);
    assert_int_equal(v.focus, PANEL_EVENTS);
    dashboard_key(&v, s, CMD_NEXT_PANEL);
    assert_int_equal(v.focus, PANEL_NODES);
    dashboard_key(&v, s, CMD_DETAIL);
    assert_false(v.show_detail);
    dashboard_key(&v, s, CMD_NEXT_PANEL);
    assert_int_equal(v.focus, PANEL_EVENTS);
    /* help: any key closes it, q included (it does not quit from the help) */
    dashboard_key(&v, s, CMD_HELP);
    assert_true(v.show_help);
    assert_int_equal(dashboard_key(&v, s, CMD_QUIT), INTENT_REDRAW);
    assert_false(v.show_help);
    /* left/right step only in a replay */
    assert_int_equal(dashboard_key(&v, s, CMD_STEP_FWD), INTENT_NONE);
    v.replay = true;
    assert_int_equal(dashboard_key(&v, s, CMD_STEP_FWD), INTENT_STEP_FWD);
    snapshot_free(s);
}

static void test_grid_text(void **state)
{
    (void)state;
    struct grid *g = grid_new(10, 2, true);
    /* a control character shows escaped (model/base/text.h) */
    assert_int_equal(grid_text(g, 0, 0, 10, CR_NORMAL, 0, "héllo\tx"), 8);
    assert_int_equal(grid_text_clip(g, 0, 1, 5, CR_NORMAL, 0, "abcdefgh"), 5);
    char *t = grid_to_text(g);
    assert_string_equal(t, "héllo\\tx\nabcd…\n");
    free(t);
    /* wide characters take two cells and are never cut in half */
    grid_clear(g, CR_NORMAL);
    assert_int_equal(grid_text(g, 0, 0, 5, CR_NORMAL, 0, "日本語"), 4);
    assert_int_equal(grid_at(g, 1, 0)->width, 0);
    grid_text(g, 1, 0, 1, CR_NORMAL, 0, "x"); /* overwrites the right half of 日 */
    t = grid_to_text(g);
    assert_string_equal(t, " x本\n\n");
    free(t);
    assert_int_equal(text_width("a–b", true), 3);
    assert_int_equal(text_width("e\xcc\x81", true), 1); /* e + combining acute */
    grid_free(g);

    g = grid_new(10, 1, false); /* ASCII mode */
    grid_text(g, 0, 0, 10, CR_NORMAL, 0, "né★");
    t = grid_to_text(g);
    assert_string_equal(t, "n??\n");
    free(t);
    grid_free(g);
}

static void test_grid_box_and_spark(void **state)
{
    (void)state;
    struct grid *g = grid_new(12, 3, true);
    grid_box(g, (struct rect){0, 0, 12, 3}, CR_BORDER, "Nodes", CR_TITLE);
    char *t = grid_to_text(g);
    assert_string_equal(t, "┌─ Nodes ──┐\n│          │\n└──────────┘\n");
    free(t);
    grid_free(g);

    double v[] = {0, 1, 2, 3, 4, 5, 6, 7, NAN, 8};
    g = grid_new(12, 2, true);
    grid_spark(g, 0, 0, 12, v, 10, 0, CR_SPARK);
    grid_spark(g, 0, 1, 4, v, 10, 8, CR_SPARK); /* only the newest four fit */
    t = grid_to_text(g);
    assert_string_equal(t, "  ▁▂▃▄▅▆▇█ █\n▇█ █\n");
    free(t);
    grid_free(g);
    g = grid_new(12, 1, false);
    grid_spark(g, 0, 0, 12, v, 10, 0, CR_SPARK);
    t = grid_to_text(g);
    assert_string_equal(t, "  ._-=+*#@ @\n");
    free(t);
    grid_free(g);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_80x24),
        cmocka_unit_test(test_golden_120x40),
        cmocka_unit_test(test_golden_ascii),
        cmocka_unit_test(test_every_size_fits),
        cmocka_unit_test(test_unknown_is_dash_not_zero),
        cmocka_unit_test(test_candidate_and_roles),
        cmocka_unit_test(test_columns_drop_and_widen),
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_help_from_key_table),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_grid_text),
        cmocka_unit_test(test_grid_box_and_spark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
