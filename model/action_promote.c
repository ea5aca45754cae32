/* action_promote: `repltop promote NODE` — checks, pg_promote(), the new primary's sync list,
 * re-pointing the other standbys, and the standbys that got ahead (DESIGN.md 4 and 7).
 *
 * Order matters: the new primary's synchronous_standby_names is set right after promotion and
 * before anything writes, because a clone may carry a list naming itself (every commit would
 * hang); a standby that received WAL past the fork point cannot follow the new timeline and is
 * rejoined (pg_rewind) instead of re-pointed. */
#include "action.h"
#include "conninfo.h"
#include "memory.h"
#include "syncnames.h"
#include "syncplan.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char promote_usage[] =
    "usage: repltop promote NODE [--yes] [--force] [--sync-names SPEC] [--previous-sync SPEC]\n"
    "                            [-c FILE]\n"
    "NODE is a node's name in the config or the application_name it streams with.\n"
    "  --force            promote even though another primary is reachable and writable\n"
    "  --sync-names SPEC  the new primary's synchronous_standby_names (default: the old list\n"
    "                     with NODE replaced by the remaining standbys)\n"
    "  --previous-sync SPEC  what the old primary's list was, when it cannot be read\n";

struct promote_opts {
    const char *sync_names;
    const char *previous;
};

static void on_opt(int opt, const char *arg, void *ctx)
{
    struct promote_opts *o = ctx;
    if (opt == 'n')
        o->sync_names = arg;
    else if (opt == 'p')
        o->previous = arg;
}

static bool usable(const struct node_snap *n)
{
    return n && n->reach == REACH_OK;
}

/* --- checks ------------------------------------------------------------------------- */

static int check_candidate(struct action *a, const struct node_snap *c)
{
    if (!usable(c))
        return action_fail(a, "%s is not reachable (%s): cannot promote it", c->name,
                           c->error[0] ? c->error : reach_name(c->reach));
    if (c->role == ROLE_PRIMARY)
        return action_fail(a, "%s is already a primary", c->name);
    if (c->role != ROLE_STANDBY)
        return action_fail(a, "%s's role is unknown: refusing", c->name);
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n != c && usable(n) && n->system_identifier[0] &&
            strcmp(n->system_identifier, c->system_identifier) != 0)
            return action_fail(a,
                               "%s (system identifier %s) and %s (%s) are not the same cluster: "
                               "refusing",
                               c->name, c->system_identifier, n->name, n->system_identifier);
    }
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n == c || !usable(n) || n->role != ROLE_PRIMARY)
            continue;
        if (!a->force)
            return action_fail(a,
                               "%s is a reachable, writable primary: promoting %s now makes two "
                               "primaries (split brain). Stop %s first, or use --force",
                               n->name, c->name, n->name);
        action_warn(a,
                    "FORCED: %s is still a reachable, writable primary. After this promote two "
                    "nodes accept writes: stop %s now and rejoin it (repltop rejoin %s)",
                    n->name, n->name, n->name);
    }
    return 0;
}

/* Says how much WAL each other standby has that the candidate lacks, and what is at risk. */
static void report_positions(struct action *a, const struct node_snap *c)
{
    char buf[32];
    const struct node_snap *p = action_primary(a);
    if (p && num_known(c->data_at_risk)) {
        format_bytes(c->data_at_risk, buf, sizeof buf);
        action_step(a, "%s has all but %s of the WAL %s wrote (data at risk)", c->name, buf,
                    p->name);
    }
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        if (n == c || !usable(n) || n->role != ROLE_STANDBY)
            continue;
        int64_t ahead = lsn_diff(n->receive_lsn, c->receive_lsn);
        if (!num_known(ahead))
            continue;
        format_bytes(ahead > 0 ? ahead : -ahead, buf, sizeof buf);
        if (ahead > 0)
            action_warn(a,
                        "%s has received %s more WAL than %s: those transactions are lost by "
                        "this promote, and %s will need a rewind",
                        n->name, buf, c->name, n->name);
        else
            action_step(a, "%s is %s behind %s", n->name, buf, c->name);
    }
}

/* Replay of what the candidate received, so the promotion loses nothing it has. */
static void wait_replay(struct action *a, PGconn *conn, const char *name)
{
    char err[256];
    for (int i = 0; i < 40; i++) {
        char *v = action_value(conn,
                               "SELECT pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() OR "
                               "pg_last_wal_receive_lsn() IS NULL",
                               err, sizeof err);
        bool done = v && v[0] == 't';
        free(v);
        if (done) {
            action_ok(a, "%s has replayed all the WAL it received", name);
            return;
        }
        usleep(250 * 1000);
    }
    action_warn(a, "%s has not replayed all it received after 10 s; promotion replays the rest",
                name);
}

/* --- the new primary's synchronous_standby_names ---------------------------------- */

/* The list before the promote: the live primary's, what the caller says, what repltop last
 * saw on this cluster, or the candidate's own setting — in that order. old_primary (NAME_LEN)
 * gets the name of the primary it was seen on, when known. */
static bool previous_list(struct action *a, const struct node_snap *c, const char *given, char *out,
                          size_t n, const char **source, char *old_primary)
{
    const struct node_snap *p = action_primary(a);
    struct cluster_memory mem;
    if (memory_load(c->system_identifier, &mem))
        str_copy(old_primary, NAME_LEN, mem.primary);
    if (p) {
        str_copy(old_primary, NAME_LEN, p->name);
        str_copy(out, n, p->synchronous_standby_names);
        *source = "the current primary";
    } else if (given) {
        str_copy(out, n, given);
        *source = "--previous-sync";
    } else if (mem.synchronous_standby_names[0] || mem.primary[0]) {
        str_copy(out, n, mem.synchronous_standby_names);
        *source = "what repltop last saw on the primary";
    } else if (c->synchronous_standby_names[0]) {
        str_copy(out, n, c->synchronous_standby_names);
        *source = "the candidate's own setting";
    } else {
        return false;
    }
    return true;
}

/* The old list with the candidate replaced by the remaining standbys and the old primary
 * (which comes back as a standby named after its config name). */
static int new_sync_list(struct action *a, const struct node_snap *c, const struct promote_opts *o,
                         char *out, size_t n)
{
    struct syncnames sn;
    char err[600], old[SETTING_LEN], old_primary[NAME_LEN] = "";
    if (o->sync_names) {
        if (!syncnames_parse(o->sync_names, &sn, err, sizeof err)) {
            fprintf(stderr, "repltop: invalid --sync-names '%s': %s\n", o->sync_names, err);
            return 3;
        }
    } else {
        const char *source = NULL;
        if (!previous_list(a, c, o->previous, old, sizeof old, &source, old_primary)) {
            action_warn(a,
                        "the old synchronous_standby_names is unknown: %s will have none "
                        "(set one with repltop sync set)",
                        c->name);
            out[0] = '\0';
            return 0;
        }
        if (!syncnames_parse(old, &sn, err, sizeof err)) {
            fprintf(stderr, "repltop: cannot parse the old list '%s' (%s): %s\n", old, source, err);
            return 3;
        }
        action_step(a, "old synchronous_standby_names '%s' (from %s)", old, source);
        syncplan_after_promote(a->snap, c, old_primary[0] ? old_primary : NULL, &sn);
    }
    out[0] = '\0';
    if (sn.method != SYNC_NONE && !syncnames_format(&sn, out, n)) {
        fprintf(stderr, "repltop: the new synchronous_standby_names would be invalid\n");
        return 3;
    }
    return 0;
}

/* --- after the promotion ------------------------------------------------------------- */

/* The new timeline and the LSN where it forked off the old one (from its history file;
 * else the candidate's last replayed position before the promote). */
static void fork_point(PGconn *conn, int *tli, lsn_t *fork, lsn_t fallback)
{
    char err[256];
    char *wal = action_value(conn, "SELECT pg_walfile_name(pg_current_wal_lsn())", err, sizeof err);
    *tli = walfile_timeline(wal);
    free(wal);
    *fork = fallback;
    if (*tli <= 1)
        return;
    char sql[160];
    str_printf(sql, sizeof sql, "SELECT pg_read_file('pg_wal/%08X.history')", (unsigned)*tli);
    char *hist = action_value(conn, sql, err, sizeof err);
    if (!hist)
        return;
    /* lines "parentTLI<TAB>switchpoint<TAB>reason"; the last one is our fork */
    char *line = hist, *last = NULL;
    for (char *p = strtok(line, "\n"); p; p = strtok(NULL, "\n"))
        if (p[0] >= '0' && p[0] <= '9')
            last = p;
    if (last) {
        char *tab = strchr(last, '\t');
        if (tab) {
            char lsn[32];
            str_copy(lsn, sizeof lsn, tab + 1);
            lsn[strcspn(lsn, "\t ")] = '\0';
            lsn_parse(lsn, fork);
        }
    }
    free(hist);
}

static bool wait_writable(struct action *a, PGconn *conn, const char *name)
{
    char err[256];
    /* a local commit: the test must not wait for standbys that are still being re-pointed */
    action_exec(conn, "SET synchronous_commit = local", err, sizeof err);
    for (int i = 0; i < 50; i++) {
        char *v = action_value(conn, "SELECT txid_current()", err, sizeof err);
        free(v);
        if (v) {
            action_ok(a, "%s accepts writes", name);
            action_exec(conn, "RESET synchronous_commit", err, sizeof err);
            return true;
        }
        usleep(100 * 1000);
    }
    action_fail(a, "%s does not accept writes: %s", name, err);
    return false;
}

static bool create_slot_if_missing(struct action *a, PGconn *primary, const char *slot)
{
    char err[256];
    const char *params[1] = {slot};
    PGresult *r = PQexecParams(primary,
                               "SELECT pg_create_physical_replication_slot($1) WHERE NOT EXISTS "
                               "(SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)",
                               1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        str_copy(err, sizeof err, PQresultErrorMessage(r));
    else if (PQntuples(r) > 0)
        action_step(a, "created replication slot %s on the new primary", slot);
    PQclear(r);
    if (!ok)
        action_warn(a, "could not create slot %s on the new primary: %s", slot, err);
    return ok;
}

/* Points one standby at the new primary; false (with needs_rewind set) when it cannot follow. */
static bool repoint(struct action *a, struct node_conf *sc, const struct node_snap *s,
                    struct node_conf *newp, PGconn *primary, lsn_t fork, bool *needs_rewind)
{
    char err[600];
    *needs_rewind = false;
    PGconn *conn = action_connect(a, sc, err, sizeof err);
    if (!conn) {
        action_warn(a, "cannot reach %s to re-point it: %s", sc->name, err);
        return false;
    }
    char *pos =
        action_value(conn, "SELECT greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())",
                     err, sizeof err);
    lsn_t have = LSN_UNKNOWN;
    if (pos)
        lsn_parse(pos, &have);
    free(pos);
    if (fork != LSN_UNKNOWN && have != LSN_UNKNOWN && have > fork) {
        char buf[32], f[LSN_STRLEN], h[LSN_STRLEN];
        format_bytes((int64_t)(have - fork), buf, sizeof buf);
        lsn_format(fork, f, sizeof f);
        lsn_format(have, h, sizeof h);
        action_warn(a, "%s needs_rewind: it has WAL up to %s, %s past the fork point %s", sc->name,
                    h, buf, f);
        *needs_rewind = true;
        PQfinish(conn);
        return false;
    }
    char *old = action_value(conn, "SHOW primary_conninfo", err, sizeof err);
    char *slot = action_value(conn, "SHOW primary_slot_name", err, sizeof err);
    const char *app = s && s->application_name[0] ? s->application_name : sc->name;
    char *next = action_follow_conninfo(old ? old : "", newp, app);
    bool ok = next != NULL;
    if (ok && slot && slot[0])
        create_slot_if_missing(a, primary, slot);
    if (ok) {
        action_step(a, "%s: ALTER SYSTEM SET primary_conninfo (now %s, application_name %s)",
                    sc->name, newp->name, app);
        ok = action_alter_system(conn, "primary_conninfo", next, err, sizeof err) &&
             action_exec(conn, "SELECT pg_reload_conf()", err, sizeof err);
    }
    if (!ok)
        action_warn(a, "could not re-point %s: %s", sc->name, next ? err : "bad conninfo");
    free(old);
    free(slot);
    free(next);
    PQfinish(conn);
    return ok;
}

/* Waits until the standby streams on the new timeline. */
static bool wait_streaming(struct action *a, struct node_conf *sc, int tli, int64_t start)
{
    char err[256];
    PGconn *conn = action_connect(a, sc, err, sizeof err);
    if (!conn)
        return false;
    char sql[200];
    str_printf(sql, sizeof sql,
               "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming' AND "
               "received_tli = %d",
               tli);
    bool ok = false;
    for (int i = 0; i < 300 && !ok; i++) {
        char *v = action_value(conn, sql, err, sizeof err);
        ok = v && strcmp(v, "1") == 0;
        free(v);
        if (!ok)
            usleep(100 * 1000);
    }
    PQfinish(conn);
    if (ok)
        action_ok(a, "%s streams from the new primary on timeline %d (%lld ms after promote)",
                  sc->name, tli, (long long)(clock_mono_ms() - start));
    else
        action_warn(a, "%s does not stream on timeline %d after 30 s", sc->name, tli);
    return ok;
}

static void rewind_hint(struct action *a, const struct node_conf *sc, const struct node_conf *np)
{
    char safe[512];
    conninfo_scrub(np->conninfo, safe, sizeof safe);
    action_warn(a,
                "%s is not on this host: on its host run  pg_ctl stop -D DATADIR -m fast;  "
                "pg_rewind -D DATADIR --source-server=\"%s\";  touch DATADIR/standby.signal;  "
                "set primary_conninfo to %s;  pg_ctl start -D DATADIR  (or: repltop rejoin %s "
                "with a datadir for it in the config)",
                sc->name, safe, np->name, sc->name);
}

/* --- the command --------------------------------------------------------------------- */

static int promote(struct action *a, const char *arg, const struct promote_opts *o)
{
    struct node_conf *cc = action_find_node(a, arg);
    if (!cc)
        return action_fail(a, "no node named %s in %s", arg, a->cfg->path);
    const struct node_snap *c = action_node_snap(a, cc->name);
    int rc = check_candidate(a, c);
    if (rc)
        return rc;
    report_positions(a, c);
    char newlist[SYNCNAMES_FORMAT_MAX];
    if ((rc = new_sync_list(a, c, o, newlist, sizeof newlist)) != 0)
        return rc;
    action_step(a, "%s's synchronous_standby_names will be '%s'", cc->name, newlist);
    char question[256];
    str_printf(question, sizeof question, "Promote %s to primary?", cc->name);
    if (!action_confirm(a, question, cc->name))
        return 1;

    char err[600];
    PGconn *conn = action_connect(a, cc, err, sizeof err);
    if (!conn)
        return action_fail(a, "cannot connect to %s: %s", cc->name, err);
    wait_replay(a, conn, cc->name);
    char *replayed = action_value(conn, "SELECT pg_last_wal_replay_lsn()", err, sizeof err);
    lsn_t fallback = LSN_UNKNOWN;
    if (replayed)
        lsn_parse(replayed, &fallback);
    free(replayed);

    action_step(a, "SELECT pg_promote(true, 60) on %s", cc->name);
    int64_t start = clock_mono_ms();
    char *done = action_value(conn, "SELECT pg_promote(true, 60)", err, sizeof err);
    if (!done || done[0] != 't') {
        free(done);
        PQfinish(conn);
        return action_fail(a, "pg_promote on %s failed: %s", cc->name,
                           done ? "not promoted within 60 s" : err);
    }
    free(done);
    action_ok(a, "%s promoted in %lld ms", cc->name, (long long)(clock_mono_ms() - start));
    action_step(a, "ALTER SYSTEM SET synchronous_standby_names = '%s' on %s", newlist, cc->name);
    if (!action_alter_system(conn, "synchronous_standby_names", newlist, err, sizeof err) ||
        !action_exec(conn, "SELECT pg_reload_conf()", err, sizeof err)) {
        PQfinish(conn);
        return action_fail(a, "could not set the new primary's sync list: %s", err);
    }
    if (!wait_writable(a, conn, cc->name)) {
        PQfinish(conn);
        return 1;
    }
    int tli = -1;
    lsn_t fork = LSN_UNKNOWN;
    fork_point(conn, &tli, &fork, fallback);
    char f[LSN_STRLEN];
    lsn_format(fork, f, sizeof f);
    action_step(a, "new timeline %d forked at %s", tli, f[0] ? f : "(unknown)");

    int failures = 0;
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *s = &a->snap->nodes[i];
        struct node_conf *sc = action_node_conf(a, s->name);
        if (s == c || !sc)
            continue;
        if (!usable(s) || s->role != ROLE_STANDBY) {
            if (s->role != ROLE_PRIMARY)
                action_step(a, "%s is not a reachable standby: left as it is (%s)", s->name,
                            s->state);
            continue;
        }
        bool rewind = false;
        if (repoint(a, sc, s, cc, conn, fork, &rewind)) {
            failures += !wait_streaming(a, sc, tli, start);
        } else if (rewind && sc->datadir) {
            action_step(a, "rejoining %s with pg_rewind", sc->name);
            if (action_rejoin_node(a, sc, err, sizeof err))
                action_ok(a, "%s rejoined and follows %s", sc->name, cc->name);
            else
                failures += action_fail(a, "rejoin of %s failed: %s", sc->name, err);
        } else {
            if (rewind)
                rewind_hint(a, sc, cc);
            failures++;
        }
    }
    PQfinish(conn);
    const struct node_snap *old = NULL;
    for (int i = 0; i < a->snap->nnodes; i++)
        if (a->snap->nodes[i].role == ROLE_PRIMARY ||
            (!usable(&a->snap->nodes[i]) && strcmp(a->snap->nodes[i].name, c->upstream) == 0))
            old = &a->snap->nodes[i];
    if (old && old != c)
        action_step(a, "when %s is back, make it a standby of %s: repltop rejoin %s", old->name,
                    cc->name, old->name);
    if (failures)
        return action_fail(a,
                           "%s is the primary on timeline %d, but %d standby(s) do not follow "
                           "it yet",
                           cc->name, tli, failures);
    printf("done: %s is the primary on timeline %d\n", cc->name, tli);
    return 0;
}

static int run(struct action *a, const struct action_call *call)
{
    return promote(a, call->args[0], call->opts);
}

/* A bad --sync-names is refused before anything connects. */
static int check_sync_names(struct action_call *call)
{
    const struct promote_opts *o = call->opts;
    struct syncnames check;
    char err[600];
    if (o->sync_names && !syncnames_parse(o->sync_names, &check, err, sizeof err)) {
        fprintf(stderr, "repltop: invalid --sync-names '%s': %s\n", o->sync_names, err);
        return 3;
    }
    return -1;
}

static const struct option promote_options[] = {{"sync-names", required_argument, NULL, 'n'},
                                                {"previous-sync", required_argument, NULL, 'p'},
                                                {NULL, 0, NULL, 0}};

static const struct action_cmd promote_cmd = {
    .name = "promote",
    .usage = promote_usage,
    .nargs = 1,
    .takes = "one NODE",
    .extra = promote_options,
    .on_extra = on_opt,
    .check = check_sync_names,
    .run = run,
};

int cmd_promote(int argc, char **argv, const char *config_path)
{
    struct promote_opts o = {0};
    return action_main(argc, argv, config_path, &promote_cmd, &o);
}
