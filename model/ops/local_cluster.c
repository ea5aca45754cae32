/* local_cluster: a local node among the others — the primary it follows, the conninfo it copies,
 * the check that the running server is the configured one, and the wait until it streams. */
#include "model/ops/local_cluster.h"
#include "model/local/local_fs.h"
#include "model/watch/cluster.h"
#include "model/local/local_run.h"
#include "model/local/local_server.h"
#include "model/base/util.h"

#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct snapshot *local_snapshot(struct action *a)
{
    struct cluster *c = cluster_new(a->cfg);
    struct snapshot *s = cluster_sample_once(c);
    cluster_free(c);
    return s;
}

const struct node_snap *local_primary(const struct snapshot *s, const char *self, char *why,
                                      size_t whylen)
{
    const struct node_snap *found = NULL, *me = NULL;
    int others = 0;
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->reach != REACH_OK || n->role != ROLE_PRIMARY)
            continue;
        if (strcmp(n->name, self) == 0) {
            me = n;
            continue;
        }
        found = n;
        others++;
    }
    if (others == 1)
        return found;
    if (others > 1)
        str_printf(why, whylen,
                   "%d other nodes are primaries (split brain): it is not clear which one %s "
                   "should follow; stop or rejoin the wrong ones first",
                   others, self);
    else if (me)
        str_printf(why, whylen, "%s is the only primary: there is no other primary to follow",
                   self);
    else
        str_printf(why, whylen,
                   "no reachable primary: %s would have nothing to follow (is the primary down? "
                   "promote a standby first)",
                   self);
    return NULL;
}

char *local_standby_conninfo(struct action *a, const struct snapshot *s, const char *self)
{
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        struct node_conf *nc = action_node_conf(a, n->name);
        if (!nc || n->reach != REACH_OK || n->role != ROLE_STANDBY || strcmp(n->name, self) == 0)
            continue;
        char err[600];
        PGconn *c = action_connect(a, nc, err, sizeof err);
        if (!c)
            continue;
        char *ci = action_value(c, "SELECT current_setting('primary_conninfo')", err, sizeof err);
        PQfinish(c);
        if (ci && ci[0])
            return ci;
        free(ci);
    }
    return NULL;
}

bool local_check_datadir(struct action *a, const struct local_node *ln, const struct node_snap *ns,
                         char *err, size_t errlen)
{
    if (!ns || ns->reach != REACH_OK)
        return true;
    char why[600];
    PGconn *c = action_connect(a, ln->conf, why, sizeof why);
    char *dir =
        c ? action_value(c, "SELECT current_setting('data_directory')", why, sizeof why) : NULL;
    PQfinish(c);
    if (!dir) {
        action_warn(a, "cannot check which directory %s runs from: %s", ln->conf->name, why);
        return true;
    }
    char a_real[PATH_MAX], b_real[PATH_MAX];
    bool same = local_realpath(ln, dir, a_real, sizeof a_real) &&
                local_realpath(ln, ln->datadir, b_real, sizeof b_real) &&
                strcmp(a_real, b_real) == 0;
    if (!same)
        str_printf(err, errlen,
                   "%s (%s) runs from %s, not from the configured datadir %s: fix the config "
                   "first",
                   ln->conf->name, ns->target, dir, ln->datadir);
    free(dir);
    return same;
}

/* One look at the node and at the primary; seen describes what they said. */
static bool streams_now(PGconn **node, PGconn **prim, struct action *a, const struct local_node *ln,
                        const struct node_conf *primary, const char *app, int tli, char *seen,
                        size_t n)
{
    char err[600];
    if (!*node && !(*node = action_connect(a, ln->conf, err, sizeof err))) {
        str_printf(seen, n, "not accepting connections yet (%s)", err);
        return false;
    }
    PGresult *r = PQexec(*node, "SELECT pg_is_in_recovery(), (SELECT status FROM "
                                "pg_stat_wal_receiver), (SELECT received_tli FROM "
                                "pg_stat_wal_receiver)");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        str_printf(seen, n, "no answer (%s)", PQerrorMessage(*node));
        seen[strcspn(seen, "\n")] = '\0';
        PQclear(r);
        PQfinish(*node);
        *node = NULL;
        return false;
    }
    bool recovery = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    char status[32];
    str_copy(status, sizeof status, PQgetisnull(r, 0, 1) ? "no WAL receiver" : PQgetvalue(r, 0, 1));
    int got_tli = PQgetisnull(r, 0, 2) ? -1 : atoi(PQgetvalue(r, 0, 2));
    PQclear(r);
    if (!recovery) {
        str_copy(seen, n, "it is not in recovery (a primary)");
        return false;
    }
    if (strcmp(status, "streaming") != 0 || (tli > 0 && got_tli > 0 && got_tli != tli)) {
        str_printf(seen, n, "WAL receiver: %s, timeline %d", status, got_tli);
        return false;
    }
    if (!*prim && !(*prim = action_connect(a, primary, err, sizeof err))) {
        str_printf(seen, n, "cannot check on %s: %s", primary->name, err);
        return false;
    }
    const char *params[] = {app};
    r = PQexecParams(*prim,
                     "SELECT state FROM pg_stat_replication WHERE application_name = $1 "
                     "ORDER BY state = 'streaming' DESC LIMIT 1",
                     1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              strcmp(PQgetvalue(r, 0, 0), "streaming") == 0;
    if (!ok)
        str_printf(seen, n, "%s does not list %s as streaming yet", primary->name, app);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQfinish(*prim);
        *prim = NULL;
    }
    PQclear(r);
    return ok;
}

bool local_wait_streaming(struct action *a, const struct local_node *ln,
                          const struct node_conf *primary, const char *application_name, int tli,
                          int timeout_s, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    if (tli > 0)
        action_step(a, "waiting until %s streams from %s on timeline %d (application_name %s)",
                    name, primary->name, tli, application_name);
    else
        action_step(a, "waiting until %s streams from %s (application_name %s)", name,
                    primary->name, application_name);
    int64_t start = clock_mono_ms(), deadline = start + (int64_t)timeout_s * 1000;
    int signals_before = local_signals_count();
    PGconn *node = NULL, *prim = NULL;
    char seen[700] = "";
    bool ok = false, died = false;
    for (int i = 1; !ok && local_signals_count() == signals_before; i++) {
        ok = streams_now(&node, &prim, a, ln, primary, application_name, tli, seen, sizeof seen);
        if (ok || clock_mono_ms() > deadline)
            break;
        /* a server that died (killed, or failed in recovery) will not stream: say so now */
        if (i % 20 == 0 && (died = !local_running(ln)))
            break;
        poll(NULL, 0, 50);
    }
    PQfinish(node);
    PQfinish(prim);
    if (ok) {
        action_ok(a, "%s streams from %s (%.1f s after start)", name, primary->name,
                  (double)(clock_mono_ms() - start) / 1000.0);
        return true;
    }
    if (died) {
        str_printf(err, errlen, "%s stopped while waiting for it to stream from %s (see %s)", name,
                   primary->name, ln->log);
        return false;
    }
    str_printf(err, errlen, "%s does not stream from %s after %d s: %s (see %s)", name,
               primary->name, timeout_s,
               local_signals_count() != signals_before ? "interrupted" : seen, ln->log);
    return false;
}
