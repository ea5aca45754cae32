/* metrics: snapshots in the Prometheus text exposition format 0.0.4, for `repltop serve`'s
 * GET /metrics (docs/DESIGN.md section 5.11 lists every family).
 *
 * Names follow Prometheus's conventions: the repltop_ prefix, base units (_bytes, _seconds),
 * _info for facts that are labels only, a HELP and a TYPE line per family. Every series has a
 * `cluster` label. An unknown value is no sample at all, never a made-up 0: a node that did
 * not answer has repltop_node_up 0 and no lag, LSN or timeline. */
#ifndef REPLTOP_METRICS_H
#define REPLTOP_METRICS_H

#include "model/store/mtext.h"
#include "model/watch/snapshot.h"

/* The exposition format wants each family's samples together, under one HELP and TYPE: the
 * writer goes family by family over every cluster, not cluster by cluster. */
struct metrics_cluster {
    const char *name;            /* the `cluster` label */
    const struct snapshot *snap; /* its last snapshot */
};

/* The samples counted to the time of a request (the snapshots' and the nodes' ages), kept
 * without their values: text with a value to insert after each mark's end. */
struct metrics_mark {
    size_t end;   /* in text */
    double since; /* the value is the seconds from since to the request, to the millisecond */
};
struct metrics_dated {
    struct mtext text;
    struct metrics_mark *marks;
    int n, cap;
};

/* The page in two parts, so that a server can keep it while its snapshots last: out gets the
 * families that depend only on the snapshots (build info first), dated those counted to the
 * request. */
void metrics_write_page(struct mtext *out, struct metrics_dated *dated,
                        const struct metrics_cluster *clusters, int n);
/* The dated families, counted to now (wall-clock seconds): the rest of the page. */
void metrics_write_dated(struct mtext *out, const struct metrics_dated *dated, double now);
void metrics_dated_free(struct metrics_dated *dated);
/* The whole page at once. */
void metrics_write(struct mtext *out, const struct metrics_cluster *clusters, int n, double now);

#endif
