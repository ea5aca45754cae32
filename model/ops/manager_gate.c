/* manager_gate: no action around an HA manager (manager_gate.h). */
#include "model/ops/manager_gate.h"
#include "model/watch/manager.h"

#include <string.h>

bool action_manager_gate(struct action *a, const char *node)
{
    const struct node_conf *nc = node ? action_find_node(a, node) : NULL;
    const char *name = nc ? nc->name : node;
    /* `resync NEW --new`: a node the cluster does not have yet */
    const char *verb = strcmp(a->verb, "resync") == 0 && node && !nc ? "new replica" : a->verb;
    char why[700];
    if (!manager_refusal(a->snap, verb, name, why, sizeof why))
        return true;
    action_fail(a, "%s refused: %s; nothing was changed", a->verb, why);
    return false;
}
