/* metrics: snapshots in the Prometheus text exposition format 0.0.4, for `repltop serve`'s
 * GET /metrics (docs/DESIGN.md section 5.11 lists every family).
 *
 * Names follow Prometheus's conventions: the repltop_ prefix, base units (_bytes, _seconds),
 * _info for facts that are labels only, a HELP and a TYPE line per family. Every series has a
 * `cluster` label. An unknown value is no sample at all, never a made-up 0: a node that did
 * not answer has repltop_node_up 0 and no lag, LSN or timeline. */
#ifndef REPLTOP_METRICS_H
#define REPLTOP_METRICS_H

#include "model/watch/snapshot.h"

#include <stdio.h>

/* The exposition format wants each family's samples together, under one HELP and TYPE: the
 * writer goes family by family over every cluster, not cluster by cluster. */
struct metrics_cluster {
    const char *name;            /* the `cluster` label */
    const struct snapshot *snap; /* its last snapshot */
};

/* Writes the families of the n clusters to out; now (wall-clock seconds) dates the snapshots'
 * age. */
void metrics_write(FILE *out, const struct metrics_cluster *clusters, int n, double now);

/* A label value as the format wants it: backslash, double quote and line feed escaped, and a
 * byte that is not UTF-8 replaced by U+FFFD (Prometheus refuses the whole scrape otherwise). */
void metrics_put_label_value(FILE *out, const char *v);

#endif
