/* cluster: the set of nodes and their refresh rounds. */
#include "model/watch/cluster.h"
#include "model/watch/derive.h"
#include "model/watch/lastsync.h"
#include "model/watch/memory.h"
#include "model/watch/node.h"
#include "model/watch/patroni_members.h"
#include "model/watch/patroni_poll.h"
#include "model/base/intern.h"
#include "model/watch/sockset.h"
#include "model/base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connection attempts under way at once. A handshake costs the client ~2.6 ms of CPU (SCRAM)
 * and a server a backend start (~33 ms): hundreds started together queue behind each other
 * and their deadlines expire while repltop and the servers are busy, not the nodes slow
 * (issue 14: 139 of 300 nodes reached). Sixteen keeps both CPUs busy here and a remote fleet's
 * round trips overlapping, while each attempt's wait stays a small part of its deadline. */
#define CONNECTS_IN_FLIGHT CLUSTER_CONNECTS_IN_FLIGHT

struct cluster {
    const struct config *cfg;
    struct connect_budget own_budget; /* used unless a fleet shares one (cluster_share_connects) */
    struct connect_budget *budget;
    int busy; /* this cluster's attempts under way, counted in budget->busy */
    struct node **nodes;
    int nnodes;
    uint64_t seq;
    int next_send;           /* the first node of this refresh not sent to yet */
    int64_t round_start;     /* clock_mono_ms() of the current refresh */
    double round_start_wall; /* and the same moment as wall-clock time */
    FILE *trace;             /* REPLTOP_TRACE (bench/): one line per refresh, else NULL */
    bool always_polled;      /* see cluster_set_always_polled() */
    /* counted in one pass over the nodes after every change (tally), so that each turn of the
     * caller's loop is not five passes over a thousand nodes */
    int npending;                                 /* nodes this refresh still waits for */
    int64_t next_deadline;                        /* the earliest node deadline, -1 for none */
    char remembered[NAME_LEN + SETTING_LEN + 32]; /* what memory_save last wrote */
    struct lastsync *lastsync;    /* the failover tie-break's memory between refreshes */
    char (*learned)[NAME_LEN];    /* per node: the name it streams as, for one named by address */
    struct patroni_poll *patroni; /* Patroni's view, NULL when not configured */
    struct sockset *set;          /* the nodes' sockets are kept there (cluster_use_sockset) */
    int *slot;                    /* per node: its slot in set */
    int nqueued;                  /* nodes waiting for a turn to connect (tally) */
};

/* cluster_pollfds' owner of the sockets of Patroni's REST API (the nodes' are 0..n-1) */
#define OWNER_PATRONI (-1)

struct cluster *cluster_new(const struct config *cfg)
{
    struct cluster *c = xcalloc(1, sizeof *c);
    c->cfg = cfg;
    c->nnodes = cfg->nnodes;
    c->own_budget.limit = CONNECTS_IN_FLIGHT;
    c->budget = &c->own_budget;
    c->nodes = xcalloc((size_t)(c->nnodes ? c->nnodes : 1), sizeof *c->nodes);
    for (int i = 0; i < c->nnodes; i++)
        c->nodes[i] = node_new(&cfg->nodes[i], cfg->connect_timeout_ms, cfg->query_timeout_ms);
    c->lastsync = lastsync_new(c->nnodes);
    c->learned = xcalloc((size_t)(c->nnodes ? c->nnodes : 1), sizeof *c->learned);
    c->patroni = patroni_poll_new(cfg, cfg->query_timeout_ms);
    /* a measurement hook for bench/, off unless the variable names a file */
    const char *trace = getenv("REPLTOP_TRACE");
    if (trace && *trace)
        c->trace = fopen(trace, "ae");
    return c;
}

void cluster_free(struct cluster *c)
{
    if (!c)
        return;
    c->budget->busy -= c->busy; /* a shared budget outlives this cluster */
    c->budget->queued -= c->nqueued;
    for (int i = 0; c->set && i < c->nnodes; i++)
        sockset_slot_free(c->set, c->slot[i]); /* before the sockets are closed */
    free(c->slot);
    for (int i = 0; i < c->nnodes; i++)
        node_free(c->nodes[i]);
    free(c->nodes);
    lastsync_free(c->lastsync);
    free(c->learned);
    patroni_poll_free(c->patroni);
    if (c->trace)
        fclose(c->trace);
    free(c);
}

int cluster_size(const struct cluster *c)
{
    return c->nnodes;
}

void cluster_share_connects(struct cluster *c, struct connect_budget *b)
{
    c->budget->busy -= c->busy;
    c->budget->queued -= c->nqueued;
    c->budget = b;
    b->busy += c->busy;
    b->queued += c->nqueued;
}

void cluster_set_always_polled(struct cluster *c)
{
    c->always_polled = true;
}

/* What node i waits for, said again to the set after anything that may have changed it (a
 * system call only when it did). */
static void sync_node(struct cluster *c, int i)
{
    if (!c->set)
        return;
    struct pollfd p;
    if (node_pollfd(c->nodes[i], &p))
        sockset_want(c->set, c->slot[i], p.fd, p.events, node_socket_epoch(c->nodes[i]));
    else
        sockset_want(c->set, c->slot[i], -1, 0, 0);
}

void cluster_use_sockset(struct cluster *c, struct sockset *set, int group)
{
    c->set = set;
    c->slot = xcalloc((size_t)(c->nnodes ? c->nnodes : 1), sizeof *c->slot);
    for (int i = 0; i < c->nnodes; i++) {
        c->slot[i] = sockset_slot_new(set, group, i);
        sync_node(c, i);
    }
}

bool cluster_has_patroni(const struct cluster *c)
{
    return c->patroni != NULL;
}

bool cluster_connects_queued(const struct cluster *c)
{
    return c->nqueued > 0;
}

void cluster_refresh_begin(struct cluster *c, int64_t now)
{
    c->seq++;
    c->round_start = now;
    c->round_start_wall = clock_wall();
    c->next_send = 0;
    if (c->patroni)
        patroni_poll_start(c->patroni);
}

static void note_deadline(struct cluster *c, int64_t d)
{
    if (d >= 0 && (c->next_deadline < 0 || d < c->next_deadline))
        c->next_deadline = d;
}

/* After the nodes changed: counts the pending ones, finds the earliest deadline, and gives
 * queued nodes their turn to connect, in node order, while fewer than the budget's limit of
 * attempts are under way (CONNECTS_IN_FLIGHT; a fleet's clusters share one). */
static void tally(struct cluster *c)
{
    int64_t now = clock_mono_ms(); /* a deadline starts when the attempt does */
    int busy = 0, first = -1;
    c->npending = 0;
    c->budget->queued -= c->nqueued;
    c->nqueued = 0;
    c->next_deadline = -1;
    for (int i = 0; i < c->nnodes; i++) {
        const struct node *n = c->nodes[i];
        busy += node_connecting(n);
        if (node_connect_queued(n) && c->nqueued++ == 0)
            first = i;
        c->npending += node_round_pending(n);
        note_deadline(c, node_deadline_ms(n));
    }
    c->budget->busy += busy - c->busy;
    c->busy = busy;
    c->budget->queued += c->nqueued;
    for (int i = first; i >= 0 && i < c->nnodes && c->budget->busy < c->budget->limit; i++) {
        struct node *n = c->nodes[i];
        if (!node_connect_queued(n))
            continue;
        bool was_pending = node_round_pending(n);
        node_connect(n, now);
        sync_node(c, i);
        c->nqueued--;
        c->budget->queued--;
        int started = node_connecting(n); /* it may have failed at once */
        c->busy += started;
        c->budget->busy += started;
        c->npending += (int)node_round_pending(n) - (int)was_pending;
        note_deadline(c, node_deadline_ms(n));
    }
}

bool cluster_refresh_send(struct cluster *c, int64_t until)
{
    int64_t now = clock_mono_ms();
    while (c->next_send < c->nnodes) {
        node_round_start(c->nodes[c->next_send], now, !c->always_polled);
        sync_node(c, c->next_send++);
        now = clock_mono_ms();
        if (now >= until)
            break;
    }
    tally(c);
    return c->next_send < c->nnodes;
}

void cluster_refresh_start(struct cluster *c, int64_t now)
{
    cluster_refresh_begin(c, now);
    cluster_refresh_send(c, INT64_MAX);
}

/* When an always-polled refresh is shown even though a node has not answered yet: half the
 * interval after it started (bench/RESULTS.md, section 2). The first refresh waits as long as
 * one node's connect and query deadlines: every node that is not queued has answered or
 * failed by then; with hundreds of nodes the rest, still waiting for their turn to connect,
 * show as connecting. The late node keeps its previous values until it answers or reaches its
 * own deadline, both of which show in a later refresh. */
static int64_t cut_at(const struct cluster *c)
{
    if (!c->always_polled)
        return -1;
    if (c->seq <= 1)
        return c->round_start + c->cfg->connect_timeout_ms + c->cfg->query_timeout_ms;
    return c->round_start + (int64_t)(c->cfg->refresh_s * 500);
}

bool cluster_refresh_done(const struct cluster *c)
{
    if (c->next_send < c->nnodes)
        return false;
    int64_t cut = cut_at(c);
    if (cut >= 0 && clock_mono_ms() >= cut)
        return true;
    /* the dashboard shows Patroni's view as last read; status and actions wait for it */
    if (c->patroni && !c->always_polled && patroni_poll_pending(c->patroni))
        return false;
    return c->npending == 0;
}

int cluster_pollfds(const struct cluster *c, struct pollfd *pfds, int *owner, int max)
{
    int n = 0;
    for (int i = 0; !c->set && i < c->nnodes && n < max; i++) {
        if (node_pollfd(c->nodes[i], &pfds[n])) {
            owner[n] = i;
            n++;
        }
    }
    if (c->patroni && n < max) {
        int k = patroni_poll_fds(c->patroni, pfds + n, max - n);
        for (int i = 0; i < k; i++)
            owner[n + i] = OWNER_PATRONI;
        n += k;
    }
    return n;
}

int cluster_timeout_ms(const struct cluster *c, int64_t now)
{
    int64_t best = c->next_deadline;
    int pt = c->patroni ? patroni_poll_timeout_ms(c->patroni, now) : -1;
    if (pt >= 0 && (best < 0 || now + pt < best))
        best = now + pt;
    int64_t cut = cut_at(c);
    if (cut > now && (best < 0 || cut < best) && !cluster_refresh_done(c))
        best = cut;
    if (best < 0)
        return -1;
    return best <= now ? 0 : (int)(best - now);
}

void cluster_handle(struct cluster *c, const struct pollfd *pfds, const int *owner, int n,
                    int64_t now)
{
    struct pollfd http_fds[32];
    int nhttp = 0;
    for (int i = 0; i < n; i++) {
        if (owner[i] == OWNER_PATRONI) {
            if (nhttp < 32)
                http_fds[nhttp++] = pfds[i];
        } else if (pfds[i].revents) {
            node_handle(c->nodes[owner[i]], pfds[i].revents, now);
        }
    }
    if (c->patroni)
        patroni_poll_handle(c->patroni, http_fds, nhttp, now);
    /* deadlines of every node, whether or not its socket woke us */
    for (int i = 0; i < c->nnodes; i++) {
        node_handle(c->nodes[i], 0, now);
        sync_node(c, i);
    }
    tally(c);
}

void cluster_node_ready(struct cluster *c, int i, short revents, int64_t now)
{
    node_handle(c->nodes[i], revents, now);
    sync_node(c, i);
}

/* "refresh SEQ start_ms T wall_ms D answered A waiting W nodes N": T is the wall-clock start
 * in ms since the epoch, D how long until this snapshot, A the nodes that answered this
 * refresh, W those it is still waiting for (bench/isolation.sh reads these). */
static void trace_refresh(const struct cluster *c, const struct snapshot *s)
{
    int answered = 0, waiting = 0;
    for (int i = 0; i < c->nnodes; i++) {
        bool pending = node_round_pending(c->nodes[i]);
        answered += s->nodes[i].reach == REACH_OK && !s->nodes[i].stale && !pending;
        waiting += pending;
    }
    fprintf(c->trace, "refresh %llu start_ms %.0f wall_ms %lld answered %d waiting %d nodes %d\n",
            (unsigned long long)c->seq, c->round_start_wall * 1000,
            (long long)(clock_mono_ms() - c->round_start), answered, waiting, c->nnodes);
    fflush(c->trace);
}

/* Whether name can be node i's: no other node is called so or streams as it. */
static bool name_free(const struct cluster *c, const struct snapshot *s, int i, const char *name)
{
    char err[128];
    if (!config_valid_name(name, err, sizeof err) || strchr(name, ':'))
        return false;
    for (int j = 0; j < c->nnodes; j++)
        if (j != i &&
            (strcmp(c->cfg->nodes[j].name, name) == 0 || strcmp(c->learned[j], name) == 0 ||
             strcmp(s->nodes[j].application_name, name) == 0))
            return false;
    return true;
}

/* A node given as a bare conninfo is named host:port (config.c) until it answers as a standby;
 * from then on it is named by the application_name it streams as — the name its primary, an HA
 * manager and the operator know it by (Patroni's members stream as their member names) — when
 * no other node has that name. Once learned the name stays, whatever role the node takes. */
static void learn_names(struct cluster *c, struct snapshot *s)
{
    for (int i = 0; i < c->nnodes; i++) {
        struct node_snap *n = &s->nodes[i];
        if (!c->cfg->nodes[i].named_by_address)
            continue;
        if (!c->learned[i][0] && n->reach == REACH_OK && n->role == ROLE_STANDBY &&
            n->application_name[0] && name_free(c, s, i, n->application_name))
            str_copy(c->learned[i], sizeof c->learned[i], n->application_name);
        if (c->learned[i][0])
            str_copy(n->name, sizeof n->name, c->learned[i]);
    }
}

/* Patroni's view into the snapshot: the view itself, and which member each node is. */
static void patroni_fill_snap(const struct cluster *c, struct snapshot *s)
{
    s->patroni = xmalloc(sizeof *s->patroni);
    *s->patroni = *patroni_poll_view(c->patroni);
    for (int i = 0; i < c->nnodes; i++) {
        const struct patroni_member *m = patroni_member_of(s->patroni, &c->cfg->nodes[i]);
        str_copy(s->nodes[i].patroni_member, sizeof s->nodes[i].patroni_member, m ? m->name : "");
    }
}

struct snapshot *cluster_snapshot(struct cluster *c)
{
    struct snapshot *s = snapshot_new(c->nnodes);
    s->taken_at = clock_wall();
    s->seq = c->seq;
    s->interval_s = c->cfg->refresh_s;
    for (int i = 0; i < c->nnodes; i++) {
        free(s->nodes[i].repl);
        free(s->nodes[i].slots);
        node_fill_snap(c->nodes[i], &s->nodes[i]);
    }
    learn_names(c, s);
    struct health_limits lim = {
        .lag_warn_bytes = c->cfg->lag_warn_bytes,
        .lag_crit_bytes = c->cfg->lag_crit_bytes,
        .lag_warn_s = c->cfg->lag_warn_s,
        .lag_crit_s = c->cfg->lag_crit_s,
        .cfg = c->cfg,
    };
    s->sync_policy = str_intern(c->cfg->sync_policy);
    if (c->patroni)
        patroni_fill_snap(c, s);
    lastsync_recall(c->lastsync, s);
    derive_snapshot(s, &lim);
    lastsync_keep(c->lastsync, s);
    if (c->trace)
        trace_refresh(c, s);
    /* keep the primary's sync settings on disk, for a promote after it died; only on change */
    if (s->primary[0]) {
        char now[sizeof c->remembered];
        str_printf(now, sizeof now, "%s\n%s\n%s", s->primary, s->synchronous_standby_names,
                   s->synchronous_commit);
        if (strcmp(now, c->remembered) != 0) {
            memory_save(s);
            str_copy(c->remembered, sizeof c->remembered, now);
        }
    }
    return s;
}

struct snapshot *cluster_sample_once(struct cluster *c)
{
    int max = c->nnodes + 32; /* the nodes', and Patroni's REST API's */
    struct pollfd *pfds = xcalloc((size_t)max, sizeof *pfds);
    int *owner = xcalloc((size_t)max, sizeof *owner);
    cluster_refresh_start(c, clock_mono_ms());
    while (!cluster_refresh_done(c)) {
        int n = cluster_pollfds(c, pfds, owner, max);
        int timeout = cluster_timeout_ms(c, clock_mono_ms());
        if (n == 0 && timeout < 0)
            break; /* nothing left to wait for (cannot happen while a node is pending) */
        if (poll(pfds, (nfds_t)n, timeout) < 0 && errno != EINTR)
            break;
        cluster_handle(c, pfds, owner, n, clock_mono_ms());
    }
    free(pfds);
    free(owner);
    return cluster_snapshot(c);
}
