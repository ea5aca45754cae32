/* syncplan: which standbys a synchronous_standby_names setting makes sync, potential,
 * quorum or async — the preview of the sync list editor and the check after applying it.
 * Mirrors PostgreSQL's SyncRepGetCandidateStandbys: only streaming walsenders count. */
#ifndef REPLTOP_SYNCPLAN_H
#define REPLTOP_SYNCPLAN_H

#include "model/watch/snapshot.h"
#include "model/pg/syncnames.h"

/* For each of n connected standbys (application names), the sync_state PostgreSQL will show:
 * "sync", "potential", "quorum" or "async". states[i] points to a static string. */
void syncplan_states(const struct syncnames *s, const char *const *app_names, int n,
                     const char **states);

/* The list a promotion of candidate should leave on it: the candidate's name replaced by the
 * remaining standbys as they stream (their application_name) and by the old primary, which
 * comes back under its config name; method and number kept. Nodes whose name we cannot know
 * (down, and not the old primary) are left out. old_primary: the name of the primary before
 * the failure when known (NULL: the candidate's upstream, or a reachable primary). */
void syncplan_after_promote(const struct snapshot *s, const struct node_snap *candidate,
                            const char *old_primary, struct syncnames *sn);

/* The list a planned switchover leaves on the candidate: the candidate (by its application_name
 * or its config name) replaced, at its place, by the old primary, which comes back as a standby
 * streaming as old_app; the rest, method and number kept. A list that does not name the
 * candidate is kept as it is; SYNC_NONE stays SYNC_NONE (an asynchronous cluster stays so). */
void syncplan_after_switchover(struct syncnames *sn, const char *cand_name, const char *cand_app,
                               const char *old_app);

#endif
