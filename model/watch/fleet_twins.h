/* fleet_twins: one cluster configured twice in a fleet — two cluster files whose nodes report
 * the same PostgreSQL system identifier, or name the same server address. The fleet would
 * otherwise watch two silent, independent copies of it (two rows, twice its problems, twice the
 * connections); each copy gets the problem duplicate_cluster naming the other one and its file.
 *
 * Cheap enough for 300 clusters at every refresh: each snapshot is reduced once to a few
 * hashes (twin_keys), compared as integers; only a pair whose hashes meet is compared for real. */
#ifndef REPLTOP_FLEET_TWINS_H
#define REPLTOP_FLEET_TWINS_H

#include "model/config/config.h"
#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stdint.h>

/* What identifies s's servers, hashed: each distinct system identifier of a node that answered
 * and each node's address (host:port, loopback names as one). A heap array (free()); its
 * length in *n. */
uint64_t *twin_keys(const struct snapshot *s, int *n);
/* Whether two key sets share a key (a pair worth twin_check). */
bool twin_keys_meet(const uint64_t *a, int na, const uint64_t *b, int nb);

/* Whether s (of config cfg) and o (of the cluster named oname, read from opath) are one
 * cluster: a system identifier both report, or an address both name (unless the two servers
 * there answered with different system identifiers: an address seen from two places, as
 * through two ssh tunnels, is not proof). If so, adds the problem duplicate_cluster to s
 * (warning, unless cfg's [severity] says otherwise) naming both files and the other cluster,
 * and raises s's health to it. */
bool twin_check(struct snapshot *s, const struct config *cfg, const struct snapshot *o,
                const char *oname, const char *opath);

#endif
