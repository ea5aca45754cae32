/* schedule: when the clusters watched from a caller's poll() loop refresh — the dashboard's and
 * `repltop serve`'s. A refresh of the fleet (model/watch/fleet; one cluster is a fleet of one)
 * starts every interval (a whole number of seconds on the turn of the wall-clock second), its
 * queries go out in slices so the loop can answer a key or a scrape between them, and each
 * cluster's snapshot is taken once its nodes answered or reached their deadline (with
 * fleet_set_always_polled, at the latest half an interval after it started: a hung node never
 * holds it back). */
#ifndef REPLTOP_SCHEDULE_H
#define REPLTOP_SCHEDULE_H

#include "model/watch/fleet.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct schedule {
    bool refreshing; /* a refresh is under way */
    int64_t started; /* monotonic ms it started */
    int64_t next;    /* monotonic ms the next one is due */
};

/* The first refresh is due at once. */
void schedule_init(struct schedule *sc, int64_t now_ms);
/* Starts a due refresh of f (never while paused), then sends its queries until now_ms +
 * slice_ms (at least one node). True while some sends remain: the caller looks at its other
 * descriptors (poll timeout 0) and calls again. */
bool schedule_send(struct schedule *sc, struct fleet *f, double interval_s, bool paused,
                   int64_t now_ms, int slice_ms);
/* Milliseconds until the next refresh is due (at most 60 s), -1 while one runs or paused. */
int schedule_due_ms(const struct schedule *sc, bool paused, int64_t now_ms);
/* After fleet_handle(): takes the snapshot of every cluster whose refresh ended (fleet_collect,
 * fn as there); how many. */
int schedule_collect(struct schedule *sc, struct fleet *f, fleet_snapshot_fn fn, void *arg);
/* After fleet_rebuild(): the rebuilt cluster's refresh was dropped; when no other one is under
 * way, the next refresh is due at once. */
void schedule_rebuilt(struct schedule *sc, const struct fleet *f, int64_t now_ms);
/* After a wake-up for node answers only, answers gather for a few milliseconds (at most
 * timeout) while the caller's own descriptors — the first nfix of pfds: keys, signals,
 * scrapes — are still waited for and answered at once: a thousand answers make a few turns of
 * the loop, each a poll() of every socket and a pass over every node, not a thousand. The
 * caller's full poll() then only looks (timeout 0). */
void schedule_gather(struct pollfd *pfds, int nfix, int timeout);

#endif
