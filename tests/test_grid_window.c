/* test_grid_window: drawing that costs what is seen (issue 14) and still shows the same screen.
 * A scrolled panel draws straight into its part of the screen through a window (grid_window)
 * that keeps only the visible lines; the dashboard paints every cell without clearing first;
 * fills and blits store cells in bulk. Each is compared with the plain way of drawing. */
#include "model/watch/events.h"
#include "model/watch/history.h"
#include "model/base/util.h"
#include "panels/grid.h"
#include "panels/view.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/fixture.h"

/* Row y of a grid's text, columns x .. x + w - 1 (trailing blanks removed by grid_to_text). */
static void text_row(const struct grid *g, int y, int x, int w, char *out, size_t n)
{
    out[0] = '\0';
    size_t len = 0;
    for (int i = x; i < x + w; i++) {
        const struct cell *c = grid_at(g, i, y);
        size_t k = strlen(c->ch);
        if (len + k + 1 >= n)
            break;
        memcpy(out + len, c->ch, k);
        len += k;
    }
    out[len] = '\0';
    while (len > 0 && out[len - 1] == ' ')
        out[--len] = '\0';
}

static void test_window_keeps_visible_rows(void **state)
{
    (void)state;
    struct grid *g = grid_new(20, 6, true);
    struct grid win;
    grid_window(&win, g, (struct rect){2, 1, 10, 3}, 5); /* content rows 5..7 at screen rows 1..3 */
    for (int y = 0; y < 12; y++)
        grid_textf(&win, 0, y, 10, CR_NORMAL, 0, "line %d", y);
    char row[64];
    text_row(g, 0, 0, 20, row, sizeof row);
    assert_string_equal(row, "");
    text_row(g, 1, 2, 10, row, sizeof row);
    assert_string_equal(row, "line 5");
    text_row(g, 3, 2, 10, row, sizeof row);
    assert_string_equal(row, "line 7");
    text_row(g, 4, 0, 20, row, sizeof row);
    assert_string_equal(row, "");
    /* clipped at the window's right edge, never past it: a wide character that does not fit
     * is left out */
    grid_text(&win, 8, 6, 10, CR_NORMAL, 0, "abc");
    grid_text(&win, 9, 7, 10, CR_NORMAL, 0, "界");
    text_row(g, 2, 0, 20, row, sizeof row);
    assert_string_equal(row, "  line 6  ab"); /* no c in column 12 */
    text_row(g, 3, 0, 20, row, sizeof row);
    assert_string_equal(row, "  line 7");
    /* a window that only measures draws nothing */
    grid_window(&win, NULL, (struct rect){0, 0, 10, 0}, 0);
    assert_int_equal(grid_text(&win, 0, 0, 10, CR_NORMAL, 0, "x"), 0);
    grid_free(g);
}

static void test_fill_and_blit_repair_wide_characters(void **state)
{
    (void)state;
    struct grid *g = grid_new(12, 2, true);
    grid_text(g, 0, 0, 12, CR_NORMAL, 0, "界界界界界界");
    /* a fill from column 3 to 8 cuts the wide characters at 2-3 and 8-9: both halves go */
    grid_fill(g, (struct rect){3, 0, 6, 1}, CR_NORMAL);
    char *t = grid_to_text(g);
    assert_string_equal(t, "界        界\n\n");
    free(t);
    struct grid *src = grid_new(6, 1, true);
    grid_text(src, 0, 0, 6, CR_NORMAL, 0, "a界界b");
    grid_blit(g, (struct rect){2, 1, 4, 1}, src, 0); /* "a界" and the left half of the next */
    t = grid_to_text(g);
    assert_string_equal(t, "界        界\n  a界\n");
    free(t);
    grid_free(src);
    grid_free(g);
}

struct scene {
    struct snapshot *s;
    struct history *hist;
    struct events *ev;
    struct view v;
};

static void scene_open(struct scene *sc, const char *fixture)
{
    sc->s = fixture_load(fixture);
    sc->hist = history_new(HISTORY_DEFAULT_CAPACITY);
    sc->ev = events_new(EVENTS_DEFAULT_CAPACITY);
    history_feed(sc->hist, sc->s);
    events_diff(sc->ev, NULL, sc->s);
    for (int i = 0; i < 40; i++)
        events_add(sc->ev, sc->s->taken_at + i, EV_INFO, SEV_OK, "", "event number %d", i);
    view_init(&sc->v);
    sc->v.now = sc->s->taken_at;
    sc->v.history = sc->hist;
    sc->v.events = sc->ev;
    sc->v.theme_name = "default";
    sc->v.selected = 1;
}

static void scene_close(struct scene *sc)
{
    history_free(sc->hist);
    events_free(sc->ev);
    snapshot_free(sc->s);
}

typedef void (*panel_fn)(const struct snapshot *, struct view *, struct grid *, struct rect);

/* A panel scrolled by k shows rows k .. k + 9 of what it shows unscrolled when tall; scrolled
 * past the end, the last page. events: the problems and events panel, else the detail. */
static void check_scroll(panel_fn render, bool events)
{
    struct scene sc;
    scene_open(&sc, "lagging");
    int *scroll = events ? &sc.v.events_scroll : &sc.v.detail_scroll;
    const int *lines = events ? &sc.v.events_lines : &sc.v.detail_lines;
    struct grid *tall = grid_new(90, 120, true);
    render(sc.s, &sc.v, tall, (struct rect){0, 0, 90, 120});
    int total = *lines;
    assert_true(total > 12 && total < 118);
    for (int k = 0; k <= total + 3; k += 3) {
        struct grid *g = grid_new(90, 12, true);
        grid_text(g, 0, 5, 90, CR_NORMAL, 0, "left over from the frame before, never seen");
        *scroll = k;
        render(sc.s, &sc.v, g, (struct rect){0, 0, 90, 12});
        int want = k > total - 10 ? total - 10 : k;
        assert_int_equal(*scroll, want);
        assert_int_equal(*lines, total);
        for (int y = 0; y < 10; y++) {
            char a[1024], b[1024];
            text_row(g, 1 + y, 2, 86, a, sizeof a);
            text_row(tall, 1 + want + y, 2, 86, b, sizeof b);
            assert_string_equal(a, b);
        }
        grid_free(g);
    }
    grid_free(tall);
    scene_close(&sc);
}

static void test_detail_scrolls_as_drawn_whole(void **state)
{
    (void)state;
    check_scroll(detail_render, false);
}

static void test_events_scroll_as_drawn_whole(void **state)
{
    (void)state;
    check_scroll(events_render, true);
}

/* No clearing before a frame: drawn over another frame (help open, other node selected), the
 * dashboard is the same as drawn on a fresh grid. */
static void test_frame_over_frame(void **state)
{
    (void)state;
    struct scene sc;
    scene_open(&sc, "lagging");
    int sizes[][2] = {{80, 24}, {120, 40}, {200, 50}, {100, 12}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        struct grid *fresh = grid_new(w, h, true), *reused = grid_new(w, h, true);
        sc.v.show_help = true;
        sc.v.selected = 0;
        dashboard_render(sc.s, &sc.v, reused);
        sc.v.show_help = false;
        sc.v.selected = 1;
        dashboard_render(sc.s, &sc.v, reused);
        dashboard_render(sc.s, &sc.v, fresh);
        char *a = grid_to_text(fresh), *b = grid_to_text(reused);
        assert_string_equal(a, b);
        assert_memory_equal(fresh->cells, reused->cells, (size_t)w * h * sizeof *fresh->cells);
        free(a);
        free(b);
        grid_free(fresh);
        grid_free(reused);
    }
    scene_close(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_keeps_visible_rows),
        cmocka_unit_test(test_fill_and_blit_repair_wide_characters),
        cmocka_unit_test(test_detail_scrolls_as_drawn_whole),
        cmocka_unit_test(test_events_scroll_as_drawn_whole),
        cmocka_unit_test(test_frame_over_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
