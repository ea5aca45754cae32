/* report: `repltop status` without --json — the snapshot as a plain-text table and the
 * problems under it, for a terminal or a log. */
#ifndef REPLTOP_REPORT_H
#define REPLTOP_REPORT_H

#include "model/config/config.h"
#include "model/watch/snapshot.h"

#include <stdio.h>

void report_print(FILE *out, const struct snapshot *s);
/* Exit status for `status`: 0 ok, 1 warning, 2 critical. */
int report_exit_code(const struct snapshot *s);

/* `status --check`: one line in the Nagios/Icinga plugin convention,
 *   REPLTOP CRITICAL - <the worst problem's sentence> (+N more) | <perfdata>
 * with, per node that is not the primary, 'NODE_lag_bytes'=NB;warn;crit;0
 * 'NODE_lag_seconds'=Ns;warn;crit;0 'NODE_at_risk_bytes'=NB (U when unknown; thresholds from
 * cfg). Returns the plugin's exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (no node
 * answered). */
int report_check(FILE *out, const struct snapshot *s, const struct config *cfg);
/* What report_check says of s without its perfdata: returns the plugin state (0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN: no node answered), the worst problem's sentence escaped for one line
 * into text, and how many other problems that are not ok into *more. */
int report_check_state(const struct snapshot *s, char *text, size_t len, int *more);
/* "OK", "WARNING", "CRITICAL", "UNKNOWN" */
const char *report_check_name(int state);

#endif
