/* metrics: the Prometheus exposition of snapshots (metrics.h). One table of families; each
 * family's writer emits its samples for one cluster, and metrics_write() runs every family
 * over every cluster. */
#include "model/store/metrics.h"
#include "model/config/config.h"
#include "model/base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What a family's writer writes with: where, the family's name, the labels every sample of
 * it has here (escaped once a page: `{cluster="c"` or `{cluster="c",node="n"`, "" for none),
 * and the time the snapshot's age is counted to. */
struct emit {
    struct mtext *out;
    const char *name;
    size_t name_len;
    const char *labels;
    size_t labels_len;
    struct metrics_dated *dated; /* where the dated families' samples go, their values left out */
};

/* One sample's labels besides the emit's: a node's for a cluster-wide family (a problem's), and
 * up to two of the family's own. A label whose value is "" is left out, as Prometheus treats
 * it. */
struct labels {
    const char *node;
    const char *k1, *v1, *k2, *v2;
};

static void put_label(struct mtext *out, bool *open, const char *key, const char *value)
{
    if (!key || !value || !value[0])
        return;
    mtext_put(out, *open ? "," : "{", 1);
    mtext_puts(out, key);
    mtext_put(out, "=\"", 2);
    mtext_label_value(out, value);
    mtext_put(out, "\"", 1);
    *open = true;
}

static void put_name(const struct emit *e, const struct labels *l)
{
    struct mtext *out = e->out;
    bool open = e->labels_len > 0;
    mtext_put(out, e->name, e->name_len);
    mtext_put(out, e->labels, e->labels_len);
    put_label(out, &open, "node", l->node);
    put_label(out, &open, l->k1, l->v1);
    put_label(out, &open, l->k2, l->v2);
    if (open)
        mtext_put(out, "} ", 2);
    else
        mtext_put(out, " ", 1);
}

static void put_i64(const struct emit *e, const struct labels *l, int64_t v)
{
    if (!num_known(v))
        return;
    put_name(e, l);
    mtext_i64(e->out, v);
    mtext_put(e->out, "\n", 1);
}

static void put_dbl(const struct emit *e, const struct labels *l, double v)
{
    if (!dbl_known(v) || isinf(v))
        return;
    put_name(e, l);
    mtext_dbl(e->out, v);
    mtext_put(e->out, "\n", 1);
}

/* A dated sample: its line without the value, which is the time since `since` at the request
 * (metrics_write_dated). */
static void put_age(const struct emit *e, const struct labels *l, double since)
{
    struct metrics_dated *d = e->dated;
    put_name(e, l);
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->marks = xrealloc(d->marks, (size_t)d->cap * sizeof *d->marks);
    }
    d->marks[d->n++] = (struct metrics_mark){e->out->len, since};
}

static void put_lsn(const struct emit *e, const struct labels *l, lsn_t v)
{
    if (v != LSN_UNKNOWN)
        put_i64(e, l, (int64_t)v);
}

/* ---- per node ---- */

typedef void node_writer(const struct emit *e, const struct node_snap *n);

/* pending (the first refresh has not reached it) is not known to be down */
static void node_up(const struct emit *e, const struct node_snap *n)
{
    if (n->reach != REACH_PENDING)
        put_i64(e, &(struct labels){0}, n->reach == REACH_OK);
}

/* a state set: one series per role, 1 for the one it has; none while the role is unknown */
static void node_role(const struct emit *e, const struct node_snap *n)
{
    static const enum node_role roles[] = {ROLE_PRIMARY, ROLE_STANDBY};
    if (n->role == ROLE_UNKNOWN)
        return;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        struct labels l = {.k1 = "role", .v1 = role_name(roles[i])};
        put_i64(e, &l, n->role == roles[i]);
    }
}

static void node_timeline(const struct emit *e, const struct node_snap *n)
{
    if (n->timeline >= 0)
        put_i64(e, &(struct labels){0}, n->timeline);
}

static void node_lsn(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {.k1 = "position", .v1 = "current"};
    put_lsn(e, &l, n->current_lsn);
    l.v1 = "receive";
    put_lsn(e, &l, n->receive_lsn);
    l.v1 = "replay";
    put_lsn(e, &l, n->replay_lsn);
}

static void node_lag_bytes(const struct emit *e, const struct node_snap *n)
{
    const char *stages[] = {"sent", "write", "flush", "replay"};
    const int64_t v[] = {n->lag_sent, n->lag_write, n->lag_flush, n->lag_replay};
    for (int i = 0; i < 4; i++) {
        struct labels l = {.k1 = "stage", .v1 = stages[i]};
        put_i64(e, &l, v[i]);
    }
}

static void node_lag_seconds(const struct emit *e, const struct node_snap *n)
{
    const char *stages[] = {"write", "flush", "replay"};
    const double v[] = {n->lag_write_s, n->lag_flush_s, n->lag_replay_s};
    for (int i = 0; i < 3; i++) {
        struct labels l = {.k1 = "stage", .v1 = stages[i]};
        put_dbl(e, &l, v[i]);
    }
}

/* a state set over pg_stat_replication's sync_state; none while unknown */
static void node_sync_state(const struct emit *e, const struct node_snap *n)
{
    static const char *const states[] = {"async", "potential", "sync", "quorum"};
    if (!n->sync_state[0])
        return;
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        struct labels l = {.k1 = "state", .v1 = states[i]};
        put_i64(e, &l, strcmp(n->sync_state, states[i]) == 0);
    }
}

static void node_data_at_risk(const struct emit *e, const struct node_snap *n)
{
    put_i64(e, &(struct labels){0}, n->data_at_risk);
}

/* whether repltop would pick it is known for every node, answering or not */
static void node_candidate(const struct emit *e, const struct node_snap *n)
{
    put_i64(e, &(struct labels){0}, n->best_candidate);
}

/* The evidence for a fork or for lost WAL comes from the node's own answer (or another's word
 * for it): without either, "no" would be a guess. */
static bool evidence(const struct node_snap *n)
{
    return n->reach == REACH_OK || n->seen_by[0];
}

static void node_needs_rewind(const struct emit *e, const struct node_snap *n)
{
    if (evidence(n))
        put_i64(e, &(struct labels){0}, n->needs_rewind);
}

static void node_needs_resync(const struct emit *e, const struct node_snap *n)
{
    if (evidence(n))
        put_i64(e, &(struct labels){0}, n->needs_resync);
}

static void node_replay_paused(const struct emit *e, const struct node_snap *n)
{
    if (n->replay_paused >= 0)
        put_i64(e, &(struct labels){0}, n->replay_paused);
}

static void node_stale(const struct emit *e, const struct node_snap *n)
{
    if (n->reach != REACH_PENDING)
        put_i64(e, &(struct labels){0}, n->stale);
}

/* how old the node's values are: a node late to answer keeps its last ones until its deadline */
static void node_sample_age(const struct emit *e, const struct node_snap *n)
{
    if (n->sampled_at > 0)
        put_age(e, &(struct labels){0}, n->sampled_at);
}

static void node_state(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {.k1 = "state", .v1 = n->state};
    if (n->state[0])
        put_i64(e, &l, 1);
}

static void node_info(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {.k1 = "target", .v1 = n->target, .k2 = "upstream", .v2 = n->upstream};
    put_i64(e, &l, 1);
}

static void node_server_info(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {.k1 = "version",
                       .v1 = n->server_version,
                       .k2 = "system_identifier",
                       .v2 = n->system_identifier};
    if (n->server_version[0] || n->system_identifier[0])
        put_i64(e, &l, 1);
}

/* ---- per cluster ---- */

typedef void cluster_writer(const struct emit *e, const struct snapshot *s);

static void cluster_health(const struct emit *e, const struct snapshot *s)
{
    put_i64(e, &(struct labels){0}, s->health);
}

/* every code, 0 when it is not raised: a series that stops is not a problem that cleared */
static void cluster_problems(const struct emit *e, const struct snapshot *s)
{
    for (int c = 0; config_problem_codes[c]; c++) {
        int64_t count = 0;
        for (int i = 0; i < s->nproblems; i++)
            count += strcmp(s->problems[i].code, config_problem_codes[c]) == 0;
        put_i64(e, &(struct labels){.k1 = "code", .v1 = config_problem_codes[c]}, count);
    }
}

static void cluster_problem_info(const struct emit *e, const struct snapshot *s)
{
    for (int i = 0; i < s->nproblems; i++) {
        const struct problem *p = &s->problems[i];
        struct labels l = {.node = p->node,
                           .k1 = "code",
                           .v1 = p->code,
                           .k2 = "severity",
                           .v2 = severity_name(p->severity)};
        put_i64(e, &l, 1);
    }
}

/* Judged only on the one primary that answered, when its role may read the replication
 * views (model/watch/health.c rule_writes_blocked): otherwise unknown, no sample. */
static void cluster_writes_blocked(const struct emit *e, const struct snapshot *s)
{
    const struct node_snap *primary = NULL;
    int primaries = 0;
    bool blocked = false;
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->reach == REACH_OK && n->role == ROLE_PRIMARY && !n->same_server_as[0] &&
            !n->other_cluster) {
            primary = n;
            primaries++;
        }
    }
    for (int i = 0; i < s->nproblems; i++)
        blocked = blocked || strcmp(s->problems[i].code, "writes_blocked") == 0;
    if (blocked || (primaries == 1 && primary->read_all_stats != 0))
        put_i64(e, &(struct labels){0}, blocked);
}

static void cluster_nodes(const struct emit *e, const struct snapshot *s)
{
    put_i64(e, &(struct labels){0}, s->nnodes);
}

static void snapshot_age(const struct emit *e, const struct snapshot *s)
{
    put_age(e, &(struct labels){0}, s->taken_at);
}

static void snapshot_time(const struct emit *e, const struct snapshot *s)
{
    put_dbl(e, &(struct labels){0}, s->taken_at);
}

/* ---- the families ---- */

struct family {
    const char *name, *type, *help;
    node_writer *node;       /* once per node, or */
    cluster_writer *cluster; /* once per cluster */
    bool dated;              /* its values are counted to the time of the request */
};

static const struct family families[] = {
    {"repltop_snapshot_age_seconds", "gauge",
     "Seconds since the snapshot served was taken (a scrape never waits for a refresh).", NULL,
     snapshot_age, true},
    {"repltop_snapshot_timestamp_seconds", "gauge",
     "When the snapshot served was taken, in seconds since the epoch.", NULL, snapshot_time, false},
    {"repltop_cluster_health", "gauge",
     "The worst problem's severity: 0 ok, 1 warning, 2 critical (as repltop status exits).", NULL,
     cluster_health, false},
    {"repltop_cluster_problems", "gauge", "Problems raised now, by code.", NULL, cluster_problems,
     false},
    {"repltop_problem_info", "gauge",
     "One series per problem raised now: its code, node (none: cluster-wide) and severity.", NULL,
     cluster_problem_info, false},
    {"repltop_cluster_writes_blocked", "gauge",
     "1 when synchronous_standby_names waits for more sync standbys than stream: commits hang.",
     NULL, cluster_writes_blocked, false},
    {"repltop_cluster_nodes", "gauge", "Nodes watched.", NULL, cluster_nodes, false},
    {"repltop_node_up", "gauge", "1 when the node answered the last refresh, 0 when it did not.",
     node_up, NULL, false},
    {"repltop_node_stale", "gauge",
     "1 when the node's values are from an earlier refresh (it is late to answer).", node_stale,
     NULL, false},
    {"repltop_node_sample_age_seconds", "gauge",
     "Seconds since the node's values were read: a node late to answer keeps its last ones until "
     "its query deadline.",
     node_sample_age, NULL, true},
    {"repltop_node_role", "gauge", "The node's role: 1 for the one it has.", node_role, NULL,
     false},
    {"repltop_node_state_info", "gauge",
     "The node's state in one word, as the dashboard shows it (streaming, down, ...).", node_state,
     NULL, false},
    {"repltop_node_info", "gauge", "Where the node is polled and the node it streams from.",
     node_info, NULL, false},
    {"repltop_node_server_info", "gauge", "The node's PostgreSQL version and system identifier.",
     node_server_info, NULL, false},
    {"repltop_node_timeline", "gauge", "The node's timeline.", node_timeline, NULL, false},
    {"repltop_node_lsn_bytes", "gauge",
     "WAL positions: current (primary), receive and replay (standby), in bytes.", node_lsn, NULL,
     false},
    {"repltop_node_lag_bytes", "gauge",
     "Bytes a standby is behind its primary's current WAL position, per stage.", node_lag_bytes,
     NULL, false},
    {"repltop_node_lag_seconds", "gauge",
     "A standby's write, flush and replay lag from pg_stat_replication.", node_lag_seconds, NULL,
     false},
    {"repltop_node_sync_state", "gauge",
     "A standby's sync state in pg_stat_replication: 1 for the one it has.", node_sync_state, NULL,
     false},
    {"repltop_node_data_at_risk_bytes", "gauge",
     "WAL the primary wrote that this standby has not flushed: lost if it were promoted now.",
     node_data_at_risk, NULL, false},
    {"repltop_node_is_candidate", "gauge", "1 for the standby repltop would promote now.",
     node_candidate, NULL, false},
    {"repltop_node_needs_rewind", "gauge",
     "1 when the standby is on a fork of the primary's timeline (repltop rejoin NODE).",
     node_needs_rewind, NULL, false},
    {"repltop_node_needs_resync", "gauge",
     "1 when the WAL the standby needs is gone (repltop resync NODE).", node_needs_resync, NULL,
     false},
    {"repltop_node_replay_paused", "gauge", "1 when WAL replay is paused on the standby.",
     node_replay_paused, NULL, false},
};

/* Every sample's first labels, escaped once a page: each cluster's `{cluster="c"`, then each
 * of its nodes' `{cluster="c",node="n"`, one after the other in one text. */
struct prefixes {
    struct mtext text;
    size_t *at; /* where each one starts; one more for the end */
};

static void put_prefix(struct prefixes *p, size_t *k, const char *cluster, const char *node)
{
    bool open = false;
    p->at[(*k)++] = p->text.len;
    put_label(&p->text, &open, "cluster", cluster);
    put_label(&p->text, &open, "node", node);
}

static void prefixes_make(struct prefixes *p, const struct metrics_cluster *clusters, int n)
{
    size_t count = 1, k = 0;
    for (int c = 0; c < n; c++)
        count += 1 + (size_t)clusters[c].snap->nnodes;
    *p = (struct prefixes){.at = xcalloc(count, sizeof *p->at)};
    mtext_reserve(&p->text, count * 32);
    for (int c = 0; c < n; c++) {
        const struct snapshot *s = clusters[c].snap;
        put_prefix(p, &k, clusters[c].name, NULL);
        for (int i = 0; i < s->nnodes; i++)
            put_prefix(p, &k, clusters[c].name, s->nodes[i].name);
    }
    p->at[k] = p->text.len;
}

static void emit_labels(struct emit *e, const struct prefixes *p, size_t k)
{
    e->labels = p->text.p + p->at[k];
    e->labels_len = p->at[k + 1] - p->at[k];
}

static void put_family(struct mtext *out, const struct emit *e, const char *help, const char *type)
{
    mtext_puts(out, "# HELP ");
    mtext_put(out, e->name, e->name_len);
    mtext_puts(out, " ");
    mtext_puts(out, help);
    mtext_puts(out, "\n# TYPE ");
    mtext_put(out, e->name, e->name_len);
    mtext_puts(out, " ");
    mtext_puts(out, type);
    mtext_puts(out, "\n");
}

void metrics_write_page(struct mtext *out, struct metrics_dated *dated,
                        const struct metrics_cluster *clusters, int n)
{
    struct prefixes p;
    prefixes_make(&p, clusters, n);
    mtext_puts(out, "# HELP repltop_build_info The repltop version serving these metrics.\n"
                    "# TYPE repltop_build_info gauge\n"
                    "repltop_build_info{version=\"" REPLTOP_VERSION "\"} 1\n");
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        const struct family *fam = &families[f];
        struct mtext *to = fam->dated ? &dated->text : out;
        struct emit e = {to, fam->name, strlen(fam->name), NULL, 0, dated};
        put_family(to, &e, fam->help, fam->type);
        for (size_t c = 0, k = 0; c < (size_t)n; c++) {
            const struct snapshot *s = clusters[c].snap;
            emit_labels(&e, &p, k++);
            if (fam->cluster)
                fam->cluster(&e, s);
            for (int i = 0; i < s->nnodes; i++, k++) {
                emit_labels(&e, &p, k);
                if (fam->node)
                    fam->node(&e, &s->nodes[i]);
            }
        }
    }
    mtext_free(&p.text);
    free(p.at);
}

void metrics_write_dated(struct mtext *out, const struct metrics_dated *d, double now)
{
    size_t at = 0;
    mtext_reserve(out, d->text.len + (size_t)d->n * 16);
    for (int i = 0; i < d->n; i++) {
        const struct metrics_mark *m = &d->marks[i];
        mtext_put(out, d->text.p + at, m->end - at);
        double age = round((now - m->since) * 1000) / 1000; /* to the millisecond */
        mtext_dbl(out, age < 0 ? 0 : age);
        mtext_put(out, "\n", 1);
        at = m->end;
    }
    if (d->text.len > at)
        mtext_put(out, d->text.p + at, d->text.len - at);
}

void metrics_dated_free(struct metrics_dated *d)
{
    mtext_free(&d->text);
    free(d->marks);
    *d = (struct metrics_dated){0};
}

void metrics_write(struct mtext *out, const struct metrics_cluster *clusters, int n, double now)
{
    struct metrics_dated d = {0};
    metrics_write_page(out, &d, clusters, n);
    metrics_write_dated(out, &d, now);
    metrics_dated_free(&d);
}
