/* patroni_rules: Patroni's view in the candidate and the health rules (patroni_rules.h). */
#include "model/watch/patroni_rules.h"
#include "model/base/util.h"

bool patroni_allows_candidate(const struct snapshot *s, const struct node_snap *n)
{
    if (!s->patroni || !s->patroni->known || !n->patroni_member[0])
        return true;
    char why[256];
    return patroni_can_fail_over_to(s->patroni, n->patroni_member, why, sizeof why);
}

bool patroni_candidate_why(const struct snapshot *s, const struct node_snap *n, char *why,
                           size_t len)
{
    if (!s->patroni || !s->patroni->known) {
        str_printf(why, len, "Patroni's REST API does not answer: %s",
                   s->patroni ? s->patroni->error : "not configured");
        return false;
    }
    if (!n->patroni_member[0]) {
        str_printf(why, len, "%s is not a member of Patroni's cluster", n->name);
        return false;
    }
    return patroni_can_fail_over_to(s->patroni, n->patroni_member, why, len);
}

void patroni_rules_evaluate(struct snapshot *s)
{
    const struct patroni_view *v = s->patroni;
    if (!v)
        return;
    if (!v->known)
        snapshot_add_problem(s, SEV_WARNING, "patroni_unreachable", "",
                             "Patroni's REST API does not answer (%s): its view is not shown and "
                             "actions cannot go through it",
                             v->error);
    else if (v->paused)
        snapshot_add_problem(s, SEV_WARNING, "patroni_paused", "",
                             "Patroni is paused (maintenance mode): it will not fail over");
}
