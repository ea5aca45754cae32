/* action_sync: the steps of `repltop sync show` and `repltop sync set SPEC` — the synchronous
 * standby list (the front end, which checks SPEC and --commit: cli/cmd_sync.c).
 *
 * SPEC is parsed with PostgreSQL's grammar before anything is sent; the canonical form (names
 * quoted where needed) is what goes to the server, as a literal escaped by libpq. A list that
 * asks for more sync standbys than are streaming would hang every commit: that takes --force. */
#include "model/ops/action_sync.h"
#include "model/ops/action_privs.h"
#include "model/pg/syncnames.h"
#include "model/watch/syncplan.h"
#include "model/watch/syncpolicy.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The primary's streaming standbys, as PostgreSQL counts them for sync replication. */
static int streaming_names(const struct node_snap *p, const char **names)
{
    int n = 0;
    for (int i = 0; i < p->nrepl; i++)
        if (strcmp(p->repl[i].state, "streaming") == 0)
            names[n++] = p->repl[i].application_name;
    return n;
}

static void print_states(const struct node_snap *p, const struct syncnames *sn, bool expected)
{
    const char **names = xcalloc((size_t)p->nrepl + 1, sizeof *names);
    const char **states = xcalloc((size_t)p->nrepl + 1, sizeof *states);
    int n = streaming_names(p, names);
    syncplan_states(sn, names, n, states);
    for (int i = 0; i < p->nrepl; i++) {
        const struct repl_row *r = &p->repl[i];
        const char *want = "async (not streaming)";
        for (int j = 0; j < n; j++)
            if (names[j] == r->application_name)
                want = states[j];
        if (expected)
            printf("  %-24s %-10s -> %s\n", r->application_name, r->state, want);
        else
            printf("  %-24s %-10s %-10s priority %d\n", r->application_name, r->state,
                   r->sync_state, r->sync_priority);
    }
    if (p->nrepl == 0)
        printf("  (no standby is connected to %s)\n", p->name);
    free(names);
    free(states);
}

int action_sync_show(struct action *a)
{
    const struct node_snap *p = action_primary(a);
    if (!p)
        return action_fail(a, "no single reachable primary: cannot read the sync list");
    printf("primary %s: synchronous_standby_names = '%s', synchronous_commit = %s\n", p->name,
           p->synchronous_standby_names, p->synchronous_commit);
    struct syncnames sn;
    char err[256];
    if (syncnames_parse(p->synchronous_standby_names, &sn, err, sizeof err))
        printf("method %s, %d of %d listed\n", sync_method_name(sn.method), sn.num, sn.nnames);
    print_states(p, &sn, false);
    return 0;
}

/* Waits until pg_stat_replication shows what the plan says, or a few seconds pass. */
static bool verify(struct action *a, const struct syncnames *sn, const char *formatted)
{
    for (int tries = 0; tries < 20; tries++) {
        if (tries)
            usleep(250 * 1000);
        action_refresh(a);
        const struct node_snap *p = action_primary(a);
        if (!p || strcmp(p->synchronous_standby_names, formatted) != 0)
            continue;
        const char **names = xcalloc((size_t)p->nrepl + 1, sizeof *names);
        const char **states = xcalloc((size_t)p->nrepl + 1, sizeof *states);
        int n = streaming_names(p, names);
        syncplan_states(sn, names, n, states);
        bool all = true;
        for (int i = 0; i < p->nrepl; i++)
            for (int j = 0; j < n; j++)
                if (names[j] == p->repl[i].application_name &&
                    strcmp(p->repl[i].sync_state, states[j]) != 0)
                    all = false;
        free(names);
        free(states);
        if (all)
            return true;
    }
    return false;
}

/* sync set's steps; ask: whether to ask the operator first (a policy rebuilt after a rejoin
 * is part of what they confirmed already). */
static int apply(struct action *a, const struct syncnames *snp, const char *formatted,
                 const char *commit, bool ask)
{
    struct syncnames sn = *snp;
    char err[600];
    const struct node_snap *p = action_primary(a);
    if (!p)
        return action_fail(a, "no single reachable primary: nothing was changed");
    char pname[NAME_LEN]; /* p goes away when verify() refreshes the snapshot */
    str_copy(pname, sizeof pname, p->name);
    printf("on %s: synchronous_standby_names '%s' -> '%s'\n", p->name, p->synchronous_standby_names,
           formatted);
    if (commit)
        printf("on %s: synchronous_commit %s -> %s\n", p->name, p->synchronous_commit, commit);
    printf("expected states:\n");
    print_states(p, &sn, true);
    const char **names = xcalloc((size_t)p->nrepl + 1, sizeof *names);
    int n = streaming_names(p, names);
    bool blocks = syncnames_would_block(&sn, names, n);
    free(names);
    const char *level = commit ? commit : p->synchronous_commit;
    if (blocks && strcmp(level, "off") != 0 && strcmp(level, "local") != 0) {
        action_warn(a,
                    "'%s' waits for %d sync standby(s) but fewer listed standbys stream: every "
                    "commit on %s would hang",
                    formatted, syncnames_required(&sn), p->name);
        if (!a->force)
            return action_fail(a, "refused: add --force to apply a list that blocks writes");
    }
    struct node_conf *pc = action_node_conf(a, p->name);
    PGconn *c = pc ? action_connect(a, pc, err, sizeof err) : NULL;
    if (!c)
        return action_fail(a, "cannot connect to %s: %s", p->name, pc ? err : "not configured");
    /* before the question: what the role cannot do is said first, and nothing changes */
    enum priv_need needs[] = {PRIV_SET_SYNC_NAMES, PRIV_RELOAD,
                              commit ? PRIV_SET_SYNC_COMMIT : PRIV_END, PRIV_END};
    if (!action_check_privs(c, p->name, needs, err, sizeof err)) {
        PQfinish(c);
        return action_fail(a, "%s", err);
    }
    if (ask && !action_confirm(a, "Apply this synchronous standby list?", "yes")) {
        PQfinish(c);
        return 1;
    }
    action_step(a, "ALTER SYSTEM SET synchronous_standby_names = '%s' on %s", formatted, p->name);
    bool ok = action_alter_system(c, "synchronous_standby_names", formatted, err, sizeof err);
    if (ok && commit) {
        action_step(a, "ALTER SYSTEM SET synchronous_commit = '%s' on %s", commit, p->name);
        ok = action_alter_system(c, "synchronous_commit", commit, err, sizeof err);
    }
    if (ok) {
        action_step(a, "pg_reload_conf() on %s", p->name);
        ok = pg_exec(c, "SELECT pg_reload_conf()", err, sizeof err);
    }
    PQfinish(c);
    if (!ok)
        return action_fail(a, "%s refused the change: %s", p->name, err);
    if (!verify(a, &sn, formatted)) {
        action_warn(a, "pg_stat_replication does not show the expected states yet:");
        if (action_primary(a))
            print_states(action_primary(a), &sn, false);
        return 1;
    }
    action_ok(a, "synchronous_standby_names is '%s' on %s; pg_stat_replication agrees", formatted,
              pname);
    print_states(action_primary(a), &sn, false);
    return 0;
}

int action_sync_set(struct action *a, const struct syncnames *sn, const char *formatted,
                    const char *commit)
{
    return apply(a, sn, formatted, commit, true);
}

bool action_sync_keep_policy(struct action *a)
{
    const char *policy = a->cfg->sync_policy;
    if (str_empty(policy))
        return true;
    action_refresh(a);
    const struct node_snap *p = action_primary(a);
    if (!p) {
        action_warn(a, "no single reachable primary: its list was not rebuilt from the sync "
                       "policy");
        return false;
    }
    struct syncnames want, have;
    char err[600], formatted[SYNCNAMES_FORMAT_MAX] = "";
    if (!syncpolicy_list(policy, a->cfg, a->snap, p->name, &want, err, sizeof err)) {
        action_warn(a, "the sync policy '%s' cannot be used: %s", policy, err);
        return false;
    }
    if (want.method != SYNC_NONE)
        syncnames_format(&want, formatted, sizeof formatted);
    if (!syncnames_parse(p->synchronous_standby_names, &have, NULL, 0))
        have.method = SYNC_NONE;
    if (syncnames_equal(&want, &have)) {
        action_ok(a, "%s's synchronous_standby_names '%s' is what the policy '%s' gives", p->name,
                  p->synchronous_standby_names, policy);
        return true;
    }
    /* never less durability than now on the way */
    if (syncnames_required(&want) < syncnames_required(&have)) {
        action_warn(a,
                    "the policy '%s' gives '%s', which waits for fewer standbys than %s's "
                    "'%s': the current list is kept (lower it with repltop sync set)",
                    policy, formatted, p->name, p->synchronous_standby_names);
        return false;
    }
    const char **names = xcalloc((size_t)p->nrepl + 1, sizeof *names);
    bool blocks = syncnames_would_block(&want, names, streaming_names(p, names));
    free(names);
    if (blocks) {
        action_warn(a,
                    "the policy '%s' gives '%s', but fewer of its standbys stream than it waits "
                    "for: every commit on %s would hang, so %s's list stays '%s'",
                    policy, formatted, p->name, p->name, p->synchronous_standby_names);
        return false;
    }
    action_step(a, "%s's synchronous_standby_names rebuilt from the sync policy '%s': '%s' -> '%s'",
                p->name, policy, p->synchronous_standby_names, formatted);
    return apply(a, &want, formatted, NULL, false) == 0;
}

int action_sync_save(struct action *a, const char *spec)
{
    char err[1200];
    action_step(a, "saving '%s' as the sync policy: [repltop] sync in %s", spec, a->cfg->path);
    if (!config_set_setting(a->cfg->path, "sync", spec, err, sizeof err))
        return action_fail(a, "the list is applied, but it could not be saved as the policy: %s",
                           err);
    action_ok(a, "the sync policy is '%s' ([repltop] sync in %s)", spec, a->cfg->path);
    return 0;
}
