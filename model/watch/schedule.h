/* schedule: when a cluster watched from a caller's poll() loop refreshes — the dashboard's and
 * `repltop serve`'s, one schedule per cluster. A refresh starts every interval (a whole number
 * of seconds on the turn of the wall-clock second), its queries go out in slices so the loop
 * can answer a key or a scrape between them, and its snapshot is taken once every node
 * answered or reached its deadline (with cluster_set_always_polled, at the latest half an
 * interval after it started: a hung node never holds it back). */
#ifndef REPLTOP_SCHEDULE_H
#define REPLTOP_SCHEDULE_H

#include "model/watch/cluster.h"

#include <stdbool.h>
#include <stdint.h>

struct schedule {
    bool refreshing; /* a refresh is under way */
    int64_t started; /* monotonic ms it started */
    int64_t next;    /* monotonic ms the next one is due */
};

/* The first refresh is due at once. */
void schedule_init(struct schedule *sc, int64_t now_ms);
/* Starts a due refresh of c (never while paused), then sends its queries until now_ms +
 * slice_ms (at least one node). True while some sends remain: the caller looks at its other
 * descriptors (poll timeout 0) and calls again. */
bool schedule_send(struct schedule *sc, struct cluster *c, double interval_s, bool paused,
                   int64_t now_ms, int slice_ms);
/* Milliseconds until the next refresh is due (at most 60 s), -1 while one runs or paused. */
int schedule_due_ms(const struct schedule *sc, bool paused, int64_t now_ms);
/* After cluster_handle(): the snapshot of a refresh that just completed (the caller frees it),
 * else NULL. */
struct snapshot *schedule_collect(struct schedule *sc, struct cluster *c);

#endif
