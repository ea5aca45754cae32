/* lastsync: what the failover candidate's tie-break remembers between refreshes of one cluster
 * (derive.c) — each node's sync_state and sync_priority as of the last refresh in which exactly
 * one primary answered, and, while this process has seen no primary at all, the primary's
 * synchronous_standby_names remembered on disk for the cluster (memory.h). No network call. */
#ifndef REPLTOP_LASTSYNC_H
#define REPLTOP_LASTSYNC_H

#include "model/watch/snapshot.h"

struct lastsync;

struct lastsync *lastsync_new(int nnodes);
void lastsync_free(struct lastsync *m);

/* Before derive_snapshot(): each node's last_sync_state and last_sync_priority as kept; with no
 * primary seen yet, remembered_sync_names from the memory file of the first reachable node's
 * system identifier (read once per identifier). */
void lastsync_recall(struct lastsync *m, struct snapshot *s);
/* After derive_snapshot(): keeps what it left in last_sync_state and last_sync_priority. */
void lastsync_keep(struct lastsync *m, const struct snapshot *s);

#endif
