/* node_stmts: the monitoring statements of one refresh on a session (node_stmts.h). */
#include "model/watch/node_stmts.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

/* libpq's pipeline mode (libpq 14 and later; any v3-protocol server) sends the monitoring
 * statements prepared, still in one round trip: the server plans them once per session instead
 * of every refresh (bench/RESULTS.md, section 4). Without it they go as one simple query.
 * REPLTOP_NO_PIPELINE builds the fallback, to test it. */
#if defined(LIBPQ_HAS_PIPELINING) && !defined(REPLTOP_NO_PIPELINE)
#define HAVE_PIPELINE 1
#else
#define HAVE_PIPELINE 0
#endif
/* sent[] holds i to run statement i, CMD_PREPARE + i to prepare it */
#define CMD_PREPARE QP_COUNT

void stmts_reset(struct stmts *st)
{
    memset(st, 0, sizeof *st);
}

#if HAVE_PIPELINE
static const char *const stmt_name[QP_COUNT] = {
    "repltop_node",    "repltop_replication", "repltop_slots",  "repltop_wal_receiver",
    "repltop_manager", "repltop_wal_files",   "repltop_history"};

/* The manager's statement has a second form that reads postgresql.conf (queries.h) */
static const char *name_of(const struct stmts *st, int i)
{
    return i == QP_MANAGER && st->read_conf ? "repltop_manager_conf" : stmt_name[i];
}
#endif

static const char *sql_of(const struct stmts *st, int i)
{
    return i == QP_MANAGER ? queries_manager_sql(st->read_conf)
                           : queries_part_sql((enum query_part)i);
}

/* Sends the parts in want[] in one round trip: in pipeline mode, prepares what this session has
 * not prepared yet, runs them and ends with a sync (results in the order of sent[]); else as one
 * simple query. */
static bool send_parts(struct stmts *st, PGconn *conn, const bool *want)
{
    st->nsent = st->ndone = st->nread = 0;
#if HAVE_PIPELINE
    if (st->pipeline) {
        for (int i = 0; i < QP_COUNT; i++) {
            if (!want[i] || st->prepared[i])
                continue;
            if (!PQsendPrepare(conn, name_of(st, i), sql_of(st, i), 0, NULL))
                return false;
            st->sent[st->nsent++] = (signed char)(CMD_PREPARE + i);
        }
        for (int i = 0; i < QP_COUNT; i++) {
            if (!want[i])
                continue;
            if (!PQsendQueryPrepared(conn, name_of(st, i), 0, NULL, NULL, NULL, 0))
                return false;
            st->sent[st->nsent++] = (signed char)i;
        }
        return PQpipelineSync(conn) == 1;
    }
#endif
    char *sql = xstrdup("");
    for (int i = 0; i < QP_COUNT; i++) {
        if (!want[i])
            continue;
        char *more = xasprintf("%s%s;", sql, sql_of(st, i));
        free(sql);
        sql = more;
        st->sent[st->nsent++] = (signed char)i;
    }
    bool ok = PQsendQuery(conn, sql) == 1;
    free(sql);
    return ok;
}

bool stmts_send(struct stmts *st, PGconn *conn)
{
    st->part = 0;
    st->followed = false;
    bool want[QP_COUNT];
    for (int i = 0; i < QP_COUNT; i++)
        want[i] = i < QP_REQUIRED || (st->may[i] && !st->broken[i]);
    return send_parts(st, conn, want);
}

/* After the required parts: what the node part says this session may run is kept for the next
 * refresh, and what it allows for the first time is sent at once, so that even a one-shot
 * `status` has it. True when something was sent. */
static bool follow_up(struct stmts *st, PGconn *conn, const struct node_sample *sample, bool *lost)
{
    bool want[QP_COUNT] = {false}, any = false;
    for (int i = QP_REQUIRED; i < QP_COUNT; i++) {
        want[i] = sample->may[i] && !st->may[i] && !st->broken[i] && !st->followed;
        any = any || want[i];
        st->may[i] = sample->may[i];
    }
    if (!any)
        return false;
    st->followed = true;
    *lost = !send_parts(st, conn, want);
    return true;
}

void stmts_learn_rights(struct stmts *st, PGconn *conn)
{
    const char *su = PQparameterStatus(conn, "is_superuser");
    st->read_conf = su && strcmp(su, "on") == 0;
}

/* Pipeline mode where libpq has it, also at run time (the library may be older than its
 * headers); it needs nothing of the server beyond protocol 3. */
void stmts_enter_pipeline(struct stmts *st, PGconn *conn)
{
#if HAVE_PIPELINE
    st->pipeline =
        PQlibVersion() >= 140000 && PQprotocolVersion(conn) >= 3 && PQenterPipelineMode(conn) == 1;
#else
    (void)st;
    (void)conn;
#endif
}

/* The statuses only pipeline mode has (libpq's headers before 14 know neither): the end of a
 * pipeline's answer, and a command it skipped after an earlier one failed. */
enum pipe_status { PIPE_SYNC, PIPE_ABORTED };
static bool pipe_status(const PGresult *res, enum pipe_status which)
{
#ifdef LIBPQ_HAS_PIPELINING
    return PQresultStatus(res) ==
           (which == PIPE_SYNC ? PGRES_PIPELINE_SYNC : PGRES_PIPELINE_ABORTED);
#else
    (void)res;
    (void)which;
    return false;
#endif
}

static const char *result_get(const struct rowset *rs, int row, const char *col)
{
    const PGresult *res = rs->ctx;
    int c = PQfnumber(res, col);
    if (c < 0 || PQgetisnull(res, row, c))
        return NULL;
    return PQgetvalue(res, row, c);
}

/* Which statement a result answers, and takes it: rows are parsed, a prepare is noted, the
 * first error is kept. In pipeline mode sent[] says which command the result is for. */
static void take_result(struct stmts *st, PGresult *res, struct node_sample *sample, bool *failed,
                        char *errbuf, size_t errlen)
{
    int at = st->pipeline ? st->ndone : st->nread++;
    int cmd = at < st->nsent ? st->sent[at] : -1;
    ExecStatusType status = PQresultStatus(res);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (cmd >= CMD_PREPARE) {
        /* 42P05: it exists already (a session shared through a pooler): usable as it is */
        if (status == PGRES_COMMAND_OK || (state && strcmp(state, "42P05") == 0))
            st->prepared[cmd - CMD_PREPARE] = true;
    } else if (cmd >= 0 && status == PGRES_TUPLES_OK) {
        struct rowset rs = {.nrows = PQntuples(res), .get = result_get, .ctx = res};
        queries_parse((enum query_part)cmd, &rs, sample);
        st->part += cmd < QP_REQUIRED;
        if (cmd == QP_MANAGER && sample->may_read_conf != st->read_conf) {
            st->read_conf = sample->may_read_conf; /* from the next refresh on */
            st->prepared[QP_MANAGER] = false;
        }
        return;
    } else if (cmd >= QP_REQUIRED) {
        /* an optional part that fails (a privilege taken away, a file it cannot read) is not
         * sent again on this session; the sample goes without it */
        st->broken[cmd] = st->broken[cmd] || !pipe_status(res, PIPE_ABORTED);
        return;
    } else if (cmd >= 0 && state && strcmp(state, "26000") == 0) {
        st->prepared[cmd] = false; /* gone from the session (DISCARD ALL): prepare again */
    } else if (cmd == QP_MANAGER && st->read_conf && state && strcmp(state, "42501") == 0) {
        st->read_conf = false; /* the right to read postgresql.conf was taken back */
        st->prepared[QP_MANAGER] = false;
    }
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && !*failed) {
        *failed = true;
        str_copy(errbuf, errlen, PQresultErrorMessage(res));
    }
}

enum stmts_state stmts_read(struct stmts *st, PGconn *conn, struct node_sample *sample, char *err,
                            size_t errlen)
{
    bool failed = false;
    err[0] = '\0';
    while (!PQisBusy(conn)) {
        PGresult *res = PQgetResult(conn);
        if (!res && st->pipeline && st->ndone < st->nsent) {
            st->ndone++; /* the end of one command's results in the pipeline */
            continue;
        }
        if (!res || pipe_status(res, PIPE_SYNC)) { /* the whole refresh is answered */
            PQclear(res);
            if (failed || st->part < QP_REQUIRED)
                return STMTS_FAILED;
            bool lost = false;
            if (follow_up(st, conn, sample, &lost))
                return lost ? STMTS_LOST : STMTS_SENT;
            return STMTS_DONE;
        }
        take_result(st, res, sample, &failed, err, errlen);
        PQclear(res);
        if (PQstatus(conn) == CONNECTION_BAD)
            break;
    }
    return PQstatus(conn) == CONNECTION_BAD ? STMTS_LOST : STMTS_MORE;
}
