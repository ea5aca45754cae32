/* action_follow: the steps of `repltop promote` after pg_promote (action_follow.h). */
#include "model/ops/action_follow.h"
#include "model/ops/action_rejoin.h"
#include "model/pg/conninfo.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool usable(const struct node_snap *n)
{
    return n && n->reach == REACH_OK;
}

/* The new timeline and the LSN where it forked off the old one (from its history file;
 * else the candidate's last replayed position before the promote). */
void promote_fork_point(PGconn *conn, int *tli, lsn_t *fork, lsn_t fallback, int *parent)
{
    if (parent)
        *parent = -1;
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
        if (tab && parent)
            *parent = atoi(last);
        if (tab) {
            char lsn[32];
            str_copy(lsn, sizeof lsn, tab + 1);
            lsn[strcspn(lsn, "\t ")] = '\0';
            lsn_parse(lsn, fork);
        }
    }
    free(hist);
}

bool promote_wait_writable(struct action *a, PGconn *conn, const char *name)
{
    char err[256];
    /* a local commit: the test must not wait for standbys that are still being re-pointed */
    pg_exec(conn, "SET synchronous_commit = local", err, sizeof err);
    for (int i = 0; i < 50; i++) {
        char *v = action_value(conn, "SELECT txid_current()", err, sizeof err);
        free(v);
        if (v) {
            action_ok(a, "%s accepts writes", name);
            pg_exec(conn, "RESET synchronous_commit", err, sizeof err);
            return true;
        }
        usleep(100 * 1000);
    }
    action_fail(a, "%s does not accept writes: %s", name, err);
    return false;
}

bool promote_create_slot(struct action *a, PGconn *primary, const char *slot)
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
                    struct node_conf *newp, PGconn *primary, int tli, lsn_t fork,
                    bool *needs_rewind)
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
    /* WAL past the fork point is a divergence only on the old timeline: a standby that already
     * follows the new one (re-pointed by an earlier, interrupted promote) has received on it, or
     * has WAL segments of it in pg_wal (a diverged one cannot stream any) */
    char sql[320];
    str_printf(sql, sizeof sql,
               "SELECT coalesce((SELECT max(received_tli) FROM pg_stat_wal_receiver) >= %d, "
               "false) OR EXISTS (SELECT 1 FROM pg_ls_waldir() WHERE name ~ '^%08X[0-9A-F]{16}$')",
               tli, (unsigned)(tli > 0 ? tli : 0));
    char *on = tli > 0 ? action_value(conn, sql, err, sizeof err) : NULL;
    bool on_new = on && on[0] == 't';
    free(on);
    if (!on_new && fork != LSN_UNKNOWN && have != LSN_UNKNOWN && have > fork) {
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
        promote_create_slot(a, primary, slot);
    if (ok) {
        action_step(a, "%s: ALTER SYSTEM SET primary_conninfo (now %s, application_name %s)",
                    sc->name, newp->name, app);
        ok = action_alter_system(conn, "primary_conninfo", next, err, sizeof err) &&
             pg_exec(conn, "SELECT pg_reload_conf()", err, sizeof err);
    }
    if (!ok)
        action_warn(a, "could not re-point %s: %s", sc->name, next ? err : "bad conninfo");
    free(old);
    free(slot);
    free(next);
    PQfinish(conn);
    return ok;
}

/* Waits until the standby streams on the new timeline; gives up early when the new primary
 * (primary, our session to it) stops answering: nothing could stream from it then. */
static bool wait_streaming(struct action *a, struct node_conf *sc, PGconn *primary, int tli,
                           int64_t start)
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
    bool ok = false, gone = false;
    for (int i = 0; i < 300 && !ok && !gone; i++) {
        char *v = action_value(conn, sql, err, sizeof err);
        ok = v && strcmp(v, "1") == 0;
        free(v);
        gone = !ok && i % 10 == 9 && !pg_exec(primary, "SELECT 1", err, sizeof err);
        if (!ok && !gone)
            usleep(100 * 1000);
    }
    PQfinish(conn);
    if (ok)
        action_ok(a, "%s streams from the new primary on timeline %d (%lld ms after promote)",
                  sc->name, tli, (long long)(clock_mono_ms() - start));
    else if (gone)
        action_warn(a, "stopped waiting for %s to stream: the new primary stopped answering",
                    sc->name);
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

int promote_follow_all(struct action *a, const struct node_snap *c, struct node_conf *cc,
                       PGconn *conn, int tli, lsn_t fork, int64_t start, const char *skip)
{
    char err[600];
    int failures = 0;
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *s = &a->snap->nodes[i];
        struct node_conf *sc = action_node_conf(a, s->name);
        if (s == c || !sc || (skip && strcmp(s->name, skip) == 0))
            continue;
        if (!usable(s) || s->role != ROLE_STANDBY) {
            if (s->role != ROLE_PRIMARY)
                action_step(a, "%s is not a reachable standby: left as it is (%s)", s->name,
                            s->state);
            continue;
        }
        if (strcmp(s->upstream, cc->name) == 0 && s->timeline == tli) {
            action_ok(a, "%s already streams from %s on timeline %d", s->name, cc->name, tli);
            continue;
        }
        bool rewind = false;
        if (repoint(a, sc, s, cc, conn, tli, fork, &rewind)) {
            failures += !wait_streaming(a, sc, conn, tli, start);
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
    return failures;
}
