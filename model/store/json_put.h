/* json_put: one field of a snapshot's JSON, written so that unknown is null, never a made-up
 * zero or "" (docs/DESIGN.md 5.4). Shared by json.c and json_patroni.c. */
#ifndef REPLTOP_JSON_PUT_H
#define REPLTOP_JSON_PUT_H

#include "model/watch/snapshot.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* The object of snapshot_to_json (json.c), for a fleet's JSON to put in its list. */
cJSON *snapshot_json_object(const struct snapshot *s);
/* Prints root (and deletes it) as a heap string for free(). */
char *json_print(cJSON *root, bool pretty);

void json_put_str(cJSON *o, const char *key, const char *v); /* NULL or "": null */
void json_put_i64(cJSON *o, const char *key, int64_t v);     /* NUM_UNKNOWN: null */
void json_put_int(cJSON *o, const char *key, int v);         /* negative: null */
void json_put_tristate(cJSON *o, const char *key, int v);    /* -1: null, else a bool */

#endif
