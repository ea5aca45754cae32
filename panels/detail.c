/* detail: everything the snapshot knows about the selected node — sparklines of its replay
 * lag and TPS over the last minutes, every field, its WAL receiver, the standbys it serves
 * and its replication slots. Drawn into an off-screen grid and scrolled when it is focused. */
#include "view.h"
#include "model/watch/manager.h"
#include "model/base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_W 15
#define COL_W   36
#define MAX_KV  48

struct kv {
    char label[32];
    char value[SETTING_LEN];
    enum role role;
    bool wide; /* gets a row of its own, after the columns */
};

struct out {
    struct grid *g;
    int y, w;
    struct kv kv[MAX_KV];
    int nkv;
};

static void kv_add(struct out *o, const char *label, const char *value, enum role role)
{
    if (o->nkv >= MAX_KV)
        return;
    struct kv *k = &o->kv[o->nkv++];
    str_copy(k->label, sizeof k->label, label);
    str_copy(k->value, sizeof k->value, value && *value ? value : glyph_dash(o->g->utf8));
    k->role = value && *value && strcmp(value, glyph_dash(o->g->utf8)) != 0 ? role : CR_DIM;
    k->wide = false;
}

/* A field whose value is too long for a column (synchronous_standby_names). */
static void kv_add_wide(struct out *o, const char *label, const char *value, enum role role)
{
    kv_add(o, label, value, role);
    if (o->nkv > 0)
        o->kv[o->nkv - 1].wide = true;
}

/* Lays the collected label/value pairs out in as many columns as fit, row by row, so the
 * first rows — what is visible on a small terminal — hold the first (most useful) fields. */
static void kv_flush(struct out *o)
{
    if (o->nkv == 0)
        return;
    int ncols = (o->w + 2) / COL_W;
    if (ncols < 1)
        ncols = 1;
    int colw = ncols == 1 ? o->w : (o->w + 2) / ncols - 2;
    int lw = colw < 30 ? colw / 2 : LABEL_W;
    int i = 0;
    for (int k = 0; k < o->nkv; k++) {
        if (o->kv[k].wide)
            continue;
        int x = (i % ncols) * (colw + 2), y = o->y + i / ncols;
        grid_text_clip(o->g, x, y, lw - 1, CR_DIM, 0, o->kv[k].label);
        grid_text_clip(o->g, x + lw, y, colw - lw, o->kv[k].role, 0, o->kv[k].value);
        i++;
    }
    o->y += (i + ncols - 1) / ncols;
    for (int k = 0; k < o->nkv; k++) {
        if (!o->kv[k].wide)
            continue;
        grid_text_clip(o->g, 0, o->y, lw - 1, CR_DIM, 0, o->kv[k].label);
        grid_text_clip(o->g, lw, o->y, o->w - lw, o->kv[k].role, 0, o->kv[k].value);
        o->y++;
    }
    o->nkv = 0;
}

static void section(struct out *o, const char *title)
{
    kv_flush(o);
    o->y++;
    int n = grid_text(o->g, 0, o->y, o->w, CR_TITLE, 0, title);
    grid_hline(o->g, n + 1, o->y, o->w - n - 1, CR_BORDER);
    o->y++;
}

static void spark_line(struct out *o, const struct view *v, const struct node_snap *n,
                       enum hist_metric m, const char *label, bool bytes)
{
    bool u = o->g->utf8;
    double vals[1024];
    int tail = 34, sw = o->w - LABEL_W - tail;
    if (sw < 8) {
        tail = 0;
        sw = o->w - LABEL_W;
    }
    if (sw > 1024)
        sw = 1024;
    int cnt = v->history ? history_series(v->history, n->name, m, vals, sw) : 0;
    double max = NAN, last = cnt ? vals[cnt - 1] : NAN;
    for (int i = 0; i < cnt; i++)
        if (!isnan(vals[i]) && (isnan(max) || vals[i] > max))
            max = vals[i];
    grid_text(o->g, 0, o->y, LABEL_W - 1, CR_DIM, 0, label);
    if (isnan(max)) {
        char msg[64];
        str_printf(msg, sizeof msg, "%s %s", glyph_dash(u),
                   cnt ? "unknown so far" : "no samples yet");
        grid_text(o->g, LABEL_W, o->y, o->w - LABEL_W, CR_DIM, 0, msg);
        o->y++;
        return;
    }
    grid_spark(o->g, LABEL_W, o->y, sw, vals, cnt, max, CR_SPARK);
    if (tail) {
        char now[32], top[32], span[32], buf[128];
        if (bytes) {
            fmt_bytes(isnan(last) ? NUM_UNKNOWN : (int64_t)last, u, now, sizeof now);
            fmt_bytes((int64_t)max, u, top, sizeof top);
        } else {
            fmt_tps(last, u, now, sizeof now);
            fmt_tps(max, u, top, sizeof top);
        }
        fmt_duration(history_span(v->history, n->name, cnt), span, sizeof span);
        str_printf(buf, sizeof buf, "now %s  max %s  over %s", now, top, span);
        grid_text_clip(o->g, LABEL_W + sw + 2, o->y, tail - 2, CR_NORMAL, 0, buf);
    }
    o->y++;
}

static void add_bytes(struct out *o, const char *label, int64_t v, enum role role)
{
    char buf[32];
    fmt_bytes(v, o->g->utf8, buf, sizeof buf);
    kv_add(o, label, buf, role);
}

static void add_lsn(struct out *o, const char *label, lsn_t v)
{
    char buf[LSN_STRLEN];
    fmt_lsn(v, o->g->utf8, buf, sizeof buf);
    kv_add(o, label, buf, CR_NORMAL);
}

static void add_secs(struct out *o, const char *label, double v)
{
    char buf[32];
    fmt_seconds(v, o->g->utf8, buf, sizeof buf);
    kv_add(o, label, buf, CR_NORMAL);
}

static void add_int(struct out *o, const char *label, int64_t v)
{
    char buf[32];
    fmt_int(v, o->g->utf8, buf, sizeof buf);
    kv_add(o, label, buf, CR_NORMAL);
}

static const char *yes_no(int v, bool u)
{
    return v < 0 ? glyph_dash(u) : v ? "yes" : "no";
}

/* The HA manager that runs the node, when one does: repltop's actions go through it. */
static void manager_lines(struct out *o, const struct node_snap *n)
{
    const struct node_manager *m = &n->manager;
    if (m->kind == MANAGER_NONE) {
        if (num_known(n->manager_sessions) && n->manager_sessions > 0)
            add_int(o, "HA sessions", n->manager_sessions);
        return;
    }
    char buf[NAME_LEN * 2 + 64];
    manager_describe(m, buf, sizeof buf);
    kv_add(o, "run by", buf, CR_WARNING);
    if (m->member[0])
        kv_add(o, "member", m->member, CR_NORMAL);
    if (m->agent >= 0)
        kv_add(o, "its session", m->agent ? "connected" : "not seen (stopped?)",
               m->agent ? CR_NORMAL : CR_WARNING);
    add_int(o, "HA sessions", n->manager_sessions);
    kv_add_wide(o, "seen by", m->marks, CR_DIM);
}

/* Patroni's view of the node, when its REST API is configured: member, role, state, tags. */
static void patroni_lines(struct out *o, const struct snapshot *s, const struct node_snap *n)
{
    if (!s->patroni)
        return;
    const struct patroni_member *m = snapshot_patroni_member(s, n);
    if (!m) {
        kv_add(o, "Patroni", s->patroni->known ? "not a member" : "REST API not answering",
               CR_WARNING);
        return;
    }
    char buf[160];
    kv_add(o, "Patroni member", m->name, CR_NORMAL);
    str_printf(buf, sizeof buf, "%s%s", m->role, s->patroni->paused ? " (paused)" : "");
    kv_add(o, "Patroni role", buf, s->patroni->paused ? CR_WARNING : CR_NORMAL);
    kv_add(o, "Patroni state", m->state,
           strcmp(m->state, "running") == 0 || strcmp(m->state, "streaming") == 0 ? CR_NORMAL
                                                                                  : CR_WARNING);
    add_int(o, "Patroni TL", m->timeline >= 0 ? m->timeline : NUM_UNKNOWN);
    if (strcmp(m->role, "leader") != 0)
        add_bytes(o, "Patroni lag", m->lag, CR_NORMAL);
    str_printf(buf, sizeof buf, "%s%s%s%s", m->nofailover ? "nofailover " : "",
               m->nosync ? "nosync " : "", m->noloadbalance ? "noloadbalance " : "",
               m->clonefrom ? "clonefrom" : "");
    kv_add(o, "Patroni tags", buf[0] ? buf : "none", m->nofailover ? CR_WARNING : CR_NORMAL);
    if (m->pending_restart)
        kv_add(o, "pending restart", "yes (Patroni)", CR_WARNING);
}

/* The fields of a node, most useful first. */
static void fields(struct out *o, const struct snapshot *s, const struct node_snap *n)
{
    bool u = o->g->utf8;
    char buf[SETTING_LEN];
    bool standby = n->role == ROLE_STANDBY, primary = n->role == ROLE_PRIMARY;
    enum role row = node_row_role(s, n);
    kv_add(o, "state", n->state, row == CR_NORMAL ? CR_OK : row);
    /* known even when the server is down: where r, a and J would act */
    if (n->actions_via[0] && n->reach != REACH_OK)
        kv_add_wide(o, "actions via", n->actions_via, CR_NORMAL);
    if (n->reach != REACH_OK && n->seen_by[0]) { /* what the node it streams from says */
        str_printf(buf, sizeof buf, "%s (second-hand)", n->seen_by);
        kv_add(o, "seen by", buf, CR_WARNING);
        kv_add(o, "replication", n->repl_state, CR_NORMAL);
        kv_add(o, "sync state", n->sync_state, CR_NORMAL);
        add_bytes(o, "lag replay", n->lag_replay, CR_NORMAL);
        add_bytes(o, "data at risk", n->data_at_risk, CR_NORMAL);
    }
    if (n->reach != REACH_OK)
        return; /* nothing else is known first-hand; the error line above says why */
    if (!primary) {
        kv_add(o, "upstream", n->upstream, CR_NORMAL);
        kv_add(o, "sync state", n->sync_state, CR_NORMAL);
        add_bytes(o, "lag replay", n->lag_replay,
                  node_has_problem(s, n->name, "lag_crit")   ? CR_LAG_CRIT
                  : node_has_problem(s, n->name, "lag_warn") ? CR_LAG_WARN
                                                             : CR_NORMAL);
        add_secs(o, "delay replay", n->lag_replay_s);
        add_bytes(o, "data at risk", n->data_at_risk, CR_NORMAL);
        kv_add(o, "candidate", n->best_candidate ? "best for failover" : "no",
               n->best_candidate ? CR_CANDIDATE : CR_NORMAL);
        add_lsn(o, "receive LSN", n->receive_lsn);
        add_lsn(o, "replay LSN", n->replay_lsn);
        add_bytes(o, "lag sent", n->lag_sent, CR_NORMAL);
        add_bytes(o, "lag write", n->lag_write, CR_NORMAL);
        add_bytes(o, "lag flush", n->lag_flush, CR_NORMAL);
        add_secs(o, "delay write", n->lag_write_s);
        add_secs(o, "delay flush", n->lag_flush_s);
        add_secs(o, "replay age", n->replay_age);
        kv_add(o, "replay paused", yes_no(n->replay_paused, u),
               n->replay_paused == 1 ? CR_WARNING : CR_NORMAL);
        if (dbl_known(n->apply_delay_s)) /* recovery_min_apply_delay; old recordings lack it */
            add_secs(o, "apply delay", n->apply_delay_s);
        kv_add(o, "needs rewind", n->needs_rewind ? "yes" : "no",
               n->needs_rewind ? CR_CRITICAL : CR_NORMAL);
        /* only when they say something the state word does not */
        if (n->needs_resync)
            kv_add(o, "needs resync", "yes: its WAL is gone (r)", CR_CRITICAL);
        if (strcmp(n->recovery_source, "archive") == 0)
            kv_add(o, "WAL source", "archive (restore_command)", CR_NORMAL);
        if (n->primary_slot_name[0])
            kv_add(o, "slot", n->primary_slot_name, CR_NORMAL);
        kv_add(o, "application", n->application_name, CR_NORMAL);
        add_int(o, "sync priority", n->sync_priority >= 0 ? n->sync_priority : NUM_UNKNOWN);
    }
    if (!standby) {
        add_lsn(o, "current LSN", n->current_lsn);
        /* a primary's '' is known and empty, not unknown */
        kv_add_wide(o, "sync names",
                    primary && !n->synchronous_standby_names[0] ? "'' (async only)"
                                                                : n->synchronous_standby_names,
                    CR_NORMAL);
        kv_add(o, "sync commit", n->synchronous_commit, CR_NORMAL);
    }
    fmt_tps(n->tps, u, buf, sizeof buf);
    kv_add(o, "TPS", buf, CR_NORMAL);
    add_int(o, "connections", n->connections);
    manager_lines(o, n);
    patroni_lines(o, s, n);
    add_int(o, "timeline", n->timeline > 0 ? n->timeline : NUM_UNKNOWN);
    kv_add(o, "role", n->reach == REACH_OK ? role_name(n->role) : "", CR_NORMAL);
    kv_add(o, "server", n->server_version, CR_NORMAL);
    if (dbl_known(n->uptime_s))
        fmt_duration(n->uptime_s, buf, sizeof buf);
    else
        buf[0] = '\0';
    kv_add(o, "uptime", buf, CR_NORMAL);
    kv_add(o, "system id", n->system_identifier, CR_NORMAL);
    if (n->actions_via[0])
        kv_add_wide(o, "actions via", n->actions_via, CR_NORMAL);
}

static void wal_receiver(struct out *o, const struct node_snap *n)
{
    const struct wal_receiver *w = &n->wr;
    section(o, "WAL receiver");
    if (!w->present) {
        grid_text(o->g, 0, o->y++, o->w, CR_DIM, 0, "no WAL receiver runs");
        return;
    }
    char buf[160];
    kv_add(o, "status", w->status, strcmp(w->status, "streaming") == 0 ? CR_OK : CR_WARNING);
    add_int(o, "received TL", w->received_tli > 0 ? w->received_tli : NUM_UNKNOWN);
    add_lsn(o, "flushed", w->flushed_lsn);
    add_lsn(o, "latest end", w->latest_end_lsn);
    if (w->sender_host[0] && w->sender_port > 0)
        str_printf(buf, sizeof buf, "%s:%d", w->sender_host, w->sender_port);
    else
        str_copy(buf, sizeof buf, w->sender_host);
    kv_add(o, "sender", buf, CR_NORMAL);
    kv_add(o, "slot", w->slot_name, CR_NORMAL);
    add_secs(o, "last message", w->last_msg_age);
    kv_flush(o);
}

/* A small table: the header, then rows of cells, in fixed widths. */
static void table_row(struct out *o, const char *const *cells, const int *widths, int n,
                      enum role role)
{
    int x = 0;
    /* columns that do not fit whole are left out, not cut */
    for (int i = 0; i < n && (i == 0 || x + widths[i] <= o->w); i++) {
        grid_text_clip(o->g, x, o->y, widths[i] < o->w - x ? widths[i] : o->w - x, role, 0,
                       cells[i]);
        x += widths[i] + 2;
    }
    o->y++;
}

static void replication(struct out *o, const struct node_snap *n)
{
    bool u = o->g->utf8;
    if (n->nrepl == 0)
        return;
    section(o, "Standbys it serves (pg_stat_replication)");
    static const char *const head[] = {"APPLICATION", "CLIENT", "STATE",    "SYNC",        "PRIO",
                                       "SENT",        "FLUSH",  "REPLAYED", "REPLAY DELAY"};
    static const int widths[] = {16, 16, 9, 9, 4, 11, 11, 11, 12};
    table_row(o, head, widths, 9, CR_TITLE);
    for (int i = 0; i < n->nrepl; i++) {
        const struct repl_row *r = &n->repl[i];
        char client[80], prio[16], sent[LSN_STRLEN], flush[LSN_STRLEN], replay[LSN_STRLEN],
            delay[32];
        if (r->client_addr[0])
            str_printf(client, sizeof client, "%s:%d", r->client_addr, r->client_port);
        else
            str_copy(client, sizeof client, "local socket");
        fmt_int(r->sync_priority >= 0 ? r->sync_priority : NUM_UNKNOWN, u, prio, sizeof prio);
        fmt_lsn(r->sent_lsn, u, sent, sizeof sent);
        fmt_lsn(r->flush_lsn, u, flush, sizeof flush);
        fmt_lsn(r->replay_lsn, u, replay, sizeof replay);
        fmt_seconds(r->replay_lag, u, delay, sizeof delay);
        const char *cells[] = {r->application_name[0] ? r->application_name : glyph_dash(u),
                               client,
                               r->state,
                               r->sync_state[0] ? r->sync_state : glyph_dash(u),
                               prio,
                               sent,
                               flush,
                               replay,
                               delay};
        table_row(o, cells, widths, 9, strcmp(r->state, "streaming") == 0 ? CR_NORMAL : CR_WARNING);
    }
}

static void slots(struct out *o, const struct node_snap *n)
{
    bool u = o->g->utf8;
    if (n->nslots == 0)
        return;
    section(o, "Replication slots");
    static const char *const head[] = {"SLOT",       "TYPE",     "ACTIVE",  "RESTART LSN",
                                       "WAL STATUS", "RETAINED", "SAFE WAL"};
    static const int widths[] = {20, 8, 6, 12, 10, 9, 9};
    table_row(o, head, widths, 7, CR_TITLE);
    for (int i = 0; i < n->nslots; i++) {
        const struct slot_row *sl = &n->slots[i];
        char restart[LSN_STRLEN], retained[32], safe[32];
        fmt_lsn(sl->restart_lsn, u, restart, sizeof restart);
        fmt_bytes(sl->retained_bytes, u, retained, sizeof retained);
        fmt_bytes(sl->safe_wal_size, u, safe, sizeof safe);
        const char *cells[] = {sl->name,
                               sl->type[0] ? sl->type : glyph_dash(u),
                               sl->active ? "yes" : "no",
                               restart,
                               sl->wal_status[0] ? sl->wal_status : glyph_dash(u),
                               retained,
                               safe};
        table_row(o, cells, widths, 7, sl->active ? CR_NORMAL : CR_WARNING);
    }
}

/* Draws the content into an off-screen grid w wide; returns its height. */
static int content(const struct snapshot *s, const struct view *v, const struct node_snap *n,
                   struct grid *g)
{
    struct out o = {.g = g, .y = 0, .w = g->w};
    enum role row = node_row_role(s, n);
    if (n->reach != REACH_OK) {
        char line[512], ago[48] = "";
        if (n->sampled_at > 0) {
            char d[24];
            fmt_duration(s->taken_at - n->sampled_at, d, sizeof d);
            str_printf(ago, sizeof ago, " (last answer %s ago)", d);
        }
        str_printf(line, sizeof line, "%s: %s%s", reach_name(n->reach),
                   n->error[0] ? n->error : "no answer", ago);
        o.y += grid_wrap(g, 0, o.y, o.w, row == CR_NORMAL ? CR_WARNING : row, 0, line, 3);
    }
    if (n->role != ROLE_PRIMARY)
        spark_line(&o, v, n, HIST_LAG, "replay lag", true);
    spark_line(&o, v, n, HIST_TPS, "TPS", false);
    fields(&o, s, n);
    kv_flush(&o);
    if (n->role != ROLE_PRIMARY && n->reach == REACH_OK)
        wal_receiver(&o, n);
    replication(&o, n);
    slots(&o, n);
    return o.y;
}

int detail_height(const struct snapshot *s, const struct view *v, int w, bool utf8)
{
    const struct node_snap *n =
        s && v->selected >= 0 && v->selected < s->nnodes ? &s->nodes[v->selected] : NULL;
    if (!n || w <= 4)
        return 3;
    struct grid measure;
    grid_window(&measure, NULL, (struct rect){0, 0, w - 4, 0}, 0);
    measure.utf8 = utf8;
    return content(s, v, n, &measure) + 2;
}

void detail_render(const struct snapshot *s, struct view *v, struct grid *g, struct rect r)
{
    grid_fill(g, r, CR_NORMAL);
    const struct node_snap *n =
        s && v->selected >= 0 && v->selected < s->nnodes ? &s->nodes[v->selected] : NULL;
    char title[NAME_LEN + 200];
    if (n && n->target[0])
        str_printf(title, sizeof title, "Detail: %s%s%s (%s)", n->name,
                   n->best_candidate ? " " : "", n->best_candidate ? glyph_star(g->utf8) : "",
                   n->target);
    else
        str_printf(title, sizeof title, "Detail%s%s", n ? ": " : "", n ? n->name : "");
    grid_box(g, r, v->focus == PANEL_DETAIL ? CR_FOCUS : CR_BORDER, title, CR_TITLE);
    struct rect in = {r.x + 2, r.y + 1, r.w - 4, r.h - 2};
    if (in.w <= 0 || in.h <= 0)
        return;
    if (!n) {
        grid_text(g, in.x, in.y, in.w, CR_DIM, 0, "no node selected");
        return;
    }
    /* drawn straight into the panel, only the visible lines; again when scrolled past the end */
    if (v->detail_scroll < 0)
        v->detail_scroll = 0;
    struct grid win;
    grid_window(&win, g, in, v->detail_scroll);
    int lines = content(s, v, n, &win);
    if (v->detail_scroll > 0 && v->detail_scroll > lines - in.h) {
        v->detail_scroll = lines - in.h > 0 ? lines - in.h : 0;
        grid_fill(g, in, CR_NORMAL);
        grid_window(&win, g, in, v->detail_scroll);
        content(s, v, n, &win);
    }
    v->detail_lines = lines;
    v->detail_page = in.h;
    if (lines > in.h) {
        char more[48];
        str_printf(more, sizeof more, " %d/%d %s ", v->detail_scroll + in.h, lines,
                   v->focus == PANEL_DETAIL ? "" : "Tab to scroll");
        grid_text_right(g, r.x + 1, r.y + r.h - 1, r.w - 3, CR_DIM, 0, more);
    }
}

unsigned detail_key(struct view *v, const struct snapshot *s, enum key_cmd a)
{
    (void)s;
    return scroll_key(&v->detail_scroll, v->detail_lines, v->detail_page, a);
}

unsigned scroll_key(int *scroll, int lines, int page, enum key_cmd a)
{
    int old = *scroll, max = lines - page > 0 ? lines - page : 0;
    switch (a) {
    case CMD_UP:
        (*scroll)--;
        break;
    case CMD_DOWN:
        (*scroll)++;
        break;
    case CMD_PAGE_UP:
        *scroll -= page > 1 ? page - 1 : 1;
        break;
    case CMD_PAGE_DOWN:
        *scroll += page > 1 ? page - 1 : 1;
        break;
    case CMD_HOME:
        *scroll = 0;
        break;
    case CMD_END:
        *scroll = max;
        break;
    default:
        return INTENT_NONE;
    }
    if (*scroll > max)
        *scroll = max;
    if (*scroll < 0)
        *scroll = 0;
    return *scroll != old ? INTENT_REDRAW : INTENT_NONE;
}
