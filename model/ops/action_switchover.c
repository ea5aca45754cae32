/* action_switchover: the steps of `repltop switchover NODE` (action_switchover.h). */
#include "model/ops/action_switchover.h"

int action_switchover(struct action *a, const char *node, const struct switchover_opts *o)
{
    (void)o;
    return action_fail(a, "switchover %s: not implemented yet", node);
}
