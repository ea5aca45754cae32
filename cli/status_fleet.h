/* status_fleet: `repltop status` over several clusters (-c given more than once, or a
 * directory of cluster files): every cluster sampled in one poll() loop, then each one's table
 * under a line with its name, or with --json the fleet's JSON (model/store/json_fleet.h). */
#ifndef REPLTOP_STATUS_FLEET_H
#define REPLTOP_STATUS_FLEET_H

#include "model/config/config_fleet.h"

#include <stdbool.h>
#include <stdio.h>

/* Prints the fleet's status to out; returns the worst health as status's exit code (0 ok,
 * 1 warning, 2 critical). */
int status_fleet_run(FILE *out, struct config_fleet *cf, bool json);

#endif
