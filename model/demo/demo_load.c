/* demo_load: a bounded insert load on the demo's current primary, for the failover drill. Each
 * transaction inserts a batch into demo.public.users; a batch counts once its commit is
 * acknowledged (with synchronous_commit=on: once the sync standby has flushed it), and only then
 * are its ids appended to the ids file. A command-line tool: blocking libpq, with deadlines. */
#include "model/demo/demo.h"
#include "model/base/util.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOAD_BATCH_SQL                                                                             \
    "INSERT INTO users(name) SELECT 'user-' || g FROM generate_series(1, 100) g RETURNING id"
/* A commit that waits this long (a sync standby gone) stops the load. */
#define ACK_TIMEOUT_MS 30000

static void first_line(char *dst, size_t n, const char *src)
{
    str_copy(dst, n, src);
    dst[strcspn(dst, "\n")] = '\0';
}

/* The one reachable node that is not in recovery, connected to database demo. */
static PGconn *find_primary(struct demo *d, int *node, char *err, size_t errlen)
{
    PGconn *found = NULL;
    char why[DEMO_NODES][256];
    int primaries = 0;
    *node = -1;
    demo_read_ports(d);
    for (int i = 0; i < DEMO_NODES; i++) {
        str_copy(why[i], sizeof why[i], "no data directory");
        if (d->nodes[i].port <= 0)
            continue;
        PGconn *conn = demo_connect(d, i, "demo", why[i], sizeof why[i]);
        if (!conn)
            continue;
        PGresult *res = PQexec(conn, "SELECT pg_is_in_recovery()");
        bool primary = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                       strcmp(PQgetvalue(res, 0, 0), "f") == 0;
        str_printf(why[i], sizeof why[i], "%s: %s", d->nodes[i].name,
                   primary ? "primary" : "in recovery");
        PQclear(res);
        if (!primary) {
            PQfinish(conn);
            continue;
        }
        if (++primaries > 1) {
            str_printf(err, errlen,
                       "%s and %s are both primaries (split brain): not writing to either",
                       d->nodes[*node].name, d->nodes[i].name);
            PQfinish(conn);
            PQfinish(found);
            return NULL;
        }
        found = conn;
        *node = i;
    }
    bool any = false;
    for (int i = 0; i < DEMO_NODES; i++)
        any |= d->nodes[i].port > 0;
    if (!any)
        str_printf(err, errlen, "%s: no demo cluster here", d->dir);
    else if (!found)
        str_printf(err, errlen, "no reachable primary in %s (%s; %s; %s)", d->dir, why[0], why[1],
                   why[2]);
    return found;
}

/* Sends one batch and waits for its result; NULL (with err) on failure or after the timeout. */
static PGresult *run_batch(PGconn *conn, const char *node, char *err, size_t errlen)
{
    char msg[400];
    if (!PQsendQuery(conn, LOAD_BATCH_SQL)) {
        first_line(msg, sizeof msg, PQerrorMessage(conn));
        str_printf(err, errlen, "%s: %s", node, msg);
        return NULL;
    }
    int64_t deadline = clock_mono_ms() + ACK_TIMEOUT_MS;
    while (PQisBusy(conn)) {
        int64_t left = deadline - clock_mono_ms();
        if (left <= 0) {
            PGcancel *cancel = PQgetCancel(conn);
            char cerr[256];
            if (cancel) {
                PQcancel(cancel, cerr, sizeof cerr);
                PQfreeCancel(cancel);
            }
            str_printf(err, errlen,
                       "%s: no commit acknowledgement within %d s (is the synchronous standby "
                       "streaming?); the unacknowledged batch is not counted",
                       node, ACK_TIMEOUT_MS / 1000);
            return NULL;
        }
        struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
        if (poll(&p, 1, (int)(left < 1000 ? left : 1000)) < 0 && errno != EINTR)
            break;
        if (!PQconsumeInput(conn))
            break;
    }
    PGresult *res = PQgetResult(conn);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        first_line(msg, sizeof msg, res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
        if (!msg[0])
            first_line(msg, sizeof msg, PQerrorMessage(conn));
        str_printf(err, errlen, "%s: %s", node, msg);
        PQclear(res);
        return NULL;
    }
    PGresult *extra;
    while ((extra = PQgetResult(conn)))
        PQclear(extra);
    return res;
}

bool demo_load(struct demo *d, double seconds, const char *ids_path, struct demo_load_result *res,
               char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->node = -1;
    int node;
    PGconn *conn = find_primary(d, &node, err, errlen);
    if (!conn)
        return false;
    FILE *ids = NULL;
    if (ids_path && !(ids = fopen(ids_path, "a"))) {
        str_printf(err, errlen, "%s: %s", ids_path, strerror(errno));
        PQfinish(conn);
        return false;
    }
    res->node = node;
    const char *name = d->nodes[node].name;
    int64_t start = clock_mono_ms();
    int64_t deadline = start + (int64_t)(seconds * 1000.0);
    while (clock_mono_ms() < deadline) {
        PGresult *r = run_batch(conn, name, res->error, sizeof res->error);
        if (!r)
            break;
        int n = PQntuples(r);
        for (int i = 0; ids && i < n; i++)
            fprintf(ids, "%s\n", PQgetvalue(r, i, 0));
        PQclear(r);
        res->rows += n;
        res->commits++;
        if (ids && fflush(ids) != 0) {
            str_printf(res->error, sizeof res->error, "%s: %s", ids_path, strerror(errno));
            break;
        }
    }
    res->seconds = (double)(clock_mono_ms() - start) / 1000.0;
    if (ids)
        fclose(ids);
    PQfinish(conn);
    return true;
}
