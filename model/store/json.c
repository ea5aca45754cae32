/* json: writing and reading the snapshot. */
#include "model/store/json.h"
#include "model/store/json_patroni.h"
#include "model/store/json_put.h"
#include "model/watch/manager.h"
#include "model/base/intern.h"
#include "model/base/util.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- writing ---- */

/* A value that is known even when empty (a setting read from the server): "" stays "". */
static void add_known_str(cJSON *o, const char *key, const char *v, bool known)
{
    if (known && v)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_dbl(cJSON *o, const char *key, double v)
{
    if (dbl_known(v))
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_lsn(cJSON *o, const char *key, lsn_t v)
{
    char buf[LSN_STRLEN];
    lsn_format(v, buf, sizeof buf);
    json_put_str(o, key, buf);
}

static void add_time(cJSON *o, const char *key, double t)
{
    char buf[32];
    if (t > 0) {
        time_iso8601(t, buf, sizeof buf);
        cJSON_AddStringToObject(o, key, buf);
    } else {
        cJSON_AddNullToObject(o, key);
    }
}

static cJSON *repl_json(const struct repl_row *r)
{
    cJSON *o = cJSON_CreateObject();
    json_put_int(o, "pid", r->pid);
    json_put_str(o, "application_name", r->application_name);
    json_put_str(o, "client_addr", r->client_addr);
    json_put_int(o, "client_port", r->client_port);
    json_put_str(o, "state", r->state);
    add_lsn(o, "sent_lsn", r->sent_lsn);
    add_lsn(o, "write_lsn", r->write_lsn);
    add_lsn(o, "flush_lsn", r->flush_lsn);
    add_lsn(o, "replay_lsn", r->replay_lsn);
    add_dbl(o, "write_lag", r->write_lag);
    add_dbl(o, "flush_lag", r->flush_lag);
    add_dbl(o, "replay_lag", r->replay_lag);
    add_dbl(o, "reply_age_seconds", r->reply_age);
    json_put_int(o, "sync_priority", r->sync_priority);
    json_put_str(o, "sync_state", r->sync_state);
    return o;
}

static cJSON *slot_json(const struct slot_row *sl)
{
    cJSON *o = cJSON_CreateObject();
    json_put_str(o, "slot_name", sl->name);
    json_put_str(o, "slot_type", sl->type);
    cJSON_AddBoolToObject(o, "active", sl->active);
    json_put_int(o, "active_pid", sl->active_pid);
    add_lsn(o, "restart_lsn", sl->restart_lsn);
    json_put_str(o, "wal_status", sl->wal_status);
    json_put_i64(o, "safe_wal_size", sl->safe_wal_size);
    json_put_i64(o, "retained_bytes", sl->retained_bytes);
    return o;
}

static cJSON *wal_receiver_json(const struct wal_receiver *w)
{
    if (!w->present)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    json_put_str(o, "status", w->status);
    json_put_int(o, "received_tli", w->received_tli);
    add_lsn(o, "flushed_lsn", w->flushed_lsn);
    add_lsn(o, "latest_end_lsn", w->latest_end_lsn);
    json_put_str(o, "sender_host", w->sender_host);
    json_put_int(o, "sender_port", w->sender_port);
    json_put_str(o, "slot_name", w->slot_name);
    add_dbl(o, "last_msg_age_seconds", w->last_msg_age);
    return o;
}

/* A primary's timeline history: null when not read, [] on timeline 1. */
static cJSON *history_json(const struct node_snap *n)
{
    if (n->nhistory < 0)
        return cJSON_CreateNull();
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n->nhistory; i++) {
        cJSON *o = cJSON_CreateObject();
        json_put_int(o, "timeline", n->history[i].tli);
        add_lsn(o, "switch_lsn", n->history[i].end);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* null until the node answered the detection; kind "none" once it did and showed none */
static cJSON *manager_json(const struct node_manager *m)
{
    if (!m->checked)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", manager_key(m->kind));
    json_put_str(o, "scope", m->scope);
    json_put_str(o, "member", m->member);
    json_put_int(o, "node_id", m->node_id);
    json_put_tristate(o, "agent_session", m->agent);
    json_put_str(o, "marks", m->marks);
    return o;
}

/* Who runs the cluster: the first node that shows a manager; null when no node was checked. */
static cJSON *cluster_manager_json(const struct snapshot *s)
{
    const struct node_snap *by = manager_running(s, NULL);
    bool checked = false;
    for (int i = 0; i < s->nnodes; i++)
        checked = checked || s->nodes[i].manager.checked;
    if (!checked)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", manager_key(by ? by->manager.kind : MANAGER_NONE));
    json_put_str(o, "scope", by ? by->manager.scope : NULL);
    json_put_str(o, "seen_on", by ? by->name : NULL);
    return o;
}

static cJSON *node_json(const struct node_snap *n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", n->name);
    cJSON_AddBoolToObject(o, "reachable", n->reach == REACH_OK);
    json_put_str(o, "error",
                 n->reach == REACH_OK ? NULL : (n->error[0] ? n->error : reach_name(n->reach)));
    cJSON_AddStringToObject(o, "role", role_name(n->role));
    json_put_str(o, "server_version", n->server_version);
    json_put_str(o, "system_identifier", n->system_identifier);
    json_put_int(o, "timeline", n->timeline);
    add_lsn(o, "current_lsn", n->current_lsn);
    add_lsn(o, "receive_lsn", n->receive_lsn);
    add_lsn(o, "replay_lsn", n->replay_lsn);
    json_put_str(o, "application_name", n->application_name);
    json_put_str(o, "upstream", n->upstream);
    json_put_str(o, "sync_state", n->sync_state);
    json_put_int(o, "sync_priority", n->sync_priority);
    cJSON *lb = cJSON_AddObjectToObject(o, "lag_bytes");
    json_put_i64(lb, "sent", n->lag_sent);
    json_put_i64(lb, "write", n->lag_write);
    json_put_i64(lb, "flush", n->lag_flush);
    json_put_i64(lb, "replay", n->lag_replay);
    cJSON *ls = cJSON_AddObjectToObject(o, "lag_seconds");
    add_dbl(ls, "write", n->lag_write_s);
    add_dbl(ls, "flush", n->lag_flush_s);
    add_dbl(ls, "replay", n->lag_replay_s);
    json_put_i64(o, "data_at_risk_bytes", n->data_at_risk);
    add_dbl(o, "tps", n->tps);
    json_put_i64(o, "connections", n->connections);
    /* repltop's additions */
    cJSON_AddStringToObject(o, "target", n->target);
    if (n->actions_via[0])
        cJSON_AddStringToObject(o, "actions_via", n->actions_via);
    else
        cJSON_AddNullToObject(o, "actions_via");
    cJSON_AddStringToObject(o, "reach", reach_name(n->reach));
    cJSON_AddStringToObject(o, "state", n->state);
    add_time(o, "sampled_at", n->sampled_at);
    cJSON_AddBoolToObject(o, "stale", n->stale);
    add_dbl(o, "uptime_seconds", n->uptime_s);
    add_dbl(o, "replay_age_seconds", n->replay_age);
    json_put_tristate(o, "replay_paused", n->replay_paused);
    add_dbl(o, "apply_delay_seconds", n->apply_delay_s);
    json_put_str(o, "same_server_as", n->same_server_as);
    cJSON_AddBoolToObject(o, "other_cluster", n->other_cluster);
    json_put_str(o, "upstream_addr", n->upstream_addr);
    add_known_str(o, "synchronous_standby_names", n->synchronous_standby_names,
                  n->role == ROLE_PRIMARY);
    json_put_str(o, "synchronous_commit", n->synchronous_commit);
    cJSON_AddBoolToObject(o, "best_candidate", n->best_candidate);
    json_put_str(o, "last_sync_state", n->last_sync_state);
    json_put_int(o, "last_sync_priority", n->last_sync_priority);
    cJSON_AddBoolToObject(o, "needs_rewind", n->needs_rewind);
    cJSON_AddBoolToObject(o, "needs_resync", n->needs_resync);
    json_put_str(o, "recovery_source", n->recovery_source);
    json_put_str(o, "primary_slot_name", n->primary_slot_name);
    add_lsn(o, "fork_lsn", n->fork_lsn);
    json_put_str(o, "seen_by", n->seen_by);
    json_put_str(o, "postmaster_start", n->postmaster_start);
    add_lsn(o, "oldest_wal_lsn", n->oldest_wal);
    json_put_str(o, "startup_wait_event", n->startup_wait);
    json_put_tristate(o, "restore_command_set", n->role == ROLE_STANDBY ? n->restore_command : -1);
    cJSON_AddItemToObject(o, "timeline_history", history_json(n));
    json_put_i64(o, "manager_sessions", n->manager_sessions);
    cJSON_AddItemToObject(o, "manager", manager_json(&n->manager));
    cJSON_AddItemToObject(o, "wal_receiver", wal_receiver_json(&n->wr));
    json_put_str(o, "patroni_member", n->patroni_member);
    cJSON *repl = cJSON_AddArrayToObject(o, "replication");
    for (int i = 0; i < n->nrepl; i++)
        cJSON_AddItemToArray(repl, repl_json(&n->repl[i]));
    cJSON *slots = cJSON_AddArrayToObject(o, "slots");
    for (int i = 0; i < n->nslots; i++)
        cJSON_AddItemToArray(slots, slot_json(&n->slots[i]));
    return o;
}

cJSON *snapshot_json_object(const struct snapshot *s)
{
    cJSON *root = cJSON_CreateObject();
    add_time(root, "taken_at", s->taken_at);
    cJSON *cl = cJSON_AddObjectToObject(root, "cluster");
    json_put_str(cl, "primary", s->primary);
    /* "" is known and empty (async only); null: no single primary answered */
    add_known_str(cl, "synchronous_standby_names", s->synchronous_standby_names, s->primary[0]);
    json_put_str(cl, "synchronous_commit", s->synchronous_commit);
    json_put_str(cl, "sync_policy", s->sync_policy);
    cJSON_AddStringToObject(cl, "health", severity_name(s->health));
    cJSON *probs = cJSON_AddArrayToObject(cl, "problems");
    for (int i = 0; i < s->nproblems; i++) {
        const struct problem *p = &s->problems[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "severity", severity_name(p->severity));
        cJSON_AddStringToObject(o, "code", p->code);
        json_put_str(o, "node", p->node);
        cJSON_AddStringToObject(o, "message", p->message);
        cJSON_AddItemToArray(probs, o);
    }
    json_put_str(cl, "candidate", s->candidate);
    cJSON_AddItemToObject(cl, "manager", cluster_manager_json(s));
    cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
    for (int i = 0; i < s->nnodes; i++)
        cJSON_AddItemToArray(nodes, node_json(&s->nodes[i]));
    if (s->patroni)
        cJSON_AddItemToObject(root, "patroni", patroni_view_to_json(s->patroni));
    else
        cJSON_AddNullToObject(root, "patroni");
    cJSON_AddNumberToObject(root, "seq", (double)s->seq);
    add_dbl(root, "interval_seconds", s->interval_s);
    cJSON_AddStringToObject(root, "repltop_version", REPLTOP_VERSION);
    return root;
}

char *json_print(cJSON *root, bool pretty)
{
    char *out = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!out) {
        fputs("repltop: out of memory\n", stderr);
        abort();
    }
    char *copy = xstrdup(out); /* callers free() with the C allocator */
    cJSON_free(out);
    return copy;
}

char *snapshot_to_json(const struct snapshot *s, bool pretty)
{
    return json_print(snapshot_json_object(s), pretty);
}

/* ---- reading ---- */

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void rd_str(const cJSON *o, const char *key, char *out, size_t n)
{
    const cJSON *v = get(o, key);
    str_copy(out, n, cJSON_IsString(v) ? v->valuestring : "");
}

static int64_t rd_i64(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    /* a value beyond int64_t (1e300) cannot be ours, and casting it would be undefined */
    return cJSON_IsNumber(v) && v->valuedouble > -9.2e18 && v->valuedouble < 9.2e18
               ? (int64_t)v->valuedouble
               : NUM_UNKNOWN;
}

static int rd_int(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) && v->valuedouble >= -1 && v->valuedouble < 2147483647.0
               ? (int)v->valuedouble
               : -1;
}

static double rd_dbl(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static lsn_t rd_lsn(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    lsn_t l = LSN_UNKNOWN;
    if (cJSON_IsString(v))
        lsn_parse(v->valuestring, &l);
    return l;
}

static bool rd_bool(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(get(o, key));
}

static int rd_tristate(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

static double rd_time(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!cJSON_IsString(v) || !strptime(v->valuestring, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return 0;
    return (double)timegm(&tm);
}

static enum node_role rd_role(const cJSON *o)
{
    char r[16];
    rd_str(o, "role", r, sizeof r);
    return strcmp(r, "primary") == 0   ? ROLE_PRIMARY
           : strcmp(r, "standby") == 0 ? ROLE_STANDBY
                                       : ROLE_UNKNOWN;
}

static enum node_reach rd_reach(const cJSON *o)
{
    char r[24];
    rd_str(o, "reach", r, sizeof r);
    for (int i = REACH_PENDING; i <= REACH_ERROR; i++)
        if (strcmp(r, reach_name((enum node_reach)i)) == 0)
            return (enum node_reach)i;
    return rd_bool(o, "reachable") ? REACH_OK : REACH_UNREACHABLE;
}

static enum severity rd_severity(const cJSON *o, const char *key)
{
    char r[16];
    rd_str(o, key, r, sizeof r);
    return strcmp(r, "critical") == 0  ? SEV_CRITICAL
           : strcmp(r, "warning") == 0 ? SEV_WARNING
                                       : SEV_OK;
}

static void rd_repl(const cJSON *o, struct repl_row *r)
{
    r->pid = rd_int(o, "pid");
    rd_str(o, "application_name", r->application_name, sizeof r->application_name);
    rd_str(o, "client_addr", r->client_addr, sizeof r->client_addr);
    r->client_port = rd_int(o, "client_port");
    rd_str(o, "state", r->state, sizeof r->state);
    r->sent_lsn = rd_lsn(o, "sent_lsn");
    r->write_lsn = rd_lsn(o, "write_lsn");
    r->flush_lsn = rd_lsn(o, "flush_lsn");
    r->replay_lsn = rd_lsn(o, "replay_lsn");
    r->write_lag = rd_dbl(o, "write_lag");
    r->flush_lag = rd_dbl(o, "flush_lag");
    r->replay_lag = rd_dbl(o, "replay_lag");
    r->reply_age = rd_dbl(o, "reply_age_seconds");
    r->sync_priority = rd_int(o, "sync_priority");
    rd_str(o, "sync_state", r->sync_state, sizeof r->sync_state);
}

static void rd_slot(const cJSON *o, struct slot_row *sl)
{
    rd_str(o, "slot_name", sl->name, sizeof sl->name);
    rd_str(o, "slot_type", sl->type, sizeof sl->type);
    sl->active = rd_bool(o, "active");
    sl->active_pid = rd_int(o, "active_pid");
    sl->restart_lsn = rd_lsn(o, "restart_lsn");
    rd_str(o, "wal_status", sl->wal_status, sizeof sl->wal_status);
    sl->safe_wal_size = rd_i64(o, "safe_wal_size");
    sl->retained_bytes = rd_i64(o, "retained_bytes");
}

static void rd_wal_receiver(const cJSON *o, struct wal_receiver *w)
{
    w->present = cJSON_IsObject(o);
    if (!w->present)
        return;
    rd_str(o, "status", w->status, sizeof w->status);
    w->received_tli = rd_int(o, "received_tli");
    w->flushed_lsn = rd_lsn(o, "flushed_lsn");
    w->latest_end_lsn = rd_lsn(o, "latest_end_lsn");
    rd_str(o, "sender_host", w->sender_host, sizeof w->sender_host);
    w->sender_port = rd_int(o, "sender_port");
    rd_str(o, "slot_name", w->slot_name, sizeof w->slot_name);
    w->last_msg_age = rd_dbl(o, "last_msg_age_seconds");
}

static void rd_manager(const cJSON *o, struct node_manager *m)
{
    m->checked = cJSON_IsObject(o);
    if (!m->checked)
        return;
    char kind[24];
    rd_str(o, "kind", kind, sizeof kind);
    m->kind = manager_from_key(kind);
    rd_str(o, "scope", m->scope, sizeof m->scope);
    rd_str(o, "member", m->member, sizeof m->member);
    m->node_id = rd_int(o, "node_id");
    m->agent = rd_tristate(o, "agent_session");
    rd_str(o, "marks", m->marks, sizeof m->marks);
}

static void rd_node(const cJSON *o, struct node_snap *n)
{
    rd_str(o, "name", n->name, sizeof n->name);
    rd_str(o, "target", n->target, sizeof n->target);
    rd_str(o, "actions_via", n->actions_via, sizeof n->actions_via);
    node_snap_clear(n);
    n->reach = rd_reach(o);
    rd_str(o, "error", n->error, sizeof n->error);
    n->role = rd_role(o);
    rd_str(o, "server_version", n->server_version, sizeof n->server_version);
    rd_str(o, "system_identifier", n->system_identifier, sizeof n->system_identifier);
    n->timeline = rd_int(o, "timeline");
    n->current_lsn = rd_lsn(o, "current_lsn");
    n->receive_lsn = rd_lsn(o, "receive_lsn");
    n->replay_lsn = rd_lsn(o, "replay_lsn");
    rd_str(o, "application_name", n->application_name, sizeof n->application_name);
    rd_str(o, "upstream", n->upstream, sizeof n->upstream);
    rd_str(o, "sync_state", n->sync_state, sizeof n->sync_state);
    n->sync_priority = rd_int(o, "sync_priority");
    n->matched = n->sync_state[0] != '\0';
    const cJSON *lb = get(o, "lag_bytes"), *ls = get(o, "lag_seconds");
    n->lag_sent = rd_i64(lb, "sent");
    n->lag_write = rd_i64(lb, "write");
    n->lag_flush = rd_i64(lb, "flush");
    n->lag_replay = rd_i64(lb, "replay");
    n->lag_write_s = rd_dbl(ls, "write");
    n->lag_flush_s = rd_dbl(ls, "flush");
    n->lag_replay_s = rd_dbl(ls, "replay");
    n->data_at_risk = rd_i64(o, "data_at_risk_bytes");
    n->tps = rd_dbl(o, "tps");
    n->connections = rd_i64(o, "connections");
    rd_str(o, "state", n->state, sizeof n->state);
    n->sampled_at = rd_time(o, "sampled_at");
    n->stale = rd_bool(o, "stale");
    n->uptime_s = rd_dbl(o, "uptime_seconds");
    n->replay_age = rd_dbl(o, "replay_age_seconds");
    n->replay_paused = rd_tristate(o, "replay_paused");
    n->apply_delay_s = rd_dbl(o, "apply_delay_seconds");
    rd_str(o, "same_server_as", n->same_server_as, sizeof n->same_server_as);
    n->other_cluster = rd_bool(o, "other_cluster");
    rd_str(o, "upstream_addr", n->upstream_addr, sizeof n->upstream_addr);
    char names[SETTING_LEN];
    rd_str(o, "synchronous_standby_names", names, sizeof names);
    n->synchronous_standby_names = str_intern(names);
    rd_str(o, "synchronous_commit", n->synchronous_commit, sizeof n->synchronous_commit);
    n->best_candidate = rd_bool(o, "best_candidate");
    rd_str(o, "last_sync_state", n->last_sync_state, sizeof n->last_sync_state);
    n->last_sync_priority = rd_int(o, "last_sync_priority");
    n->needs_rewind = rd_bool(o, "needs_rewind");
    n->needs_resync = rd_bool(o, "needs_resync");
    rd_str(o, "recovery_source", n->recovery_source, sizeof n->recovery_source);
    rd_str(o, "primary_slot_name", n->primary_slot_name, sizeof n->primary_slot_name);
    n->fork_lsn = rd_lsn(o, "fork_lsn");
    rd_str(o, "seen_by", n->seen_by, sizeof n->seen_by);
    rd_str(o, "postmaster_start", n->postmaster_start, sizeof n->postmaster_start);
    n->oldest_wal = rd_lsn(o, "oldest_wal_lsn");
    rd_str(o, "startup_wait_event", n->startup_wait, sizeof n->startup_wait);
    n->restore_command = rd_tristate(o, "restore_command_set");
    const cJSON *hist = get(o, "timeline_history"), *h;
    n->nhistory = cJSON_IsArray(hist) ? 0 : -1;
    cJSON_ArrayForEach(h, hist) if (n->nhistory < HISTORY_MAX) n->history[n->nhistory++] =
        (struct tli_switch){rd_int(h, "timeline"), rd_lsn(h, "switch_lsn")};
    rd_str(o, "patroni_member", n->patroni_member, sizeof n->patroni_member);
    n->manager_sessions = rd_i64(o, "manager_sessions");
    rd_manager(get(o, "manager"), &n->manager);
    rd_wal_receiver(get(o, "wal_receiver"), &n->wr);
    const cJSON *arr = get(o, "replication");
    int cnt = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (cnt > 0) {
        n->repl = xcalloc((size_t)cnt, sizeof *n->repl);
        const cJSON *it;
        cJSON_ArrayForEach(it, arr) rd_repl(it, &n->repl[n->nrepl++]);
    }
    arr = get(o, "slots");
    cnt = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (cnt > 0) {
        n->slots = xcalloc((size_t)cnt, sizeof *n->slots);
        const cJSON *it;
        cJSON_ArrayForEach(it, arr) rd_slot(it, &n->slots[n->nslots++]);
    }
}

struct snapshot *snapshot_from_json(const char *text, char *err, size_t errlen)
{
    cJSON *root = cJSON_Parse(text ? text : "");
    if (!root) {
        const char *where = cJSON_GetErrorPtr();
        long pos = where && text ? (long)(where - text) : 0;
        str_printf(err, errlen, "not valid JSON (near byte %ld)", pos);
        return NULL;
    }
    const cJSON *nodes = get(root, "nodes"), *cl = get(root, "cluster");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(nodes) || !cJSON_IsObject(cl)) {
        str_copy(err, errlen, "not a repltop snapshot (needs \"cluster\" and \"nodes\")");
        cJSON_Delete(root);
        return NULL;
    }
    int nn = cJSON_GetArraySize(nodes);
    struct snapshot *s = snapshot_new(nn);
    s->taken_at = rd_time(root, "taken_at");
    s->seq = (uint64_t)(rd_i64(root, "seq") > 0 ? rd_i64(root, "seq") : 0);
    s->interval_s = rd_dbl(root, "interval_seconds");
    rd_str(cl, "primary", s->primary, sizeof s->primary);
    rd_str(cl, "synchronous_standby_names", s->synchronous_standby_names,
           sizeof s->synchronous_standby_names);
    rd_str(cl, "synchronous_commit", s->synchronous_commit, sizeof s->synchronous_commit);
    char policy[SETTING_LEN];
    rd_str(cl, "sync_policy", policy, sizeof policy);
    s->sync_policy = str_intern(policy);
    rd_str(cl, "candidate", s->candidate, sizeof s->candidate);
    s->patroni = patroni_view_from_json(get(root, "patroni"));
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, nodes)
    {
        if (!cJSON_IsObject(it) || !cJSON_IsString(get(it, "name"))) {
            str_printf(err, errlen, "node %d of the snapshot has no name", i + 1);
            snapshot_free(s);
            cJSON_Delete(root);
            return NULL;
        }
        rd_node(it, &s->nodes[i++]);
    }
    const cJSON *probs = get(cl, "problems");
    cJSON_ArrayForEach(it, probs)
    {
        char code[32], node[NAME_LEN], msg[ERROR_LEN];
        rd_str(it, "code", code, sizeof code);
        rd_str(it, "node", node, sizeof node);
        rd_str(it, "message", msg, sizeof msg);
        snapshot_add_problem(s, rd_severity(it, "severity"), code, node, "%s", msg);
    }
    s->health = rd_severity(cl, "health");
    cJSON_Delete(root);
    return s;
}
