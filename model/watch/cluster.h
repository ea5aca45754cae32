/* cluster: every watched node, refreshed together, and the snapshot built from them.
 *
 * The caller owns the poll() loop (the dashboard also waits on the terminal and on child
 * processes): cluster_pollfds() lists the sockets, cluster_timeout_ms() the next deadline,
 * cluster_handle() reacts. A refresh ends when every node answered or hit its deadline; a
 * hung node never delays the others. */
#ifndef REPLTOP_CLUSTER_H
#define REPLTOP_CLUSTER_H

#include "model/config/config.h"
#include "model/watch/snapshot.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct cluster;

/* Connection attempts under way and how many may be: a cluster has its own (16); the clusters
 * of a fleet share one, so that 300 clusters of 3 nodes are no storm of 900 handshakes. */
#define CLUSTER_CONNECTS_IN_FLIGHT 16 /* why this many: cluster.c */
struct connect_budget {
    int limit;
    int busy;
    int queued; /* nodes waiting for a turn */
};

struct cluster *cluster_new(const struct config *cfg);
void cluster_free(struct cluster *c);
int cluster_size(const struct cluster *c);

/* Counts c's connection attempts in b (shared with other clusters) instead of its own. */
void cluster_share_connects(struct cluster *c, struct connect_budget *b);

/* Says that the caller lists and serves every node's socket (cluster_pollfds, cluster_handle,
 * cluster_timeout_ms) between refreshes too, not only while one runs. Then a refresh no longer
 * waits for a node that is late from before (query unanswered, reconnecting after a failure),
 * and is shown at the latest half the interval after it started: a hung server never holds
 * back the others. Without it (status, actions) a refresh waits for every node. */
void cluster_set_always_polled(struct cluster *c);

/* Starts a refresh of every node, sending every query at once. */
void cluster_refresh_start(struct cluster *c, int64_t now_ms);
/* The same in slices, for a caller with other work in its loop: begin starts the refresh
 * without sending; each cluster_refresh_send() sends the next nodes' queries until the
 * monotonic clock reaches until_ms (at least one node) and returns true while some remain. */
void cluster_refresh_begin(struct cluster *c, int64_t now_ms);
bool cluster_refresh_send(struct cluster *c, int64_t until_ms);
/* True once every node of the current refresh was sent to and answered or timed out. */
bool cluster_refresh_done(const struct cluster *c);

/* Room cluster_pollfds needs beyond one per node (none with cluster_use_sockset): Patroni's
 * REST API requests. */
#define CLUSTER_POLLFDS_EXTRA 32
/* Fills up to max pollfds (room for every node and a few for Patroni's REST API: nodes +
 * CLUSTER_POLLFDS_EXTRA); returns how many. owner[i] is an index for cluster_handle. */
int cluster_pollfds(const struct cluster *c, struct pollfd *pfds, int *owner, int max);
/* Milliseconds from now until the earliest node deadline, -1 when none. */
int cluster_timeout_ms(const struct cluster *c, int64_t now_ms);
/* Reacts to poll() results and deadlines; pfds/owner as filled by cluster_pollfds. */
void cluster_handle(struct cluster *c, const struct pollfd *pfds, const int *owner, int n,
                    int64_t now_ms);

/* ---- the nodes' sockets in an epoll set (a fleet's: fleet.c, sockset.h) ---- */

struct sockset;
/* From now on c keeps its nodes' sockets in set, each slot named (group, node index), and
 * cluster_pollfds lists Patroni's only. The caller waits on sockset_fd(set), hands each ready
 * node to cluster_node_ready, then calls cluster_handle (deadlines, connects, counts) — at the
 * latest once cluster_timeout_ms has passed, and after any cluster_node_ready. */
void cluster_use_sockset(struct cluster *c, struct sockset *set, int group);
void cluster_node_ready(struct cluster *c, int node, short revents, int64_t now_ms);
/* Whether c reads Patroni's view (its sockets and timers are cluster_handle's at every turn). */
bool cluster_has_patroni(const struct cluster *c);
/* Whether some node waits for a turn to connect (a shared budget's room is given in turn). */
bool cluster_connects_queued(const struct cluster *c);

/* A snapshot of what is known now, with derived lag and health. Caller frees it. */
struct snapshot *cluster_snapshot(struct cluster *c);

/* Runs one complete refresh with its own poll() loop (for `status`): blocks for at most the
 * deadlines, never longer. */
struct snapshot *cluster_sample_once(struct cluster *c);

#endif
