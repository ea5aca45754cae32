/* snapshot: allocation, copying and small lookups of the plain-data snapshot. */
#include "model/watch/snapshot.h"
#include "model/base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lsn_t node_wal_held(const struct node_snap *n)
{
    if (n->receive_lsn == LSN_UNKNOWN ||
        (n->replay_lsn != LSN_UNKNOWN && n->replay_lsn > n->receive_lsn))
        return n->replay_lsn;
    return n->receive_lsn;
}

bool node_delayed(const struct node_snap *n)
{
    return n->role == ROLE_STANDBY && dbl_known(n->apply_delay_s) && n->apply_delay_s > 0;
}

void node_snap_clear(struct node_snap *n)
{
    char name[NAME_LEN], target[sizeof n->target], via[sizeof n->actions_via];
    str_copy(name, sizeof name, n->name);
    str_copy(target, sizeof target, n->target);
    str_copy(via, sizeof via, n->actions_via);
    free(n->repl);
    free(n->slots);
    memset(n, 0, sizeof *n);
    n->synchronous_standby_names = "";
    str_copy(n->name, sizeof n->name, name);
    str_copy(n->target, sizeof n->target, target);
    str_copy(n->actions_via, sizeof n->actions_via, via);
    n->reach = REACH_PENDING;
    n->role = ROLE_UNKNOWN;
    n->server_version_num = -1;
    n->timeline = -1;
    n->uptime_s = NAN;
    n->oldest_wal = LSN_UNKNOWN;
    n->restore_command = -1;
    n->nhistory = -1;
    n->fork_lsn = LSN_UNKNOWN;
    n->replay_age = NAN;
    n->replay_paused = -1;
    n->apply_delay_s = NAN;
    n->sync_priority = -1;
    n->last_sync_priority = -1;
    n->read_all_stats = -1;
    n->lag_sent = n->lag_write = n->lag_flush = n->lag_replay = NUM_UNKNOWN;
    n->lag_write_s = n->lag_flush_s = n->lag_replay_s = NAN;
    n->data_at_risk = NUM_UNKNOWN;
    n->tps = NAN;
    n->connections = NUM_UNKNOWN;
    n->manager_sessions = NUM_UNKNOWN;
    n->manager.node_id = -1;
    n->manager.agent = -1;
    n->wr.received_tli = -1;
    n->wr.sender_port = -1;
    n->wr.last_msg_age = NAN;
}

struct snapshot *snapshot_new(int nnodes)
{
    struct snapshot *s = xcalloc(1, sizeof *s);
    s->nnodes = nnodes;
    s->nodes = xcalloc((size_t)(nnodes > 0 ? nnodes : 1), sizeof *s->nodes);
    for (int i = 0; i < nnodes; i++)
        node_snap_clear(&s->nodes[i]);
    s->interval_s = NAN;
    s->remembered_sync_names = s->sync_policy = "";
    return s;
}

void snapshot_free(struct snapshot *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nnodes; i++) {
        free(s->nodes[i].repl);
        free(s->nodes[i].slots);
    }
    free(s->nodes);
    free(s->problems);
    free(s->patroni);
    free(s);
}

static void *dup_array(const void *src, int n, size_t size)
{
    if (!src || n <= 0)
        return NULL;
    void *p = xmalloc((size_t)n * size);
    memcpy(p, src, (size_t)n * size);
    return p;
}

struct snapshot *snapshot_copy(const struct snapshot *s)
{
    struct snapshot *c = xmalloc(sizeof *c);
    *c = *s;
    c->nodes = dup_array(s->nodes, s->nnodes, sizeof *s->nodes);
    if (!c->nodes)
        c->nodes = xcalloc(1, sizeof *c->nodes);
    c->problems = dup_array(s->problems, s->nproblems, sizeof *s->problems);
    c->patroni = dup_array(s->patroni, s->patroni ? 1 : 0, sizeof *s->patroni);
    for (int i = 0; i < s->nnodes; i++) {
        c->nodes[i].repl = dup_array(s->nodes[i].repl, s->nodes[i].nrepl, sizeof(struct repl_row));
        c->nodes[i].slots =
            dup_array(s->nodes[i].slots, s->nodes[i].nslots, sizeof(struct slot_row));
    }
    return c;
}

const struct node_snap *snapshot_find(const struct snapshot *s, const char *name)
{
    for (int i = 0; s && name && i < s->nnodes; i++)
        if (strcmp(s->nodes[i].name, name) == 0)
            return &s->nodes[i];
    return NULL;
}

const struct patroni_member *snapshot_patroni_member(const struct snapshot *s,
                                                     const struct node_snap *n)
{
    if (!s->patroni || !s->patroni->known || !n->patroni_member[0])
        return NULL;
    return patroni_member_find(s->patroni, n->patroni_member);
}

void snapshot_add_problem(struct snapshot *s, enum severity sev, const char *code, const char *node,
                          const char *fmt, ...)
{
    s->problems = xrealloc(s->problems, (size_t)(s->nproblems + 1) * sizeof *s->problems);
    struct problem *p = &s->problems[s->nproblems++];
    memset(p, 0, sizeof *p);
    p->severity = sev;
    str_copy(p->code, sizeof p->code, code);
    str_copy(p->node, sizeof p->node, node);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    if (sev > s->health)
        s->health = sev;
}

const char *role_name(enum node_role r)
{
    switch (r) {
    case ROLE_PRIMARY:
        return "primary";
    case ROLE_STANDBY:
        return "standby";
    default:
        return "unknown";
    }
}

const char *reach_name(enum node_reach r)
{
    switch (r) {
    case REACH_OK:
        return "ok";
    case REACH_UNREACHABLE:
        return "unreachable";
    case REACH_TIMEOUT:
        return "timeout";
    case REACH_AUTH_FAILED:
        return "auth_failed";
    case REACH_ERROR:
        return "error";
    default:
        return "pending";
    }
}

const char *severity_name(enum severity s)
{
    switch (s) {
    case SEV_WARNING:
        return "warning";
    case SEV_CRITICAL:
        return "critical";
    default:
        return "ok";
    }
}
