/* metrics: the Prometheus exposition of snapshots (metrics.h). One table of families; each
 * family's writer emits its samples for one cluster, and metrics_write() runs every family
 * over every cluster. */
#include "model/store/metrics.h"
#include "model/config/config.h"
#include "model/base/text.h"

#include <inttypes.h>
#include <string.h>

/* What a family's writer writes with: where, the family's name, the cluster's label, and the
 * time the snapshot's age is counted to. */
struct emit {
    FILE *out;
    const char *name, *cluster;
    double now;
};

/* One sample's labels besides the cluster's: the node's (NULL for a cluster-wide family) and up
 * to two of the family's own. A label whose value is "" is left out, as Prometheus treats it. */
struct labels {
    const char *node;
    const char *k1, *v1, *k2, *v2;
};

void metrics_put_label_value(FILE *out, const char *v)
{
    while (*v) {
        uint32_t cp;
        char esc[TEXT_ESC_MAX];
        size_t n = text_unit(v, &cp, esc);
        if (esc[0] && cp == 0)
            fputs("\xef\xbf\xbd", out); /* not UTF-8: U+FFFD */
        else if (*v == '\\')
            fputs("\\\\", out);
        else if (*v == '"')
            fputs("\\\"", out);
        else if (*v == '\n')
            fputs("\\n", out);
        else
            fwrite(v, 1, n, out);
        v += n;
    }
}

static void put_label(FILE *out, bool *first, const char *key, const char *value)
{
    if (!key || !value || !value[0])
        return;
    fprintf(out, "%s%s=\"", *first ? "{" : ",", key);
    metrics_put_label_value(out, value);
    fputc('"', out);
    *first = false;
}

static void put_name(const struct emit *e, const struct labels *l)
{
    FILE *out = e->out;
    bool first = true;
    fputs(e->name, out);
    put_label(out, &first, "cluster", e->cluster);
    put_label(out, &first, "node", l->node);
    put_label(out, &first, l->k1, l->v1);
    put_label(out, &first, l->k2, l->v2);
    if (!first)
        fputc('}', out);
}

static void put_i64(const struct emit *e, const struct labels *l, int64_t v)
{
    if (!num_known(v))
        return;
    put_name(e, l);
    fprintf(e->out, " %" PRId64 "\n", v);
}

static void put_dbl(const struct emit *e, const struct labels *l, double v)
{
    if (!dbl_known(v) || isinf(v))
        return;
    put_name(e, l);
    fprintf(e->out, " %.15g\n", v);
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
        put_i64(e, &(struct labels){.node = n->name}, n->reach == REACH_OK);
}

/* a state set: one series per role, 1 for the one it has; none while the role is unknown */
static void node_role(const struct emit *e, const struct node_snap *n)
{
    static const enum node_role roles[] = {ROLE_PRIMARY, ROLE_STANDBY};
    if (n->role == ROLE_UNKNOWN)
        return;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        struct labels l = {.node = n->name, .k1 = "role", .v1 = role_name(roles[i])};
        put_i64(e, &l, n->role == roles[i]);
    }
}

static void node_timeline(const struct emit *e, const struct node_snap *n)
{
    if (n->timeline >= 0)
        put_i64(e, &(struct labels){.node = n->name}, n->timeline);
}

static void node_lsn(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {.node = n->name, .k1 = "position", .v1 = "current"};
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
        struct labels l = {.node = n->name, .k1 = "stage", .v1 = stages[i]};
        put_i64(e, &l, v[i]);
    }
}

static void node_lag_seconds(const struct emit *e, const struct node_snap *n)
{
    const char *stages[] = {"write", "flush", "replay"};
    const double v[] = {n->lag_write_s, n->lag_flush_s, n->lag_replay_s};
    for (int i = 0; i < 3; i++) {
        struct labels l = {.node = n->name, .k1 = "stage", .v1 = stages[i]};
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
        struct labels l = {.node = n->name, .k1 = "state", .v1 = states[i]};
        put_i64(e, &l, strcmp(n->sync_state, states[i]) == 0);
    }
}

static void node_data_at_risk(const struct emit *e, const struct node_snap *n)
{
    put_i64(e, &(struct labels){.node = n->name}, n->data_at_risk);
}

/* whether repltop would pick it is known for every node, answering or not */
static void node_candidate(const struct emit *e, const struct node_snap *n)
{
    put_i64(e, &(struct labels){.node = n->name}, n->best_candidate);
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
        put_i64(e, &(struct labels){.node = n->name}, n->needs_rewind);
}

static void node_needs_resync(const struct emit *e, const struct node_snap *n)
{
    if (evidence(n))
        put_i64(e, &(struct labels){.node = n->name}, n->needs_resync);
}

static void node_replay_paused(const struct emit *e, const struct node_snap *n)
{
    if (n->replay_paused >= 0)
        put_i64(e, &(struct labels){.node = n->name}, n->replay_paused);
}

static void node_stale(const struct emit *e, const struct node_snap *n)
{
    if (n->reach != REACH_PENDING)
        put_i64(e, &(struct labels){.node = n->name}, n->stale);
}

/* how old the node's values are: a node late to answer keeps its last ones until its deadline */
static void node_sample_age(const struct emit *e, const struct node_snap *n)
{
    double age = e->now - n->sampled_at;
    if (n->sampled_at > 0)
        put_dbl(e, &(struct labels){.node = n->name}, age < 0 ? 0 : age);
}

static void node_state(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {.node = n->name, .k1 = "state", .v1 = n->state};
    if (n->state[0])
        put_i64(e, &l, 1);
}

static void node_info(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {
        .node = n->name, .k1 = "target", .v1 = n->target, .k2 = "upstream", .v2 = n->upstream};
    put_i64(e, &l, 1);
}

static void node_server_info(const struct emit *e, const struct node_snap *n)
{
    struct labels l = {.node = n->name,
                       .k1 = "version",
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
    double age = e->now - s->taken_at;
    put_dbl(e, &(struct labels){0}, age < 0 ? 0 : age);
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
};

static const struct family families[] = {
    {"repltop_snapshot_age_seconds", "gauge",
     "Seconds since the snapshot served was taken (a scrape never waits for a refresh).", NULL,
     snapshot_age},
    {"repltop_snapshot_timestamp_seconds", "gauge",
     "When the snapshot served was taken, in seconds since the epoch.", NULL, snapshot_time},
    {"repltop_cluster_health", "gauge",
     "The worst problem's severity: 0 ok, 1 warning, 2 critical (as repltop status exits).", NULL,
     cluster_health},
    {"repltop_cluster_problems", "gauge", "Problems raised now, by code.", NULL, cluster_problems},
    {"repltop_problem_info", "gauge",
     "One series per problem raised now: its code, node (none: cluster-wide) and severity.", NULL,
     cluster_problem_info},
    {"repltop_cluster_writes_blocked", "gauge",
     "1 when synchronous_standby_names waits for more sync standbys than stream: commits hang.",
     NULL, cluster_writes_blocked},
    {"repltop_cluster_nodes", "gauge", "Nodes watched.", NULL, cluster_nodes},
    {"repltop_node_up", "gauge", "1 when the node answered the last refresh, 0 when it did not.",
     node_up, NULL},
    {"repltop_node_stale", "gauge",
     "1 when the node's values are from an earlier refresh (it is late to answer).", node_stale,
     NULL},
    {"repltop_node_sample_age_seconds", "gauge",
     "Seconds since the node's values were read: a node late to answer keeps its last ones until "
     "its query deadline.",
     node_sample_age, NULL},
    {"repltop_node_role", "gauge", "The node's role: 1 for the one it has.", node_role, NULL},
    {"repltop_node_state_info", "gauge",
     "The node's state in one word, as the dashboard shows it (streaming, down, ...).", node_state,
     NULL},
    {"repltop_node_info", "gauge", "Where the node is polled and the node it streams from.",
     node_info, NULL},
    {"repltop_node_server_info", "gauge", "The node's PostgreSQL version and system identifier.",
     node_server_info, NULL},
    {"repltop_node_timeline", "gauge", "The node's timeline.", node_timeline, NULL},
    {"repltop_node_lsn_bytes", "gauge",
     "WAL positions: current (primary), receive and replay (standby), in bytes.", node_lsn, NULL},
    {"repltop_node_lag_bytes", "gauge",
     "Bytes a standby is behind its primary's current WAL position, per stage.", node_lag_bytes,
     NULL},
    {"repltop_node_lag_seconds", "gauge",
     "A standby's write, flush and replay lag from pg_stat_replication.", node_lag_seconds, NULL},
    {"repltop_node_sync_state", "gauge",
     "A standby's sync state in pg_stat_replication: 1 for the one it has.", node_sync_state, NULL},
    {"repltop_node_data_at_risk_bytes", "gauge",
     "WAL the primary wrote that this standby has not flushed: lost if it were promoted now.",
     node_data_at_risk, NULL},
    {"repltop_node_is_candidate", "gauge", "1 for the standby repltop would promote now.",
     node_candidate, NULL},
    {"repltop_node_needs_rewind", "gauge",
     "1 when the standby is on a fork of the primary's timeline (repltop rejoin NODE).",
     node_needs_rewind, NULL},
    {"repltop_node_needs_resync", "gauge",
     "1 when the WAL the standby needs is gone (repltop resync NODE).", node_needs_resync, NULL},
    {"repltop_node_replay_paused", "gauge", "1 when WAL replay is paused on the standby.",
     node_replay_paused, NULL},
};

void metrics_write(FILE *out, const struct metrics_cluster *clusters, int n, double now)
{
    fputs("# HELP repltop_build_info The repltop version serving these metrics.\n"
          "# TYPE repltop_build_info gauge\n",
          out);
    fprintf(out, "repltop_build_info{version=\"%s\"} 1\n", REPLTOP_VERSION);
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        const struct family *fam = &families[f];
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
        for (int c = 0; c < n; c++) {
            const struct snapshot *s = clusters[c].snap;
            struct emit e = {out, fam->name, clusters[c].name, now};
            if (fam->cluster)
                fam->cluster(&e, s);
            for (int i = 0; fam->node && i < s->nnodes; i++)
                fam->node(&e, &s->nodes[i]);
        }
    }
}
