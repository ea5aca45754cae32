/* action_sync: `repltop sync show` and `repltop sync set SPEC` — the synchronous standby list.
 *
 * SPEC is parsed with PostgreSQL's grammar before anything is sent; the canonical form (names
 * quoted where needed) is what goes to the server, as a literal escaped by libpq. A list that
 * asks for more sync standbys than are streaming would hang every commit: that takes --force. */
#include "model/ops/action.h"
#include "model/pg/syncnames.h"
#include "model/watch/syncplan.h"
#include "model/base/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char sync_usage[] =
    "usage: repltop sync show [-c FILE]\n"
    "       repltop sync set 'SPEC' [--commit LEVEL] [--yes] [--force] [-c FILE]\n"
    "SPEC is synchronous_standby_names: 'FIRST 1 (a, b)', 'ANY 2 (a, b, c)', 'a, b', '*' or ''.\n"
    "--commit sets synchronous_commit too (on, remote_apply, remote_write, local, off).\n"
    "--force is needed when the list asks for more sync standbys than are streaming.\n";

struct sync_opts {
    const char *commit;
    bool show;                            /* "show", else "set SPEC": */
    struct syncnames sn;                  /* SPEC, parsed */
    char formatted[SYNCNAMES_FORMAT_MAX]; /* SPEC as it goes to the server */
};

static void on_opt(int opt, const char *arg, void *ctx)
{
    if (opt == 'm')
        ((struct sync_opts *)ctx)->commit = arg;
}

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

static int sync_show(struct action *a)
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

static bool valid_commit_level(const char *s)
{
    const char *levels[] = {"on", "remote_apply", "remote_write", "local", "off", NULL};
    for (int i = 0; levels[i]; i++)
        if (strcmp(s, levels[i]) == 0)
            return true;
    return false;
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

/* Checks SPEC and --commit before anything is sent, keeping SPEC parsed and formatted in o;
 * exit status 3 on bad input, else -1. */
static int sync_validate(const char *spec, struct sync_opts *o)
{
    char err[600];
    if (!syncnames_parse(spec, &o->sn, err, sizeof err)) {
        fprintf(stderr, "repltop: invalid synchronous_standby_names '%s': %s\n", spec, err);
        return 3;
    }
    if (o->commit && !valid_commit_level(o->commit)) {
        fprintf(stderr,
                "repltop: --commit must be on, remote_apply, remote_write, local or off, not "
                "\"%s\"\n",
                o->commit);
        return 3;
    }
    o->formatted[0] = '\0';
    if (o->sn.method != SYNC_NONE && !syncnames_format(&o->sn, o->formatted, sizeof o->formatted)) {
        fprintf(stderr, "repltop: cannot use '%s' as synchronous_standby_names\n", spec);
        return 3;
    }
    return -1;
}

static int sync_set(struct action *a, const struct syncnames *snp, const char *formatted,
                    const struct sync_opts *o)
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
    if (o->commit)
        printf("on %s: synchronous_commit %s -> %s\n", p->name, p->synchronous_commit, o->commit);
    printf("expected states:\n");
    print_states(p, &sn, true);
    const char **names = xcalloc((size_t)p->nrepl + 1, sizeof *names);
    int n = streaming_names(p, names);
    bool blocks = syncnames_would_block(&sn, names, n);
    free(names);
    const char *level = o->commit ? o->commit : p->synchronous_commit;
    if (blocks && strcmp(level, "off") != 0 && strcmp(level, "local") != 0) {
        action_warn(a,
                    "'%s' waits for %d sync standby(s) but fewer listed standbys stream: every "
                    "commit on %s would hang",
                    formatted, syncnames_required(&sn), p->name);
        if (!a->force)
            return action_fail(a, "refused: add --force to apply a list that blocks writes");
    }
    if (!action_confirm(a, "Apply this synchronous standby list?", "yes"))
        return 1;
    struct node_conf *pc = action_node_conf(a, p->name);
    PGconn *c = pc ? action_connect(a, pc, err, sizeof err) : NULL;
    if (!c)
        return action_fail(a, "cannot connect to %s: %s", p->name, pc ? err : "not configured");
    action_step(a, "ALTER SYSTEM SET synchronous_standby_names = '%s' on %s", formatted, p->name);
    bool ok = action_alter_system(c, "synchronous_standby_names", formatted, err, sizeof err);
    if (ok && o->commit) {
        action_step(a, "ALTER SYSTEM SET synchronous_commit = '%s' on %s", o->commit, p->name);
        ok = action_alter_system(c, "synchronous_commit", o->commit, err, sizeof err);
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

/* "show", or "set SPEC" with SPEC and --commit checked before anything connects (the words
 * may stand before the options: "sync set 'FIRST 1 (a)' --yes"). */
static int check_args(struct action_call *call)
{
    struct sync_opts *o = call->opts;
    o->show = call->nargs == 1 && strcmp(call->args[0], "show") == 0;
    bool set = call->nargs == 2 && strcmp(call->args[0], "set") == 0;
    if (!o->show && !set) {
        fprintf(stderr, "repltop: sync takes 'show' or 'set SPEC' (repltop sync --help)\n");
        return 3;
    }
    call->verb = o->show ? "sync show" : "sync set";
    call->target = o->show ? NULL : o->formatted;
    return o->show ? -1 : sync_validate(call->args[1], o);
}

static int run(struct action *a, const struct action_call *call)
{
    const struct sync_opts *o = call->opts;
    return o->show ? sync_show(a) : sync_set(a, &o->sn, o->formatted, o);
}

static const struct option sync_options[] = {{"commit", required_argument, NULL, 'm'},
                                             {NULL, 0, NULL, 0}};

static const struct action_cmd sync_cmd = {
    .name = "sync",
    .usage = sync_usage,
    .nargs = -1,
    .extra = sync_options,
    .on_extra = on_opt,
    .check = check_args,
    .run = run,
};

int cmd_sync(int argc, char **argv, const char *config_path)
{
    struct sync_opts o = {0};
    return action_main(argc, argv, config_path, &sync_cmd, &o);
}
