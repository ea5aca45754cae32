/* action_rejoin: the steps of `repltop rejoin NODE` (front end: cli/cmd_rejoin.c), and the
 * same for promote's standbys that got ahead of the promoted node. */
#ifndef REPLTOP_ACTION_REJOIN_H
#define REPLTOP_ACTION_REJOIN_H

#include "model/ops/action.h"

/* rejoin NODE: an old primary made a standby of the current primary. The exit status. */
int action_rejoin(struct action *a, const char *node);
/* for promote, which rejoins a local standby that needs a rewind automatically: */
bool action_rejoin_node(struct action *a, struct node_conf *node, char *err, size_t errlen);

#endif
