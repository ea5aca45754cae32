/* json_fleet: a fleet's snapshots as one JSON object (`status --json` with several clusters,
 * docs/DESIGN.md 5.4): {"taken_at", "health" (the worst), "clusters": [each cluster's object of
 * snapshot_to_json with its "name" first and "duplicate_of": the names of the other clusters it
 * is the same cluster as, problem duplicate_cluster], "repltop_version"}. A fleet of one is written
 * as snapshot_to_json writes it, unchanged. */
#ifndef REPLTOP_JSON_FLEET_H
#define REPLTOP_JSON_FLEET_H

#include "model/watch/fleet.h"

#include <stdbool.h>

/* A heap string (free()). A cluster with no snapshot yet is {"name", "health": null}. */
char *fleet_to_json(const struct fleet *f, bool pretty);
/* The worst health of the fleet's clusters (a cluster without a snapshot is critical). */
enum severity fleet_health(const struct fleet *f);

#endif
