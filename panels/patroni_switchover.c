/* patroni_switchover: the dialog of `S` where Patroni runs the cluster and its REST API is
 * known — a switchover to the selected member, as Patroni makes it (POST /switchover, through
 * `repltop switchover NODE`, model/ops/action_patroni.h). Patroni stops the leader, promotes
 * the candidate and re-points the others; its rules decide who may take over (its sync
 * standby, no nofailover tag, within maximum_lag_on_failover), checked here first. */
#include "dialog_class.h"
#include "view.h"
#include "model/watch/patroni_rules.h"
#include "model/base/util.h"

#include <string.h>

#define LW 15

/* Why Enter cannot switch over now, or NULL. */
static const char *refusal(const struct dialog *d, const struct snapshot *s,
                           const struct node_snap *c, char *buf, size_t n)
{
    if (!d->ctx.can_run)
        str_copy(buf, n, "actions need the cluster's config file: start repltop with -c FILE");
    else if (!c)
        str_printf(buf, n, "%s is not in the snapshot", d->node);
    else if (patroni_candidate_why(s, c, buf, n))
        return NULL; /* Patroni would take it */
    return buf;
}

static void patroni_switchover_render(const struct dialog *d, const struct snapshot *s,
                                      const struct run_state *run, double now, struct grid *g)
{
    (void)run;
    (void)now;
    const struct node_snap *c = snapshot_find(s, d->node);
    const struct patroni_member *l = patroni_leader(s->patroni);
    struct dlg_out body, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&body, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    dlg_kv(&body, LW, "leader", CR_NORMAL, "%s (Patroni)", l ? l->name : "none");
    dlg_kv(&body, LW, "candidate", CR_KEY, "%s",
           c && c->patroni_member[0] ? c->patroni_member : d->node);
    if (c && num_known(c->data_at_risk))
        dlg_kv(&body, LW, "behind", CR_NORMAL, "%lld bytes of WAL not yet received",
               (long long)c->data_at_risk);
    dlg_kv(&body, LW, "through", CR_WARNING,
           "Patroni runs the cluster: POST /switchover {\"leader\", \"candidate\"} to its REST "
           "API; Patroni stops the leader, promotes the candidate, re-points the others and "
           "chooses the sync standby");
    dlg_kv(&body, LW, "then", CR_HELP,
           "repltop waits until Patroni and PostgreSQL agree: leader, timeline, sync standby, "
           "every member streaming");
    char why[320];
    const char *no = refusal(d, s, c, why, sizeof why);
    dlg_confirm_lines(&foot, d, no, 3);
    dlg_line(&foot, CR_DIM, 0, "Enter switch over   Esc cancel");
    char title[NAME_LEN + 32];
    str_printf(title, sizeof title, "Switchover to %s (Patroni)", d->node);
    dlg_frame(g, title, CR_FOCUS, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

static unsigned patroni_switchover_key(struct dialog *d, const struct snapshot *s,
                                       const struct run_state *run, int key)
{
    (void)run;
    char why[320];
    return dlg_node_key(d, key, refusal(d, s, snapshot_find(s, d->node), why, sizeof why));
}

static int patroni_switchover_argv(const struct dialog *d, const char **argv, char *title,
                                   size_t titlen)
{
    return dlg_node_argv("switchover", d, argv, title, titlen);
}

const struct dialog_class patroni_switchover_dialog = {
    .name = "Patroni switchover",
    .cmd = CMD_SWITCHOVER,
    .render = patroni_switchover_render,
    .key = patroni_switchover_key,
    .argv = patroni_switchover_argv,
    .patroni = true,
};
