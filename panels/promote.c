/* promote: the dialog of `p` — the checks `repltop promote` makes, shown from the current
 * snapshot before anything runs: the candidate's state, whether another primary still accepts
 * writes (then the action refuses unless forced), how far each other standby is ahead or
 * behind, the data at risk, and the synchronous_standby_names the new primary will get: the
 * declared policy's list when there is one ([repltop] sync), else the old list rewritten. When
 * neither the old list nor a policy is known, the operator must choose (Tab) between keeping a
 * synchronous list (proposed, editable: --sync-names SPEC) and going asynchronous (--async)
 * before Enter promotes. The operator confirms by typing the node's name. */
#include "dialog_class.h"
#include "view.h"
#include "model/watch/patroni_rules.h"
#include "model/pg/syncnames.h"
#include "model/watch/syncplan.h"
#include "model/watch/syncpolicy.h"
#include "model/base/util.h"

#include <string.h>

#define LW 15 /* label column */

static bool usable(const struct node_snap *n)
{
    return n && n->reach == REACH_OK;
}

/* A reachable primary other than the candidate, NULL if none. */
static const struct node_snap *live_primary(const struct snapshot *s, const struct node_snap *c)
{
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n != c && usable(n) && n->role == ROLE_PRIMARY)
            return n;
    }
    return NULL;
}

static bool needs_choice(const struct dialog *d, const struct snapshot *s,
                         const struct node_snap *c);

/* Why Enter cannot promote now, or NULL. */
static const char *refusal(const struct dialog *d, const struct snapshot *s,
                           const struct node_snap *c, char *buf, size_t n)
{
    if (!d->ctx.can_run) {
        str_copy(buf, n, "actions need the cluster's config file: start repltop with -c FILE");
        return buf;
    }
    if (!c) {
        str_printf(buf, n, "%s is not in the snapshot", d->node);
        return buf;
    }
    if (!usable(c)) {
        str_printf(buf, n, "%s is not reachable: it cannot be promoted", c->name);
        return buf;
    }
    if (c->role == ROLE_PRIMARY) {
        str_printf(buf, n, "%s is already a primary: nothing to promote", c->name);
        return buf;
    }
    if (c->role != ROLE_STANDBY) {
        str_printf(buf, n, "%s's role is unknown: wait for the next refresh", c->name);
        return buf;
    }
    if (s->patroni) /* through Patroni: its rules, not ours, and no --force */
        return patroni_candidate_why(s, c, buf, n) ? NULL : buf;
    const struct node_snap *p = live_primary(s, c);
    if (p && !d->force) {
        str_printf(buf, n, "%s still accepts writes: the promote is refused unless ^F forces it",
                   p->name);
        return buf;
    }
    if (needs_choice(d, s, c) && d->psync == PSYNC_UNCHOSEN) {
        str_copy(buf, n,
                 "the old sync list is unknown: choose keep synchronous or go asynchronous (Tab)");
        return buf;
    }
    if (needs_choice(d, s, c) && d->psync == PSYNC_KEEP) {
        char spec[SYNCNAMES_FORMAT_MAX];
        if (!sync_editor_spec(&d->sync, spec, sizeof spec) || !spec[0]) {
            str_copy(buf, n, "keep synchronous needs at least one name in the list (^T)");
            return buf;
        }
    }
    return NULL;
}

/* The list before the promote, and where it comes from (as the action chooses it). */
static const char *old_list(const struct dialog *d, const struct snapshot *s,
                            const struct node_snap *c, char *source, size_t n)
{
    const struct node_snap *p = s && s->primary[0] ? snapshot_find(s, s->primary) : NULL;
    if (p) {
        str_printf(source, n, "now on %s", p->name);
        return p->synchronous_standby_names;
    }
    if (d->ctx.have_last) {
        str_printf(source, n, "last seen on %s", d->ctx.last_primary);
        return d->ctx.last_sync;
    }
    if (s && s->remembered_sync_names[0]) {
        str_copy(source, n, "remembered for this cluster");
        return s->remembered_sync_names;
    }
    if (c && c->synchronous_standby_names[0]) {
        str_printf(source, n, "%s's own setting", c->name);
        return c->synchronous_standby_names;
    }
    return NULL;
}

static const char *policy_of(const struct dialog *d)
{
    return d->ctx.cfg && d->ctx.cfg->sync_policy && d->ctx.cfg->sync_policy[0]
               ? d->ctx.cfg->sync_policy
               : NULL;
}

/* Whether the operator must choose the new primary's list: the old one is unknown here (no
 * primary answers, none seen, none remembered) and no policy is declared. */
static bool needs_choice(const struct dialog *d, const struct snapshot *s,
                         const struct node_snap *c)
{
    char source[NAME_LEN + 32];
    /* through Patroni (s->patroni), Patroni chooses the sync standbys itself */
    return c && !(s && s->patroni) && !policy_of(d) && !old_list(d, s, c, source, sizeof source);
}

/* The new primary's list under the declared policy; false when there is none (or it fails). */
static bool policy_list(const struct dialog *d, const struct snapshot *s, const struct node_snap *c,
                        char *out, size_t n)
{
    struct syncnames sn;
    out[0] = '\0';
    if (!policy_of(d) || !c || !syncpolicy_list(policy_of(d), d->ctx.cfg, s, c->name, &sn, NULL, 0))
        return false;
    return sn.method == SYNC_NONE || syncnames_format(&sn, out, n);
}

/* The list "keep synchronous" proposes: FIRST 1 over the other nodes in config order, each as it
 * streams (what a policy `FIRST 1` would give), into the editor of d. */
static void propose_list(struct dialog *d, const struct snapshot *s, const struct node_snap *c)
{
    struct sync_editor *e = &d->sync;
    memset(e, 0, sizeof *e);
    e->method = SYNC_FIRST;
    e->num = 1;
    struct syncnames sn;
    if (!c || !d->ctx.cfg || !syncpolicy_list("FIRST 1", d->ctx.cfg, s, c->name, &sn, NULL, 0))
        return;
    for (int i = 0; i < sn.nnames && e->nitems < SYNC_MAX_NAMES; i++) {
        str_copy(e->items[e->nitems].name, sizeof e->items[e->nitems].name, sn.names[i]);
        e->items[e->nitems++].on = true;
    }
}

/* The new primary's list as `repltop promote` computes it: the candidate replaced by the
 * remaining standbys (as they stream) and the old primary (under its config name). */
static bool new_list(const struct snapshot *s, const struct node_snap *c, const char *old,
                     const char *last_primary, char *out, size_t n)
{
    struct syncnames sn;
    if (!syncnames_parse(old, &sn, NULL, 0))
        return false;
    syncplan_after_promote(s, c, last_primary, &sn);
    out[0] = '\0';
    return sn.method == SYNC_NONE || syncnames_format(&sn, out, n);
}

static void candidate_lines(struct dlg_out *o, const struct node_snap *c)
{
    char buf[64];
    if (!usable(c)) {
        dlg_kv(o, LW, c->name, CR_CRITICAL, "not reachable (%s)",
               c->error[0] ? c->error : reach_name(c->reach));
        return;
    }
    fmt_int(c->timeline > 0 ? c->timeline : NUM_UNKNOWN, o->g->utf8, buf, sizeof buf);
    dlg_kv(o, LW, c->name, c->role == ROLE_STANDBY ? CR_STANDBY : CR_CRITICAL,
           "%s, %s, timeline %s%s%s", role_name(c->role), c->state[0] ? c->state : "?", buf,
           c->application_name[0] ? ", streams as " : "", c->application_name);
    if (c->role == ROLE_STANDBY && lsn_diff(c->receive_lsn, c->replay_lsn) > 0) {
        format_bytes(lsn_diff(c->receive_lsn, c->replay_lsn), buf, sizeof buf);
        dlg_kv(o, LW, "", CR_HELP, "%s received but not yet replayed: the promote waits for it",
               buf);
    }
}

static void primary_lines(struct dlg_out *o, const struct dialog *d, const struct snapshot *s,
                          const struct node_snap *c)
{
    const struct node_snap *p = live_primary(s, c);
    if (p && d->force) {
        dlg_kv(o, LW, "primary", CR_CRITICAL,
               "FORCED: %s still accepts writes. After this promote TWO primaries accept "
               "writes (split brain): stop %s now, then rejoin it (J)",
               p->name, p->name);
    } else if (p) {
        dlg_kv(o, LW, "primary", CR_WARNING,
               "%s is reachable and accepts writes: the promote will be REFUSED. Stop %s "
               "first (a switchover), or force it with ^F",
               p->name, p->name);
    } else {
        int down = 0;
        char names[256] = "";
        for (int i = 0; s && i < s->nnodes; i++) {
            const struct node_snap *n = &s->nodes[i];
            if (n == c || usable(n))
                continue;
            size_t len = strlen(names);
            str_printf(names + len, sizeof names - len, "%s%s", down++ ? ", " : "", n->name);
        }
        dlg_kv(o, LW, "primary", CR_OK, "none answers%s%s%s: no other node accepts writes",
               down ? " (" : "", names, down ? " down)" : "");
    }
}

static void risk_lines(struct dlg_out *o, const struct snapshot *s, const struct node_snap *c)
{
    char buf[32];
    const struct node_snap *p = live_primary(s, c);
    if (num_known(c->data_at_risk)) {
        format_bytes(c->data_at_risk, buf, sizeof buf);
        dlg_kv(o, LW, "data at risk", c->data_at_risk > 0 ? CR_WARNING : CR_OK,
               "%s (WAL %s wrote that %s has not received)", buf, p ? p->name : "the primary",
               c->name);
    } else {
        dlg_kv(o, LW, "data at risk", CR_HELP, "unknown%s: what the other standbys hold is below",
               p ? "" : " while no primary answers");
    }
    bool any = false;
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n == c || !usable(n) || n->role != ROLE_STANDBY)
            continue;
        int64_t ahead = lsn_diff(n->receive_lsn, c->receive_lsn);
        const char *label = any ? "" : "other standbys";
        any = true;
        if (!num_known(ahead)) {
            dlg_kv(o, LW, label, CR_HELP, "%s: position unknown", n->name);
            continue;
        }
        format_bytes(ahead > 0 ? ahead : -ahead, buf, sizeof buf);
        if (ahead > 0)
            dlg_kv(o, LW, label, CR_WARNING,
                   "%s is %s AHEAD of %s: that WAL is lost, and %s needs a rewind (automatic "
                   "when its datadir is local)",
                   n->name, buf, c->name, n->name);
        else if (ahead == 0)
            dlg_kv(o, LW, label, CR_OK, "%s is at the same position as %s: it will follow it",
                   n->name, c->name);
        else
            dlg_kv(o, LW, label, CR_OK, "%s is %s behind %s: it will follow it", n->name, buf,
                   c->name);
    }
    if (!any)
        dlg_kv(o, LW, "other standbys", CR_HELP, "none answers");
}

/* The choice between keeping a synchronous list and going asynchronous, when it is needed. */
static void choice_lines(struct dlg_out *o, const struct dialog *d)
{
    bool u = o->g->utf8;
    char spec[SYNCNAMES_FORMAT_MAX];
    if (!sync_editor_spec(&d->sync, spec, sizeof spec))
        str_copy(spec, sizeof spec, "?");
    dlg_kv(o, LW, "choose (Tab)", d->psync == PSYNC_KEEP ? CR_KEY : CR_HELP,
           "%s keep synchronous: '%s'", d->psync == PSYNC_KEEP ? "(*)" : "( )", spec);
    if (d->psync == PSYNC_KEEP) {
        const struct sync_editor *e = &d->sync;
        char mark[16];
        for (int i = 0; i < e->nitems; i++) {
            str_printf(mark, sizeof mark, "%*s%s", LW - 3, "",
                       i == e->cursor ? glyph_pointer(u) : "");
            dlg_kv(o, LW, mark, i == e->cursor ? CR_SELECTED : CR_HELP, "%s %s",
                   e->items[i].on ? "[x]" : "[ ]", e->items[i].name);
        }
        dlg_kv(o, LW, "", CR_DIM, "%s select  ^T in/out  PgUp PgDn order", glyph_up_down(u));
    }
    dlg_kv(o, LW, "", d->psync == PSYNC_ASYNC ? CR_WARNING : CR_HELP,
           "%s go asynchronous: commits will be acknowledged without any standby",
           d->psync == PSYNC_ASYNC ? "(*)" : "( )");
}

static void sync_lines(struct dlg_out *o, const struct dialog *d, const struct snapshot *s,
                       const struct node_snap *c)
{
    char source[NAME_LEN + 32], next[SYNCNAMES_FORMAT_MAX];
    const char *old = old_list(d, s, c, source, sizeof source);
    if (old)
        dlg_kv(o, LW, "sync list", CR_HELP, "'%s' (%s)", old, source);
    if (policy_of(d)) {
        if (policy_list(d, s, c, next, sizeof next))
            dlg_kv(o, LW, old ? "" : "sync list", next[0] ? CR_HELP : CR_WARNING,
                   "the new primary's list will follow the policy: '%s'%s", next,
                   next[0] ? "" : " (no synchronous standby)");
        else
            dlg_kv(o, LW, old ? "" : "sync list", CR_WARNING,
                   "the policy gives no list here: the action says why");
        dlg_kv(o, LW, "", CR_DIM, "([repltop] sync = %s)", policy_of(d));
        return;
    }
    if (!old) {
        dlg_kv(o, LW, "sync list", CR_WARNING,
               "UNKNOWN: no primary answers, none was seen or remembered, no policy is declared");
        choice_lines(o, d);
        return;
    }
    if (new_list(s, c, old, d->ctx.last_primary[0] ? d->ctx.last_primary : NULL, next, sizeof next))
        dlg_kv(o, LW, "", CR_HELP, "rewritten on %s to '%s'%s", c->name, next,
               next[0] ? "" : " (no synchronous standby)");
    else
        dlg_kv(o, LW, "", CR_HELP, "rewritten on %s without itself", c->name);
}

static void promote_render(const struct dialog *d, const struct snapshot *s,
                           const struct run_state *run, double now, struct grid *g)
{
    (void)run;
    (void)now;
    const struct node_snap *c = s ? snapshot_find(s, d->node) : NULL;
    struct dlg_out body, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&body, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    if (c && c->role == ROLE_PRIMARY) {
        candidate_lines(&body, c);
    } else if (c && s->patroni) {
        candidate_lines(&body, c);
        dlg_kv(&body, LW, "through", CR_WARNING,
               "Patroni runs the cluster: POST /failover {\"candidate\": \"%s\"} to its REST "
               "API; Patroni promotes it, chooses the sync standby and re-points the others",
               c->patroni_member[0] ? c->patroni_member : c->name);
        risk_lines(&body, s, c);
        dlg_kv(&body, LW, "then", CR_HELP,
               "repltop waits until Patroni and PostgreSQL agree: leader, timeline, sync "
               "standby, every member streaming");
    } else if (c) {
        candidate_lines(&body, c);
        primary_lines(&body, d, s, c);
        risk_lines(&body, s, c);
        sync_lines(&body, d, s, c);
        dlg_kv(&body, LW, "then", CR_HELP,
               "the other standbys follow %s on its new timeline; an old primary comes back "
               "with J (rejoin)",
               c->name);
    } else {
        dlg_line(&body, CR_CRITICAL, 0, "%s is not in the snapshot", d->node);
    }
    char why[320];
    const char *no = refusal(d, s, c, why, sizeof why);
    if (d->force)
        dlg_line(&foot, CR_CRITICAL, ATTR_REVERSE, " FORCED: --force is on (^F turns it off) ");
    if (!no || (c && usable(c) && c->role == ROLE_STANDBY))
        dlg_field(&foot, d);
    if (d->note[0])
        dlg_line(&foot, CR_WARNING, 0, "%s", d->note);
    else if (no)
        dlg_line(&foot, CR_WARNING, 0, "%s", no);
    dlg_line(&foot, CR_DIM, 0, "Enter promote   ^F %s   Esc cancel",
             d->force ? "unforce" : "force");
    char title[NAME_LEN + 32];
    str_printf(title, sizeof title, "Promote %s", d->node);
    dlg_frame(g, title, d->force ? CR_CRITICAL : CR_FOCUS, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

/* The keys of the choice: Tab picks keep / async, and with keep ↑↓ select a name, ^T puts it
 * in or out, PgUp/PgDn move it. K_NONE when the key was taken, else the key. */
static int choice_key(struct dialog *d, int key)
{
    struct sync_editor *e = &d->sync;
    switch (key) {
    case K_TAB:
        d->psync = d->psync == PSYNC_KEEP ? PSYNC_ASYNC : PSYNC_KEEP;
        return K_NONE;
    case K_BTAB:
        d->psync = d->psync == PSYNC_ASYNC ? PSYNC_KEEP : PSYNC_ASYNC;
        return K_NONE;
    case K_UP:
    case K_DOWN:
    case K_CTRL_T:
    case K_PGUP:
    case K_PGDN:
        if (d->psync == PSYNC_KEEP)
            sync_editor_key(e, key == K_CTRL_T ? ' '
                               : key == K_PGUP ? '['
                               : key == K_PGDN ? ']'
                                               : key);
        return K_NONE;
    default:
        return key;
    }
}

static void promote_open(struct dialog *d, const struct snapshot *s)
{
    d->psync = PSYNC_UNCHOSEN;
    propose_list(d, s, s ? snapshot_find(s, d->node) : NULL);
}

static unsigned promote_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                            int key)
{
    (void)run;
    const struct node_snap *c = s ? snapshot_find(s, d->node) : NULL;
    if (key == K_ESC) {
        dialog_close(d);
        return INTENT_REDRAW;
    }
    if (key == K_CTRL_F) {
        d->force = !d->force;
        return INTENT_REDRAW;
    }
    if (needs_choice(d, s, c) && (key = choice_key(d, key)) == K_NONE)
        return INTENT_REDRAW;
    if (key == K_ENTER) {
        char why[320];
        if (!needs_choice(d, s, c)) /* a primary or a policy turned up meanwhile */
            d->psync = PSYNC_UNCHOSEN;
        unsigned r = dlg_confirm(d, refusal(d, s, c, why, sizeof why));
        if ((r & INTENT_RUN) && needs_choice(d, s, c) && d->psync == PSYNC_KEEP)
            sync_editor_spec(&d->sync, d->spec, sizeof d->spec);
        return r;
    }
    return dlg_field_key(d, key) | INTENT_REDRAW;
}

static int promote_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    int n = 0;
    argv[n++] = "promote";
    argv[n++] = "--confirmed=dashboard"; /* typed there: the audit log says so */
    if (d->force)
        argv[n++] = "--force";
    if (d->psync == PSYNC_KEEP && d->spec[0]) { /* chosen: the old list was unknown */
        argv[n++] = "--sync-names";
        argv[n++] = d->spec;
    } else if (d->psync == PSYNC_ASYNC) {
        argv[n++] = "--async";
    } else if (d->ctx.have_last && !policy_of(d)) {
        argv[n++] = "--previous-sync";
        argv[n++] = d->ctx.last_sync;
    }
    argv[n++] = "--";
    argv[n++] = d->node;
    argv[n] = NULL;
    str_printf(title, titlen, "promote %s%s%s", d->node, d->force ? " (forced)" : "",
               d->psync == PSYNC_ASYNC ? " (asynchronous)" : "");
    return n;
}

const struct dialog_class promote_dialog = {
    .name = "promote",
    .cmd = CMD_PROMOTE,
    .open = promote_open,
    .render = promote_render,
    .key = promote_key,
    .argv = promote_argv,
};
