/* events: a timestamped log of what changed — health problems appearing and clearing between
 * two snapshots, roles and timelines changing, exports, and operator actions — shown by
 * the problems/events panel. A bounded ring: the oldest entries fall off. */
#ifndef REPLTOP_EVENTS_H
#define REPLTOP_EVENTS_H

#include "model/watch/snapshot.h"

#include <stdbool.h>

#define EVENTS_DEFAULT_CAPACITY 500

enum event_kind {
    EV_PROBLEM, /* a problem appeared */
    EV_CLEARED, /* a problem went away */
    EV_CHANGE,  /* a node changed role, timeline, ... */
    EV_INFO,    /* repltop itself: export, theme, recording */
    EV_ACTION,  /* an operator action: its start, each line it printed, its result */
};

struct event {
    double t; /* wall time (the snapshot's, so a replay shows the recorded times) */
    enum event_kind kind;
    enum severity severity;
    char node[NAME_LEN];
    char *text; /* as long as it is (at most ERROR_LEN + 63 bytes): a fleet keeps 40 a cluster */
};

struct events;

struct events *events_new(int capacity);
void events_free(struct events *ev);
void events_clear(struct events *ev);
void events_add(struct events *ev, double t, enum event_kind kind, enum severity sev,
                const char *node, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int events_count(const struct events *ev);
/* The i-th newest event (0 is the newest), NULL when out of range. */
const struct event *events_get(const struct events *ev, int i);

/* Logs what changed from prev to cur (prev NULL: cur is the first snapshot, and its problems
 * are logged as appearing). Returns the number of events added. */
int events_diff(struct events *ev, const struct snapshot *prev, const struct snapshot *cur);

#endif
