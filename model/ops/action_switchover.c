/* action_switchover: the checks of `repltop switchover NODE` (action_switchover.h) — which
 * primary hands over, how far an earlier run got, whether the candidate can take over with
 * nothing lost, the sync list after — and the confirmation. The steps are in
 * switchover_steps.c (docs/DESIGN.md 4.11).
 *
 * The old primary must be on this host ([node NAME] datadir): it is stopped cleanly, its
 * control file is read, and it is started again as a standby (or as the primary when the
 * candidate turns out not to hold all its WAL). When it is already stopped, its own files give
 * its sync list. */
#include "model/ops/action_switchover.h"
#include "model/ops/switchover_plan.h"
#include "model/ops/local_cluster.h"
#include "model/local/local_conf.h"
#include "model/watch/switchover_check.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

static bool usable(const struct node_snap *n)
{
    return n && n->reach == REACH_OK;
}

/* A configured node on this host other than the candidate, not running, whose control file
 * says a primary stopped cleanly ("shut down"; a standby says "shut down in recovery"): the old
 * primary an earlier run stopped. Refused when there are several. */
static int find_stopped_primary(struct action *a, struct switchover_plan *p)
{
    int found = 0;
    char first[NAME_LEN] = "";
    for (int i = 0; i < a->cfg->nnodes; i++) {
        struct node_conf *nc = &a->cfg->nodes[i];
        struct local_node ln;
        struct local_control ctl;
        char err[600];
        if (nc == p->cc || !nc->datadir || usable(action_node_snap(a, nc->name)) ||
            !local_node_init(&ln, nc, a->cfg, false, err, sizeof err) || local_running(&ln) ||
            !local_control_read(&ln, &ctl) || strcmp(ctl.state, "shut down") != 0)
            continue;
        if (found++) {
            return action_fail(a,
                               "%s and %s are both primaries stopped cleanly: it is not clear "
                               "which one hands over to %s; start the right one first",
                               first, nc->name, p->cc->name);
        }
        str_copy(first, sizeof first, nc->name);
        p->pc = nc;
        p->pl = ln;
        p->ctl = ctl;
    }
    return 0;
}

/* The old primary must be on this host, the configured directory the running one. */
static int check_local(struct action *a, struct switchover_plan *p)
{
    char err[1200];
    if (!local_node_init(&p->pl, p->pc, a->cfg, false, err, sizeof err))
        return action_fail(a,
                           "cannot act on %s's host: %s. A switchover stops %s and starts it "
                           "again as a standby, so its data directory must be on this host "
                           "([node %s] datadir). Nothing was changed",
                           p->pc->name, err, p->pc->name, p->pc->name);
    if (p->p && usable(p->p) && !local_check_datadir(a, &p->pl, p->p, err, sizeof err))
        return action_fail(a, "%s. Nothing was changed", err);
    return 0;
}

/* The candidate streams from the live primary on its timeline and is close enough. */
static int check_streaming(struct action *a, const struct switchover_plan *p, int64_t max_lag)
{
    const struct node_snap *c = p->c;
    int64_t behind;
    char why[600], b[32], m[32];
    if (!switchover_candidate_ok(c, p->p, max_lag, &behind, why, sizeof why))
        return action_fail(a, "%s. Nothing was changed", why);
    format_bytes(behind > 0 ? behind : 0, b, sizeof b);
    format_bytes(max_lag, m, sizeof m);
    action_ok(a, "%s streams from %s on timeline %d, %s behind (limit %s)", c->name, p->p->name,
              c->timeline, b, m);
    if (c->apply_delay_s > 0)
        action_warn(a,
                    "%s delays its replay (recovery_min_apply_delay %.0f s): the promote waits "
                    "until it has replayed everything, writes stop meanwhile",
                    c->name, c->apply_delay_s);
    return 0;
}

/* A setting from a stopped node's own files: postgresql.auto.conf wins (read last), else
 * postgresql.conf when it is in the data directory and includes nothing. False when unknown. */
static bool own_file_setting(const struct local_conf *own, const char *key, char *out, size_t n)
{
    char *v = own->text[CONF_AUTO] ? local_guc_get(own->text[CONF_AUTO], key) : NULL;
    const char *main = own->text[CONF_MAIN];
    if (!v && main && !strstr(main, "include"))
        v = local_guc_get(main, key);
    if (!v && main && !strstr(main, "include"))
        v = xstrdup(""); /* not set anywhere: the default */
    if (v)
        str_copy(out, n, v);
    free(v);
    return v != NULL;
}

/* The old primary streams under its config name, as after a promote and a rejoin (the name
 * their lists give it); its own files give its list when it is stopped already. */
static void read_old_primary(struct switchover_plan *p)
{
    struct local_conf own;
    local_conf_read(&own, p->pl.datadir);
    str_copy(p->p_app, sizeof p->p_app, p->pc->name);
    if (p->phase == SW_START) {
        str_copy(p->oldlist, sizeof p->oldlist, p->p->synchronous_standby_names);
        str_printf(p->oldsrc, sizeof p->oldsrc, "%s, the primary", p->pc->name);
        p->list_known = true;
    } else if (own_file_setting(&own, "synchronous_standby_names", p->oldlist, sizeof p->oldlist)) {
        str_printf(p->oldsrc, sizeof p->oldsrc, "%s's own configuration files (it is stopped)",
                   p->pc->name);
        p->list_known = true;
    }
    local_conf_free(&own);
}

/* The candidate's list after the switchover: --sync-names, the declared policy, or the old list
 * with the old primary in the candidate's place. A synchronous cluster never silently becomes
 * asynchronous. */
static int work_out_list(struct action *a, struct switchover_plan *p, const char *given)
{
    struct syncnames sn;
    char err[600];
    if (given) {
        syncnames_parse(given, &sn, err, sizeof err); /* checked by the front end */
        action_step(a, "synchronous_standby_names from --sync-names");
    } else if (!str_empty(a->cfg->sync_policy)) {
        if (!switchover_list(a->cfg->sync_policy, a->cfg, a->snap, p->c, NULL, NULL, &sn, err,
                             sizeof err))
            return action_fail(a, "the sync policy '%s' cannot be used: %s", a->cfg->sync_policy,
                               err);
        action_step(a, "synchronous_standby_names from the declared policy '%s' ([repltop] sync)",
                    a->cfg->sync_policy);
        if (sn.method == SYNC_NONE)
            return action_fail(a,
                               "the policy '%s' leaves %s no standby to wait for: refusing to "
                               "make it a primary that acknowledges commits without any "
                               "standby. Nothing was changed",
                               a->cfg->sync_policy, p->cc->name);
    } else if (p->phase == SW_PROMOTED) {
        /* the earlier run set the candidate's list before pg_promote: it stays */
        str_copy(p->newlist, sizeof p->newlist, p->c->synchronous_standby_names);
        action_step(a, "%s keeps the synchronous_standby_names the switchover gave it: '%s'",
                    p->cc->name, p->newlist);
        return 0;
    } else if (!p->list_known) {
        return action_fail(
            a,
            "the old synchronous_standby_names is unknown (%s is stopped and its configuration "
            "files do not say it for sure: postgresql.conf is elsewhere or includes other "
            "files): refusing, so that a synchronous cluster does not silently become "
            "asynchronous. Nothing was changed. Say what it should be: --sync-names SPEC, or "
            "declare a policy with [repltop] sync = FIRST 1 in %s",
            p->pc ? p->pc->name : "the old primary", a->cfg->path ? a->cfg->path : "the config");
    } else {
        if (!syncnames_parse(p->oldlist, &sn, err, sizeof err)) {
            text_error("cannot parse the old list '%s' (%s): %s", p->oldlist, p->oldsrc, err);
            return 3;
        }
        action_step(a, "old synchronous_standby_names '%s' (from %s)", p->oldlist, p->oldsrc);
        bool was_sync = sn.method != SYNC_NONE;
        switchover_list(NULL, a->cfg, a->snap, p->c, p->oldlist, p->pc->name, &sn, err, sizeof err);
        if (was_sync && sn.method == SYNC_NONE)
            return action_fail(a,
                               "the old list '%s' would name no standby after the switchover: "
                               "refused. Say what it should be with --sync-names SPEC",
                               p->oldlist);
    }
    p->list_known = true;
    if (sn.method != SYNC_NONE && !syncnames_format(&sn, p->newlist, sizeof p->newlist)) {
        text_error("the new synchronous_standby_names would be invalid");
        return 3;
    }
    if (sn.method == SYNC_NONE)
        p->newlist[0] = '\0';
    return 0;
}

/* Which phase: the live primary to stop, the old primary an earlier run stopped, or the
 * candidate already promoted. */
static int find_phase(struct action *a, struct switchover_plan *p)
{
    const struct node_snap *c = p->c;
    int primaries = 0;
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (usable(n) && n->role == ROLE_PRIMARY && n != c) {
            primaries++;
            p->p = n;
        }
    }
    if (primaries > 1)
        return action_fail(a, "%d nodes are primaries: a switchover needs exactly one", primaries);
    if (c->role == ROLE_PRIMARY && primaries)
        return action_fail(a,
                           "%s and %s are both primaries: this is not a switchover (rejoin the "
                           "wrong one first: repltop rejoin NODE)",
                           c->name, p->p->name);
    if (c->role != ROLE_PRIMARY && c->role != ROLE_STANDBY)
        return action_fail(a, "%s's role is unknown: refusing", c->name);
    if (primaries) {
        p->phase = SW_START;
        p->pc = action_node_conf(a, p->p->name);
        return p->pc ? 0 : action_fail(a, "the primary %s is not in the config", p->p->name);
    }
    int rc = find_stopped_primary(a, p);
    if (rc)
        return rc;
    p->phase = c->role == ROLE_PRIMARY ? SW_PROMOTED : SW_STOPPED;
    if (p->pc)
        p->p = action_node_snap(a, p->pc->name);
    if (p->phase == SW_STOPPED && !p->pc)
        return action_fail(a,
                           "no primary answers, and no primary on this host was stopped "
                           "cleanly: this is not a switchover. After a failure, promote a "
                           "standby: repltop promote %s",
                           c->name);
    return 0;
}

/* Every reachable standby streams from the candidate, already a primary, on its timeline, and
 * no old primary waits stopped: an earlier switchover finished. */
static bool all_done(const struct action *a, const struct switchover_plan *p)
{
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n != p->c && usable(n) &&
            (n->role != ROLE_STANDBY || strcmp(n->upstream, p->c->name) != 0 ||
             n->timeline != p->c->timeline || strcmp(n->state, "streaming") != 0))
            return false;
    }
    return !p->pc;
}

/* What the operator is asked to confirm: the plan, one step line each. */
static void say_plan(struct action *a, const struct switchover_plan *p)
{
    const char *c = p->cc->name, *o = p->pc ? p->pc->name : NULL;
    if (p->phase == SW_START)
        action_step(a, "plan: stop %s cleanly (fast shutdown: it sends all its WAL to %s)", o, c);
    if (p->phase <= SW_STOPPED) {
        action_step(a,
                    "plan: check from %s's control data that %s received its shutdown "
                    "checkpoint (else start %s again as the primary: nothing changed)",
                    o, c, o);
        action_step(a, "plan: promote %s (from here on the same command finishes it)", c);
    }
    action_step(a, "plan: %s's synchronous_standby_names '%s' (before: '%s')", c, p->newlist,
                p->list_known && p->oldsrc[0] ? p->oldlist : "kept");
    if (o)
        action_step(a, "plan: start %s as a standby of %s, application_name %s, no pg_rewind", o, c,
                    p->p_app);
    action_step(a, "plan: re-point the other standbys at %s and wait until each streams", c);
}

int action_switchover(struct action *a, const char *arg, const struct switchover_opts *o)
{
    struct switchover_plan p = {0};
    if (!(p.cc = action_find_node(a, arg)))
        return action_fail(a, "no node named %s in %s", arg, a->cfg->path);
    p.c = action_node_snap(a, p.cc->name);
    if (!usable(p.c))
        return action_fail(a, "%s is not reachable (%s): cannot switch over to it", p.cc->name,
                           p.c && p.c->error[0] ? p.c->error : "down");
    int rc = find_phase(a, &p);
    if (!rc && p.pc)
        rc = check_local(a, &p);
    if (!rc && p.phase == SW_START)
        rc = check_streaming(a, &p, o->max_lag);
    if (rc)
        return rc;
    if (p.pc)
        read_old_primary(&p);
    if (p.phase == SW_STOPPED)
        action_warn(a,
                    "%s is stopped cleanly and no primary answers: an earlier switchover "
                    "stopped after stopping it, or it was stopped by hand. This one goes on "
                    "from there",
                    p.pc->name);
    if (p.phase == SW_PROMOTED && all_done(a, &p)) {
        action_ok(a, "%s is the primary and every reachable standby streams from it: nothing to do",
                  p.cc->name);
        printf("done: %s is the primary on timeline %d\n", p.cc->name, p.c->timeline);
        return 0;
    }
    if (p.phase == SW_PROMOTED)
        action_warn(a,
                    "%s is already the primary: an earlier switchover stopped after the "
                    "promote. This one finishes it (no new pg_promote)",
                    p.cc->name);
    if ((rc = work_out_list(a, &p, o->sync_names)) != 0)
        return rc;
    say_plan(a, &p);
    char question[256];
    str_printf(question, sizeof question, "%s %s%s%s?",
               p.phase == SW_PROMOTED ? "Finish switching over to" : "Switch over to", p.cc->name,
               p.pc ? " from " : "", p.pc ? p.pc->name : "");
    if (!action_confirm(a, question, p.cc->name))
        return 1;
    return switchover_run(a, &p);
}
