/* help: the overlay of `?`, generated from the key table (panels/keys.c), so it cannot
 * disagree with what the keys do. Any key closes it; arrows scroll it when it does not fit. */
#include "view.h"
#include "model/base/util.h"

#include <string.h>

#define KEYS_W 18

static int content(const struct view *v, struct grid *g)
{
    bool u = g->utf8;
    int y = 0;
    for (int i = 0; i < key_nhelp; i++) {
        const struct help_line *h = &key_help[i];
        char keys[96], more[48];
        cmd_keys(h->cmd[0], u, keys, sizeof keys);
        if (h->cmd[1] != CMD_NONE) {
            cmd_keys(h->cmd[1], u, more, sizeof more);
            size_t len = strlen(keys);
            str_printf(keys + len, sizeof keys - len, " / %s", more);
        }
        grid_text_clip(g, 0, y, KEYS_W - 1, CR_KEY, 0, keys);
        grid_text_clip(g, KEYS_W, y, g->w - KEYS_W, CR_HELP, 0,
                       h->text ? h->text : cmd_help(h->cmd[0]));
        y++;
    }
    char line[512];
    y++;
    if (v->fleet_screen)
        /* the action keys act on one cluster's nodes: none is bound on the fleet screen */
        grid_text_clip(
            g, 0, y++, g->w, CR_HELP, 0,
            "Fleet screen: Enter opens a cluster; its actions work there, Esc comes back.");
    grid_text_clip(g, 0, y++, g->w, CR_HELP, 0,
                   "Actions open a dialog: its keys are listed at its bottom; Esc leaves it.");
    grid_text_clip(g, 0, y++, g->w, CR_HELP, 0,
                   "While one runs, Esc hides it and an action key shows it again.");
    y++;
    str_printf(line, sizeof line, "%s unknown (never shown as 0)   %s best failover candidate",
               glyph_dash(u), glyph_star(u));
    grid_text_clip(g, 0, y++, g->w, CR_HELP, 0, line);
    grid_text_clip(g, 0, y++, g->w, CR_HELP, 0, "j/k move as in vi, so rejoin is J (shift-j)");
    str_printf(line, sizeof line, "theme: %s", v->theme_name ? v->theme_name : "default");
    grid_text_clip(g, 0, y++, g->w, CR_HELP, 0, line);
    return y;
}

void help_render(const struct view *v, struct grid *g, struct rect r)
{
    int w = r.w - 4 < 80 ? r.w - 4 : 80;
    struct grid *off = grid_new(w - 4, 64, g->utf8);
    int lines = content(v, off);
    int h = lines + 2 < r.h - 2 ? lines + 2 : r.h - 2;
    struct rect box = {r.x + (r.w - w) / 2, r.y + (r.h - h) / 2, w, h};
    grid_fill(g, box, CR_HELP);
    char title[96];
    str_printf(title, sizeof title, "repltop %s %s keys", REPLTOP_VERSION, g->utf8 ? "·" : "-");
    grid_box(g, box, CR_FOCUS, title, CR_TITLE);
    struct rect in = {box.x + 2, box.y + 1, box.w - 4, box.h - 2};
    struct view *mv = (struct view *)v; /* scroll bounds are view state too */
    mv->help_lines = lines;
    mv->help_page = in.h;
    if (mv->help_scroll > lines - in.h)
        mv->help_scroll = lines - in.h > 0 ? lines - in.h : 0;
    grid_blit(g, in, off, v->help_scroll);
    grid_free(off);
    const char *hint = lines > in.h ? " arrows scroll, any other key closes " : " any key closes ";
    grid_text_right(g, box.x + 1, box.y + box.h - 1, box.w - 3, CR_DIM, 0, hint);
}

unsigned help_key(struct view *v, enum key_cmd a)
{
    if (v->help_lines > v->help_page &&
        (a == CMD_UP || a == CMD_DOWN || a == CMD_PAGE_UP || a == CMD_PAGE_DOWN))
        return scroll_key(&v->help_scroll, v->help_lines, v->help_page, a) | INTENT_REDRAW;
    v->show_help = false;
    v->help_scroll = 0;
    return INTENT_REDRAW;
}
