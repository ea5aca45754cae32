/* syncpolicy: the declared synchronous policy ([repltop] sync = SPEC in the config) and what it
 * means for the cluster as it is now.
 *
 * A policy is either a full synchronous_standby_names with names (`FIRST 1 (db_s2, db_s1)`,
 * `ANY 1 (a, b)`; a name is a config node name or an application_name) or a policy without
 * names, `FIRST N` / `ANY N`: "N synchronous standbys among those streaming, by config order".
 * Its grammar is syncnames_parse_policy() (model/pg/syncnames.h); the config loader checks it.
 *
 * Pure functions of their arguments: no session, no clock. */
#ifndef REPLTOP_SYNCPOLICY_H
#define REPLTOP_SYNCPOLICY_H

#include "model/config/config.h"
#include "model/pg/syncnames.h"
#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/* The synchronous_standby_names the node `primary` (a config node name) should have now under
 * policy (the text of [repltop] sync, e.g. c->sync_policy):
 * - a policy without names: `FIRST N (...)` / `ANY N (...)` listing every other configured node
 *   in config order, each by the name it streams as: its application_name when s knows it (s may
 *   be NULL), else its config name (a rejoined node comes back under its config name);
 * - a named policy: the policy minus the primary itself (its config name and its
 *   application_name), N kept.
 * A list that ends up empty is SYNC_NONE (commits wait for no standby: the caller must say so).
 * N may exceed the list (syncnames_exceeds_list): the caller warns. Returns false, with one line
 * in err, when policy is NULL, empty or not a valid policy. */
bool syncpolicy_list(const char *policy, const struct config *c, const struct snapshot *s,
                     const char *primary, struct syncnames *out, char *err, size_t errlen);

/* Whether the cluster in s is below policy, and why, in one line written to why:
 *   "policy FIRST 1: no standby streams"
 *   "policy wants 2 synchronous standbys, 1 streams"
 *   "primary's list 'X' differs from the policy's 'Y'"
 * The primary is s->primary; its list is compared with syncpolicy_list() for it (a listed node
 * may appear by config name or by application_name), then the standbys streaming to it and
 * listed are counted against N. Returns false (why = "") when the cluster meets the policy, when
 * no policy is set (policy NULL or "") or when it cannot tell (no single primary answers). */
bool syncpolicy_check(const char *policy, const struct config *c, const struct snapshot *s,
                      char *why, size_t whylen);

#endif
