/* config_severity: the [severity] section — the problem codes it accepts and the severity it
 * gives a problem on a node (reading its lines is config.c's). */
#include "model/config/config.h"

#include <string.h>

const char *const config_problem_codes[] = {"unreachable",
                                            "timeout",
                                            "auth_failed",
                                            "query_failed",
                                            "no_primary",
                                            "multiple_primaries",
                                            "patroni_unreachable",
                                            "patroni_paused",
                                            "system_id_mismatch",
                                            "timeline_diverged",
                                            "not_streaming",
                                            "replay_paused",
                                            "lag_warn",
                                            "lag_crit",
                                            "slot_inactive",
                                            "writes_blocked",
                                            "below_sync_policy",
                                            "duplicate_node",
                                            "duplicate_cluster",
                                            "candidate_delayed",
                                            "needs_resync",
                                            "insufficient_privilege",
                                            NULL};

int config_severity_for(const struct config *c, const char *code, const char *node)
{
    int all = -1, one = -1;
    for (int i = 0; c && i < c->nseverities; i++) {
        const struct severity_override *o = &c->severities[i];
        if (strcmp(o->code, code) != 0)
            continue;
        if (!o->node[0])
            all = o->sev;
        else if (node && strcmp(o->node, node) == 0)
            one = o->sev;
    }
    return one >= 0 ? one : all;
}
