/* action_promote: the steps of `repltop promote NODE` (front end: cli/cmd_promote.c). */
#ifndef REPLTOP_ACTION_PROMOTE_H
#define REPLTOP_ACTION_PROMOTE_H

#include "model/ops/action.h"

struct promote_opts {
    const char *sync_names; /* --sync-names: the new primary's list, instead of the old one's */
    const char *previous;   /* --previous-sync: the old list, when it cannot be read */
    bool async; /* --async: the operator's explicit downgrade, synchronous_standby_names = '' */
};

/* promote NODE: checks, pg_promote(), the new primary's sync list, the other standbys
 * re-pointed. The exit status (0 done, 1 failed or refused, 3 a bad sync list). */
int action_promote(struct action *a, const char *node, const struct promote_opts *o);

/* Replay of what the candidate received (waited for up to 10 s), then pg_promote(true, 60) over
 * conn — or, fast, pg_promote(false) and a look every 10 ms until it is out of recovery (60 s).
 * fallback gets its last replayed position, start the time promotion began. False, said with
 * action_fail, when it was not promoted or the session failed (then it is unknown). */
bool promote_now(struct action *a, PGconn *conn, const char *name, lsn_t *fallback, int64_t *start,
                 bool fast);

#endif
