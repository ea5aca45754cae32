/* action_rewind_checks: what a rejoin checks before pg_rewind, and how it reads pg_rewind's
 * failure: a rewind that cannot work (the histories cannot be joined) is told apart from one
 * that failed for a cause an operator can fix (a privilege, the connection), which never turns
 * into a full copy (docs/DESIGN.md section 4, "Rejoin"). */
#ifndef REPLTOP_ACTION_REWIND_CHECKS_H
#define REPLTOP_ACTION_REWIND_CHECKS_H

#include "model/ops/action.h"
#include "model/local/local_node.h"

#include <stdbool.h>

/* pg_rewind's prerequisite on the node to rewind: wal_log_hints = on or data checksums, as its
 * control file says (pg_controldata). False with the reason and the way forward in err. */
bool rewind_prerequisite(const struct local_node *ln, char *err, size_t errlen);

/* Whether pg_rewind's error says the rewind is impossible (the WAL it needs is gone, no common
 * timeline, not the same system, hint bits not logged), so that only a full copy can help. */
bool rewind_impossible(const char *why);

/* The size of the copy a full resync from primary would make ("about 86 MB"), or "" unknown. */
void rewind_copy_size(struct action *a, const struct node_conf *primary, char *out, size_t n);

#endif
