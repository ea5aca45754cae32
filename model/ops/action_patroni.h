/* action_patroni: the operator actions through Patroni's REST API, for a cluster Patroni runs
 * and whose API repltop knows ([repltop] patroni, [node X] patroni, --patroni).
 *
 * Where Patroni runs the cluster, repltop never acts beside it (docs/DESIGN.md 4.9): promote
 * becomes POST /failover, switchover POST /switchover, the sync settings PATCH /config
 * (Patroni chooses the members), resync POST /reinitialize; rejoin is Patroni's own job. Each
 * checks Patroni's rules first (patroni_can_fail_over_to), sends one request, shows Patroni's
 * answer as it is (a refusal: its HTTP status and text), then waits until Patroni has done it
 * and the cluster agrees: the leader, every running member on its timeline, a sync standby
 * when synchronous_mode is on, and PostgreSQL itself (a fresh snapshot). */
#ifndef REPLTOP_ACTION_PATRONI_H
#define REPLTOP_ACTION_PATRONI_H

#include "model/ops/action.h"

/* Whether the actions go through Patroni: a Patroni REST API is configured. */
bool action_patroni_known(const struct action *a);

/* promote NODE: POST /failover {"candidate": NODE}. */
int action_patroni_failover(struct action *a, const char *node);
/* switchover NODE: POST /switchover {"leader": the leader, "candidate": NODE}. */
int action_patroni_switchover(struct action *a, const char *node);
/* PATCH /config: synchronous_mode (0/1), synchronous_mode_strict (0/1),
 * synchronous_node_count (>= 1); -1 leaves one as it is. */
int action_patroni_sync(struct action *a, int mode, int strict, int count);
/* resync NODE: POST /reinitialize {"force": true} to NODE's own API. */
int action_patroni_reinit(struct action *a, const char *node);
/* rejoin NODE: refused, with what Patroni does instead. */
int action_patroni_rejoin(struct action *a, const char *node);
/* sync show: Patroni's sync settings and standbys, after action_sync_show's lines. */
int action_patroni_sync_show(struct action *a);

#endif
