/* action_sync: `repltop sync show` and `repltop sync set SPEC` — the synchronous standby list.
 *
 * SPEC is parsed with PostgreSQL's grammar before anything is sent; the canonical form (names
 * quoted where needed) is what goes to the server, as a literal escaped by libpq. A list that
 * asks for more sync standbys than are streaming would hang every commit: that takes --force. */
#include "action.h"
#include "syncnames.h"
#include "syncplan.h"
#include "util.h"

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

/* ALTER SYSTEM SET name = 'value' with the value escaped by libpq. */
static bool alter_system(PGconn *c, const char *name, const char *value, char *err, size_t n)
{
    char *lit = PQescapeLiteral(c, value, strlen(value));
    if (!lit) {
        str_copy(err, n, PQerrorMessage(c));
        return false;
    }
    char *sql = xasprintf("ALTER SYSTEM SET %s = %s", name, lit);
    PQfreemem(lit);
    bool ok = action_exec(c, sql, err, n);
    free(sql);
    return ok;
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

/* Checks SPEC and --commit before anything is sent; exit status 3 on bad input, else -1. */
static int sync_validate(const char *spec, const struct sync_opts *o, struct syncnames *sn,
                         char *formatted, size_t n)
{
    char err[600];
    if (!syncnames_parse(spec, sn, err, sizeof err)) {
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
    formatted[0] = '\0';
    if (sn->method != SYNC_NONE && !syncnames_format(sn, formatted, n)) {
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
    bool ok = alter_system(c, "synchronous_standby_names", formatted, err, sizeof err);
    if (ok && o->commit) {
        action_step(a, "ALTER SYSTEM SET synchronous_commit = '%s' on %s", o->commit, p->name);
        ok = alter_system(c, "synchronous_commit", o->commit, err, sizeof err);
    }
    if (ok) {
        action_step(a, "pg_reload_conf() on %s", p->name);
        ok = action_exec(c, "SELECT pg_reload_conf()", err, sizeof err);
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

int cmd_sync(int argc, char **argv, const char *config_path)
{
    static const struct option extra[] = {{"commit", required_argument, NULL, 'm'},
                                          {NULL, 0, NULL, 0}};
    struct config cfg;
    config_init(&cfg);
    struct sync_opts o = {0};
    bool yes = false, force = false;
    int first = 0;
    /* "sync set 'FIRST 1 (a)' --yes": the words before options are ours */
    int rc = action_parse(argc, argv, config_path, &cfg, &yes, &force, extra, on_opt, &o, &first);
    if (rc == -2) {
        fputs(sync_usage, stdout);
        config_done(&cfg);
        return 0;
    }
    if (rc >= 0) {
        config_done(&cfg);
        return rc;
    }
    int nargs = argc - first;
    char **args = argv + first;
    bool show = nargs == 1 && strcmp(args[0], "show") == 0;
    bool set = nargs == 2 && strcmp(args[0], "set") == 0;
    if (!show && !set) {
        fprintf(stderr, "repltop: sync takes 'show' or 'set SPEC' (repltop sync --help)\n");
        config_done(&cfg);
        return 3;
    }
    struct syncnames sn;
    char formatted[SYNCNAMES_FORMAT_MAX];
    if (set && (rc = sync_validate(args[1], &o, &sn, formatted, sizeof formatted)) >= 0) {
        config_done(&cfg);
        return rc;
    }
    struct action a;
    action_begin(&a, show ? "sync show" : "sync set", set ? formatted : NULL, &cfg, yes, force);
    rc = show ? sync_show(&a) : sync_set(&a, &sn, formatted, &o);
    action_end(&a, rc == 0);
    config_done(&cfg);
    return rc;
}
