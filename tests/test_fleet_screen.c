/* The fleet screen (panels/fleet.c) rendered from fixture snapshots, one per cluster, and
 * compared with golden files (tests/golden/fleet-COLSxROWS.txt; REPLTOP_UPDATE_GOLDEN=1
 * rewrites them). Also what a user relies on: worst first, a cluster with no snapshot yet shows
 * dashes, `/` filters by name, arrows move in screen order and Enter opens the selected one,
 * nothing wider than the terminal, the fleet's problems under the table. */
#include "model/watch/fleet.h"
#include "model/watch/snapshot.h"
#include "model/base/util.h"
#include "panels/grid.h"
#include "panels/keys.h"
#include "panels/view.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/fixture.h"
#include "tests/helpers/golden.h"

#define N 4
static struct snapshot *snaps[N];
static struct fleet_entry entries[N];
static double lags[N][8];

static int setup(void **state)
{
    (void)state;
    static const char *const fixtures[N] = {"healthy", "primary-down", "lagging", NULL};
    static const char *const names[N] = {"prod", "billing", "analytics", "newcomer"};
    for (int i = 0; i < N; i++) {
        snaps[i] = fixtures[i] ? fixture_load(fixtures[i]) : NULL;
        for (int k = 0; k < 8; k++)
            lags[i][k] = fixtures[i] ? 1e6 * (k % 4) * (i + 1) : NAN;
        entries[i] = (struct fleet_entry){
            names[i], snaps[i], snaps[i] ? snaps[i]->nnodes : 2, lags[i], fixtures[i] ? 8 : 0,
            NULL};
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N; i++)
        snapshot_free(snaps[i]);
    return 0;
}

static void view_for_fleet(struct view *v)
{
    view_init(v);
    v->fleet = entries;
    v->fleet_size = N;
    v->fleet_screen = true;
    v->fleet_sel = -1;
    v->now = snaps[0]->taken_at;
}

static char *render(struct view *v, int w, int h)
{
    struct grid *g = grid_new(w, h, true);
    fleet_render(v, g);
    char *text = grid_to_text(g);
    grid_free(g);
    return text;
}

/* The line of the table that names cluster name ("" when none). */
static int row_of(const char *text, const char *name)
{
    int row = 0;
    for (const char *p = text; *p; row++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        str_printf(line, sizeof line, "%.*s", (int)len, p);
        if (strstr(line, "│ ") == line && strstr(line, name))
            return row;
        p = nl ? nl + 1 : p + len;
    }
    return -1;
}

static void golden(void **state)
{
    (void)state;
    static const int sizes[][2] = {{80, 24}, {120, 40}};
    for (int i = 0; i < 2; i++) {
        struct view v;
        view_for_fleet(&v);
        char *text = render(&v, sizes[i][0], sizes[i][1]);
        assert_fits(text, sizes[i][0], sizes[i][1], true);
        golden_check(text, "fleet", sizes[i][0], sizes[i][1]);
        free(text);
    }
}

static void worst_first(void **state)
{
    (void)state;
    struct view v;
    view_for_fleet(&v);
    char *text = render(&v, 120, 40);
    int billing = row_of(text, "billing"), analytics = row_of(text, "analytics");
    int newcomer = row_of(text, "newcomer"), prod = row_of(text, "prod ");
    assert_true(billing > 0 && analytics > 0 && newcomer > 0 && prod > 0);
    assert_true(billing < analytics);  /* critical, then warning */
    assert_true(analytics < newcomer); /* not refreshed yet, before ok */
    assert_true(newcomer < prod);
    assert_non_null(strstr(text, "4 clusters: 1 critical, 1 warning, 1 ok"));
    assert_non_null(strstr(text, "Problems of the fleet"));
    /* the first row is selected at first: the worst cluster */
    assert_int_equal(v.fleet_sel, 1);
    free(text);
}

static void keys_move_in_screen_order_and_open(void **state)
{
    (void)state;
    struct view v;
    view_for_fleet(&v);
    free(render(&v, 80, 24));
    assert_int_equal(fleet_key(&v, CMD_DOWN), INTENT_REDRAW);
    assert_int_equal(v.fleet_sel, 2); /* analytics, second on screen */
    assert_int_equal(fleet_key(&v, CMD_END), INTENT_REDRAW);
    assert_int_equal(v.fleet_sel, 0); /* prod, healthy, last */
    assert_int_equal(fleet_key(&v, CMD_DETAIL), INTENT_OPEN);
    assert_int_equal(fleet_key(&v, CMD_QUIT), INTENT_QUIT);
    /* actions are a cluster's: the key reaches the loop, which says to open one first */
    assert_int_equal(fleet_key(&v, CMD_PROMOTE), INTENT_ACTION);
    assert_int_equal(v.cmd, CMD_PROMOTE);
    assert_int_equal(fleet_key(&v, CMD_REDRAW), INTENT_REPAINT);
}

static void filter_by_name(void **state)
{
    (void)state;
    struct view v;
    view_for_fleet(&v);
    assert_int_equal(fleet_key(&v, CMD_FILTER), INTENT_REDRAW);
    assert_true(v.filtering);
    fleet_filter_key(&v, 'P');
    fleet_filter_key(&v, 'r');
    fleet_filter_key(&v, 'x');
    fleet_filter_key(&v, K_BACKSPACE);
    assert_string_equal(v.filter, "Pr");
    fleet_filter_key(&v, K_ENTER);
    assert_false(v.filtering);
    char *text = render(&v, 80, 24);
    assert_true(row_of(text, "prod") > 0); /* case does not matter */
    assert_int_equal(row_of(text, "billing"), -1);
    assert_non_null(strstr(text, "filter /Pr"));
    assert_int_equal(v.fleet_sel, 0);
    assert_int_equal(fleet_key(&v, CMD_DETAIL), INTENT_OPEN);
    free(text);
    fleet_key(&v, CMD_FLEET); /* Esc clears it */
    assert_string_equal(v.filter, "");
    strcpy(v.filter, "nothing-matches");
    text = render(&v, 80, 24);
    assert_non_null(strstr(text, "no cluster's name holds the filter"));
    assert_int_equal(fleet_key(&v, CMD_DETAIL), INTENT_NONE);
    free(text);
}

static void every_size_fits(void **state)
{
    (void)state;
    static const int sizes[][2] = {{60, 15}, {80, 24}, {100, 30}, {200, 60}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct view v;
        view_for_fleet(&v);
        char *text = render(&v, sizes[i][0], sizes[i][1]);
        assert_fits(text, sizes[i][0], sizes[i][1], true);
        free(text);
    }
}

/* A line of text holding both words ("" when none). */
static bool has_line(const char *text, const char *a, const char *b)
{
    for (const char *p = text; (p = strstr(p, a)); p++) {
        const char *nl = strchr(p, '\n'), *q = strstr(p, b);
        if (q && (!nl || q < nl))
            return true;
    }
    return false;
}

/* Hundreds of problems (40 clusters of one down primary each): the panel shows which lines of
 * how many, each line names its cluster; Tab gives it the focus, the arrows and Home/End move
 * its cursor line with the window following, Enter opens that line's cluster; the table's
 * selection stays. */
static void problems_scroll(void **state)
{
    (void)state;
    enum { M = 40 };
    static struct fleet_entry many[M];
    static char names[M][16];
    int per = snaps[1]->nproblems;
    for (int i = 0; i < M; i++) {
        str_printf(names[i], sizeof names[i], "c%02d", i);
        many[i] = (struct fleet_entry){names[i], snaps[1], snaps[1]->nnodes, lags[1], 8, NULL};
    }
    struct view v;
    view_for_fleet(&v);
    v.fleet = many;
    v.fleet_size = M;
    char *text = render(&v, 80, 24), want[64];
    assert_fits(text, 80, 24, true);
    str_printf(want, sizeof want, "Problems of the fleet (%d)", M * per);
    assert_non_null(strstr(text, want));
    str_printf(want, sizeof want, " 1-%d of %d ", v.events_page, M * per);
    assert_non_null(strstr(text, want));
    assert_true(has_line(text, "CRIT c00 ", "is down"));
    assert_int_equal(v.events_page > 2 && v.events_lines == M * per, true);
    free(text);

    assert_int_equal(fleet_key(&v, CMD_NEXT_PANEL), INTENT_REDRAW);
    assert_int_equal(v.focus, PANEL_EVENTS);
    int sel = v.fleet_sel, page = v.events_page;
    for (int i = 0; i < page; i++) /* the cursor line goes down a page: the window follows */
        assert_int_equal(fleet_key(&v, CMD_DOWN), INTENT_REDRAW);
    assert_int_equal(v.fleet_sel, sel); /* the table's selection did not move */
    text = render(&v, 80, 24);
    assert_non_null(strstr(text, " 2-"));
    free(text);
    assert_int_equal(fleet_key(&v, CMD_END), INTENT_REDRAW);
    text = render(&v, 80, 24);
    str_printf(want, sizeof want, "-%d of %d ", M * per, M * per);
    assert_non_null(strstr(text, want));
    free(text);
    /* Enter opens the cluster of the cursor's line: the last line is the last cluster's */
    assert_int_equal(fleet_key(&v, CMD_DETAIL), INTENT_OPEN);
    assert_string_equal(many[v.fleet_sel].name, "c39");
    assert_int_equal(fleet_key(&v, CMD_HOME), INTENT_REDRAW);
    free(render(&v, 80, 24));
    assert_int_equal(v.events_scroll, 0);
    assert_int_equal(fleet_key(&v, CMD_UP), INTENT_NONE); /* at the top already */
    assert_int_equal(fleet_key(&v, CMD_PAGE_DOWN), INTENT_REDRAW);
    assert_int_equal(fleet_key(&v, CMD_DETAIL), INTENT_OPEN); /* a CRIT line of c00..c39 */
    int opened = v.fleet_sel;
    assert_true(opened >= 0 && opened < M);
    fleet_key(&v, CMD_PREV_PANEL); /* back to the table: arrows move the selection again */
    assert_int_equal(v.focus, PANEL_NODES);
    assert_int_equal(fleet_key(&v, CMD_DOWN), INTENT_REDRAW);
    assert_int_not_equal(v.fleet_sel, opened);
}

/* Two files of one cluster: the row says which other cluster it is the same as. */
static void twin_marked(void **state)
{
    (void)state;
    struct view v;
    view_for_fleet(&v);
    entries[2].twin = "prod";
    char *text = render(&v, 120, 40);
    entries[2].twin = NULL;
    assert_true(row_of(text, "analytics = prod") > 0);
    assert_fits(text, 120, 40, true);
    free(text);
}

/* Until a key moves it, the selection is the top row, the worst cluster, however the first
 * refreshes re-sort the rows. */
static void selection_stays_on_top_until_moved(void **state)
{
    (void)state;
    struct view v;
    view_for_fleet(&v);
    v.fleet_sel = 0; /* prod: healthy, last on screen */
    free(render(&v, 80, 24));
    assert_int_equal(v.fleet_sel, 1); /* billing, the worst */
    fleet_key(&v, CMD_END);
    free(render(&v, 80, 24));
    assert_int_equal(v.fleet_sel, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden),
        cmocka_unit_test(worst_first),
        cmocka_unit_test(keys_move_in_screen_order_and_open),
        cmocka_unit_test(filter_by_name),
        cmocka_unit_test(every_size_fits),
        cmocka_unit_test(problems_scroll),
        cmocka_unit_test(twin_marked),
        cmocka_unit_test(selection_stays_on_top_until_moved),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
