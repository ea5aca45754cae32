/* switchover_check: a switchover judged from a snapshot (switchover_check.h). */
#include "model/watch/switchover_check.h"
#include "model/watch/syncplan.h"
#include "model/watch/syncpolicy.h"
#include "model/base/util.h"

#include <string.h>

bool switchover_candidate_ok(const struct node_snap *c, const struct node_snap *p, int64_t max_lag,
                             int64_t *behind, char *why, size_t n)
{
    *behind = p && c ? lsn_diff(p->current_lsn, node_wal_held(c)) : NUM_UNKNOWN;
    char b[32], m[32];
    format_bytes(max_lag, m, sizeof m);
    format_bytes(num_known(*behind) && *behind > 0 ? *behind : 0, b, sizeof b);
    if (!c || !p || c->reach != REACH_OK || p->reach != REACH_OK)
        str_copy(why, n, "the candidate and the primary must both answer");
    else if (c->role != ROLE_STANDBY)
        str_printf(why, n, "%s is not a standby (%s): nothing to switch over to", c->name,
                   c->state);
    else if (strcmp(c->upstream, p->name) != 0)
        str_printf(why, n,
                   "%s does not stream from the primary %s (%s): only a standby that streams "
                   "from it receives its last WAL when it stops",
                   c->name, p->name, c->upstream[0] ? c->upstream : "its upstream is unknown");
    else if (strcmp(c->state, "streaming") != 0)
        str_printf(why, n,
                   "%s is not streaming from %s (%s): it would not receive the primary's last WAL",
                   c->name, p->name, c->state);
    else if (c->timeline <= 0 || c->timeline != p->timeline)
        str_printf(why, n,
                   "%s is on timeline %d, %s on %d: only a standby on the primary's timeline can "
                   "take over without a rewind",
                   c->name, c->timeline, p->name, p->timeline);
    else if (!num_known(*behind))
        str_printf(why, n, "how far %s is behind %s is unknown", c->name, p->name);
    else if (*behind > max_lag)
        str_printf(why, n,
                   "%s is %s behind %s (more than --max-lag %s): the primary would wait for it "
                   "while stopped. Wait until it catches up, or raise --max-lag",
                   c->name, b, p->name, m);
    else
        return true;
    return false;
}

bool switchover_list(const char *policy, const struct config *cfg, const struct snapshot *s,
                     const struct node_snap *c, const char *old, const char *old_primary,
                     struct syncnames *out, char *err, size_t errlen)
{
    if (!str_empty(policy))
        return syncpolicy_list(policy, cfg, s, c->name, out, err, errlen);
    if (!syncnames_parse(old, out, err, errlen))
        return false;
    syncplan_after_switchover(out, c->name, c->application_name, old_primary);
    return true;
}
