/* dashboard: the layout of the panels on the screen, and where a key goes.
 *
 *   header (2 lines)
 *   node table (one row per node)
 *   detail of the selected node | problems and events   (side by side when very wide,
 *   problems and events                                   stacked otherwise)
 *   function-key bar
 *
 * Enter hides the detail panel (problems then get its room); `?` draws the help on top, and
 * an operator action's dialog (panels/dialog.h) is drawn on top of everything. */
#include "view.h"
#include "dialog.h"

#include <string.h>

void view_init(struct view *v)
{
    memset(v, 0, sizeof *v);
    v->show_detail = true;
    v->focus = PANEL_NODES;
    v->interval_s = 1;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The panels between the header and the key bar. */
static void panels_render(const struct snapshot *s, struct view *v, struct grid *g)
{
    int W = g->w, H = g->h;

    int top = 2, avail = H - 3;
    int nnodes = s && s->nnodes > 0 ? s->nnodes : 1;
    /* the table takes what its rows need, up to half the room; more rows scroll */
    int table_h = clamp(nnodes + 3, 4, avail / 2 > 4 ? avail / 2 : 4);
    nodes_render(s, v, g, (struct rect){0, top, W, table_h});
    int rest_y = top + table_h, rest_h = avail - table_h;
    if (rest_h < 3) { /* no room: the table is all there is */
        grid_fill(g, (struct rect){0, rest_y, W, rest_h}, CR_NORMAL);
        return;
    }
    if (!v->show_detail) {
        if (v->focus == PANEL_DETAIL)
            v->focus = PANEL_EVENTS;
        events_render(s, v, g, (struct rect){0, rest_y, W, rest_h});
    } else if (W >= 160) {
        int dw = W * 3 / 5;
        detail_render(s, v, g, (struct rect){0, rest_y, dw, rest_h});
        events_render(s, v, g, (struct rect){dw, rest_y, W - dw, rest_h});
    } else {
        /* problems and events take what they need, up to two fifths; the detail the rest */
        int nprob = s ? s->nproblems : 0, nev = v->events ? events_count(v->events) : 0;
        int want = (nprob ? nprob : 1) + (nev ? nev + 2 : 0) + 2;
        int ev_h = clamp(want, 3, rest_h * 2 / 5 > 5 ? rest_h * 2 / 5 : 5);
        int detail_h = detail_height(s, v, W, g->utf8);
        if (rest_h - ev_h > detail_h)
            ev_h = rest_h - detail_h; /* the detail does not need it all: events get more */
        if (rest_h - ev_h < 5) {
            ev_h = rest_h; /* too little for both: the detail panel waits for more room */
            events_render(s, v, g, (struct rect){0, rest_y, W, ev_h});
            return;
        }
        detail_render(s, v, g, (struct rect){0, rest_y, W, rest_h - ev_h});
        events_render(s, v, g, (struct rect){0, rest_y + rest_h - ev_h, W, ev_h});
    }
}

void dashboard_render(const struct snapshot *s, struct view *v, struct grid *g)
{
    if (g->w < MIN_COLS || g->h < MIN_ROWS) {
        small_render(g);
        return;
    }
    /* no clearing first: the header, the panels and the key bar fill every cell */
    int W = g->w, H = g->h;
    header_render(s, v, g, (struct rect){0, 0, W, 2});
    fkeys_render(v, g, (struct rect){0, H - 1, W, 1});
    panels_render(s, v, g);
    if (v->show_help)
        help_render(v, g, (struct rect){0, 0, W, H});
    if (v->dialog && dialog_is_open(v->dialog))
        dialog_render(v->dialog, s, v->run, v->now, g);
}

unsigned dashboard_key(struct view *v, const struct snapshot *s, enum key_cmd a)
{
    if (v->show_help)
        return help_key(v, a);
    if (cmd_operator(a)) {
        v->cmd = a;
        return INTENT_ACTION;
    }
    switch (a) {
    case CMD_QUIT:
        return INTENT_QUIT;
    case CMD_FLEET:
        return v->fleet_size > 1 ? INTENT_BACK : INTENT_NONE;
    case CMD_HELP:
        v->show_help = true;
        v->help_scroll = 0;
        return INTENT_REDRAW;
    case CMD_DETAIL:
        v->show_detail = !v->show_detail;
        if (!v->show_detail && v->focus == PANEL_DETAIL)
            v->focus = PANEL_NODES;
        return INTENT_REDRAW;
    case CMD_NEXT_PANEL:
    case CMD_PREV_PANEL: {
        int step = a == CMD_NEXT_PANEL ? 1 : PANEL_COUNT - 1;
        v->focus = (enum panel_id)((v->focus + step) % PANEL_COUNT);
        if (v->focus == PANEL_DETAIL && !v->show_detail)
            v->focus = (enum panel_id)((v->focus + step) % PANEL_COUNT);
        return INTENT_REDRAW;
    }
    case CMD_EXPORT:
        return INTENT_EXPORT;
    case CMD_THEME:
        return INTENT_THEME;
    case CMD_SLOWER:
        return INTENT_SLOWER;
    case CMD_FASTER:
        return INTENT_FASTER;
    case CMD_PAUSE:
        return INTENT_PAUSE;
    case CMD_REDRAW:
        return INTENT_REPAINT;
    case CMD_STEP_BACK:
        return v->replay ? INTENT_STEP_BACK : INTENT_NONE;
    case CMD_STEP_FWD:
        return v->replay ? INTENT_STEP_FWD : INTENT_NONE;
    case CMD_NEXT_EVENT:
        return v->replay ? INTENT_NEXT_EVENT : INTENT_NONE;
    case CMD_PREV_EVENT:
        return v->replay ? INTENT_PREV_EVENT : INTENT_NONE;
    case CMD_HOME:
    case CMD_END:
        if (v->replay)
            return a == CMD_HOME ? INTENT_FIRST : INTENT_LAST;
        break;
    default:
        break;
    }
    switch (v->focus) {
    case PANEL_DETAIL:
        return detail_key(v, s, a);
    case PANEL_EVENTS:
        return events_key(v, s, a);
    default:
        return nodes_key(v, s, a);
    }
}
