/* action_resync: what the resync command offers the other actions — rebuilding a local node
 * from the primary with pg_basebackup, which is also rejoin's fallback when pg_rewind fails. */
#ifndef REPLTOP_ACTION_RESYNC_H
#define REPLTOP_ACTION_RESYNC_H

#include "model/ops/action.h"
#include "model/local/local_conf.h"
#include "model/local/local_newnode.h"
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

/* What `resync NODE` was given, checked by the front end (cli/cmd_resync.c). */
struct resync_args {
    bool new_replica;       /* --new */
    struct newnode_args nn; /* --port --datadir --host: a node not in the config yet */
};

/* resync NODE [--new]: the checks against the cluster and the disk, confirmation, a node not
 * in the config yet added to it (with --new and nn), then resync_node(). The exit status. */
int action_resync(struct action *a, const char *node, const struct resync_args *ra);

#endif
