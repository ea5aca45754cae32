/* report: `repltop status` without --json — the snapshot as a plain-text table and the
 * problems under it, for a terminal or a log. */
#ifndef REPLTOP_REPORT_H
#define REPLTOP_REPORT_H

#include "model/watch/snapshot.h"

#include <stdio.h>

void report_print(FILE *out, const struct snapshot *s);
/* Exit status for `status`: 0 ok, 1 warning, 2 critical. */
int report_exit_code(const struct snapshot *s);

#endif
