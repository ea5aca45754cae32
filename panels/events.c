/* events: the problems of the current snapshot, worst first, then the event log, newest
 * first, each line timestamped — what changed and when, including exports and every line of
 * the operator actions. Problems wrap; log lines are cut with an ellipsis. */
#include "view.h"
#include "model/base/util.h"

#include <string.h>

static const char *sev_word(enum severity s)
{
    return s == SEV_CRITICAL ? "CRIT" : s == SEV_WARNING ? "WARN" : "OK";
}

static int content(const struct snapshot *s, const struct view *v, struct grid *g)
{
    bool u = g->utf8;
    int y = 0, w = g->w;
    int nprob = s ? s->nproblems : 0;
    if (s && nprob == 0)
        grid_text(g, 0, y++, w, CR_OK, 0, "no problems");
    for (int sev = SEV_CRITICAL; sev >= SEV_OK && s; sev--) {
        for (int i = 0; i < s->nproblems; i++) {
            const struct problem *p = &s->problems[i];
            if ((int)p->severity != sev)
                continue;
            enum role role = severity_role(p->severity);
            grid_text(g, 0, y, 5, role, ATTR_REVERSE, sev_word(p->severity));
            y += grid_wrap(g, 10, y, w - 10, sev == SEV_OK ? CR_NORMAL : role, 0, p->message, 3);
        }
    }
    int nev = v->events ? events_count(v->events) : 0;
    if (nev == 0)
        return y;
    y++;
    int n = grid_text(g, 0, y, w, CR_TITLE, 0, "Events");
    grid_hline(g, n + 1, y, w - n - 1, CR_BORDER);
    y++;
    /* one line per event: only those in the grid's rows are drawn, all are counted */
    int i = g->y0 > y ? g->y0 - y : 0;
    if (i > nev)
        i = nev;
    y += i;
    for (; i < nev && y < g->y0 + g->h; i++) {
        const struct event *e = events_get(v->events, i);
        char clock[16];
        fmt_clock(e->t, clock, sizeof clock);
        grid_text(g, 0, y, 8, CR_DIM, 0, clock);
        const char *mark;
        enum role role;
        switch (e->kind) {
        case EV_PROBLEM:
            mark = u ? "▲" : "+";
            role = severity_role(e->severity);
            break;
        case EV_CLEARED:
            mark = u ? "✓" : "-";
            role = CR_OK;
            break;
        case EV_CHANGE:
            mark = u ? "●" : "*";
            role = e->severity == SEV_OK ? CR_NORMAL : severity_role(e->severity);
            break;
        case EV_ACTION:
            mark = u ? "»" : ">";
            role = e->severity == SEV_OK ? CR_NORMAL : severity_role(e->severity);
            break;
        default:
            mark = u ? "·" : ".";
            role = e->severity == SEV_OK ? CR_NORMAL : severity_role(e->severity);
        }
        grid_text(g, 9, y, 1, role, 0, mark);
        grid_text_clip(g, 11, y, w - 11, e->kind == EV_CLEARED ? CR_NORMAL : role, 0, e->text);
        y++;
    }
    return y + (nev - i);
}

void events_render(const struct snapshot *s, struct view *v, struct grid *g, struct rect r)
{
    bool u = g->utf8;
    grid_fill(g, r, CR_NORMAL);
    char title[96];
    int nev = v->events ? events_count(v->events) : 0;
    str_printf(title, sizeof title, "Problems (%d) %s Events (%d)", s ? s->nproblems : 0,
               u ? "·" : "-", nev);
    grid_box(g, r, v->focus == PANEL_EVENTS ? CR_FOCUS : CR_BORDER, title, CR_TITLE);
    struct rect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    if (in.w <= 0 || in.h <= 0)
        return;
    /* drawn straight into the panel, only the visible lines; again when scrolled past the end */
    if (v->events_scroll < 0)
        v->events_scroll = 0;
    struct grid win;
    grid_window(&win, g, in, v->events_scroll);
    int lines = content(s, v, &win);
    if (v->events_scroll > 0 && v->events_scroll > lines - in.h) {
        v->events_scroll = lines - in.h > 0 ? lines - in.h : 0;
        grid_fill(g, in, CR_NORMAL);
        grid_window(&win, g, in, v->events_scroll);
        content(s, v, &win);
    }
    v->events_lines = lines;
    v->events_page = in.h;
    if (lines > in.h) {
        char more[48];
        str_printf(more, sizeof more, " %d/%d ", v->events_scroll + in.h, lines);
        grid_text_right(g, r.x + 1, r.y + r.h - 1, r.w - 3, CR_DIM, 0, more);
    }
}

unsigned events_key(struct view *v, const struct snapshot *s, enum key_cmd a)
{
    (void)s;
    return scroll_key(&v->events_scroll, v->events_lines, v->events_page, a);
}
