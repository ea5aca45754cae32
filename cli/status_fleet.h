/* status_fleet: `repltop status` over several clusters (-c given more than once, or a
 * directory of cluster files): every cluster sampled in one poll() loop, then each one's table
 * under a line with its name, or with --json the fleet's JSON (model/store/json_fleet.h), or
 * with --check the monitoring plugin's lines. */
#ifndef REPLTOP_STATUS_FLEET_H
#define REPLTOP_STATUS_FLEET_H

#include "model/config/config_fleet.h"

#include <stdbool.h>
#include <stdio.h>

enum status_form { STATUS_TABLE, STATUS_JSON, STATUS_CHECK };

/* Prints the fleet's status to out; returns the worst health as status's exit code (0 ok,
 * 1 warning, 2 critical). STATUS_CHECK: the plugin lines (the fleet's, then one per cluster
 * that is not OK) and the plugin's exit code, the worst of the clusters' (CRITICAL, then
 * UNKNOWN, then WARNING). */
int status_fleet_run(FILE *out, struct config_fleet *cf, enum status_form form);

#endif
