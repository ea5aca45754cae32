/* node_stmts: the monitoring statements of one refresh on a session (node_stmts.h). */
#include "model/watch/node_stmts.h"
#include "model/base/util.h"

#include <string.h>

/* libpq's pipeline mode (libpq 14 and later; any v3-protocol server) sends the five monitoring
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
static const char *const stmt_name[QP_COUNT] = {"repltop_node", "repltop_replication",
                                                "repltop_slots", "repltop_wal_receiver",
                                                "repltop_manager"};

/* The manager's statement has a second form that reads postgresql.conf (queries.h) */
static const char *name_of(const struct stmts *st, int i)
{
    return i == QP_MANAGER && st->read_conf ? "repltop_manager_conf" : stmt_name[i];
}

static const char *sql_of(const struct stmts *st, int i)
{
    return i == QP_MANAGER ? queries_manager_sql(st->read_conf)
                           : queries_part_sql((enum query_part)i);
}

/* Prepares what this session has not prepared yet, runs the five statements and ends with a
 * sync: one round trip, results in the order of sent[]. */
static bool send_pipeline(struct stmts *st, PGconn *conn)
{
    st->nsent = st->ndone = 0;
    for (int i = 0; i < QP_COUNT; i++) {
        if (st->prepared[i])
            continue;
        if (!PQsendPrepare(conn, name_of(st, i), sql_of(st, i), 0, NULL))
            return false;
        st->sent[st->nsent++] = (signed char)(CMD_PREPARE + i);
    }
    for (int i = 0; i < QP_COUNT; i++) {
        if (!PQsendQueryPrepared(conn, name_of(st, i), 0, NULL, NULL, NULL, 0))
            return false;
        st->sent[st->nsent++] = (signed char)i;
    }
    return PQpipelineSync(conn) == 1;
}
#endif

bool stmts_send(struct stmts *st, PGconn *conn)
{
    st->part = 0;
#if HAVE_PIPELINE
    if (st->pipeline)
        return send_pipeline(st, conn);
#endif
    return PQsendQuery(conn, queries_monitor_sql(st->read_conf)) == 1;
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

void stmts_learn_rights(struct stmts *st, PGconn *conn)
{
    const char *su = PQparameterStatus(conn, "is_superuser");
    st->read_conf = su && strcmp(su, "on") == 0;
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
    int cmd = st->pipeline ? (st->ndone < st->nsent ? st->sent[st->ndone] : -1)
                           : (st->part < QP_COUNT ? st->part : -1);
    ExecStatusType status = PQresultStatus(res);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (cmd >= CMD_PREPARE) {
        /* 42P05: it exists already (a session shared through a pooler): usable as it is */
        if (status == PGRES_COMMAND_OK || (state && strcmp(state, "42P05") == 0))
            st->prepared[cmd - CMD_PREPARE] = true;
    } else if (cmd >= 0 && status == PGRES_TUPLES_OK) {
        struct rowset rs = {.nrows = PQntuples(res), .get = result_get, .ctx = res};
        queries_parse((enum query_part)cmd, &rs, sample);
        st->part++;
        if (cmd == QP_MANAGER && sample->may_read_conf != st->read_conf) {
            st->read_conf = sample->may_read_conf; /* from the next refresh on */
            st->prepared[QP_MANAGER] = false;
        }
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

/* The end of a pipeline's answer (libpq's headers before 14 do not know the status). */
static bool is_sync(const PGresult *res)
{
#ifdef LIBPQ_HAS_PIPELINING
    return PQresultStatus(res) == PGRES_PIPELINE_SYNC;
#else
    (void)res;
    return false;
#endif
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
        if (!res || is_sync(res)) { /* the whole refresh is answered */
            PQclear(res);
            return failed || st->part < QP_COUNT ? STMTS_FAILED : STMTS_DONE;
        }
        take_result(st, res, sample, &failed, err, errlen);
        PQclear(res);
        if (PQstatus(conn) == CONNECTION_BAD)
            break;
    }
    return PQstatus(conn) == CONNECTION_BAD ? STMTS_LOST : STMTS_MORE;
}
