/* action_resync: what the resync command offers the other actions — rebuilding a local node
 * from the primary with pg_basebackup, which is also rejoin's fallback when pg_rewind fails. */
#ifndef REPLTOP_ACTION_RESYNC_H
#define REPLTOP_ACTION_RESYNC_H

#include "model/ops/action.h"
#include "model/local/local_conf.h"
#include "model/local/local_node.h"

#include <stdbool.h>
#include <stddef.h>

struct resync_opts {
    bool new_replica;             /* --new: there is no data directory yet */
    const struct local_conf *own; /* the node's config files, read earlier; NULL: read them
                                   * from the directory being moved aside */
    const char *application_name; /* NULL: its current one, else its config name */
    const char *conninfo;         /* base for primary_conninfo; NULL: the old one's */
};

/* Stops the node, moves its data directory aside, clones it from primary with pg_basebackup,
 * makes it a standby with its own settings, starts it and waits until it streams. The checks
 * and the confirmation are the caller's. On failure the original directory is back in place
 * (when the clone did not finish) and err says what happened. */
bool resync_node(struct action *a, const struct local_node *ln, const struct snapshot *s,
                 const struct node_snap *primary, const struct resync_opts *o, char *err,
                 size_t errlen);

#endif
