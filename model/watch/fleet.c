/* fleet: the clusters of a fleet, their refreshes and snapshots (fleet.h). */
#include "model/watch/fleet.h"
#include "model/watch/fleet_twins.h"
#include "model/watch/sockset.h"
#include "model/base/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct member {
    struct config *cfg;
    struct cluster *cl;
    struct snapshot *snap; /* the last complete one, NULL before the first */
    bool refreshing;       /* this refresh of the fleet has not collected it yet */
    bool begun;            /* its own refresh began (when its sends did) */
    bool touched;          /* a node of it was served this turn: cluster_handle is due */
    bool patroni;          /* it reads Patroni: its sockets are polled, it is handled each turn */
    int64_t due;           /* when cluster_handle is due without a socket ready, -1 never */
    int pf_start, pf_n;    /* its sockets in the caller's pollfd array (fleet_pollfds) */
    double lag[FLEET_LAG_SAMPLES];
    int nlag, lag_head; /* a ring: lag_head is the next slot to write */
    uint64_t *keys;     /* twin_keys of snap */
    int nkeys;
    int twin[FLEET_TWINS_MAX]; /* the clusters snap was found to be a copy of */
    int ntwin;
};

struct fleet {
    struct member *m;
    int n;
    int next_send; /* the first cluster of this refresh with sends left */
    bool always_polled;
    struct connect_budget budget;
    struct sockset *set; /* every node's socket; NULL: each turn polls them all (fallback) */
};

/* When cluster_handle is due for m, from the cluster as it is now. */
static void member_due(struct member *m, int64_t now)
{
    int t = cluster_timeout_ms(m->cl, now);
    m->due = t < 0 ? -1 : now + t;
    m->touched = false;
}

static void member_start(struct fleet *f, struct member *m)
{
    m->cl = cluster_new(m->cfg);
    cluster_share_connects(m->cl, &f->budget);
    if (f->always_polled)
        cluster_set_always_polled(m->cl);
    if (f->set)
        cluster_use_sockset(m->cl, f->set, (int)(m - f->m));
    m->patroni = cluster_has_patroni(m->cl);
    member_due(m, clock_mono_ms());
}

struct fleet *fleet_new(struct config *const *cfgs, int n)
{
    struct fleet *f = xcalloc(1, sizeof *f);
    f->n = n;
    f->m = xcalloc((size_t)(n ? n : 1), sizeof *f->m);
    f->budget.limit = CLUSTER_CONNECTS_IN_FLIGHT;
    f->next_send = n;
    f->set = sockset_new();
    for (int i = 0; i < n; i++) {
        f->m[i].cfg = cfgs[i];
        member_start(f, &f->m[i]);
    }
    return f;
}

void fleet_free(struct fleet *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++) {
        cluster_free(f->m[i].cl);
        snapshot_free(f->m[i].snap);
        free(f->m[i].keys);
    }
    sockset_free(f->set); /* after the clusters, whose slots it holds */
    free(f->m);
    free(f);
}

int fleet_count(const struct fleet *f)
{
    return f->n;
}

int fleet_pollfds_max(const struct fleet *f)
{
    if (!f->set)
        return fleet_nodes(f) + CLUSTER_POLLFDS_EXTRA * f->n;
    int n = 1;
    for (int i = 0; i < f->n; i++)
        n += f->m[i].patroni ? CLUSTER_POLLFDS_EXTRA : 0;
    return n;
}

int fleet_nodes(const struct fleet *f)
{
    int n = 0;
    for (int i = 0; i < f->n; i++)
        n += cluster_size(f->m[i].cl);
    return n;
}

const char *fleet_name(const struct fleet *f, int i)
{
    const char *name = f->m[i].cfg->cluster_name;
    return name ? name : "";
}

struct config *fleet_config(const struct fleet *f, int i)
{
    return f->m[i].cfg;
}

struct cluster *fleet_cluster(const struct fleet *f, int i)
{
    return f->m[i].cl;
}

const struct snapshot *fleet_snapshot(const struct fleet *f, int i)
{
    return f->m[i].snap;
}

int fleet_lag_series(const struct fleet *f, int i, double *out, int max)
{
    const struct member *m = &f->m[i];
    int n = m->nlag < max ? m->nlag : max;
    for (int k = 0; k < n; k++) {
        int idx = (m->lag_head - n + k + FLEET_LAG_SAMPLES) % FLEET_LAG_SAMPLES;
        out[k] = m->lag[idx];
    }
    return n;
}

void fleet_rebuild(struct fleet *f, int i)
{
    struct member *m = &f->m[i];
    cluster_free(m->cl);
    member_start(f, m);
    m->refreshing = false;
    m->begun = false;
}

void fleet_set_always_polled(struct fleet *f)
{
    f->always_polled = true;
    for (int i = 0; i < f->n; i++)
        cluster_set_always_polled(f->m[i].cl);
}

/* Each cluster's own refresh begins when its sends do, not with the fleet's: it is shown at
 * the latest half an interval after that (cluster.h), so a cluster late in the order of the
 * sends of a large fleet still gets its half interval to answer. */
void fleet_refresh_begin(struct fleet *f, int64_t now)
{
    (void)now;
    for (int i = 0; i < f->n; i++) {
        f->m[i].refreshing = true;
        f->m[i].begun = false;
    }
    f->next_send = 0;
}

bool fleet_refresh_send(struct fleet *f, int64_t until)
{
    while (f->next_send < f->n) {
        struct member *m = &f->m[f->next_send];
        if (m->refreshing && !m->begun) {
            cluster_refresh_begin(m->cl, clock_mono_ms());
            m->begun = true;
        }
        /* a cluster rebuilt since the refresh began waits for the next one */
        bool more = m->refreshing && cluster_refresh_send(m->cl, until);
        member_due(m, clock_mono_ms()); /* its nodes' deadlines start */
        if (more)
            return true; /* this cluster's slice used the time */
        f->next_send++;
        if (clock_mono_ms() >= until)
            break;
    }
    return f->next_send < f->n;
}

bool fleet_refreshing(const struct fleet *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->m[i].refreshing)
            return true;
    return false;
}

/* With the epoll set: its descriptor first (owner OWNER_SET), then Patroni's sockets of the
 * clusters that read it. Without: every node's socket. */
#define OWNER_SET (-2)

int fleet_pollfds(struct fleet *f, struct pollfd *pfds, int *owner, int max)
{
    int n = 0;
    if (f->set && max > 0) {
        pfds[0] = (struct pollfd){sockset_fd(f->set), POLLIN, 0};
        owner[0] = OWNER_SET;
        n = 1;
    }
    for (int i = 0; i < f->n; i++) {
        struct member *m = &f->m[i];
        m->pf_start = n;
        m->pf_n = 0;
        if (!f->set || m->patroni)
            m->pf_n = cluster_pollfds(m->cl, pfds + n, owner + n, max - n);
        n += m->pf_n;
    }
    return n;
}

int fleet_timeout_ms(const struct fleet *f, int64_t now)
{
    int best = -1;
    for (int i = 0; i < f->n; i++) {
        const struct member *m = &f->m[i];
        int t = !f->set      ? cluster_timeout_ms(m->cl, now)
                : m->due < 0 ? -1
                             : timeout_until(m->due, now);
        best = timeout_min(best, t);
    }
    return best;
}

static bool turn_to_connect(const struct fleet *f, const struct member *m)
{
    return f->budget.queued > 0 && f->budget.busy < f->budget.limit &&
           cluster_connects_queued(m->cl);
}

/* The nodes whose sockets are ready, each to its own cluster. A few batches at most: the rest,
 * if any, are still ready at the next turn. */
static void serve_ready(struct fleet *f, int64_t now)
{
    struct sockset_ready r[SOCKSET_READY_MAX];
    for (int batch = 0; batch < 4; batch++) {
        int n = sockset_ready(f->set, r, SOCKSET_READY_MAX);
        for (int i = 0; i < n; i++) {
            struct member *m = &f->m[r[i].group];
            cluster_node_ready(m->cl, r[i].index, r[i].revents, now);
            m->touched = true;
        }
        if (n < SOCKSET_READY_MAX)
            break;
    }
}

void fleet_handle(struct fleet *f, const struct pollfd *pfds, const int *owner, int n, int64_t now)
{
    if (f->set && n > 0 && owner[0] == OWNER_SET && pfds[0].revents)
        serve_ready(f, now);
    /* the clusters that were served, whose deadline came, that read Patroni (its sockets and
     * timers) or whose nodes wait for room to connect */
    for (int i = 0; i < f->n; i++) {
        struct member *m = &f->m[i];
        if (f->set && !m->touched && !(m->due >= 0 && m->due <= now) && !m->patroni &&
            !turn_to_connect(f, m))
            continue;
        int k = m->pf_start + m->pf_n <= n ? m->pf_n : 0;
        cluster_handle(m->cl, pfds + m->pf_start, owner + m->pf_start, k, now);
        member_due(m, now);
    }
    /* room that a later cluster's connects left: the earlier clusters' queued nodes take it now,
     * not at the next wake-up (which nothing may bring soon) */
    for (int i = 0; f->set && f->budget.queued > 0 && i < f->n; i++) {
        struct member *m = &f->m[i];
        if (turn_to_connect(f, m)) {
            cluster_handle(m->cl, NULL, NULL, 0, now);
            member_due(m, now);
        }
    }
}

/* Flags s, cluster i's snapshot with these keys, as a copy of every other cluster it is one
 * with (fleet_twins.h) that it was not flagged against yet. Compared with the others' last
 * snapshots: a pair collected in one pass is found by the later of the two, the other one at
 * its next refresh (fleet_sample_once looks again at the end). */
static void mark_twins(struct fleet *f, int i, struct snapshot *s, const uint64_t *keys, int nkeys)
{
    struct member *m = &f->m[i];
    for (int j = 0; j < f->n && m->ntwin < FLEET_TWINS_MAX; j++) {
        const struct member *o = &f->m[j];
        bool known = false;
        for (int k = 0; k < m->ntwin && !known; k++)
            known = m->twin[k] == j;
        if (j == i || known || !o->snap || !twin_keys_meet(keys, nkeys, o->keys, o->nkeys))
            continue;
        if (twin_check(s, m->cfg, o->snap, fleet_name(f, j), o->cfg->path))
            m->twin[m->ntwin++] = j;
    }
}

int fleet_twins(const struct fleet *f, int i, int *out, int max)
{
    int n = 0;
    for (int k = 0; k < f->m[i].ntwin && n < max; k++) {
        /* in the order of the configuration, not the order the clusters answered in */
        int j = n++, t = f->m[i].twin[k];
        for (; j > 0 && out[j - 1] > t; j--)
            out[j] = out[j - 1];
        out[j] = t;
    }
    return n;
}

/* force: every cluster still refreshing, done or not (nothing left to wait on) */
static int collect(struct fleet *f, fleet_snapshot_fn fn, void *arg, bool force)
{
    int got = 0;
    for (int i = 0; i < f->n; i++) {
        struct member *m = &f->m[i];
        if (!m->refreshing || (!force && (!m->begun || !cluster_refresh_done(m->cl))))
            continue;
        m->refreshing = false;
        struct snapshot *s = cluster_snapshot(m->cl);
        int64_t lag = snapshot_worst_lag(s);
        m->lag[m->lag_head] = num_known(lag) ? (double)lag : NAN;
        m->lag_head = (m->lag_head + 1) % FLEET_LAG_SAMPLES;
        if (m->nlag < FLEET_LAG_SAMPLES)
            m->nlag++;
        int nkeys = 0;
        uint64_t *keys = f->n > 1 ? twin_keys(s, &nkeys) : NULL;
        m->ntwin = 0; /* the twins found belong to the new snapshot */
        if (keys)
            mark_twins(f, i, s, keys, nkeys);
        if (fn)
            fn(arg, i, m->snap, s);
        snapshot_free(m->snap);
        m->snap = s;
        free(m->keys);
        m->keys = keys;
        m->nkeys = nkeys;
        got++;
    }
    return got;
}

int fleet_collect(struct fleet *f, fleet_snapshot_fn fn, void *arg)
{
    return collect(f, fn, arg, false);
}

void fleet_sample_once(struct fleet *f)
{
    int max = fleet_pollfds_max(f);
    struct pollfd *pfds = xcalloc((size_t)(max ? max : 1), sizeof *pfds);
    int *owner = xcalloc((size_t)(max ? max : 1), sizeof *owner);
    fleet_refresh_begin(f, clock_mono_ms());
    fleet_refresh_send(f, INT64_MAX);
    for (;;) {
        fleet_collect(f, NULL, NULL);
        if (!fleet_refreshing(f))
            break;
        int n = fleet_pollfds(f, pfds, owner, max);
        int timeout = fleet_timeout_ms(f, clock_mono_ms());
        if (n == 0 && timeout < 0)
            break; /* nothing left to wait for (cannot happen while a node is pending) */
        if (poll(pfds, (nfds_t)n, timeout) < 0 && errno != EINTR)
            break;
        fleet_handle(f, pfds, owner, n, clock_mono_ms());
    }
    collect(f, NULL, NULL, true);
    for (int i = 0; i < f->n; i++) /* a copy collected before its twin: flagged now */
        if (f->m[i].snap && f->m[i].keys)
            mark_twins(f, i, f->m[i].snap, f->m[i].keys, f->m[i].nkeys);
    free(pfds);
    free(owner);
}

/* ---- a cluster in one row ---- */

int64_t snapshot_worst_lag(const struct snapshot *s)
{
    int64_t worst = NUM_UNKNOWN;
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->role == ROLE_STANDBY && num_known(n->lag_replay) &&
            (!num_known(worst) || n->lag_replay > worst))
            worst = n->lag_replay;
    }
    return worst;
}

int64_t snapshot_data_at_risk(const struct snapshot *s)
{
    const struct node_snap *c = s && s->candidate[0] ? snapshot_find(s, s->candidate) : NULL;
    return c ? c->data_at_risk : NUM_UNKNOWN;
}

double snapshot_total_tps(const struct snapshot *s)
{
    double sum = NAN;
    for (int i = 0; s && i < s->nnodes; i++)
        if (!isnan(s->nodes[i].tps))
            sum = isnan(sum) ? s->nodes[i].tps : sum + s->nodes[i].tps;
    return sum;
}

int snapshot_answering(const struct snapshot *s)
{
    int n = 0;
    for (int i = 0; s && i < s->nnodes; i++)
        n += s->nodes[i].reach == REACH_OK;
    return n;
}
