/* action_resync_checks: the steps of `repltop resync NODE [--new]` before the rebuilding
 * (front end: cli/cmd_resync.c). */
#ifndef REPLTOP_ACTION_RESYNC_CHECKS_H
#define REPLTOP_ACTION_RESYNC_CHECKS_H

#include "model/ops/action.h"
#include "model/ops/local_newnode.h"

#include <stdbool.h>

/* What `resync NODE` was given, checked by the front end. */
struct resync_args {
    bool new_replica;       /* --new */
    struct newnode_args nn; /* --port --datadir --host: a node not in the config yet */
};

/* resync NODE [--new]: the checks against the cluster and the disk, confirmation, a node not
 * in the config yet added to it (with --new and nn), then resync_node(). The exit status. */
int action_resync(struct action *a, const char *node, const struct resync_args *ra);

#endif
