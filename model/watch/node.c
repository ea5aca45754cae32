/* node: the per-server libpq state machine (pgbench's CSTATE_* and isolationtester's
 * try_complete_step are the pattern). One persistent session per node: each new connection
 * costs the server ~33 ms of CPU, so we reconnect only when the session is lost. */
#include "model/watch/node.h"
#include "model/watch/node_stmts.h"
#include "model/pg/conninfo.h"
#include "model/watch/resolve.h"
#include "model/base/util.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

enum conn_state { CS_DOWN, CS_RESOLVING, CS_CONNECTING, CS_READY, CS_BUSY };

#define RESOLVE_POLL_MS 10 /* getaddrinfo_a has no descriptor to wait on */

/* A query still unanswered this long is abandoned and the session dropped: the server may
 * be gone without a FIN (dropped packets); a SIGSTOPped one resumes before that. */
#define STUCK_QUERY_MS 30000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 8000

struct resolved {
    char hostaddr[400];  /* handed to libpq: "a1,a2,..." */
    char hostlist[1024]; /* the name repeated once per address, as libpq pairs them */
};

struct node {
    char name[NAME_LEN];
    char *conninfo;
    char target[128];
    char actions_via[160];
    int connect_timeout_ms, query_timeout_ms;

    PGconn *conn;
    struct resolve *resolving; /* the DNS lookup before connecting, when host is a name */
    char notice[ERROR_LEN];    /* the server's last notice (see keep_notice) */
    struct resolved *addrs;    /* its answer, only for a host given by name (1.4 kB) */
    enum conn_state state;
    PostgresPollingStatusType connect_want; /* what PQconnectPoll waits for */
    bool want_write;                        /* the query is not fully flushed yet */
    unsigned sock_epoch;                    /* see node_socket_epoch */
    int64_t deadline;                       /* of the current stage, 0 for none */
    int64_t busy_since;
    int64_t retry_at;
    int backoff_ms;

    bool round_pending;
    bool queued; /* due to connect, waiting for the cluster to give it a turn (node_connect) */
    bool fresh;  /* the last refresh got an answer */
    enum node_reach reach;
    char error[ERROR_LEN];

    struct node_sample cur;       /* being filled from the results of the query in flight */
    struct node_sample last;      /* the last complete sample */
    int64_t prev_xact, prev_mono; /* of the sample before, for TPS (not a whole sample: 2 kB) */
    int64_t own_unseen;           /* our own transactions not yet in the server's counter */
    double tps;                   /* NAN until two samples */
    bool have_last, have_prev;
    struct stmts stmts;        /* the monitoring statements on this session */
    struct conninfo_memo memo; /* its primary_conninfo, parsed once per change */
};

static void sample_reset(struct node *n, struct node_sample *s)
{
    s->s.repl = NULL;
    s->s.slots = NULL;
    str_copy(s->s.name, sizeof s->s.name, n->name);
    str_copy(s->s.target, sizeof s->s.target, n->target);
    str_copy(s->s.actions_via, sizeof s->s.actions_via, n->actions_via);
    node_snap_clear(&s->s);
    s->xact_total = NUM_UNKNOWN;
    s->mono_ms = 0;
    memset(s->may, 0, sizeof s->may);
    s->memo = &n->memo;
}

static void sample_free(struct node_sample *s)
{
    free(s->s.repl);
    free(s->s.slots);
    s->s.repl = NULL;
    s->s.slots = NULL;
}

/* host:port for display, from the conninfo itself (no password can be in it). */
static void describe_target(struct node *n)
{
    char host[96] = "", port[16] = "", service[64] = "";
    if (!conninfo_get(n->conninfo, "host", host, sizeof host) || !host[0])
        conninfo_get(n->conninfo, "hostaddr", host, sizeof host);
    conninfo_get(n->conninfo, "port", port, sizeof port);
    conninfo_get(n->conninfo, "service", service, sizeof service);
    if (!host[0] && service[0])
        str_printf(n->target, sizeof n->target, "service=%s", service);
    else
        str_printf(n->target, sizeof n->target, "%s:%s", host[0] ? host : "local",
                   port[0] ? port : "default");
}

struct node *node_new(const struct node_conf *conf, int connect_timeout_ms, int query_timeout_ms)
{
    struct node *n = xcalloc(1, sizeof *n);
    str_copy(n->name, sizeof n->name, conf->name);
    n->conninfo = xstrdup(conf->conninfo);
    n->connect_timeout_ms = connect_timeout_ms;
    n->query_timeout_ms = query_timeout_ms;
    n->backoff_ms = BACKOFF_MIN_MS;
    n->reach = REACH_PENDING;
    n->tps = NAN; /* unknown until two samples */
    describe_target(n);
    config_actions_via(conf, n->actions_via, sizeof n->actions_via);
    sample_reset(n, &n->cur);
    sample_reset(n, &n->last);
    return n;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    if (n->conn)
        PQfinish(n->conn);
    stmts_reset(&n->stmts);
    resolve_free(n->resolving);
    free(n->addrs);
    sample_free(&n->cur);
    sample_free(&n->last);
    conninfo_memo_free(&n->memo);
    free(n->conninfo);
    free(n);
}

const char *node_name(const struct node *n)
{
    return n->name;
}

static void set_error(struct node *n, enum node_reach reach, const char *msg)
{
    n->reach = reach;
    str_copy(n->error, sizeof n->error, msg);
    /* libpq messages are multi-line ("FATAL: ...\n"); keep the first line, trimmed */
    n->error[strcspn(n->error, "\n")] = '\0';
    n->fresh = false;
    n->round_pending = false;
}

static enum node_reach classify_connect_error(const char *msg)
{
    if (strstr(msg, "authentication failed") || strstr(msg, "no password supplied") ||
        strstr(msg, "no pg_hba.conf entry") || strstr(msg, "pg_hba.conf rejects") ||
        strstr(msg, "password is") || strstr(msg, "SCRAM") ||
        (strstr(msg, "role \"") && strstr(msg, "does not exist")) || /* a login that has no role */
        /* a server that is up but has no connection slot left for us refuses the login too:
         * max_connections, its reserved slots, a role's or database's CONNECTION LIMIT */
        strstr(msg, "too many clients") || strstr(msg, "connection slots are reserved") ||
        strstr(msg, "too many connections for"))
        return REACH_AUTH_FAILED;
    if (strstr(msg, "does not exist") || strstr(msg, "permission denied") ||
        strstr(msg, "invalid "))
        return REACH_ERROR;
    return REACH_UNREACHABLE;
}

static void drop_connection(struct node *n, int64_t now)
{
    if (n->conn)
        PQfinish(n->conn);
    n->conn = NULL;
    n->sock_epoch++;
    resolve_free(n->resolving);
    n->resolving = NULL;
    if (n->addrs)
        n->addrs->hostaddr[0] = '\0';
    n->state = CS_DOWN;
    n->queued = false;
    n->deadline = 0;
    n->want_write = false;
    stmts_reset(&n->stmts); /* a new session prepares again */
    /* A refused or unanswered connection costs the server nothing: try again at the next
     * refresh, so a node that comes back (or a second primary) shows within one refresh.
     * A server that rejects us (authentication, missing database) logs every attempt: back
     * off there. */
    if (n->reach == REACH_AUTH_FAILED || n->reach == REACH_ERROR) {
        n->retry_at = now + n->backoff_ms;
        n->backoff_ms = n->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : n->backoff_ms * 2;
    } else {
        n->retry_at = now;
    }
}

static void send_query(struct node *n, int64_t now)
{
    sample_free(&n->cur);
    sample_reset(n, &n->cur);
    if (!stmts_send(&n->stmts, n->conn)) {
        set_error(n, REACH_UNREACHABLE, PQerrorMessage(n->conn));
        drop_connection(n, now);
        return;
    }
    n->state = CS_BUSY;
    n->busy_since = now;
    n->deadline = now + n->query_timeout_ms;
    n->want_write = PQflush(n->conn) == 1;
}

/* libpq prints server notices — and the FATAL a server sends before it closes an idle
 * session — on stderr by default, which would scribble over the dashboard. Keep the last one:
 * it explains a connection that is about to be lost. */
static void keep_notice(void *arg, const char *message)
{
    struct node *n = arg;
    str_copy(n->notice, sizeof n->notice, message);
    n->notice[strcspn(n->notice, "\n")] = '\0';
}

static void start_connect(struct node *n, int64_t now)
{
    /* expand_dbname=1: the conninfo may be a URI or key=value string; libpq handles
     * .pgpass, PGPASSWORD and service files. fallback_application_name names us politely.
     * A resolved host name comes as hostaddr, after the conninfo, so it wins. */
    const char *keys[] = {"dbname", "fallback_application_name", "host", "hostaddr", NULL};
    bool named = n->addrs && n->addrs->hostaddr[0];
    const char *vals[] = {n->conninfo, "repltop", named ? n->addrs->hostlist : NULL,
                          named ? n->addrs->hostaddr : NULL, NULL};
    if (!named)
        keys[2] = NULL;
    n->notice[0] = '\0';
    n->sock_epoch++;
    n->conn = PQconnectStartParams(keys, vals, 1);
    if (n->conn)
        PQsetNoticeProcessor(n->conn, keep_notice, n);
    if (!n->conn || PQstatus(n->conn) == CONNECTION_BAD) {
        const char *msg = n->conn ? PQerrorMessage(n->conn) : "out of memory starting a connection";
        set_error(n, classify_connect_error(msg), msg);
        drop_connection(n, now);
        return;
    }
    n->state = CS_CONNECTING;
    n->connect_want = PGRES_POLLING_WRITING;
    n->deadline = now + n->connect_timeout_ms;
}

/* Connecting starts with a DNS lookup when the host is a name (see resolve.h). */
static void start_resolve_or_connect(struct node *n, int64_t now)
{
    char host[256];
    if (n->addrs)
        n->addrs->hostaddr[0] = '\0';
    if (resolve_needed(n->conninfo, host, sizeof host) && (n->resolving = resolve_start(host))) {
        if (!n->addrs)
            n->addrs = xcalloc(1, sizeof *n->addrs);
        n->state = CS_RESOLVING;
        n->deadline = now + n->connect_timeout_ms;
        return;
    }
    start_connect(n, now);
}

static void handle_resolving(struct node *n, int64_t now)
{
    char err[ERROR_LEN];
    struct resolved *a = n->addrs;
    int rc = resolve_poll(n->resolving, a->hostaddr, sizeof a->hostaddr, err, sizeof err);
    if (rc == 0)
        return;
    resolve_free(n->resolving);
    n->resolving = NULL;
    int64_t deadline = n->deadline;
    if (rc < 0) {
        set_error(n, REACH_UNREACHABLE, err);
        drop_connection(n, now);
        return;
    }
    char host[256];
    resolve_needed(n->conninfo, host, sizeof host);
    a->hostlist[0] = '\0';
    for (int i = 0; i < rc; i++) {
        size_t len = strlen(a->hostlist);
        str_printf(a->hostlist + len, sizeof a->hostlist - len, "%s%s", i ? "," : "", host);
    }
    start_connect(n, now);
    if (n->state == CS_CONNECTING)
        n->deadline = deadline; /* the lookup counts against the connect deadline */
}

void node_round_start(struct node *n, int64_t now, bool wait_for_late)
{
    /* a node still late from before (its query unanswered, or reconnecting after a failure)
     * holds this refresh only with wait_for_late: otherwise its answer, or its deadline,
     * shows in a later refresh and a hung server never delays the others */
    bool late_counts = wait_for_late || n->reach == REACH_PENDING;
    switch (n->state) {
    case CS_READY:
        n->round_pending = true;
        send_query(n, now);
        break;
    case CS_BUSY:
        /* the previous query has not come back: waited for within the deadline counted from
         * when it was sent */
        n->round_pending = wait_for_late && now < n->busy_since + n->query_timeout_ms;
        if (now >= n->busy_since + n->query_timeout_ms && n->reach != REACH_TIMEOUT) {
            set_error(n, REACH_TIMEOUT, "the previous monitoring query is still unanswered");
            n->deadline = 0;
        }
        break;
    case CS_RESOLVING:
    case CS_CONNECTING:
        n->round_pending = late_counts;
        break;
    case CS_DOWN:
        /* the attempt itself starts when the cluster gives this node a turn (node_connect):
         * its deadline then measures the node, not how many others connect at once */
        if (now >= n->retry_at) {
            n->round_pending = late_counts;
            n->queued = true;
        }
        break;
    }
}

bool node_connect_queued(const struct node *n)
{
    return n->queued;
}

bool node_connecting(const struct node *n)
{
    return n->state == CS_RESOLVING || n->state == CS_CONNECTING;
}

void node_connect(struct node *n, int64_t now)
{
    n->queued = false;
    if (n->state == CS_DOWN)
        start_resolve_or_connect(n, now);
}

bool node_round_pending(const struct node *n)
{
    return n->round_pending;
}

bool node_pollfd(const struct node *n, struct pollfd *pfd)
{
    if (!n->conn || n->state == CS_DOWN)
        return false;
    int fd = PQsocket(n->conn); /* may change while connecting (several hosts) */
    if (fd < 0)
        return false;
    pfd->fd = fd;
    pfd->revents = 0;
    if (n->state == CS_CONNECTING)
        pfd->events = n->connect_want == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    else
        pfd->events = POLLIN | (n->want_write ? POLLOUT : 0);
    return true;
}

unsigned node_socket_epoch(const struct node *n)
{
    return n->sock_epoch;
}

int64_t node_deadline_ms(const struct node *n)
{
    if (n->state == CS_RESOLVING) {
        int64_t tick = clock_mono_ms() + RESOLVE_POLL_MS;
        return tick < n->deadline ? tick : n->deadline;
    }
    if (n->state == CS_CONNECTING)
        return n->deadline;
    if (n->state == CS_BUSY) /* the query's deadline until it is reported, then the last one */
        return n->deadline ? n->deadline : n->busy_since + STUCK_QUERY_MS;
    return -1;
}

double node_tps_step(int64_t delta, int64_t interval_ms, int64_t *own_unseen)
{
    *own_unseen = *own_unseen < 3 ? *own_unseen + 1 : 3;
    int64_t ours = delta < *own_unseen ? delta : *own_unseen;
    *own_unseen -= ours;
    return (double)(delta - ours) * 1000.0 / (double)interval_ms;
}

static void update_tps(struct node *n)
{
    n->tps = NAN;
    if (!n->have_last || !n->have_prev || !num_known(n->last.xact_total) ||
        !num_known(n->prev_xact) || n->last.mono_ms <= n->prev_mono ||
        n->last.xact_total < n->prev_xact) { /* no interval, or the statistics were reset */
        n->own_unseen = 0;
        return;
    }
    n->tps = node_tps_step(n->last.xact_total - n->prev_xact, n->last.mono_ms - n->prev_mono,
                           &n->own_unseen);
}

static void finish_sample(struct node *n, int64_t now)
{
    n->cur.mono_ms = now;
    n->cur.s.sampled_at = clock_wall();
    n->prev_xact = n->last.xact_total;
    n->prev_mono = n->last.mono_ms;
    n->have_prev = n->have_last;
    sample_free(&n->last);
    n->last = n->cur;
    n->have_last = true;
    update_tps(n);
    sample_reset(n, &n->cur);
    n->reach = REACH_OK;
    n->error[0] = '\0';
    n->notice[0] = '\0'; /* a notice explains only a loss that follows it */
    n->fresh = true;
    n->round_pending = false;
    n->backoff_ms = BACKOFF_MIN_MS;
}

/* Reads every result that is complete; returns false when the connection was lost. */
static bool read_results(struct node *n, int64_t now)
{
    char errbuf[ERROR_LEN] = "";
    enum stmts_state st = stmts_read(&n->stmts, n->conn, &n->cur, errbuf, sizeof errbuf);
    if (st == STMTS_LOST) {
        set_error(n, REACH_UNREACHABLE, errbuf[0] ? errbuf : PQerrorMessage(n->conn));
        drop_connection(n, now);
        return false;
    }
    if (st == STMTS_MORE)
        return true;
    if (st == STMTS_SENT) { /* a follow-up in the same refresh (node_stmts.c) */
        n->want_write = PQflush(n->conn) == 1;
        return true;
    }
    n->state = CS_READY;
    n->deadline = 0;
    if (st == STMTS_FAILED)
        set_error(n, REACH_ERROR, errbuf[0] ? errbuf : "incomplete answer");
    else
        finish_sample(n, now);
    return true;
}

static void handle_connecting(struct node *n, int64_t now)
{
    n->sock_epoch++; /* libpq may close the socket and open another: the next address or host,
                      * or again without the SSL or GSS encryption the server refused */
    PostgresPollingStatusType st = PQconnectPoll(n->conn);
    if (st == PGRES_POLLING_OK) {
        n->deadline = 0;
        if (PQsetnonblocking(n->conn, 1) != 0) {
            set_error(n, REACH_ERROR, PQerrorMessage(n->conn));
            drop_connection(n, now);
            return;
        }
        n->state = CS_READY;
        stmts_enter_pipeline(&n->stmts, n->conn);
        stmts_learn_rights(&n->stmts, n->conn);
        if (n->round_pending)
            send_query(n, now);
    } else if (st == PGRES_POLLING_FAILED) {
        const char *msg = PQerrorMessage(n->conn);
        set_error(n, classify_connect_error(msg), msg);
        drop_connection(n, now);
    } else {
        n->connect_want = st;
    }
}

/* Why a session ended: the server's parting FATAL when it sent one, else libpq's words. */
static const char *lost_message(const struct node *n)
{
    return n->notice[0] ? n->notice : PQerrorMessage(n->conn);
}

static void handle_io(struct node *n, short revents, int64_t now)
{
    if (n->want_write && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        int r = PQflush(n->conn);
        if (r < 0) {
            set_error(n, REACH_UNREACHABLE, lost_message(n));
            drop_connection(n, now);
            return;
        }
        n->want_write = r == 1;
    }
    if (revents & (POLLIN | POLLERR | POLLHUP)) {
        if (!PQconsumeInput(n->conn)) {
            set_error(n, REACH_UNREACHABLE, lost_message(n));
            drop_connection(n, now);
            return;
        }
        if (n->state == CS_BUSY)
            read_results(n, now);
        else if (PQstatus(n->conn) == CONNECTION_BAD) {
            set_error(n, REACH_UNREACHABLE, lost_message(n));
            drop_connection(n, now);
        } else {
            /* an idle session can still receive notices or the server's goodbye */
            PGresult *res;
            while (!PQisBusy(n->conn) && (res = PQgetResult(n->conn)))
                PQclear(res);
        }
    }
}

void node_handle(struct node *n, short revents, int64_t now)
{
    if (n->state == CS_RESOLVING)
        handle_resolving(n, now);
    if (n->state == CS_RESOLVING && now >= n->deadline) {
        char msg[ERROR_LEN];
        str_printf(msg, sizeof msg, "no answer from DNS within %.1f s",
                   n->connect_timeout_ms / 1000.0);
        set_error(n, REACH_TIMEOUT, msg);
        drop_connection(n, now);
    } else if (n->state == CS_CONNECTING) {
        if (revents)
            handle_connecting(n, now);
    } else if (n->state == CS_READY || n->state == CS_BUSY) {
        if (revents)
            handle_io(n, revents, now);
    }
    /* deadlines */
    if (n->state == CS_CONNECTING && now >= n->deadline) {
        char msg[ERROR_LEN];
        str_printf(msg, sizeof msg, "no answer to connect within %.1f s",
                   n->connect_timeout_ms / 1000.0);
        set_error(n, REACH_TIMEOUT, msg);
        drop_connection(n, now);
    } else if (n->state == CS_BUSY && n->deadline && now >= n->deadline) {
        char msg[ERROR_LEN];
        str_printf(msg, sizeof msg, "no answer to the monitoring query within %.1f s",
                   n->query_timeout_ms / 1000.0);
        set_error(n, REACH_TIMEOUT, msg);
        n->deadline = 0; /* said once; the session is dropped after STUCK_QUERY_MS */
    } else if (n->state == CS_BUSY && now >= n->busy_since + STUCK_QUERY_MS) {
        set_error(n, REACH_TIMEOUT, "no answer for 30 s: reconnecting");
        drop_connection(n, now);
    }
}

void node_fill_snap(const struct node *n, struct node_snap *out)
{
    if (n->fresh && n->have_last) {
        *out = n->last.s;
        out->repl = NULL;
        out->slots = NULL;
        if (n->last.s.nrepl > 0) {
            out->repl = xmalloc((size_t)n->last.s.nrepl * sizeof *out->repl);
            memcpy(out->repl, n->last.s.repl, (size_t)n->last.s.nrepl * sizeof *out->repl);
        }
        if (n->last.s.nslots > 0) {
            out->slots = xmalloc((size_t)n->last.s.nslots * sizeof *out->slots);
            memcpy(out->slots, n->last.s.slots, (size_t)n->last.s.nslots * sizeof *out->slots);
        }
        out->tps = node_tps(n);
    } else {
        out->repl = NULL;
        out->slots = NULL;
        str_copy(out->name, sizeof out->name, n->name);
        str_copy(out->target, sizeof out->target, n->target);
        str_copy(out->actions_via, sizeof out->actions_via, n->actions_via);
        node_snap_clear(out);
        if (n->have_last) {
            out->sampled_at = n->last.s.sampled_at;
            out->stale = true;
            /* what it streamed as: how another node may still know it (derive.c) */
            str_copy(out->application_name, sizeof out->application_name,
                     n->last.s.application_name);
        }
    }
    out->reach = n->reach;
    str_copy(out->error, sizeof out->error, n->reach == REACH_OK ? "" : n->error);
}

double node_tps(const struct node *n)
{
    return n->tps;
}
