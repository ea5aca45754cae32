/* memory: the last primary settings repltop saw, per cluster, kept on disk so that a
 * promote after the primary died still knows its synchronous_standby_names.
 *
 * $XDG_STATE_HOME/repltop/cluster-<system identifier>.conf (0600), written only when the
 * values change. No secret is ever in it. */
#ifndef REPLTOP_MEMORY_H
#define REPLTOP_MEMORY_H

#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

struct cluster_memory {
    char primary[NAME_LEN];
    char synchronous_standby_names[SETTING_LEN];
    char synchronous_commit[16];
    double seen_at;
    /* the primary before this one and its list (kept when the primary changes), so that a
     * promote that stopped part way can be finished: the new primary is then "primary" */
    char previous_primary[NAME_LEN];
    char previous_synchronous_standby_names[SETTING_LEN];
};

/* Remembers the snapshot's primary settings when it has exactly one primary. */
void memory_save(const struct snapshot *s);
/* What was remembered for this system identifier; false when nothing. */
bool memory_load(const char *system_identifier, struct cluster_memory *m);

#endif
