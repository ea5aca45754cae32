/* queries: monitoring SQL (PostgreSQL 13 and later) next to the code that reads its rows.
 *
 * Role-dependent functions are guarded with CASE (pg_current_wal_lsn() fails on a standby), the
 * primary's timeline comes from its current WAL file name (the control file lags after a
 * promotion), and primary_conninfo is read only to extract application_name and the upstream:
 * it may hold a password, which never leaves this file.
 *
 * The statistics views are read through the functions under them (pg_stat_activity,
 * pg_stat_database and pg_stat_replication are joins over these): the same rows, without
 * planning the views' joins every refresh — about 30 % of the query's server time
 * (bench/RESULTS.md, section 4). */
#include "model/watch/queries.h"
#include "model/watch/manager.h"
#include "model/pg/conninfo.h"
#include "model/base/intern.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The node's row (one per refresh, prepared once per session where libpq has pipeline mode,
 * model/watch/node_stmts.c) carries three parts: the node's own values, its WAL receiver (a
 * LEFT JOIN: NULLs and wal_receiver false when none runs) and the HA manager's marks. One
 * statement instead of three, and one pass over the backends (pg_stat_get_activity(NULL))
 * for the connection count, the managers' sessions and the startup process's wait, where there
 * were three: that pass builds a row per backend, and with a thousand monitoring sessions on
 * three servers it was most of the servers' work (bench/RESULTS.md, section 12).
 * The control file's checkpoint timeline is read only on a standby: a primary's timeline
 * comes from its current WAL file. */
#define NODE_SQL_HEAD                                                                              \
    "SELECT pg_is_in_recovery() AS in_recovery,"                                                   \
    " current_setting('server_version') AS server_version,"                                        \
    " current_setting('server_version_num') AS server_version_num,"                                \
    " (SELECT system_identifier FROM pg_control_system()) AS system_identifier,"                   \
    " CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn() END AS current_lsn,"             \
    " CASE WHEN NOT pg_is_in_recovery() THEN pg_walfile_name(pg_current_wal_lsn()) END"            \
    "   AS current_walfile,"                                                                       \
    " CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint()) END"    \
    "   AS checkpoint_timeline,"                                                                   \
    " pg_last_wal_receive_lsn() AS receive_lsn,"                                                   \
    " pg_last_wal_replay_lsn() AS replay_lsn,"                                                     \
    " extract(epoch FROM now() - pg_last_xact_replay_timestamp()) AS replay_age,"                  \
    " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS replay_paused,"          \
    " CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM"                                       \
    "   current_setting('recovery_min_apply_delay')::interval) END AS apply_delay,"                \
    " extract(epoch FROM now() - pg_postmaster_start_time()) AS uptime,"                           \
    " (SELECT sum(pg_stat_get_db_xact_commit(oid) + pg_stat_get_db_xact_rollback(oid))"            \
    "   FROM pg_database) AS xact_total,"                                                          \
    " current_setting('synchronous_standby_names') AS synchronous_standby_names,"                  \
    " current_setting('synchronous_commit') AS synchronous_commit,"                                \
    " current_setting('cluster_name') AS cluster_name,"                                            \
    " CASE WHEN pg_is_in_recovery()"                                                               \
    "   AND pg_has_role(current_user, 'pg_read_all_settings', 'USAGE')"                            \
    "   THEN current_setting('primary_conninfo') END AS primary_conninfo,"                         \
    " CASE WHEN pg_is_in_recovery()"                                                               \
    "   AND pg_has_role(current_user, 'pg_read_all_settings', 'USAGE')"                            \
    "   THEN current_setting('restore_command') END AS restore_command,"                           \
    " CASE WHEN pg_is_in_recovery() THEN current_setting('primary_slot_name') END"                 \
    "   AS primary_slot_name,"                                                                     \
    " pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,"                  \
    " current_user AS watch_role,"                                                                 \
    " extract(epoch FROM pg_postmaster_start_time())::text AS postmaster_start,"                   \
    " CASE WHEN pg_is_in_recovery() THEN b.startup_wait END AS startup_wait,"                      \
    " has_function_privilege('pg_ls_waldir()', 'EXECUTE') AS may_list_wal,"                        \
    " has_function_privilege('pg_read_file(text, bigint, bigint, boolean)', 'EXECUTE')"            \
    "   AND NOT pg_is_in_recovery() AS may_read_history,"                                          \
    " r.pid IS NOT NULL AS wal_receiver, r.status, r.received_tli, r.flushed_lsn,"                 \
    " r.latest_end_lsn, r.sender_host, r.sender_port, r.slot_name, r.conninfo,"                    \
    " extract(epoch FROM now() - r.last_msg_receipt_time) AS last_msg_age,"                        \
    " b.connections, b.patroni_sessions, b.repmgr_sessions, b.autofailover_sessions,"              \
    " has_function_privilege('pg_catalog.pg_read_file(text, bigint, bigint, boolean)', 'EXECUTE')" \
    "   AND pg_has_role('pg_read_all_settings', 'USAGE')"                                          \
    "   AND pg_has_role('pg_read_server_files', 'USAGE') AS may_read_conf,"

/* The client connections, and apart from them the HA managers' own sessions (manager.h):
 * Patroni's ("Patroni", "Patroni heartbeat" and the like in later versions), repmgrd's,
 * pg_auto_failover's monitor checking the node. Then the marks of an HA manager, each safe
 * where nothing of it is installed: catalog lookups and to_regrole, never a manager's own table
 * or function (a statement naming a missing one fails). postgresql.conf's first bytes need
 * pg_read_file, whose EXECUTE right is checked when the statement starts, even in a CASE branch
 * never taken: a session reads them only with the conf variant, which it switches to once
 * may_read_conf said it may (node_stmts.c); until then config_head is NULL (unread). */
#define CLIENT          "backend_type = 'client backend'"
#define PATRONI_SESSION "(application_name = 'Patroni' OR application_name LIKE 'Patroni %')"
#define REPMGR_SESSION  "application_name IN ('repmgr', 'repmgrd')"
#define MONITOR_SESSION "usesysid = (SELECT to_regrole('pgautofailover_monitor')::oid)"
#define NODE_SQL_TAIL                                                                              \
    " (SELECT extversion FROM pg_extension WHERE extname = 'repmgr') AS repmgr_extension,"         \
    " EXISTS (SELECT FROM pg_database WHERE datname = 'repmgr') AS repmgr_database,"               \
    " CASE WHEN pg_has_role('pg_read_all_settings', 'USAGE')"                                      \
    "   THEN current_setting('shared_preload_libraries') END AS preload_libraries,"                \
    " to_regrole('pgautofailover_replicator') IS NOT NULL AS autofailover_role,"                   \
    " EXISTS (SELECT FROM pg_database WHERE datname = 'pg_auto_failover') AS autofailover_monitor" \
    " FROM (SELECT count(*) FILTER (WHERE " CLIENT " AND NOT coalesce(" PATRONI_SESSION            \
    "   OR " REPMGR_SESSION " OR " MONITOR_SESSION ", false)) AS connections,"                     \
    "  count(*) FILTER (WHERE " CLIENT " AND " PATRONI_SESSION ") AS patroni_sessions,"            \
    "  count(*) FILTER (WHERE " CLIENT " AND " REPMGR_SESSION ") AS repmgr_sessions,"              \
    "  count(*) FILTER (WHERE " CLIENT " AND " MONITOR_SESSION ") AS autofailover_sessions,"       \
    "  max(wait_event) FILTER (WHERE backend_type = 'startup') AS startup_wait"                    \
    "  FROM pg_stat_get_activity(NULL)) b"                                                         \
    " LEFT JOIN pg_stat_wal_receiver r ON true"
#define NODE_SQL NODE_SQL_HEAD " NULL::text AS config_head," NODE_SQL_TAIL
#define NODE_CONF_SQL                                                                              \
    NODE_SQL_HEAD " pg_read_file(current_setting('config_file'), 0, 128, true) AS "                \
                  "config_head," NODE_SQL_TAIL

/* The backend row of each WAL sender, looked up by its pid (LATERAL): the same rows as a join
 * with pg_stat_get_activity(NULL), without building a row for every other backend. */
#define REPLICATION_SQL                                                                            \
    "SELECT w.pid, a.application_name, a.client_addr, a.client_port, w.state,"                     \
    " w.sent_lsn, w.write_lsn, w.flush_lsn, w.replay_lsn,"                                         \
    " extract(epoch FROM w.write_lag) AS write_lag, extract(epoch FROM w.flush_lag) AS flush_lag," \
    " extract(epoch FROM w.replay_lag) AS replay_lag, w.sync_priority, w.sync_state,"              \
    " extract(epoch FROM now() - w.reply_time) AS reply_age"                                       \
    " FROM pg_stat_get_wal_senders() w CROSS JOIN LATERAL pg_stat_get_activity(w.pid) a"           \
    " ORDER BY w.pid"

#define SLOTS_SQL                                                                                  \
    "SELECT slot_name, slot_type, active, active_pid, restart_lsn, wal_status, safe_wal_size,"     \
    " CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END"   \
    "   - restart_lsn AS retained_bytes"                                                           \
    " FROM pg_replication_slots ORDER BY slot_name"

/* WAL file names sort by timeline, then position: the newest name is the newest timeline this
 * node has WAL of (what it receives, even while its WAL receiver is down); the oldest position
 * is the oldest WAL a standby streaming from it can still get. */
#define WAL_FILES_SQL                                                                              \
    "SELECT max(name) AS newest_walfile, '00000000' || min(substr(name, 9)) AS oldest_walfile,"    \
    " pg_size_bytes(current_setting('wal_segment_size')) AS wal_segment_size"                      \
    " FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'"

/* The primary's timeline history names, for each ancestor timeline, where it was left: the
 * evidence of a fork (missing_ok: timeline 1 has none). */
#define HISTORY_SQL                                                                                \
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN pg_read_file('pg_wal/' ||"                      \
    " substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) || '.history', 0, 1048576, true) END"    \
    " AS timeline_history"

/* The statement of each part, in the order they are sent; NULL for the parts the node's row
 * carries. The node's row comes after the slots: the HA manager's marks look at their names. */
static const char *const part_sql[QP_COUNT] = {[QP_REPLICATION] = REPLICATION_SQL,
                                               [QP_SLOTS] = SLOTS_SQL,
                                               [QP_NODE] = NODE_SQL,
                                               [QP_WAL_FILES] = WAL_FILES_SQL,
                                               [QP_HISTORY] = HISTORY_SQL};
#define OTHER_SQL REPLICATION_SQL ";" SLOTS_SQL ";"
static const char monitor_sql[] = OTHER_SQL NODE_SQL ";";
static const char monitor_conf_sql[] = OTHER_SQL NODE_CONF_SQL ";";

const char *queries_monitor_sql(bool read_conf)
{
    return read_conf ? monitor_conf_sql : monitor_sql;
}

const char *queries_node_sql(bool read_conf)
{
    return read_conf ? NODE_CONF_SQL : NODE_SQL;
}

const char *queries_part_sql(enum query_part part)
{
    return (unsigned)part < QP_COUNT ? part_sql[part] : NULL;
}

static const char *col(const struct rowset *rs, int row, const char *name)
{
    return row < rs->nrows ? rs->get(rs, row, name) : NULL;
}

static void get_str(const struct rowset *rs, int row, const char *name, char *out, size_t n)
{
    str_copy(out, n, col(rs, row, name));
}

static lsn_t get_lsn(const struct rowset *rs, int row, const char *name)
{
    lsn_t v = LSN_UNKNOWN;
    const char *s = col(rs, row, name);
    if (s && !lsn_parse(s, &v))
        v = LSN_UNKNOWN;
    return v;
}

static int64_t get_i64(const struct rowset *rs, int row, const char *name)
{
    const char *s = col(rs, row, name);
    if (!s || !*s)
        return NUM_UNKNOWN;
    char *end;
    long long v = strtoll(s, &end, 10);
    /* sum() of bigints comes back as numeric; accept a trailing ".0" style fraction */
    if (*end != '\0' && *end != '.')
        return NUM_UNKNOWN;
    return v;
}

static int get_int(const struct rowset *rs, int row, const char *name)
{
    int64_t v = get_i64(rs, row, name);
    return num_known(v) && v >= -1 && v <= 0x7fffffff ? (int)v : -1;
}

static double get_dbl(const struct rowset *rs, int row, const char *name)
{
    const char *s = col(rs, row, name);
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return *end == '\0' ? v : NAN;
}

/* -1 unknown, 0 false, 1 true */
static int get_bool(const struct rowset *rs, int row, const char *name)
{
    const char *s = col(rs, row, name);
    if (!s)
        return -1;
    return s[0] == 't' ? 1 : s[0] == 'f' ? 0 : -1;
}

void queries_app_name(const char *conninfo, const char *cluster_name, char *out, size_t n)
{
    if (!conninfo) /* we could not read it: say nothing rather than guess */
        return;
    if (conninfo_get(conninfo, "application_name", out, n) && out[0])
        return;
    str_copy(out, n, !str_empty(cluster_name) ? cluster_name : "walreceiver");
}

static void standby_app_name(struct node_snap *n, const char *conninfo, const char *cluster_name)
{
    queries_app_name(conninfo, cluster_name, n->application_name, sizeof n->application_name);
}

void conninfo_memo_free(struct conninfo_memo *m)
{
    free(m->text);
    m->text = NULL;
}

/* Parses primary_conninfo only when its text differs from the last one's. */
static const struct conninfo_memo *read_conninfo(struct conninfo_memo *m, const char *pci)
{
    if (m->text && strcmp(m->text, pci) == 0)
        return m;
    free(m->text);
    m->text = xstrdup(pci);
    m->app[0] = m->host[0] = m->port[0] = '\0';
    conninfo_get(pci, "application_name", m->app, sizeof m->app);
    conninfo_get(pci, "host", m->host, sizeof m->host);
    if (!m->host[0])
        conninfo_get(pci, "hostaddr", m->host, sizeof m->host);
    conninfo_get(pci, "port", m->port, sizeof m->port);
    return m;
}

/* A standby's name as its WAL receiver gives it, and its upstream, from primary_conninfo (as
 * queries_app_name says). */
static void standby_conninfo(struct node_sample *smp, const char *pci, const char *cluster_name)
{
    struct node_snap *n = &smp->s;
    struct conninfo_memo local = {0};
    const struct conninfo_memo *m = read_conninfo(smp->memo ? smp->memo : &local, pci);
    str_copy(n->application_name, sizeof n->application_name,
             m->app[0]                  ? m->app
             : !str_empty(cluster_name) ? cluster_name
                                        : "walreceiver");
    if (m->host[0])
        str_printf(n->upstream_addr, sizeof n->upstream_addr, "%s:%s", m->host,
                   m->port[0] ? m->port : "5432");
    conninfo_memo_free(&local);
}

/* "stream" when primary_conninfo is set, "archive" when only restore_command is: an
 * archive-only standby works as configured without a WAL receiver. Unread settings: unknown. */
static void recovery_source(struct node_snap *n, const char *pci, const char *restore)
{
    if (!pci)
        return;
    if (*pci)
        str_copy(n->recovery_source, sizeof n->recovery_source, "stream");
    else if (!str_empty(restore))
        str_copy(n->recovery_source, sizeof n->recovery_source, "archive");
}

static void parse_node(const struct rowset *rs, struct node_sample *smp)
{
    struct node_snap *n = &smp->s;
    if (rs->nrows < 1)
        return;
    int rec = get_bool(rs, 0, "in_recovery");
    n->role = rec == 1 ? ROLE_STANDBY : rec == 0 ? ROLE_PRIMARY : ROLE_UNKNOWN;
    get_str(rs, 0, "server_version", n->server_version, sizeof n->server_version);
    n->server_version_num = get_int(rs, 0, "server_version_num");
    get_str(rs, 0, "system_identifier", n->system_identifier, sizeof n->system_identifier);
    n->current_lsn = get_lsn(rs, 0, "current_lsn");
    n->receive_lsn = get_lsn(rs, 0, "receive_lsn");
    n->replay_lsn = get_lsn(rs, 0, "replay_lsn");
    n->replay_age = get_dbl(rs, 0, "replay_age");
    n->replay_paused = get_bool(rs, 0, "replay_paused");
    n->apply_delay_s = get_dbl(rs, 0, "apply_delay");
    n->uptime_s = get_dbl(rs, 0, "uptime");
    smp->xact_total = get_i64(rs, 0, "xact_total");
    char names[SETTING_LEN];
    get_str(rs, 0, "synchronous_standby_names", names, sizeof names);
    n->synchronous_standby_names = str_intern(names);
    get_str(rs, 0, "synchronous_commit", n->synchronous_commit, sizeof n->synchronous_commit);
    n->read_all_stats = get_bool(rs, 0, "read_all_stats");
    get_str(rs, 0, "watch_role", n->watch_role, sizeof n->watch_role);
    get_str(rs, 0, "postmaster_start", n->postmaster_start, sizeof n->postmaster_start);
    get_str(rs, 0, "startup_wait", n->startup_wait, sizeof n->startup_wait);
    smp->may[QP_WAL_FILES] = get_bool(rs, 0, "may_list_wal") == 1;
    smp->may[QP_HISTORY] = get_bool(rs, 0, "may_read_history") == 1;
    if (n->role == ROLE_PRIMARY) {
        n->timeline = walfile_timeline(col(rs, 0, "current_walfile"));
        /* a promoted primary still reports where its recovery ended: not a standby position */
        n->receive_lsn = n->replay_lsn = LSN_UNKNOWN;
    } else /* lags a switch by minutes: refined by the WAL receiver and the WAL files */
        n->timeline = get_int(rs, 0, "checkpoint_timeline");
    if (n->role == ROLE_STANDBY) {
        const char *pci = col(rs, 0, "primary_conninfo");
        const char *restore = col(rs, 0, "restore_command");
        recovery_source(n, pci, restore);
        n->restore_command = restore ? *restore != '\0' : -1;
        get_str(rs, 0, "primary_slot_name", n->primary_slot_name, sizeof n->primary_slot_name);
        if (pci)
            standby_conninfo(smp, pci, col(rs, 0, "cluster_name"));
    }
}

static void parse_replication(const struct rowset *rs, struct node_sample *smp)
{
    struct node_snap *n = &smp->s;
    free(n->repl);
    n->repl = NULL;
    n->nrepl = rs->nrows;
    if (rs->nrows <= 0) {
        n->nrepl = 0;
        return;
    }
    n->repl = xcalloc((size_t)rs->nrows, sizeof *n->repl);
    for (int i = 0; i < rs->nrows; i++) {
        struct repl_row *r = &n->repl[i];
        r->pid = get_int(rs, i, "pid");
        get_str(rs, i, "application_name", r->application_name, sizeof r->application_name);
        get_str(rs, i, "client_addr", r->client_addr, sizeof r->client_addr);
        r->client_port = get_int(rs, i, "client_port");
        get_str(rs, i, "state", r->state, sizeof r->state);
        r->sent_lsn = get_lsn(rs, i, "sent_lsn");
        r->write_lsn = get_lsn(rs, i, "write_lsn");
        r->flush_lsn = get_lsn(rs, i, "flush_lsn");
        r->replay_lsn = get_lsn(rs, i, "replay_lsn");
        r->write_lag = get_dbl(rs, i, "write_lag");
        r->flush_lag = get_dbl(rs, i, "flush_lag");
        r->replay_lag = get_dbl(rs, i, "replay_lag");
        r->reply_age = get_dbl(rs, i, "reply_age");
        r->sync_priority = get_int(rs, i, "sync_priority");
        get_str(rs, i, "sync_state", r->sync_state, sizeof r->sync_state);
    }
}

static void parse_slots(const struct rowset *rs, struct node_sample *smp)
{
    struct node_snap *n = &smp->s;
    free(n->slots);
    n->slots = NULL;
    n->nslots = rs->nrows > 0 ? rs->nrows : 0;
    if (n->nslots == 0)
        return;
    n->slots = xcalloc((size_t)rs->nrows, sizeof *n->slots);
    for (int i = 0; i < rs->nrows; i++) {
        struct slot_row *s = &n->slots[i];
        get_str(rs, i, "slot_name", s->name, sizeof s->name);
        get_str(rs, i, "slot_type", s->type, sizeof s->type);
        s->active = get_bool(rs, i, "active") == 1;
        s->active_pid = get_int(rs, i, "active_pid");
        s->restart_lsn = get_lsn(rs, i, "restart_lsn");
        get_str(rs, i, "wal_status", s->wal_status, sizeof s->wal_status);
        s->safe_wal_size = get_i64(rs, i, "safe_wal_size");
        s->retained_bytes = get_i64(rs, i, "retained_bytes");
    }
}

static void parse_wal_receiver(const struct rowset *rs, struct node_sample *smp)
{
    struct node_snap *n = &smp->s;
    struct wal_receiver *w = &n->wr;
    w->present = rs->nrows > 0;
    if (!w->present)
        return;
    get_str(rs, 0, "status", w->status, sizeof w->status);
    w->received_tli = get_int(rs, 0, "received_tli");
    w->flushed_lsn = get_lsn(rs, 0, "flushed_lsn");
    w->latest_end_lsn = get_lsn(rs, 0, "latest_end_lsn");
    get_str(rs, 0, "sender_host", w->sender_host, sizeof w->sender_host);
    w->sender_port = get_int(rs, 0, "sender_port");
    get_str(rs, 0, "slot_name", w->slot_name, sizeof w->slot_name);
    w->last_msg_age = get_dbl(rs, 0, "last_msg_age");
    if (w->received_tli > n->timeline) /* each source can lag the truth, none leads it */
        n->timeline = w->received_tli;
    if (w->sender_host[0])
        str_printf(n->upstream_addr, sizeof n->upstream_addr, "%s:%d", w->sender_host,
                   w->sender_port);
    /* pg_stat_wal_receiver.conninfo is already obfuscated by the server; still, take only
     * application_name from it */
    const char *ci = col(rs, 0, "conninfo");
    if (ci && !n->application_name[0])
        standby_app_name(n, ci, NULL);
}

static void parse_wal_files(const struct rowset *rs, struct node_sample *smp)
{
    struct node_snap *n = &smp->s;
    if (rs->nrows < 1)
        return;
    n->oldest_wal = walfile_start(col(rs, 0, "oldest_walfile"), get_i64(rs, 0, "wal_segment_size"));
    int newest = walfile_timeline(col(rs, 0, "newest_walfile"));
    if (n->role == ROLE_STANDBY && newest > n->timeline)
        n->timeline = newest;
}

void queries_parse_history(const char *text, struct node_snap *n)
{
    n->nhistory = text ? 0 : -1;
    n->history_cut = false;
    for (const char *line = text; line && *line;) {
        const char *end = line + strcspn(line, "\n");
        char buf[128];
        str_copy(buf, sizeof buf, line);
        if ((size_t)(end - line) < sizeof buf)
            buf[end - line] = '\0';
        char lsn[LSN_STRLEN + 1];
        unsigned tli;
        struct tli_switch sw;
        /* comment and blank lines are allowed, as PostgreSQL's own reader allows them */
        if (sscanf(buf, "%u %20s", &tli, lsn) == 2 && tli > 0 && tli < 0x7fffffff &&
            lsn_parse(lsn, &sw.end)) {
            sw.tli = (int)tli;
            if (n->nhistory == HISTORY_MAX) {
                memmove(n->history, n->history + 1, (HISTORY_MAX - 1) * sizeof *n->history);
                n->nhistory--;
                n->history_cut = true;
            }
            n->history[n->nhistory++] = sw;
        }
        line = *end ? end + 1 : end;
    }
}

/* After the other parts: pg_auto_failover's marks are in the names they read. */
static void parse_manager(const struct rowset *rs, struct node_sample *smp)
{
    if (rs->nrows < 1)
        return;
    struct manager_marks mk = {
        .patroni_sessions = get_i64(rs, 0, "patroni_sessions"),
        .repmgr_sessions = get_i64(rs, 0, "repmgr_sessions"),
        .autofailover_sessions = get_i64(rs, 0, "autofailover_sessions"),
        .cluster_name = col(rs, 0, "cluster_name"),
        .config_head = col(rs, 0, "config_head"),
        .repmgr_extension = col(rs, 0, "repmgr_extension"),
        .repmgr_database = get_bool(rs, 0, "repmgr_database"),
        .preload_libraries = col(rs, 0, "preload_libraries"),
        .autofailover_role = get_bool(rs, 0, "autofailover_role"),
        .autofailover_monitor = get_bool(rs, 0, "autofailover_monitor"),
    };
    smp->s.connections = get_i64(rs, 0, "connections");
    manager_decide(&mk, &smp->s);
    smp->may_read_conf = get_bool(rs, 0, "may_read_conf") == 1;
    int64_t sessions[] = {mk.patroni_sessions, mk.repmgr_sessions, mk.autofailover_sessions};
    smp->s.manager_sessions = 0;
    for (size_t i = 0; i < sizeof sessions / sizeof sessions[0]; i++)
        smp->s.manager_sessions = num_known(sessions[i]) && num_known(smp->s.manager_sessions)
                                      ? smp->s.manager_sessions + sessions[i]
                                      : NUM_UNKNOWN;
}

static void parse_history(const struct rowset *rs, struct node_sample *smp)
{
    struct node_snap *n = &smp->s;
    if (rs->nrows < 1 || n->role != ROLE_PRIMARY)
        return;
    const char *text = col(rs, 0, "timeline_history");
    /* timeline 1 has no history file: known and empty */
    queries_parse_history(text ? text : n->timeline == 1 ? "" : NULL, n);
}

void queries_parse(enum query_part part, const struct rowset *rs, struct node_sample *sample)
{
    static void (*const parse[QP_COUNT])(const struct rowset *, struct node_sample *) = {
        [QP_REPLICATION] = parse_replication,
        [QP_SLOTS] = parse_slots,
        [QP_NODE] = parse_node,
        [QP_WAL_RECEIVER] = parse_wal_receiver,
        [QP_MANAGER] = parse_manager,
        [QP_WAL_FILES] = parse_wal_files,
        [QP_HISTORY] = parse_history};
    if ((unsigned)part < QP_COUNT)
        parse[part](rs, sample);
}

void queries_parse_node_row(const struct rowset *rs, struct node_sample *sample)
{
    parse_node(rs, sample);
    struct rowset wr = *rs; /* the WAL receiver's part: no row when none runs */
    if (get_bool(rs, 0, "wal_receiver") != 1)
        wr.nrows = 0;
    parse_wal_receiver(&wr, sample);
    parse_manager(rs, sample);
}
