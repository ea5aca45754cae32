/* patroni_rules: what Patroni's view changes in the derived facts — the failover candidate is
 * one Patroni would accept (its sync standby, no nofailover tag, within
 * maximum_lag_on_failover), and the problems only Patroni's view shows. */
#ifndef REPLTOP_PATRONI_RULES_H
#define REPLTOP_PATRONI_RULES_H

#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether Patroni would fail over to n (true when Patroni's view is not known: the other
 * rules decide then). */
bool patroni_allows_candidate(const struct snapshot *s, const struct node_snap *n);
/* The same with Patroni's reason when it would not (why), for the dialogs: false also when
 * Patroni's view is not known or n is not a member. */
bool patroni_candidate_why(const struct snapshot *s, const struct node_snap *n, char *why,
                           size_t len);

/* patroni_unreachable (warning): a Patroni REST API is configured and none answered;
 * patroni_paused (warning): Patroni is in maintenance mode and will not fail over. */
void patroni_rules_evaluate(struct snapshot *s);

#endif
