/* health: the rules that turn a derived snapshot into problems, each with a stable code,
 * a severity and a sentence an operator can act on.
 *
 * Codes: unreachable, timeout, auth_failed, query_failed, no_primary, multiple_primaries,
 * system_id_mismatch, duplicate_node, timeline_diverged, needs_resync, not_streaming,
 * replay_paused, lag_warn, lag_crit, candidate_delayed, slot_inactive, writes_blocked,
 * below_sync_policy. */
#ifndef REPLTOP_HEALTH_H
#define REPLTOP_HEALTH_H

#include "model/config/config.h"
#include "model/watch/snapshot.h"

/* The lag thresholds: a standby further behind than warn (bytes or seconds) gets lag_warn,
 * further than crit lag_crit. */
struct health_limits {
    int64_t lag_warn_bytes, lag_crit_bytes;
    double lag_warn_s, lag_crit_s;
    /* The config whose node order a policy without names goes by; with s->sync_policy set, the
     * cluster is checked against it (below_sync_policy). NULL: no policy check. */
    const struct config *cfg;
};

/* The final pass: each problem gets the severity cfg's [severity] gives its code (and node),
 * and s->health is the worst again. A problem set to ok stays listed but raises nothing. */
void health_remap(struct snapshot *s, const struct config *cfg);

/* Fills s's problems and health from its derived fields (derive_snapshot calls it last),
 * severities remapped by lim->cfg (health_remap). */
void health_evaluate(struct snapshot *s, const struct health_limits *lim);

#endif
