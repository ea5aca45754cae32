/* action_rejoin: the steps of `repltop rejoin NODE` (front end: cli/cmd_rejoin.c), and the
 * same for promote's standbys that got ahead of the promoted node. */
#ifndef REPLTOP_ACTION_REJOIN_H
#define REPLTOP_ACTION_REJOIN_H

#include "model/ops/action.h"

/* rejoin NODE: an old primary made a standby of the current primary. The exit status. */
int action_rejoin(struct action *a, const char *node);
/* for promote, which rejoins a local standby that needs a rewind automatically: */
bool action_rejoin_node(struct action *a, struct node_conf *node, char *err, size_t errlen);

/* The end of a rejoin or a resync that worked: node streams from primary again. With a declared
 * sync policy the primary's list is rebuilt from it (action_sync_keep_policy), then the
 * "done:" line. Returns 0 (the exit status): a list that could not be rebuilt is a warning. */
int action_rejoined(struct action *a, const char *node, const char *primary);

#endif
