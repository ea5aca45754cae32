/* switchover: the dialog of `S` — a planned switchover to the selected standby, as
 * `repltop switchover NODE` makes it, shown from the current snapshot before anything runs: the
 * current primary, the candidate and how far behind it is, the sync list before and after
 * (model/watch/switchover_check.h, what the action uses too), and the steps. The operator
 * confirms by typing the node's name; the action then stops the primary, so refusals that the
 * action would make are shown here first. A candidate that is already the primary, or a cluster
 * where no primary answers, is left to the action: it finishes an interrupted switchover or
 * says why it cannot. */
#include "dialog_class.h"
#include "view.h"
#include "model/pg/syncnames.h"
#include "model/watch/switchover_check.h"
#include "model/base/util.h"

#include <string.h>

#define LW 15 /* label column */

static bool usable(const struct node_snap *n)
{
    return n && n->reach == REACH_OK;
}

/* The one reachable primary other than c, NULL if none (or several). */
static const struct node_snap *live_primary(const struct snapshot *s, const struct node_snap *c)
{
    const struct node_snap *found = NULL;
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n != c && usable(n) && n->role == ROLE_PRIMARY) {
            if (found)
                return NULL;
            found = n;
        }
    }
    return found;
}

/* The primary's data directory is on this host (the action stops and starts it). */
static bool is_local(const struct dialog *d, const char *name)
{
    for (int i = 0; i < d->ctx.nlocal; i++)
        if (strcmp(d->ctx.local[i].name, name) == 0)
            return d->ctx.local[i].datadir[0] != '\0';
    return false;
}

static const char *policy_of(const struct dialog *d)
{
    return d->ctx.cfg && d->ctx.cfg->sync_policy && d->ctx.cfg->sync_policy[0]
               ? d->ctx.cfg->sync_policy
               : NULL;
}

/* Why Enter cannot switch over now, or NULL. */
static const char *refusal(const struct dialog *d, const struct snapshot *s,
                           const struct node_snap *c, char *buf, size_t n)
{
    const struct node_snap *p = live_primary(s, c);
    int64_t behind;
    if (!d->ctx.can_run)
        str_copy(buf, n, "actions need the cluster's config file: start repltop with -c FILE");
    else if (!c)
        str_printf(buf, n, "%s is not in the snapshot", d->node);
    else if (!usable(c))
        str_printf(buf, n, "%s is not reachable: it cannot take over", c->name);
    else if (!p)
        return NULL; /* finishing an interrupted switchover: the action judges */
    else if (!is_local(d, p->name))
        str_printf(buf, n,
                   "%s has no datadir in the config: the switchover stops and restarts it, so "
                   "its data directory must be on this host",
                   p->name);
    else if (!switchover_candidate_ok(c, p, SWITCHOVER_MAX_LAG_DEFAULT, &behind, buf, n))
        return buf;
    else
        return NULL;
    return buf;
}

static void node_lines(struct dlg_out *o, const struct snapshot *s, const struct node_snap *c)
{
    const struct node_snap *p = live_primary(s, c);
    char tl[32], b[32], m[32];
    if (p) {
        fmt_int(p->timeline > 0 ? p->timeline : NUM_UNKNOWN, o->g->utf8, tl, sizeof tl);
        dlg_kv(o, LW, "primary", CR_PRIMARY,
               "%s, timeline %s: it will be stopped cleanly and "
               "come back as a standby of %s",
               p->name, tl, c->name);
    } else if (c->role == ROLE_PRIMARY) {
        dlg_kv(o, LW, "primary", CR_WARNING,
               "%s already is: Enter finishes an interrupted switchover (the old primary back "
               "as a standby, the others re-pointed)",
               c->name);
    } else {
        dlg_kv(o, LW, "primary", CR_WARNING,
               "none answers: Enter goes on from an old primary an earlier switchover stopped "
               "cleanly, or the action refuses (after a failure: promote, p)");
    }
    fmt_int(c->timeline > 0 ? c->timeline : NUM_UNKNOWN, o->g->utf8, tl, sizeof tl);
    dlg_kv(o, LW, "candidate", c->role == ROLE_STANDBY ? CR_STANDBY : CR_WARNING,
           "%s, %s, %s, timeline %s%s%s", c->name, role_name(c->role), c->state[0] ? c->state : "?",
           tl, c->application_name[0] ? ", streams as " : "", c->application_name);
    if (!p)
        return;
    int64_t behind;
    char why[400];
    bool ok = switchover_candidate_ok(c, p, SWITCHOVER_MAX_LAG_DEFAULT, &behind, why, sizeof why);
    format_bytes(SWITCHOVER_MAX_LAG_DEFAULT, m, sizeof m);
    if (num_known(behind)) {
        format_bytes(behind > 0 ? behind : 0, b, sizeof b);
        dlg_kv(o, LW, "behind", ok ? CR_OK : CR_WARNING, "%s of %s's WAL not received (limit %s)",
               b, p->name, m);
    } else {
        dlg_kv(o, LW, "behind", CR_WARNING, "unknown (limit %s)", m);
    }
}

static void sync_lines(struct dlg_out *o, const struct dialog *d, const struct snapshot *s,
                       const struct node_snap *c)
{
    const struct node_snap *p = live_primary(s, c);
    if (!p) {
        dlg_kv(o, LW, "sync list", CR_HELP, "the action works it out and says it");
        return;
    }
    struct syncnames sn;
    char next[SYNCNAMES_FORMAT_MAX] = "";
    dlg_kv(o, LW, "sync list", CR_HELP, "before: '%s' (on %s)", p->synchronous_standby_names,
           p->name);
    bool ok = switchover_list(policy_of(d), d->ctx.cfg, s, c, p->synchronous_standby_names, p->name,
                              &sn, NULL, 0) &&
              (sn.method == SYNC_NONE || syncnames_format(&sn, next, sizeof next));
    if (!ok)
        dlg_kv(o, LW, "", CR_WARNING, "after: cannot be worked out here (the action says why)");
    else
        dlg_kv(o, LW, "", CR_HELP, "after:  '%s' on %s%s", next, c->name,
               policy_of(d) ? " (the declared policy)"
               : next[0]    ? ""
                            : " (asynchronous, as before)");
}

static void step_lines(struct dlg_out *o, const struct snapshot *s, const struct node_snap *c)
{
    const struct node_snap *p = live_primary(s, c);
    const char *old = p ? p->name : "the old primary";
    dlg_kv(o, LW, "steps", CR_HELP, "1 stop %s cleanly (it sends all its WAL to %s)", old, c->name);
    dlg_kv(o, LW, "", CR_HELP,
           "2 check %s has %s's shutdown checkpoint; else %s restarts as primary: nothing "
           "changed",
           c->name, old, old);
    dlg_kv(o, LW, "", CR_HELP, "3 set %s's sync list, promote it (from here a re-run finishes)",
           c->name);
    dlg_kv(o, LW, "", CR_HELP, "4 start %s as a standby of %s (no pg_rewind)", old, c->name);
    dlg_kv(o, LW, "", CR_HELP, "5 re-point the other standbys, wait until each streams");
}

static void switchover_render(const struct dialog *d, const struct snapshot *s,
                              const struct run_state *run, double now, struct grid *g)
{
    (void)run;
    (void)now;
    const struct node_snap *c = s ? snapshot_find(s, d->node) : NULL;
    struct dlg_out body, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&body, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    if (c && usable(c)) {
        node_lines(&body, s, c);
        sync_lines(&body, d, s, c);
        step_lines(&body, s, c);
    } else {
        dlg_line(&body, CR_CRITICAL, 0, "%s is %s", d->node,
                 c ? "not reachable" : "not in the snapshot");
    }
    char why[600];
    dlg_confirm_lines(&foot, d, refusal(d, s, c, why, sizeof why), 3);
    dlg_line(&foot, CR_DIM, 0, "Enter switch over   Esc cancel");
    char title[NAME_LEN + 32];
    str_printf(title, sizeof title, "Switchover to %s", d->node);
    dlg_frame(g, title, CR_FOCUS, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

static unsigned switchover_key(struct dialog *d, const struct snapshot *s,
                               const struct run_state *run, int key)
{
    (void)run;
    char why[600];
    const struct node_snap *c = s ? snapshot_find(s, d->node) : NULL;
    return dlg_node_key(d, key, key == K_ENTER ? refusal(d, s, c, why, sizeof why) : NULL);
}

static int switchover_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    return dlg_node_argv("switchover", d, argv, title, titlen);
}

const struct dialog_class switchover_dialog = {
    .name = "switchover",
    .cmd = CMD_SWITCHOVER,
    .render = switchover_render,
    .key = switchover_key,
    .argv = switchover_argv,
};
