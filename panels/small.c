/* small: what a terminal below MIN_COLS x MIN_ROWS shows instead of a squeezed dashboard. */
#include "view.h"
#include "model/base/util.h"

void small_render(struct grid *g)
{
    grid_clear(g, CR_NORMAL);
    char need[64], have[64];
    str_printf(need, sizeof need, "(need %d%s%d)", MIN_COLS, glyph_times(g->utf8), MIN_ROWS);
    str_printf(have, sizeof have, "this one is %d%s%d", g->w, glyph_times(g->utf8), g->h);
    const char *lines[] = {"terminal too small", need, have, "q quits"};
    int n = 4, y0 = (g->h - n) / 2;
    if (y0 < 0)
        y0 = 0;
    for (int i = 0; i < n && y0 + i < g->h; i++) {
        int w = text_width(lines[i], g->utf8);
        int x = (g->w - w) / 2;
        grid_text(g, x < 0 ? 0 : x, y0 + i, g->w, i == 0 ? CR_WARNING : CR_NORMAL, 0, lines[i]);
    }
}
