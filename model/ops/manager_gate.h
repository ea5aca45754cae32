/* manager_gate: the gate every action that changes the cluster passes before it changes
 * anything. Where an HA manager runs the node or its cluster (model/watch/manager.h), repltop
 * does not act around it: the action is refused with one line that names the manager and its
 * own way (docs/DESIGN.md 4.9). --force does not open the gate, and no flag does. */
#ifndef REPLTOP_MANAGER_GATE_H
#define REPLTOP_MANAGER_GATE_H

#include "model/ops/action.h"

/* For a->verb on node (a config name or the application_name it streams as; NULL for the
 * cluster, as `sync set`), against a->snap. True: no manager is in the way, go on directly.
 * False: refused, said in one fail: line (and the audit log). */
bool action_manager_gate(struct action *a, const char *node);

#endif
