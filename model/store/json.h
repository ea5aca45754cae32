/* json: the snapshot as JSON (docs/DESIGN.md section 5) and back, with cJSON.
 *
 * Unknown values are null, never a made-up zero. Keys may be added, none renamed: the
 * contract keys come first, repltop's extras (target, state, replication, slots...) after.
 * snapshot_from_json reads what snapshot_to_json writes, for --replay and tests. */
#ifndef REPLTOP_JSON_H
#define REPLTOP_JSON_H

#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/* A heap string (free()), pretty-printed or as one line (for NDJSON recordings). */
char *snapshot_to_json(const struct snapshot *s, bool pretty);
/* Parses one JSON snapshot; NULL with a one-line reason in err on malformed input. */
struct snapshot *snapshot_from_json(const char *text, char *err, size_t errlen);

#endif
