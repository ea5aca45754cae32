/* switchover_check: what a planned switchover to a standby would do, judged from a snapshot —
 * whether the candidate can take over with nothing lost (it streams from the primary on its
 * timeline and is close enough) and the sync list it gets. Pure functions: the dashboard's
 * dialog (panels/switchover.c) shows them, `repltop switchover` (model/ops) acts on them, so
 * the two never disagree. */
#ifndef REPLTOP_SWITCHOVER_CHECK_H
#define REPLTOP_SWITCHOVER_CHECK_H

#include "model/config/config.h"
#include "model/pg/syncnames.h"
#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far behind the candidate may be (bytes of the primary's WAL it has not received) by
 * default: one WAL segment, which a clean shutdown sends in well under a second. */
#define SWITCHOVER_MAX_LAG_DEFAULT (16 * 1024 * 1024)

/* Whether c, a reachable node, can take over from p, the live primary: a standby that streams
 * from p on p's timeline at most max_lag bytes behind. behind gets how far it is (NUM_UNKNOWN
 * when unknown). False with one sentence in why. */
bool switchover_candidate_ok(const struct node_snap *c, const struct node_snap *p, int64_t max_lag,
                             int64_t *behind, char *why, size_t n);

/* The candidate c's list after a switchover from old_primary (a config name: it comes back as a
 * standby streaming under that name): the declared policy's (policy not NULL or ""), else the
 * old list with old_primary in c's place. False with the reason in err when the policy cannot
 * be used or the old list does not parse. */
bool switchover_list(const char *policy, const struct config *cfg, const struct snapshot *s,
                     const struct node_snap *c, const char *old, const char *old_primary,
                     struct syncnames *out, char *err, size_t errlen);

#endif
