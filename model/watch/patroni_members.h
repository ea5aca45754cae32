/* patroni_members: Patroni's members as repltop's nodes — which REST APIs to ask, which node
 * is which member, and the nodes a cluster read from Patroni alone is made of.
 *
 * Patroni's DCS is the source of truth for membership: with `--patroni URL` or [repltop]
 * patroni = URL and no node list, the nodes are the members of /cluster, named by member
 * name; a member that joins later is added the same way (the dashboard follows it). */
#ifndef REPLTOP_PATRONI_MEMBERS_H
#define REPLTOP_PATRONI_MEMBERS_H

#include "model/config/config.h"
#include "model/patroni/patroni_view.h"

#include <stdbool.h>

#define PATRONI_MAX_URLS 16

/* The REST APIs to try, in order: [repltop] patroni, then each node's [node X] patroni, then
 * the members' own api_url from v (NULL: none known yet). Returns how many (bases, without
 * /patroni), at most max; none means Patroni is not configured. */
int patroni_urls(const struct config *c, const struct patroni_view *v, char urls[][256], int max);

/* Reads /cluster and /config from the first API that answers, each within timeout_ms. It
 * blocks: only for the one-shot commands, the actions and before the dashboard starts. False
 * with v->error set when none answered. */
bool patroni_fetch(const struct config *c, struct patroni_view *v, int timeout_ms);

/* The member node n is: same name, else same host and port. NULL when none. */
const struct patroni_member *patroni_member_of(const struct patroni_view *v,
                                               const struct node_conf *n);
/* Adds to c each member no node is, named by its member name, with a conninfo made from the
 * first node's (its secrets dropped) or libpq's defaults, host and port from Patroni. Returns
 * how many. */
int patroni_add_members(struct config *c, const struct patroni_view *v);
/* With Patroni configured: patroni_fetch then patroni_add_members, before the nodes are
 * watched (blocking, within the connect deadline). False with the reason in err only when
 * Patroni was the only source of nodes and none came; true when Patroni is not configured. */
bool patroni_load_members(struct config *c, char *err, size_t errlen);

#endif
