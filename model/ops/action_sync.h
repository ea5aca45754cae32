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

/* sync set --save: spec (a list sync set applied) saved as the declared policy, [repltop] sync
 * in the config file (config_set_setting: atomic, read back). The exit status. */
int action_sync_save(struct action *a, const char *spec);

/* After a rejoin or a resync, with a declared sync policy ([repltop] sync): the primary's list
 * rebuilt from the policy and the nodes that exist now (syncpolicy_list), so that the node
 * that came back is counted again — through sync set's steps, without asking again. A list that
 * would wait for fewer standbys than the current one, or that would block every commit, is not
 * applied (a warning says why). True when nothing was needed or the list was applied; nothing
 * to do without a policy. a->snap is refreshed. */
bool action_sync_keep_policy(struct action *a);

#endif
