/* nodes: the node table, one row per node. Columns are dropped by priority when the terminal
 * is narrow (80 columns keep name, role, state, replay lag, delay, sync, data at risk, TPS...)
 * and a lag sparkline column appears on wide ones. Rows are coloured by the node's worst
 * problem; unknown values are a dash, never 0; the best failover candidate has a star. */
#include "view.h"
#include "model/base/util.h"

#include <math.h>
#include <string.h>

enum col_id {
    C_MARK,
    C_NAME,
    C_ROLE,
    C_STATE,
    C_TL,
    C_LSN,
    C_REPLAY_LSN,
    C_SENT,
    C_WRITE,
    C_FLUSH,
    C_REPLAY,
    C_DELAY,
    C_SYNC,
    C_RISK,
    C_TPS,
    C_CONN,
    C_UPSTREAM,
    C_TREND,
    C_COUNT
};

struct col {
    const char *head;
    int prio; /* columns are kept in order of priority, 0 first */
    int minw, maxw;
    bool right;
};

static const struct col cols[C_COUNT] = {
    [C_MARK] = {"", 0, 1, 1, false},
    [C_NAME] = {"NODE", 0, 4, 24, false},
    [C_ROLE] = {"ROLE", 0, 7, 7, false},
    [C_STATE] = {"STATE", 0, 9, 14, false},
    [C_TL] = {"TL", 3, 2, 4, true},
    [C_LSN] = {"LSN", 5, 9, 17, true},
    [C_REPLAY_LSN] = {"REPLAY LSN", 8, 10, 17, true},
    [C_SENT] = {"SENT", 9, 7, 9, true},
    [C_WRITE] = {"WRITE", 9, 7, 9, true},
    [C_FLUSH] = {"FLUSH", 7, 7, 9, true},
    [C_REPLAY] = {"REPLAY", 1, 7, 9, true},
    [C_DELAY] = {"DELAY", 2, 6, 8, true},
    [C_SYNC] = {"SYNC", 1, 9, 9, false},
    [C_RISK] = {"AT RISK", 2, 7, 9, true},
    [C_TPS] = {"TPS", 3, 6, 7, true},
    [C_CONN] = {"CONN", 5, 4, 6, true},
    [C_UPSTREAM] = {"UPSTREAM", 4, 8, 24, false},
    [C_TREND] = {"LAG TREND", 6, 10, 60, false},
};

#define CELL_LEN 96

/* The text of one cell and the role it is drawn in; row is node_row_role(s, n), worked out
 * once per row (it looks through the problems). With text_only (the column widths, over every
 * node) the role is not worked out: issue 14, 300 nodes cost 0.5 G instructions a frame. */
static enum role cell_value(const struct snapshot *s, const struct node_snap *n, int c, bool u,
                            enum role row, bool text_only, char *buf, size_t len)
{
    enum role plain = row == CR_NORMAL ? CR_NORMAL : row;
    bool reach = n->reach == REACH_OK;
    buf[0] = '\0';
    switch (c) {
    case C_MARK:
        str_copy(buf, len, n->best_candidate ? glyph_star(u) : "");
        return CR_CANDIDATE;
    case C_NAME:
        str_copy(buf, len, n->name);
        return plain;
    case C_ROLE:
        if (!reach || n->role == ROLE_UNKNOWN) {
            str_copy(buf, len, glyph_dash(u));
            break;
        }
        str_copy(buf, len, role_name(n->role));
        if (row == CR_NORMAL)
            return n->role == ROLE_PRIMARY ? CR_PRIMARY : CR_STANDBY;
        return plain;
    case C_STATE:
        str_copy(buf, len, n->state[0] ? n->state : glyph_dash(u));
        if (node_delayed(n) && strcmp(n->state, "streaming") == 0) { /* "delayed 1h00m" */
            char d[32];
            fmt_seconds(n->apply_delay_s, u, d, sizeof d);
            str_printf(buf, len, "delayed %s", d);
        }
        if (row == CR_NORMAL)
            return strcmp(n->state, "streaming") == 0 || strcmp(n->state, "primary") == 0
                       ? CR_OK
                       : CR_WARNING;
        return plain;
    case C_TL:
        fmt_int(n->timeline > 0 ? n->timeline : NUM_UNKNOWN, u, buf, len);
        break;
    case C_LSN:
        fmt_lsn(n->role == ROLE_PRIMARY ? n->current_lsn : n->receive_lsn, u, buf, len);
        break;
    case C_REPLAY_LSN:
        fmt_lsn(n->replay_lsn, u, buf, len);
        break;
    case C_SENT:
        fmt_bytes(n->lag_sent, u, buf, len);
        break;
    case C_WRITE:
        fmt_bytes(n->lag_write, u, buf, len);
        break;
    case C_FLUSH:
        fmt_bytes(n->lag_flush, u, buf, len);
        break;
    case C_REPLAY:
        fmt_bytes(n->lag_replay, u, buf, len);
        if (!num_known(n->lag_replay) || text_only)
            break;
        if (node_has_problem(s, n->name, "lag_crit"))
            return CR_LAG_CRIT;
        if (node_has_problem(s, n->name, "lag_warn"))
            return CR_LAG_WARN;
        return row == CR_NORMAL ? CR_LAG_OK : plain;
    case C_DELAY:
        fmt_seconds(n->lag_replay_s, u, buf, len);
        break;
    case C_SYNC:
        fmt_str(n->sync_state, u, buf, len);
        break;
    case C_RISK:
        fmt_bytes(n->data_at_risk, u, buf, len);
        break;
    case C_TPS:
        fmt_tps(n->tps, u, buf, len);
        break;
    case C_CONN:
        fmt_int(n->connections, u, buf, len);
        break;
    case C_UPSTREAM:
        fmt_str(n->upstream, u, buf, len);
        break;
    default:
        break;
    }
    if (strcmp(buf, glyph_dash(u)) == 0 && row == CR_NORMAL)
        return CR_DIM;
    return plain;
}

/* Picks the columns that fit in w and their widths; returns the separator width. */
static int layout(const struct snapshot *s, int w, bool u, int *width, bool *on)
{
    for (int c = 0; c < C_COUNT; c++) {
        int cw = text_width(cols[c].head, u);
        if (cw < cols[c].minw)
            cw = cols[c].minw;
        for (int i = 0; s && i < s->nnodes && c != C_TREND; i++) {
            char buf[CELL_LEN];
            cell_value(s, &s->nodes[i], c, u, CR_NORMAL, true, buf, sizeof buf);
            int vw = text_width(buf, u);
            if (vw > cw)
                cw = vw;
        }
        width[c] = cw > cols[c].maxw ? cols[c].maxw : cw;
        on[c] = false;
    }
    int used = 0, count = 0;
    for (int prio = 0; prio <= 10; prio++) {
        for (int c = 0; c < C_COUNT; c++) {
            if (cols[c].prio != prio)
                continue;
            int need = width[c] + (count ? 1 : 0);
            if (used + need <= w) {
                on[c] = true;
                used += need;
                count++;
            }
        }
    }
    /* room to spare: wider gaps, then a longer sparkline */
    int sep = 1;
    if (count > 1 && used + (count - 1) <= w) {
        sep = 2;
        used += count - 1;
    }
    if (on[C_TREND] && used < w) {
        int grow = w - used;
        if (width[C_TREND] + grow > cols[C_TREND].maxw)
            grow = cols[C_TREND].maxw - width[C_TREND];
        width[C_TREND] += grow;
    }
    return sep;
}

/* The largest replay lag in the last w samples of any node: the trend column shares one
 * scale, so a standby that lags a little does not look like one that lags a lot. */
static double trend_max(const struct snapshot *s, const struct view *v, int w)
{
    double vals[256], max = 0;
    for (int i = 0; v->history && s && i < s->nnodes; i++) {
        int cnt = history_series(v->history, s->nodes[i].name, HIST_LAG, vals, w < 256 ? w : 256);
        for (int j = 0; j < cnt; j++)
            if (!isnan(vals[j]) && vals[j] > max)
                max = vals[j];
    }
    return max;
}

static void draw_trend(const struct view *v, const struct node_snap *n, double max, struct grid *g,
                       int x, int y, int w, enum role role)
{
    double vals[256];
    int cnt =
        v->history ? history_series(v->history, n->name, HIST_LAG, vals, w < 256 ? w : 256) : 0;
    bool any = false;
    for (int i = 0; i < cnt; i++)
        any |= !isnan(vals[i]);
    if (!any) {
        grid_text(g, x, y, w, role == CR_SELECTED ? role : CR_DIM, 0, glyph_dash(g->utf8));
        return;
    }
    /* all zero: a flat line at the bottom, not the top */
    grid_spark(g, x, y, w, vals, cnt, max > 0 ? max : 1, role == CR_SELECTED ? role : CR_SPARK);
}

void nodes_render(const struct snapshot *s, struct view *v, struct grid *g, struct rect r)
{
    bool u = g->utf8;
    char title[160];
    str_printf(title, sizeof title, "Nodes %s %s best failover candidate", u ? "·" : "-",
               glyph_star(u));
    grid_fill(g, r, CR_NORMAL);
    grid_box(g, r, v->focus == PANEL_NODES ? CR_FOCUS : CR_BORDER, title, CR_TITLE);
    struct rect in = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
    if (in.w <= 0 || in.h <= 0)
        return;
    int width[C_COUNT];
    bool on[C_COUNT];
    int sep = layout(s, in.w - 2, u, width, on); /* a blank column on each side */
    int nlagcols = on[C_SENT] + on[C_WRITE] + on[C_FLUSH] + on[C_REPLAY];
    double tmax = on[C_TREND] ? trend_max(s, v, width[C_TREND]) : 0;

    /* header row */
    int x = in.x + 1;
    for (int c = 0; c < C_COUNT; c++) {
        if (!on[c])
            continue;
        const char *head = c == C_REPLAY && nlagcols == 1 ? "LAG" : cols[c].head;
        if (cols[c].right)
            grid_text_right(g, x, in.y, width[c], CR_TITLE, 0, head);
        else
            grid_text_clip(g, x, in.y, width[c], CR_TITLE, 0, head);
        x += width[c] + sep;
    }

    if (!s || s->nnodes == 0) {
        grid_text(g, in.x + 1, in.y + 1, in.w - 1, CR_DIM, 0,
                  s ? "no nodes" : "waiting for the first refresh");
        return;
    }
    int rows = in.h - 1;
    if (v->selected >= s->nnodes)
        v->selected = s->nnodes - 1;
    if (v->selected < 0)
        v->selected = 0;
    if (v->selected < v->table_top)
        v->table_top = v->selected;
    if (rows > 0 && v->selected >= v->table_top + rows)
        v->table_top = v->selected - rows + 1;
    if (v->table_top > s->nnodes - rows)
        v->table_top = s->nnodes - rows > 0 ? s->nnodes - rows : 0;

    for (int i = 0; i < rows && v->table_top + i < s->nnodes; i++) {
        int idx = v->table_top + i;
        const struct node_snap *n = &s->nodes[idx];
        int y = in.y + 1 + i;
        bool sel = idx == v->selected;
        if (sel)
            grid_fill(g, (struct rect){in.x, y, in.w, 1}, CR_SELECTED);
        x = in.x + 1;
        enum role row = node_row_role(s, n);
        for (int c = 0; c < C_COUNT; c++) {
            if (!on[c])
                continue;
            char buf[CELL_LEN];
            enum role role = cell_value(s, n, c, u, row, false, buf, sizeof buf);
            if (sel && c != C_MARK)
                role = CR_SELECTED;
            unsigned attrs = sel && c == C_NAME ? ATTR_BOLD : 0;
            if (c == C_TREND)
                draw_trend(v, n, tmax, g, x, y, width[c], role);
            else if (cols[c].right)
                grid_text_right(g, x, y, width[c], role, attrs, buf);
            else
                grid_text_clip(g, x, y, width[c], role, attrs, buf);
            x += width[c] + sep;
        }
    }
    if (s->nnodes > rows && rows > 0) { /* more rows than room: say so in the bottom border */
        char more[48];
        str_printf(more, sizeof more, " %d-%d of %d ", v->table_top + 1,
                   v->table_top + rows < s->nnodes ? v->table_top + rows : s->nnodes, s->nnodes);
        grid_text_right(g, r.x + 1, r.y + r.h - 1, r.w - 3, CR_DIM, 0, more);
    }
}

unsigned nodes_key(struct view *v, const struct snapshot *s, enum key_cmd a)
{
    int n = s ? s->nnodes : 0, old = v->selected;
    const int page = 5;
    switch (a) {
    case CMD_UP:
        v->selected--;
        break;
    case CMD_DOWN:
        v->selected++;
        break;
    case CMD_PAGE_UP:
        v->selected -= page;
        break;
    case CMD_PAGE_DOWN:
        v->selected += page;
        break;
    case CMD_HOME:
        v->selected = 0;
        break;
    case CMD_END:
        v->selected = n - 1;
        break;
    default:
        return INTENT_NONE;
    }
    if (v->selected >= n)
        v->selected = n - 1;
    if (v->selected < 0)
        v->selected = 0;
    if (v->selected != old)
        v->detail_scroll = 0;
    return INTENT_REDRAW;
}
