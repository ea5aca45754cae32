/* action_switchover: the steps of `repltop switchover NODE` (front end: cli/cmd_switchover.c) —
 * a planned hand-over of the primary role to a streaming standby with nothing lost and no
 * rewind (docs/DESIGN.md 4.11). */
#ifndef REPLTOP_ACTION_SWITCHOVER_H
#define REPLTOP_ACTION_SWITCHOVER_H

#include "model/ops/action.h"

#include "model/watch/switchover_check.h" /* SWITCHOVER_MAX_LAG_DEFAULT */

#include <stdint.h>

struct switchover_opts {
    int64_t max_lag;        /* --max-lag: bytes; SWITCHOVER_MAX_LAG_DEFAULT unless given */
    const char *sync_names; /* --sync-names: the new primary's list, when the old one is unknown */
};

/* switchover NODE: checks, clean stop of the primary, the candidate holds its shutdown
 * checkpoint (else the primary is started again, nothing changed), pg_promote, the new list,
 * the old primary restarted as a standby of the new one (no pg_rewind), the other standbys
 * re-pointed. Run again after an interruption, it finishes what is left. The exit status
 * (0 done, 1 failed or refused, 3 bad input). */
int action_switchover(struct action *a, const char *node, const struct switchover_opts *o);

#endif
