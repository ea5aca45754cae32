/* json_patroni: Patroni's view in the snapshot's JSON ("patroni" at the top, null when
 * Patroni is not configured) and back, for recordings and replay. */
#ifndef REPLTOP_JSON_PATRONI_H
#define REPLTOP_JSON_PATRONI_H

#include "model/watch/snapshot.h"

#include <cJSON.h>

/* A new JSON object for v (unknowns as null). */
cJSON *patroni_view_to_json(const struct patroni_view *v);
/* A heap view read from o, NULL when o is not an object. */
struct patroni_view *patroni_view_from_json(const cJSON *o);

#endif
