/* fleet: several clusters watched by one poll() loop — each with its own config, nodes and
 * snapshot, derived on its own (nodes never mix across clusters). One cluster is a fleet of
 * one. The caller owns the loop as with cluster.h (fleet_pollfds, fleet_timeout_ms,
 * fleet_handle); the clusters share one budget of connection attempts, so a fleet of many
 * small clusters connects paced like one large cluster.
 *
 * Every node's socket is in one epoll set (sockset.h): fleet_pollfds lists its one descriptor
 * and Patroni's few sockets, whatever the number of nodes, and fleet_handle serves the nodes
 * that are ready and the clusters whose deadline came, not every node at every turn. (When the
 * kernel refuses an epoll set, every node's socket is listed and served, as one poll() set.)
 *
 * Walking the clusters (the dashboard's fleet screen, status, metrics):
 *
 *     for (int i = 0; i < fleet_count(f); i++)
 *         use(fleet_name(f, i), fleet_snapshot(f, i));   // snapshot NULL before the first
 */
#ifndef REPLTOP_FLEET_H
#define REPLTOP_FLEET_H

#include "model/config/config.h"
#include "model/watch/cluster.h"
#include "model/watch/snapshot.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#define FLEET_LAG_SAMPLES 120 /* a cluster's worst replay lag, for its sparkline */
#define FLEET_TWINS_MAX   8   /* the other copies of one cluster that are named */

struct fleet;

/* Watches the n configs (not copied: they must outlive the fleet; each one's cluster_name
 * names its cluster, NULL or "" for a fleet of one). */
struct fleet *fleet_new(struct config *const *cfgs, int n);
void fleet_free(struct fleet *f);
int fleet_count(const struct fleet *f);
/* Every node of every cluster. */
int fleet_nodes(const struct fleet *f);
const char *fleet_name(const struct fleet *f, int i);
struct config *fleet_config(const struct fleet *f, int i);
struct cluster *fleet_cluster(const struct fleet *f, int i);
/* The cluster's last complete snapshot, NULL before its first refresh ended. */
const struct snapshot *fleet_snapshot(const struct fleet *f, int i);
/* The newest worst replay lags (bytes, NAN unknown) of cluster i, oldest first; how many. */
int fleet_lag_series(const struct fleet *f, int i, double *out, int max);
/* The clusters that cluster i's last snapshot found to be the same cluster (the same system
 * identifier or server address, problem duplicate_cluster: fleet_twins.h): how many, into out,
 * in the order of the configuration. */
int fleet_twins(const struct fleet *f, int i, int *out, int max);
/* Watches cluster i's config as it is now (nodes were added to it): a new cluster object, its
 * snapshot kept until the next refresh. Not between fleet_pollfds and fleet_handle. */
void fleet_rebuild(struct fleet *f, int i);

/* As cluster_set_always_polled, for every cluster. */
void fleet_set_always_polled(struct fleet *f);
/* As cluster_refresh_begin / _send, over every cluster in turn. */
void fleet_refresh_begin(struct fleet *f, int64_t now_ms);
bool fleet_refresh_send(struct fleet *f, int64_t until_ms);
/* Whether some cluster's refresh is still under way (not yet collected). */
bool fleet_refreshing(const struct fleet *f);

/* The most entries fleet_pollfds can fill now: the epoll set's descriptor and the Patroni
 * requests of each cluster that reads Patroni (CLUSTER_POLLFDS_EXTRA); size the caller's array
 * with it before each fleet_pollfds (a rebuilt cluster may read Patroni). */
int fleet_pollfds_max(const struct fleet *f);
int fleet_pollfds(struct fleet *f, struct pollfd *pfds, int *owner, int max);
int fleet_timeout_ms(const struct fleet *f, int64_t now_ms);
void fleet_handle(struct fleet *f, const struct pollfd *pfds, const int *owner, int n,
                  int64_t now_ms);

/* Takes the snapshot of every cluster whose refresh ended; for each, calls fn (if not NULL)
 * with the cluster's index, its previous snapshot (NULL the first time) and the new one, before
 * the previous is freed. Returns how many clusters got a new snapshot. */
typedef void (*fleet_snapshot_fn)(void *arg, int i, const struct snapshot *prev,
                                  const struct snapshot *now);
int fleet_collect(struct fleet *f, fleet_snapshot_fn fn, void *arg);

/* One complete refresh of every cluster in one poll() loop (status): at most the deadlines. */
void fleet_sample_once(struct fleet *f);

/* ---- a cluster in one row (pure functions of a snapshot) ---- */

/* The largest replay lag in bytes of its reachable standbys, NUM_UNKNOWN when none is known. */
int64_t snapshot_worst_lag(const struct snapshot *s);
/* The bytes lost if the primary died now and the best candidate took over: the candidate's
 * data at risk, NUM_UNKNOWN when there is no candidate or it is not known. */
int64_t snapshot_data_at_risk(const struct snapshot *s);
/* The sum of the nodes' TPS, NAN when no node's is known. */
double snapshot_total_tps(const struct snapshot *s);
/* Nodes that answered this refresh. */
int snapshot_answering(const struct snapshot *s);

#endif
