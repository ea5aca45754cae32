/* fleet: the screen of several clusters — one row per cluster (health, primary, nodes
 * answering, worst replay lag, data at risk, sync list, candidate, TPS, a lag sparkline),
 * worst first, `/` filters by name; under it the whole fleet's problems. Enter opens the
 * selected cluster's own dashboard (the loop does, on INTENT_OPEN). Columns are dropped by
 * priority on a narrow terminal, as the node table does. */
#include "view.h"
#include "model/watch/fleet.h"
#include "model/base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum fcol {
    F_HEALTH,
    F_NAME,
    F_PRIMARY,
    F_NODES,
    F_LAG,
    F_RISK,
    F_SYNC,
    F_CAND,
    F_TPS,
    F_TREND,
    F_N
};

static const struct {
    const char *head;
    int prio, minw, maxw;
    bool right;
} fcols[F_N] = {
    [F_HEALTH] = {"HEALTH", 0, 6, 8, false},    [F_NAME] = {"CLUSTER", 0, 7, 28, false},
    [F_PRIMARY] = {"PRIMARY", 0, 7, 16, false}, [F_NODES] = {"NODES", 0, 5, 9, true},
    [F_LAG] = {"LAG", 1, 6, 9, true},           [F_RISK] = {"AT RISK", 1, 7, 9, true},
    [F_SYNC] = {"SYNC LIST", 3, 9, 32, false},  [F_CAND] = {"CANDIDATE", 2, 9, 16, false},
    [F_TPS] = {"TPS", 2, 5, 8, true},           [F_TREND] = {"LAG TREND", 4, 9, 40, false},
};

/* Worse first: critical, warning, not refreshed yet, ok. */
static int rank(const struct fleet_entry *e)
{
    if (!e->snap)
        return 1;
    return e->snap->health == SEV_CRITICAL ? 3 : e->snap->health == SEV_WARNING ? 2 : 0;
}

static const struct fleet_entry *sort_base;

static int by_worst(const void *pa, const void *pb)
{
    const struct fleet_entry *a = &sort_base[*(const int *)pa], *b = &sort_base[*(const int *)pb];
    if (rank(a) != rank(b))
        return rank(b) - rank(a);
    int64_t la = snapshot_worst_lag(a->snap), lb = snapshot_worst_lag(b->snap);
    if (la != lb)
        return la > lb ? -1 : 1; /* unknown (INT64_MIN) last */
    return strcmp(a->name, b->name);
}

int fleet_order(const struct view *v, int *order)
{
    int n = 0;
    for (int i = 0; i < v->fleet_size; i++)
        if (!v->filter[0] || strcasestr(v->fleet[i].name, v->filter))
            order[n++] = i;
    sort_base = v->fleet;
    qsort(order, (size_t)n, sizeof *order, by_worst);
    return n;
}

static enum role cell(const struct fleet_entry *e, int c, bool u, char *buf, size_t len)
{
    const struct snapshot *s = e->snap;
    buf[0] = '\0';
    if (!s && c != F_NAME && c != F_HEALTH && c != F_NODES) {
        str_copy(buf, len, glyph_dash(u));
        return CR_DIM;
    }
    switch (c) {
    case F_HEALTH:
        str_copy(buf, len, s ? severity_name(s->health) : glyph_dash(u));
        return s ? severity_role(s->health) : CR_DIM;
    case F_NAME:
        if (e->twin) { /* one cluster configured twice: both rows say so */
            str_printf(buf, len, "%s = %s", e->name, e->twin);
            return CR_WARNING;
        }
        str_copy(buf, len, e->name);
        return CR_NORMAL;
    case F_PRIMARY:
        fmt_str(s->primary, u, buf, len);
        return s->primary[0] ? CR_PRIMARY : CR_DIM;
    case F_NODES: {
        int ans = snapshot_answering(s);
        str_printf(buf, len, "%d/%d", ans, s ? s->nnodes : e->nodes);
        return !s ? CR_DIM : ans < s->nnodes ? CR_WARNING : CR_NORMAL;
    }
    case F_LAG:
        fmt_bytes(snapshot_worst_lag(s), u, buf, len);
        break;
    case F_RISK:
        fmt_bytes(snapshot_data_at_risk(s), u, buf, len);
        break;
    case F_SYNC:
        if (s->primary[0] && !s->synchronous_standby_names[0])
            str_copy(buf, len, "'' (async)");
        else
            fmt_str(s->primary[0] ? s->synchronous_standby_names : "", u, buf, len);
        break;
    case F_CAND:
        fmt_str(s->candidate, u, buf, len);
        return s->candidate[0] ? CR_CANDIDATE : CR_DIM;
    case F_TPS:
        fmt_tps(snapshot_total_tps(s), u, buf, len);
        break;
    default:
        break;
    }
    return strcmp(buf, glyph_dash(u)) == 0 ? CR_DIM : CR_NORMAL;
}

static int layout(const struct view *v, const int *order, int n, int w, bool u, int *width,
                  bool *on)
{
    for (int c = 0; c < F_N; c++) {
        int cw = text_width(fcols[c].head, u);
        if (cw < fcols[c].minw)
            cw = fcols[c].minw;
        for (int i = 0; i < n && c != F_TREND; i++) {
            char buf[96];
            cell(&v->fleet[order[i]], c, u, buf, sizeof buf);
            int vw = text_width(buf, u);
            if (vw > cw)
                cw = vw;
        }
        width[c] = cw > fcols[c].maxw ? fcols[c].maxw : cw;
        on[c] = false;
    }
    int used = 0, count = 0;
    for (int prio = 0; prio <= 4; prio++)
        for (int c = 0; c < F_N; c++)
            if (fcols[c].prio == prio && used + width[c] + (count ? 1 : 0) <= w) {
                on[c] = true;
                used += width[c] + (count ? 1 : 0);
                count++;
            }
    if (on[F_TREND] && used < w)
        width[F_TREND] += w - used < fcols[F_TREND].maxw - width[F_TREND]
                              ? w - used
                              : fcols[F_TREND].maxw - width[F_TREND];
    return 1;
}

static void draw_row(const struct view *v, const struct fleet_entry *e, const int *width,
                     const bool *on, struct grid *g, int x, int y, bool sel)
{
    bool u = g->utf8;
    for (int c = 0; c < F_N; c++) {
        if (!on[c])
            continue;
        char buf[96];
        enum role role = cell(e, c, u, buf, sizeof buf);
        if (sel)
            role = CR_SELECTED;
        if (c == F_TREND) {
            bool any = false;
            for (int i = 0; i < e->nlag; i++)
                any |= !isnan(e->lag[i]);
            if (any)
                grid_spark(g, x, y, width[c], e->lag, e->nlag, 0, sel ? role : CR_SPARK);
            else
                grid_text(g, x, y, width[c], sel ? role : CR_DIM, 0, glyph_dash(u));
        } else if (fcols[c].right) {
            grid_text_right(g, x, y, width[c], role, 0, buf);
        } else {
            grid_text_clip(g, x, y, width[c], role, sel && c == F_NAME ? ATTR_BOLD : 0, buf);
        }
        x += width[c] + 1;
    }
    (void)v;
}

static void table(struct view *v, const int *order, int n, struct grid *g, struct rect r)
{
    bool u = g->utf8;
    char title[96];
    str_printf(title, sizeof title, "Clusters %s worst first%s%s", u ? "·" : "-",
               v->filter[0] ? ", filter " : "", v->filter);
    grid_fill(g, r, CR_NORMAL);
    grid_box(g, r, v->focus == PANEL_EVENTS ? CR_BORDER : CR_FOCUS, title, CR_TITLE);
    struct rect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    if (in.w <= 0 || in.h <= 0)
        return;
    int width[F_N];
    bool on[F_N];
    layout(v, order, n, in.w, u, width, on);
    int x = in.x;
    for (int c = 0; c < F_N; c++) {
        if (!on[c])
            continue;
        if (fcols[c].right)
            grid_text_right(g, x, in.y, width[c], CR_TITLE, 0, fcols[c].head);
        else
            grid_text_clip(g, x, in.y, width[c], CR_TITLE, 0, fcols[c].head);
        x += width[c] + 1;
    }
    if (n == 0) {
        grid_text(g, in.x, in.y + 1, in.w, CR_DIM, 0, "no cluster's name holds the filter");
        return;
    }
    /* the selected cluster's row; the first when it is filtered out, or until a key moves
     * the selection (the worst cluster, wherever the first refreshes sort it) */
    int pos = 0;
    for (int i = 0; i < n && v->fleet_moved; i++)
        if (order[i] == v->fleet_sel)
            pos = i;
    v->fleet_sel = order[pos];
    int rows = in.h - 1;
    if (pos < v->fleet_top)
        v->fleet_top = pos;
    if (rows > 0 && pos >= v->fleet_top + rows)
        v->fleet_top = pos - rows + 1;
    if (v->fleet_top > n - rows)
        v->fleet_top = n - rows > 0 ? n - rows : 0;
    for (int i = 0; i < rows && v->fleet_top + i < n; i++) {
        int k = v->fleet_top + i;
        bool sel = k == pos;
        if (sel)
            grid_fill(g, (struct rect){r.x + 1, in.y + 1 + i, r.w - 2, 1}, CR_SELECTED);
        draw_row(v, &v->fleet[order[k]], width, on, g, in.x, in.y + 1 + i, sel);
    }
    if (n > rows && rows > 0) {
        char more[48];
        str_printf(more, sizeof more, " %d-%d of %d ", v->fleet_top + 1,
                   v->fleet_top + rows < n ? v->fleet_top + rows : n, n);
        grid_text_right(g, r.x + 1, r.y + r.h - 1, r.w - 3, CR_DIM, 0, more);
    }
}

static int fleet_problem_count(const struct view *v, const int *order, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += v->fleet[order[i]].snap ? v->fleet[order[i]].snap->nproblems : 0;
    return total;
}

/* The cluster (an index) of problem line `line` in screen order: worst first, then the
 * clusters' order; -1 when there is no such line. */
static int problem_cluster(const struct view *v, const int *order, int n, int line)
{
    for (int sev = SEV_CRITICAL; sev >= SEV_OK; sev--)
        for (int i = 0; i < n; i++) {
            const struct snapshot *s = v->fleet[order[i]].snap;
            for (int k = 0; s && k < s->nproblems; k++)
                if ((int)s->problems[k].severity == sev && line-- == 0)
                    return order[i];
        }
    return -1;
}

/* The fleet's problems, worst first, in screen order: "CLUSTER  message", one line each. Only
 * the lines in the window are drawn. Tab focuses the panel: a cursor line then moves with the
 * arrows, PgUp/PgDn, Home/End, the window following it, and Enter opens its cluster (a fleet
 * of hundreds of clusters can have hundreds of problems). */
static void problems(struct view *v, const int *order, int n, struct grid *g, struct rect r)
{
    int total = fleet_problem_count(v, order, n);
    bool focus = v->focus == PANEL_EVENTS;
    char title[64];
    str_printf(title, sizeof title, "Problems of the fleet (%d)", total);
    grid_fill(g, r, CR_NORMAL);
    grid_box(g, r, focus ? CR_FOCUS : CR_BORDER, title, CR_TITLE);
    struct rect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    if (in.w <= 0 || in.h <= 0)
        return;
    int lines = total ? total : 1, max = lines - in.h > 0 ? lines - in.h : 0;
    v->fleet_prob = v->fleet_prob < 0 ? 0 : v->fleet_prob >= lines ? lines - 1 : v->fleet_prob;
    if (focus && v->fleet_prob < v->events_scroll)
        v->events_scroll = v->fleet_prob;
    if (focus && v->fleet_prob >= v->events_scroll + in.h)
        v->events_scroll = v->fleet_prob - in.h + 1;
    v->events_scroll = v->events_scroll < 0 ? 0 : v->events_scroll > max ? max : v->events_scroll;
    v->events_lines = lines;
    v->events_page = in.h;
    if (total == 0)
        grid_text(g, in.x, in.y, in.w, CR_OK, 0, "no problems");
    int line = 0, first = v->events_scroll, end = first + in.h;
    for (int sev = SEV_CRITICAL; sev >= SEV_OK && line < end; sev--)
        for (int i = 0; i < n && line < end; i++) {
            const struct fleet_entry *e = &v->fleet[order[i]];
            for (int k = 0; e->snap && k < e->snap->nproblems && line < end; k++) {
                const struct problem *p = &e->snap->problems[k];
                if ((int)p->severity != sev || line++ < first)
                    continue;
                int y = in.y + line - 1 - first;
                bool sel = focus && line - 1 == v->fleet_prob;
                if (sel)
                    grid_fill(g, (struct rect){r.x + 1, y, r.w - 2, 1}, CR_SELECTED);
                enum role role = severity_role(p->severity);
                const char *word = sev == SEV_CRITICAL  ? "CRIT"
                                   : sev == SEV_WARNING ? "WARN"
                                                        : "OK";
                grid_text(g, in.x, y, 4, role, ATTR_REVERSE, word);
                int nw = grid_text_clip(g, in.x + 5, y, 20, sel ? CR_SELECTED : CR_TITLE,
                                        sel ? ATTR_BOLD : 0, e->name);
                grid_text_clip(g, in.x + 6 + nw, y, in.w - 6 - nw,
                               sel             ? CR_SELECTED
                               : sev == SEV_OK ? CR_NORMAL
                                               : role,
                               0, p->message);
            }
        }
    if (lines > in.h) {
        char more[48];
        str_printf(more, sizeof more, " %d-%d of %d ", first + 1, end < lines ? end : lines, lines);
        grid_text_right(g, r.x + 1, r.y + r.h - 1, r.w - 3, CR_DIM, 0, more);
    }
}

/* A key while the problems panel has the focus: the cursor line moves, Enter opens its
 * cluster; other keys are the screen's (-1). */
static int problems_key(struct view *v, const int *order, int n, enum key_cmd a)
{
    int old = v->fleet_prob, page = v->events_page > 1 ? v->events_page : 1;
    switch (a) {
    case CMD_UP:
    case CMD_DOWN:
    case CMD_PAGE_UP:
    case CMD_PAGE_DOWN:
        v->fleet_prob += a == CMD_UP ? -1 : a == CMD_DOWN ? 1 : a == CMD_PAGE_UP ? -page : page;
        break;
    case CMD_HOME:
        v->fleet_prob = 0;
        break;
    case CMD_END:
        v->fleet_prob = v->events_lines - 1;
        break;
    case CMD_DETAIL: {
        int c = problem_cluster(v, order, n, v->fleet_prob);
        if (c < 0)
            return INTENT_NONE;
        v->fleet_sel = c;
        v->fleet_moved = true;
        return INTENT_OPEN;
    }
    default:
        return -1;
    }
    int last = v->events_lines > 0 ? v->events_lines - 1 : 0;
    v->fleet_prob = v->fleet_prob < 0 ? 0 : v->fleet_prob > last ? last : v->fleet_prob;
    return v->fleet_prob != old ? INTENT_REDRAW : INTENT_NONE;
}

static void header(const struct view *v, struct grid *g)
{
    int crit = 0, warn = 0, ok = 0, ans = 0, total = 0;
    for (int i = 0; i < v->fleet_size; i++) {
        const struct fleet_entry *e = &v->fleet[i];
        total += e->snap ? e->snap->nnodes : e->nodes;
        ans += snapshot_answering(e->snap);
        if (e->snap)
            *(e->snap->health == SEV_CRITICAL  ? &crit
              : e->snap->health == SEV_WARNING ? &warn
                                               : &ok) += 1;
    }
    grid_fill(g, (struct rect){0, 0, g->w, 2}, CR_HEADER);
    int x = grid_text(g, 1, 0, g->w - 2, CR_TITLE, ATTR_BOLD, "repltop fleet");
    char line[256], clock[16];
    str_printf(line, sizeof line, "  %d clusters: ", v->fleet_size);
    x += 1 + grid_text(g, 1 + x, 0, g->w - x - 2, CR_HEADER, 0, line);
    struct {
        int n;
        const char *word;
        enum role role;
    } parts[] = {{crit, "critical", CR_CRITICAL}, {warn, "warning", CR_WARNING}, {ok, "ok", CR_OK}};
    for (int i = 0; i < 3; i++) {
        str_printf(line, sizeof line, "%d %s%s", parts[i].n, parts[i].word, i < 2 ? ", " : "");
        x += grid_text(g, x, 0, g->w - x - 1, parts[i].n ? parts[i].role : CR_HEADER, 0, line);
    }
    fmt_clock(v->now, clock, sizeof clock);
    str_printf(line, sizeof line, "%s%s", v->paused ? "PAUSED  " : "", clock);
    grid_text_right(g, 0, 0, g->w - 1, v->paused ? CR_WARNING : CR_HEADER, 0, line);
    str_printf(line, sizeof line, "%d of %d nodes answer", ans, total);
    x = 1 + grid_text(g, 1, 1, g->w - 2, CR_HEADER, 0, line);
    if (v->filtering || v->filter[0]) {
        str_printf(line, sizeof line, "   filter /%s%s", v->filter, v->filtering ? "_" : "");
        grid_text_clip(g, x, 1, g->w - x - 1, CR_KEY, 0, line);
    }
}

void fleet_render(struct view *v, struct grid *g)
{
    if (g->w < MIN_COLS || g->h < MIN_ROWS) {
        small_render(g);
        return;
    }
    int *order = xcalloc((size_t)(v->fleet_size ? v->fleet_size : 1), sizeof *order);
    int n = fleet_order(v, order);
    header(v, g);
    /* the table takes what its rows need, leaving the problems what they need up to a third
     * of the room (at least five lines); whatever does not fit scrolls */
    int avail = g->h - 3, need = n + 3 < 4 ? 4 : n + 3;
    int probs = fleet_problem_count(v, order, n), want = (probs ? probs : 1) + 2;
    int keep = want < avail / 3 ? want : avail / 3;
    keep = keep < 5 ? 5 : keep;
    int table_h = need < avail - keep ? need : avail - keep;
    table(v, order, n, g, (struct rect){0, 2, g->w, table_h});
    problems(v, order, n, g, (struct rect){0, 2 + table_h, g->w, avail - table_h});
    fkeys_render(v, g, (struct rect){0, g->h - 1, g->w, 1});
    if (v->show_help)
        help_render(v, g, (struct rect){0, 0, g->w, g->h});
    free(order);
}

unsigned fleet_key(struct view *v, enum key_cmd a)
{
    if (v->show_help)
        return help_key(v, a);
    int *order = xcalloc((size_t)(v->fleet_size ? v->fleet_size : 1), sizeof *order);
    int n = fleet_order(v, order), pos = 0;
    for (int i = 0; i < n && v->fleet_moved; i++)
        if (order[i] == v->fleet_sel)
            pos = i;
    unsigned in = INTENT_REDRAW;
    int pk = v->focus == PANEL_EVENTS ? problems_key(v, order, n, a) : -1;
    if (pk >= 0) {
        free(order);
        return (unsigned)pk;
    }
    switch (a) {
    case CMD_NEXT_PANEL:
    case CMD_PREV_PANEL:
        v->focus = v->focus == PANEL_EVENTS ? PANEL_NODES : PANEL_EVENTS;
        break;
    case CMD_UP:
    case CMD_DOWN:
    case CMD_PAGE_UP:
    case CMD_PAGE_DOWN:
        pos += a == CMD_UP ? -1 : a == CMD_DOWN ? 1 : a == CMD_PAGE_UP ? -10 : 10;
        v->fleet_moved = true;
        break;
    case CMD_HOME:
        pos = 0;
        v->fleet_moved = true;
        break;
    case CMD_END:
        pos = n - 1;
        v->fleet_moved = true;
        break;
    case CMD_DETAIL:
        in = n > 0 ? INTENT_OPEN : INTENT_NONE;
        break;
    case CMD_FILTER:
        v->filtering = true;
        break;
    case CMD_FLEET: /* Esc on the fleet screen: the filter goes */
        v->filter[0] = '\0';
        break;
    case CMD_HELP:
        v->show_help = true;
        v->help_scroll = 0;
        break;
    case CMD_EXPORT:
        in = INTENT_EXPORT;
        break;
    case CMD_QUIT:
        in = INTENT_QUIT;
        break;
    case CMD_THEME:
        in = INTENT_THEME;
        break;
    case CMD_SLOWER:
        in = INTENT_SLOWER;
        break;
    case CMD_FASTER:
        in = INTENT_FASTER;
        break;
    case CMD_PAUSE:
        in = INTENT_PAUSE;
        break;
    case CMD_REDRAW:
        in = INTENT_REPAINT;
        break;
    default:
        /* an action key: the loop says to open a cluster first rather than ignore it */
        v->cmd = a;
        in = cmd_operator(a) ? INTENT_ACTION : INTENT_NONE;
    }
    pos = pos >= n ? n - 1 : pos;
    if (n > 0)
        v->fleet_sel = order[pos < 0 ? 0 : pos];
    free(order);
    return in;
}

unsigned fleet_filter_key(struct view *v, int key)
{
    size_t len = strlen(v->filter);
    if (key == K_ENTER || key == '\n' || key == '\r') {
        v->filtering = false;
    } else if (key == K_ESC) {
        v->filtering = false;
        v->filter[0] = '\0';
    } else if (key == K_BS || key == K_DEL || key == K_BACKSPACE) {
        if (len > 0) /* only ASCII is typed in */
            v->filter[len - 1] = '\0';
    } else if (key == K_CTRL_U) {
        v->filter[0] = '\0';
    } else if (key >= ' ' && key < 127 && len + 1 < sizeof v->filter) {
        v->filter[len] = (char)key;
        v->filter[len + 1] = '\0';
    } else {
        return INTENT_NONE;
    }
    v->fleet_top = 0;
    return INTENT_REDRAW;
}
