/* sync_dialog: the dialog of `s` — synchronous_standby_names as a method (FIRST or ANY), a
 * number and an ordered list picked from the standbys, with a live preview of the string and
 * of the state each streaming standby would get (model/syncplan), a warning when commits would
 * hang (then F must force it), and the synchronous_commit level. Enter applies it with
 * `repltop sync set SPEC`; with a config file, p also saves the list as the declared policy
 * (--save). The editor's state and what it computes are sync_editor.c. */
#include "dialog_class.h"
#include "sync_editor.h"
#include "view.h"
#include "model/watch/syncplan.h"
#include "model/base/util.h"

#include <string.h>

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
    const struct node_snap *p = s && s->primary[0] ? snapshot_find(s, s->primary) : NULL;
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
    if (d->ctx.can_run) /* a policy is stored in the config file: only with one */
        dlg_kv(&body, 8, "policy", e->save ? CR_KEY : CR_HELP,
               "%s save this list as the sync policy ([repltop] sync)", e->save ? "[x]" : "[ ]");
    if (sync_editor_blocks(e, s)) {
        struct syncnames sn;
        sync_editor_names(e, &sn);
        dlg_wrap(&body, 3, CR_CRITICAL, e->force ? ATTR_REVERSE : 0,
                 "%s commits on %s would HANG: this list waits for %d standby(s) and fewer "
                 "of them stream. %s",
                 e->force ? " FORCED:" : "WARNING:", e->primary, syncnames_required(&sn),
                 e->force ? "F turns force off " : "F forces it anyway.");
    }
    if (d->confirming) {
        dlg_line(&foot, CR_KEY, 0, "Apply '%s'%s?", spec,
                 e->save ? " and save it as the policy" : "");
        dlg_field(&foot, d);
        if (d->note[0])
            dlg_line(&foot, CR_WARNING, 0, "%s", d->note);
        dlg_line(&foot, CR_DIM, 0, "Enter apply  Esc back to the list");
        dlg_frame(g, title, e->force ? CR_CRITICAL : CR_FOCUS, &body, &foot);
        dlg_out_free(&body);
        dlg_out_free(&foot);
        return;
    }
    if (d->note[0])
        dlg_line(&foot, CR_WARNING, 0, "%s", d->note);
    dlg_line(&foot, CR_DIM, 0, "Space in/out  [ ] move  %s select  m method  +- number  c commit",
             glyph_up_down(g->utf8));
    dlg_line(&foot, CR_DIM, 0, "F force  %sEnter apply  Esc cancel",
             d->ctx.can_run ? "p save as policy  " : "");
    dlg_frame(g, title, e->force ? CR_CRITICAL : CR_FOCUS, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

static unsigned sync_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                         int key)
{
    (void)run;
    struct sync_editor *e = &d->sync;
    if (d->confirming) { /* typing yes: Esc goes back to the list */
        d->note[0] = '\0';
        if (key == K_ESC) {
            d->confirming = false;
            d->typed[0] = '\0';
            return INTENT_REDRAW;
        }
        if (key == K_ENTER) {
            unsigned r = dlg_confirm(d, NULL);
            d->confirming = !(r & INTENT_RUN); /* the running dialog follows */
            return r;
        }
        return dlg_field_key(d, key) | INTENT_REDRAW;
    }
    if (key == K_ESC || key == 'q') {
        dialog_close(d);
        return INTENT_REDRAW;
    }
    if (key == 'p' && d->ctx.can_run) {
        e->save = !e->save;
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
    if (same && strcmp(sync_commit_levels[e->commit], e->current_commit) == 0 && !e->save) {
        str_copy(d->note, sizeof d->note, "nothing changed: edit the list first (Esc leaves)");
        return INTENT_REDRAW;
    }
    if (sync_editor_blocks(e, s) && !e->force) {
        str_copy(d->note, sizeof d->note,
                 "every commit would hang with this list: F forces it, or change it");
        return INTENT_REDRAW;
    }
    /* confirmed like every action: the operator types yes (dlg_expected) */
    d->confirming = true;
    d->typed[0] = '\0';
    d->note[0] = '\0';
    return INTENT_REDRAW;
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
    argv[n++] = "--confirmed=dashboard"; /* typed there: the audit log says so */
    if (e->force)
        argv[n++] = "--force";
    if (e->save)
        argv[n++] = "--save";
    const char *level = sync_commit_levels[e->commit];
    if (strcmp(level, e->current_commit) != 0) {
        argv[n++] = "--commit";
        argv[n++] = level;
    }
    argv[n++] = "--";
    argv[n++] = "set";
    argv[n++] = d->spec;
    argv[n] = NULL;
    str_printf(title, titlen, "sync set '%s'%s", d->spec, e->save ? " (saved as the policy)" : "");
    return n;
}

const struct dialog_class sync_dialog = {
    .name = "sync list",
    .cmd = CMD_SYNC,
    .open = sync_open,
    .render = sync_render,
    .key = sync_key,
    .argv = sync_argv,
    .of_cluster = true,
};
