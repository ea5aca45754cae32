/* node_stmts: the monitoring statements of one refresh on a session (node_stmts.h). */
#include "model/watch/node_stmts.h"
#include "model/base/util.h"

#include <stdint.h>
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
    free(st->history);
    memset(st, 0, sizeof *st);
}

#if HAVE_PIPELINE
/* Names not used by earlier versions for other text: a session shared through a pooler may
 * hold theirs (42P05 below takes an existing statement as it is). */
static const char *const stmt_name[QP_COUNT] = {[QP_REPLICATION] = "repltop_replication_by_pid",
                                                [QP_SLOTS] = "repltop_slots",
                                                [QP_NODE] = "repltop_node_row",
                                                [QP_WAL_FILES] = "repltop_wal_files",
                                                [QP_HISTORY] = "repltop_history"};

/* The node's row has a second form that reads postgresql.conf (queries.h) */
static const char *name_of(const struct stmts *st, int i)
{
    return i == QP_NODE && st->read_conf ? "repltop_node_row_conf" : stmt_name[i];
}
#endif

static const char *sql_of(const struct stmts *st, int i)
{
    return i == QP_NODE ? queries_node_sql(st->read_conf) : queries_part_sql((enum query_part)i);
}

/* The parts the node's row carries have no statement of their own. */
static bool own_statement(int i)
{
    return queries_part_sql((enum query_part)i) != NULL;
}

static int required_statements(void)
{
    int n = 0;
    for (int i = 0; i < QP_REQUIRED; i++)
        n += own_statement(i);
    return n;
}

/* Sends the parts in want[] in one round trip: in pipeline mode, prepares what this session has
 * not prepared yet, runs them and ends with a sync (results in the order of sent[]); else as one
 * simple query. */
static bool send_parts(struct stmts *st, PGconn *conn, const bool *want)
{
    st->nsent = st->ndone = st->nread = 0;
    st->history_sent = st->history_sent || want[QP_HISTORY];
#if HAVE_PIPELINE
    if (st->pipeline) {
        for (int i = 0; i < QP_COUNT; i++) {
            if (!want[i] || st->prepared[i] || !own_statement(i))
                continue;
            if (!PQsendPrepare(conn, name_of(st, i), sql_of(st, i), 0, NULL))
                return false;
            st->sent[st->nsent++] = (signed char)(CMD_PREPARE + i);
        }
        for (int i = 0; i < QP_COUNT; i++) {
            if (!want[i] || !own_statement(i))
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
        if (!want[i] || !own_statement(i))
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
    st->history_sent = false;
    bool want[QP_COUNT];
    for (int i = 0; i < QP_COUNT; i++)
        want[i] = i < QP_REQUIRED || (st->may[i] && !st->broken[i]);
    /* known for a timeline: sent again only if the node's row shows another (follow_up) */
    want[QP_HISTORY] = want[QP_HISTORY] && !st->history;
    return send_parts(st, conn, want);
}

/* The history this session read for the sample's timeline, when it would otherwise be read. */
static bool history_known(const struct stmts *st, const struct node_sample *sample)
{
    return sample->s.role == ROLE_PRIMARY && st->history && st->history->tli == sample->s.timeline;
}

static void history_keep(struct stmts *st, const struct node_sample *sample)
{
    const struct node_snap *n = &sample->s;
    free(st->history);
    st->history = NULL;
    if (n->nhistory < 0 || n->timeline <= 0)
        return; /* unknown: read again */
    st->history = xmalloc(sizeof *st->history + (size_t)n->nhistory * sizeof *n->history);
    st->history->tli = n->timeline;
    st->history->n = n->nhistory;
    st->history->cut = n->history_cut;
    memcpy(st->history->sw, n->history, (size_t)n->nhistory * sizeof *n->history);
}

static void history_fill(const struct stmts *st, struct node_sample *sample)
{
    struct node_snap *n = &sample->s; /* cleared: the switches past n are zero, as parsed */
    memcpy(n->history, st->history->sw, (size_t)st->history->n * sizeof *n->history);
    n->nhistory = st->history->n;
    n->history_cut = st->history->cut;
}

/* After the required parts: what the node part says this session may run is kept for the next
 * refresh, and what it allows for the first time is sent at once, so that even a one-shot
 * `status` has it. True when something was sent. */
static bool follow_up(struct stmts *st, PGconn *conn, const struct node_sample *sample, bool *lost)
{
    bool want[QP_COUNT] = {false}, any = false;
    for (int i = QP_REQUIRED; i < QP_COUNT; i++) {
        want[i] = sample->may[i] && !st->may[i] && !st->broken[i] && !st->followed;
        st->may[i] = sample->may[i];
    }
    /* the history not read this refresh, and none known for this timeline */
    if (sample->may[QP_HISTORY] && !st->broken[QP_HISTORY] && !st->followed && !st->history_sent &&
        !history_known(st, sample))
        want[QP_HISTORY] = true;
    for (int i = QP_REQUIRED; i < QP_COUNT; i++)
        any = any || want[i];
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

/* Where each column of a part's statement was found, by the address of the name the parser
 * asks for (its string literal): a statement's columns are the same in every session, so after
 * the first result a column is found with one comparison, which checks the guess.
 * PQfnumber (it folds case and quotes on each call, then compares every name) was a quarter of
 * the client's instructions with a thousand nodes (bench/RESULTS.md, section 12). */
#define COL_SLOTS 128 /* a power of two, over the columns of the widest statement */
static struct {
    const char *name;
    int at;
} col_seen[QP_COUNT][COL_SLOTS];

struct result_cols {
    const PGresult *res;
    int nfields;
    int part;
};

static int find_col(const struct result_cols *rc, const char *col)
{
    size_t h = ((uintptr_t)col >> 3) & (COL_SLOTS - 1);
    for (int probe = 0; probe < COL_SLOTS; probe++, h = (h + 1) & (COL_SLOTS - 1)) {
        const char *seen = col_seen[rc->part][h].name;
        int at = col_seen[rc->part][h].at;
        if (seen == col && at < rc->nfields && strcmp(PQfname(rc->res, at), col) == 0)
            return at;
        if (seen == col || !seen) { /* a guess proved wrong, or the first time */
            for (int c = 0; c < rc->nfields; c++)
                if (strcmp(PQfname(rc->res, c), col) == 0) {
                    col_seen[rc->part][h].name = col;
                    col_seen[rc->part][h].at = c;
                    return c;
                }
            return -1;
        }
    }
    return PQfnumber(rc->res, col); /* the table is full: cannot happen with COL_SLOTS */
}

static const char *result_get(const struct rowset *rs, int row, const char *col)
{
    const struct result_cols *rc = rs->ctx;
    int c = find_col(rc, col);
    return c < 0 || PQgetisnull(rc->res, row, c) ? NULL : PQgetvalue(rc->res, row, c);
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
        struct result_cols cols = {res, PQnfields(res), cmd};
        struct rowset rs = {.nrows = PQntuples(res), .get = result_get, .ctx = &cols};
        if (cmd == QP_NODE)
            queries_parse_node_row(&rs, sample);
        else
            queries_parse((enum query_part)cmd, &rs, sample);
        if (cmd == QP_HISTORY)
            history_keep(st, sample);
        st->part += cmd < QP_REQUIRED;
        if (cmd == QP_NODE && sample->may_read_conf != st->read_conf) {
            st->read_conf = sample->may_read_conf; /* from the next refresh on */
            st->prepared[QP_NODE] = false;
        }
        return;
    } else if (cmd >= QP_REQUIRED) {
        /* an optional part that fails (a privilege taken away, a file it cannot read) is not
         * sent again on this session; the sample goes without it */
        st->broken[cmd] = st->broken[cmd] || !pipe_status(res, PIPE_ABORTED);
        return;
    } else if (cmd >= 0 && state && strcmp(state, "26000") == 0) {
        st->prepared[cmd] = false; /* gone from the session (DISCARD ALL): prepare again */
    } else if (cmd == QP_NODE && st->read_conf && state && strcmp(state, "42501") == 0) {
        st->read_conf = false; /* the right to read postgresql.conf was taken back */
        st->prepared[QP_NODE] = false;
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
            if (failed || st->part < required_statements())
                return STMTS_FAILED;
            bool lost = false;
            if (follow_up(st, conn, sample, &lost))
                return lost ? STMTS_LOST : STMTS_SENT;
            if (!st->history_sent && sample->may[QP_HISTORY] && !st->broken[QP_HISTORY] &&
                history_known(st, sample))
                history_fill(st, sample);
            return STMTS_DONE;
        }
        take_result(st, res, sample, &failed, err, errlen);
        PQclear(res);
        if (PQstatus(conn) == CONNECTION_BAD)
            break;
    }
    return PQstatus(conn) == CONNECTION_BAD ? STMTS_LOST : STMTS_MORE;
}
