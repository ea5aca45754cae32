/* action_sync: the steps of `repltop sync show` and `repltop sync set SPEC` (front end:
 * cli/cmd_sync.c). */
#ifndef REPLTOP_ACTION_SYNC_H
#define REPLTOP_ACTION_SYNC_H

#include "model/ops/action.h"
#include "model/pg/syncnames.h"

/* The primary's synchronous standby list and what pg_stat_replication says. The exit status. */
int action_sync_show(struct action *a);
/* Sets the list: sn is SPEC parsed, formatted SPEC as it goes to the server, commit --commit's
 * level or NULL (both checked already). The exit status. */
int action_sync_set(struct action *a, const struct syncnames *sn, const char *formatted,
                    const char *commit);

#endif
