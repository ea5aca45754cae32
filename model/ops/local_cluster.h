/* local_cluster: a local node among the others — which primary it is to follow, whose
 * replication conninfo to copy, whether the running server is the configured one, and the
 * wait until it streams. */
#ifndef REPLTOP_LOCAL_CLUSTER_H
#define REPLTOP_LOCAL_CLUSTER_H

#include "model/ops/action.h"
#include "model/local/local_node.h"

#include <stdbool.h>
#include <stddef.h>

/* A fresh snapshot that leaves a->snap alone (promote holds pointers into it). */
struct snapshot *local_snapshot(struct action *a);
/* The one reachable primary that is not `self`; NULL with the reason in why. */
const struct node_snap *local_primary(const struct snapshot *s, const char *self, char *why,
                                      size_t whylen);
/* primary_conninfo of a reachable standby other than self (the replication user and its
 * options, to copy); a heap string (it may hold a password) or NULL. */
char *local_standby_conninfo(struct action *a, const struct snapshot *s, const char *self);
/* Refuses (false) when the running server reached through the node's conninfo works in
 * another directory than the configured datadir. */
bool local_check_datadir(struct action *a, const struct local_node *ln, const struct node_snap *ns,
                         char *err, size_t errlen);
/* Until the node is in recovery, its WAL receiver streams (on timeline tli when > 0) and the
 * primary lists application_name as streaming; false after timeout_s with what was seen and
 * the server's last complaint from its log. */
bool local_wait_streaming(struct action *a, const struct local_node *ln,
                          const struct node_conf *primary, const char *application_name, int tli,
                          int timeout_s, char *err, size_t errlen);

#endif
