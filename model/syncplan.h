/* syncplan: which standbys a synchronous_standby_names setting makes sync, potential,
 * quorum or async — the preview of the sync list editor and the check after applying it.
 * Mirrors PostgreSQL's SyncRepGetCandidateStandbys: only streaming walsenders count. */
#ifndef REPLTOP_SYNCPLAN_H
#define REPLTOP_SYNCPLAN_H

#include "syncnames.h"

/* For each of n connected standbys (application names), the sync_state PostgreSQL will show:
 * "sync", "potential", "quorum" or "async". states[i] points to a static string. */
void syncplan_states(const struct syncnames *s, const char *const *app_names, int n,
                     const char **states);

#endif
