/* health: the rules that turn a derived snapshot into problems, each with a stable code,
 * a severity and a sentence an operator can act on.
 *
 * Codes: unreachable, timeout, auth_failed, query_failed, no_primary, multiple_primaries,
 * system_id_mismatch, timeline_diverged, not_streaming, replay_paused, lag_warn, lag_crit,
 * slot_inactive, writes_blocked. */
#ifndef REPLTOP_HEALTH_H
#define REPLTOP_HEALTH_H

#include "model/watch/derive.h"
#include "model/watch/snapshot.h"

void health_evaluate(struct snapshot *s, const struct derive_limits *lim);

#endif
