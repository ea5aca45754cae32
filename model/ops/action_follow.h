/* action_follow: after pg_promote — the new timeline and its fork point, the new primary
 * accepting writes, and every other standby re-pointed at it (or rejoined with pg_rewind when it
 * received WAL past the fork point on the old timeline). Part of `repltop promote`. */
#ifndef REPLTOP_ACTION_FOLLOW_H
#define REPLTOP_ACTION_FOLLOW_H

#include "model/ops/action.h"

/* The new timeline and the LSN where it forked off the old one (from its history file; else
 * fallback, the candidate's last replayed position before the promote), and (parent, when not
 * NULL) the timeline it forked off, -1 when unknown. tli <= 0 when the session failed. */
void promote_fork_point(PGconn *conn, int *tli, lsn_t *fork, lsn_t fallback, int *parent);
/* Waits (5 s) until the new primary commits a local transaction. */
bool promote_wait_writable(struct action *a, PGconn *conn, const char *name);
/* Creates the physical replication slot on the new primary (primary: our session to it) unless
 * it exists; warns and returns false when that fails. */
bool promote_create_slot(struct action *a, PGconn *primary, const char *slot);
/* Re-points every reachable standby but c (and skip, a node name, when not NULL: the caller
 * brings it back itself) at the new primary cc (conn: our session to it) and waits until each
 * streams on timeline tli; returns how many do not follow it. */
int promote_follow_all(struct action *a, const struct node_snap *c, struct node_conf *cc,
                       PGconn *conn, int tli, lsn_t fork, int64_t start, const char *skip);

#endif
