/* sync_editor: the dialog of `s` — synchronous_standby_names as a method (FIRST or ANY), a
 * number and an ordered list picked from the standbys, with a live preview of the string and
 * of the state each streaming standby would get (model/syncplan), a warning when commits would
 * hang (then F must force it), and the synchronous_commit level. Enter applies it with
 * `repltop sync set SPEC`. */
#include "dialog_class.h"
#include "sync_editor.h"
#include "view.h"
#include "model/watch/syncplan.h"
#include "model/base/util.h"

#include <string.h>

const char *const sync_commit_levels[] = {"on", "remote_apply", "remote_write", "local", "off"};
const int sync_ncommit_levels = (int)(sizeof sync_commit_levels / sizeof sync_commit_levels[0]);

static const struct node_snap *primary_of(const struct snapshot *s)
{
    return s && s->primary[0] ? snapshot_find(s, s->primary) : NULL;
}

static int find_item(const struct sync_editor *e, const char *name)
{
    for (int i = 0; i < e->nitems; i++)
        if (str_eq_nocase(e->items[i].name, name))
            return i;
    return -1;
}

static void add_item(struct sync_editor *e, const char *name, bool on)
{
    if (!name[0] || e->nitems >= SYNC_MAX_NAMES || find_item(e, name) >= 0)
        return;
    struct sync_item *it = &e->items[e->nitems++];
    str_copy(it->name, sizeof it->name, name);
    it->on = on;
}

void sync_editor_init(struct sync_editor *e, const struct snapshot *s)
{
    memset(e, 0, sizeof *e);
    e->method = SYNC_FIRST;
    e->num = 1;
    const struct node_snap *p = primary_of(s);
    if (!p)
        return;
    e->have_primary = true;
    str_copy(e->primary, sizeof e->primary, p->name);
    str_copy(e->current, sizeof e->current, p->synchronous_standby_names);
    str_copy(e->current_commit, sizeof e->current_commit, p->synchronous_commit);
    for (int i = 0; i < sync_ncommit_levels; i++)
        if (strcmp(sync_commit_levels[i], p->synchronous_commit) == 0)
            e->commit = i;
    struct syncnames sn;
    if (syncnames_parse(p->synchronous_standby_names, &sn, NULL, 0) && sn.method != SYNC_NONE) {
        e->method = sn.method;
        e->num = sn.num;
        for (int i = 0; i < sn.nnames; i++)
            add_item(e, sn.names[i], true);
    }
    /* then every standby that could be listed: the walsenders, and the standbys we know */
    for (int i = 0; i < p->nrepl; i++)
        if (strcmp(p->repl[i].state, "backup") != 0)
            add_item(e, p->repl[i].application_name, false);
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->reach == REACH_OK && n->role == ROLE_STANDBY)
            add_item(e, n->application_name, false);
    }
}

void sync_editor_names(const struct sync_editor *e, struct syncnames *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < e->nitems; i++)
        if (e->items[i].on)
            str_copy(out->names[out->nnames++], SYNC_NAME_LEN, e->items[i].name);
    out->method = out->nnames ? e->method : SYNC_NONE;
    out->num = out->nnames ? e->num : 0;
    out->explicit_method = true;
}

bool sync_editor_spec(const struct sync_editor *e, char *buf, size_t n)
{
    struct syncnames sn;
    sync_editor_names(e, &sn);
    buf[0] = '\0';
    return sn.method == SYNC_NONE || syncnames_format(&sn, buf, n);
}

/* The application_names of the primary's streaming walsenders (PostgreSQL counts those). */
static int streaming(const struct snapshot *s, const char **names, int max)
{
    const struct node_snap *p = primary_of(s);
    int n = 0;
    for (int i = 0; p && i < p->nrepl && n < max; i++)
        if (strcmp(p->repl[i].state, "streaming") == 0)
            names[n++] = p->repl[i].application_name;
    return n;
}

bool sync_editor_blocks(const struct sync_editor *e, const struct snapshot *s)
{
    const char *level = sync_commit_levels[e->commit];
    if (strcmp(level, "off") == 0 || strcmp(level, "local") == 0)
        return false; /* commits do not wait for standbys at all */
    struct syncnames sn;
    sync_editor_names(e, &sn);
    const char *names[64];
    int n = streaming(s, names, 64);
    return syncnames_would_block(&sn, names, n);
}

const char *sync_editor_after(const struct sync_editor *e, const struct snapshot *s, int item)
{
    if (strcmp(e->items[item].name, "*") == 0)
        return "";
    struct syncnames sn;
    sync_editor_names(e, &sn);
    const char *names[64], *states[64];
    int n = streaming(s, names, 64);
    syncplan_states(&sn, names, n, states);
    for (int i = 0; i < n; i++)
        if (str_eq_nocase(names[i], e->items[item].name))
            return states[i];
    return "not streaming";
}

static int count_on(const struct sync_editor *e)
{
    int n = 0;
    for (int i = 0; i < e->nitems; i++)
        n += e->items[i].on;
    return n;
}

static void swap(struct sync_editor *e, int a, int b)
{
    struct sync_item t = e->items[a];
    e->items[a] = e->items[b];
    e->items[b] = t;
}

unsigned sync_editor_key(struct sync_editor *e, int key)
{
    int c = e->cursor;
    switch (key) {
    case K_UP:
    case 'k':
        e->cursor = c > 0 ? c - 1 : 0;
        break;
    case K_DOWN:
    case 'j':
        e->cursor = c + 1 < e->nitems ? c + 1 : c;
        break;
    case ' ':
    case 'x':
        if (c < e->nitems)
            e->items[c].on = !e->items[c].on;
        break;
    case '[':
    case 'K':
        if (c > 0 && c < e->nitems) {
            swap(e, c, c - 1);
            e->cursor = c - 1;
        }
        break;
    case ']':
    case 'J':
        if (c + 1 < e->nitems) {
            swap(e, c, c + 1);
            e->cursor = c + 1;
        }
        break;
    case 'm':
        e->method = e->method == SYNC_ANY ? SYNC_FIRST : SYNC_ANY;
        break;
    case '+':
    case '=': {
        int max = count_on(e);
        if (e->num < (max > 1 ? max : 1))
            e->num++;
        break;
    }
    case '-':
        if (e->num > 1)
            e->num--;
        break;
    case 'c':
        e->commit = (e->commit + 1) % sync_ncommit_levels;
        break;
    case 'F':
    case K_CTRL_F:
        e->force = !e->force;
        break;
    default:
        return INTENT_NONE;
    }
    return INTENT_REDRAW;
}

/* The node that streams as this application_name, "" if none. */
static const char *node_of(const struct snapshot *s, const char *app)
{
    for (int i = 0; s && i < s->nnodes; i++)
        if (s->nodes[i].role == ROLE_STANDBY && str_eq_nocase(s->nodes[i].application_name, app))
            return s->nodes[i].name;
    return "";
}

/* What pg_stat_replication says of this name now, "" if it has no walsender. */
static const char *state_now(const struct snapshot *s, const char *app)
{
    const struct node_snap *p = primary_of(s);
    for (int i = 0; p && i < p->nrepl; i++)
        if (str_eq_nocase(p->repl[i].application_name, app))
            return p->repl[i].sync_state;
    return "";
}

static enum role state_role(const char *st)
{
    if (strcmp(st, "sync") == 0 || strcmp(st, "quorum") == 0)
        return CR_OK;
    if (strcmp(st, "potential") == 0)
        return CR_STANDBY;
    if (strcmp(st, "not streaming") == 0)
        return CR_WARNING;
    return CR_HELP;
}

/* Columns of the list: marker, [x], position, name, node, now, arrow, after. */
enum { X_BOX = 2, X_POS = 6, X_NAME = 10, X_NODE = 30, X_NOW = 42, X_ARROW = 53, X_AFTER = 56 };

static void item_lines(struct dlg_out *o, const struct sync_editor *e, const struct snapshot *s)
{
    bool u = o->g->utf8;
    struct grid *g = o->g;
    int w = g->w;
    grid_text(g, X_POS, o->y, w - X_POS, CR_DIM, 0, "#");
    grid_text(g, X_NAME, o->y, w - X_NAME, CR_DIM, 0, "application_name");
    if (w > X_AFTER) {
        grid_text(g, X_NODE, o->y, w - X_NODE, CR_DIM, 0, "node");
        grid_text(g, X_NOW, o->y, w - X_NOW, CR_DIM, 0, "now");
        grid_text(g, X_AFTER, o->y, w - X_AFTER, CR_DIM, 0, "after");
    }
    o->y++;
    int prio = 0;
    for (int i = 0; i < e->nitems && o->y < g->h; i++) {
        const struct sync_item *it = &e->items[i];
        char pos[8] = "";
        if (it->on)
            str_printf(pos, sizeof pos, "%d", ++prio);
        int y = o->y;
        grid_text(g, 0, y, 1, CR_HELP, 0, i == e->cursor ? glyph_pointer(u) : " ");
        grid_text(g, X_BOX, y, 3, it->on ? CR_KEY : CR_HELP, 0, it->on ? "[x]" : "[ ]");
        if (e->method == SYNC_FIRST)
            grid_text(g, X_POS, y, 3, CR_HELP, 0, pos);
        grid_text_clip(g, X_NAME, y, X_NODE - X_NAME - 1, CR_HELP, 0, it->name);
        if (w > X_AFTER) {
            const char *now = state_now(s, it->name);
            const char *after = sync_editor_after(e, s, i);
            grid_text_clip(g, X_NODE, y, X_NOW - X_NODE - 1, CR_HELP, 0, node_of(s, it->name));
            grid_text(g, X_NOW, y, X_ARROW - X_NOW - 1, state_role(now), 0,
                      now[0] ? now : glyph_dash(u));
            grid_text(g, X_ARROW, y, 2, CR_DIM, 0, glyph_arrow(u));
            grid_text_clip(g, X_AFTER, y, w - X_AFTER, state_role(after), 0,
                           after[0] ? after : glyph_dash(u));
        }
        if (i == e->cursor)
            grid_paint(g, (struct rect){0, y, w, 1}, CR_SELECTED, 0);
        o->y++;
    }
    if (e->nitems == 0)
        dlg_line(o, CR_WARNING, 0, "  no standby is known: nothing to list");
}

static void sync_render(const struct dialog *d, const struct snapshot *s,
                        const struct run_state *run, double now, struct grid *g)
{
    (void)run;
    (void)now;
    const struct sync_editor *e = &d->sync;
    struct dlg_out body, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&body, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    char title[NAME_LEN + 48];
    if (!e->have_primary) {
        str_copy(title, sizeof title, "Synchronous standbys");
        dlg_wrap(&body, 3, CR_WARNING, 0,
                 "No single reachable primary: synchronous_standby_names can only be changed "
                 "on the primary. Promote a standby first (p).");
        dlg_line(&foot, CR_DIM, 0, "Esc close");
        dlg_frame(g, title, CR_FOCUS, &body, &foot);
        dlg_out_free(&body);
        dlg_out_free(&foot);
        return;
    }
    str_printf(title, sizeof title, "Synchronous standbys of %s", e->primary);
    int y = body.y;
    int x = grid_text(body.g, 0, y, w, CR_DIM, 0, "method ");
    x += grid_text(body.g, x, y, w - x, CR_KEY, 0, e->method == SYNC_ANY ? "ANY  " : "FIRST");
    x += grid_textf(body.g, x, y, w - x, CR_DIM, 0, " (m)   number ");
    x += grid_textf(body.g, x, y, w - x, CR_KEY, 0, "%d", e->num);
    x += grid_text(body.g, x, y, w - x, CR_DIM, 0, " (+ -)   synchronous_commit ");
    x += grid_text(body.g, x, y, w - x, CR_KEY, 0, sync_commit_levels[e->commit]);
    grid_text(body.g, x, y, w - x, CR_DIM, 0, " (c)");
    body.y++;
    dlg_line(&body, CR_DIM, 0, "%s",
             e->method == SYNC_ANY
                 ? "ANY n: a commit waits for any n of the listed standbys (quorum)"
                 : "FIRST n: a commit waits for the first n listed standbys that stream");
    dlg_blank(&body);
    item_lines(&body, e, s);
    dlg_blank(&body);

    char spec[SYNCNAMES_FORMAT_MAX];
    bool ok = sync_editor_spec(e, spec, sizeof spec);
    dlg_kv(&body, 8, "now", CR_HELP, "'%s'  synchronous_commit = %s", e->current,
           e->current_commit[0] ? e->current_commit : "?");
    if (!ok)
        dlg_kv(&body, 8, "after", CR_CRITICAL, "(not a valid setting)");
    else
        dlg_kv(&body, 8, "after", CR_KEY, "'%s'%s  synchronous_commit = %s", spec,
               spec[0] ? "" : " (no synchronous standby)", sync_commit_levels[e->commit]);
    if (sync_editor_blocks(e, s)) {
        struct syncnames sn;
        sync_editor_names(e, &sn);
        dlg_wrap(&body, 3, CR_CRITICAL, e->force ? ATTR_REVERSE : 0,
                 "%s commits on %s would HANG: this list waits for %d standby(s) and fewer "
                 "of them stream. %s",
                 e->force ? " FORCED:" : "WARNING:", e->primary, syncnames_required(&sn),
                 e->force ? "F turns force off " : "F forces it anyway.");
    }
    if (d->note[0])
        dlg_line(&foot, CR_WARNING, 0, "%s", d->note);
    dlg_line(&foot, CR_DIM, 0, "Space in/out  [ ] move  %s select  m method  +- number  c commit",
             glyph_up_down(g->utf8));
    dlg_line(&foot, CR_DIM, 0, "F force  Enter apply  Esc cancel");
    dlg_frame(g, title, e->force ? CR_CRITICAL : CR_FOCUS, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

static unsigned sync_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                         int key)
{
    (void)run;
    struct sync_editor *e = &d->sync;
    if (key == K_ESC || key == 'q') {
        dialog_close(d);
        return INTENT_REDRAW;
    }
    if (key != K_ENTER)
        return sync_editor_key(e, key) | INTENT_REDRAW;
    if (!d->ctx.can_run) {
        str_copy(d->note, sizeof d->note,
                 "actions need the cluster's config file: start repltop with -c FILE");
        return INTENT_REDRAW;
    }
    if (!e->have_primary)
        return INTENT_REDRAW;
    if (!sync_editor_spec(e, d->spec, sizeof d->spec)) {
        str_copy(d->note, sizeof d->note, "this is not a setting PostgreSQL accepts");
        return INTENT_REDRAW;
    }
    struct syncnames now, next;
    sync_editor_names(e, &next);
    bool same = syncnames_parse(e->current, &now, NULL, 0) && syncnames_equal(&now, &next);
    if (same && strcmp(sync_commit_levels[e->commit], e->current_commit) == 0) {
        str_copy(d->note, sizeof d->note, "nothing changed: edit the list first (Esc leaves)");
        return INTENT_REDRAW;
    }
    if (sync_editor_blocks(e, s) && !e->force) {
        str_copy(d->note, sizeof d->note,
                 "every commit would hang with this list: F forces it, or change it");
        return INTENT_REDRAW;
    }
    return INTENT_RUN;
}

static void sync_open(struct dialog *d, const struct snapshot *s)
{
    sync_editor_init(&d->sync, s);
}

static int sync_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    const struct sync_editor *e = &d->sync;
    int n = 0;
    argv[n++] = "sync";
    argv[n++] = "--yes";
    if (e->force)
        argv[n++] = "--force";
    const char *level = sync_commit_levels[e->commit];
    if (strcmp(level, e->current_commit) != 0) {
        argv[n++] = "--commit";
        argv[n++] = level;
    }
    argv[n++] = "--";
    argv[n++] = "set";
    argv[n++] = d->spec;
    argv[n] = NULL;
    str_printf(title, titlen, "sync set '%s'", d->spec);
    return n;
}

const struct dialog_class sync_dialog = {
    .name = "sync list",
    .open = sync_open,
    .render = sync_render,
    .key = sync_key,
    .argv = sync_argv,
    .of_cluster = true,
};
