/* history: per-node ring buffers of recent replay lag (bytes) and TPS, fed from each snapshot,
 * for the sparklines. Fed the same way from live refreshes and from a replayed recording, so
 * both draw the same picture. Unknown samples are kept as NAN (a gap, never a zero). */
#ifndef REPLTOP_HISTORY_H
#define REPLTOP_HISTORY_H

#include "model/watch/snapshot.h"

enum hist_metric { HIST_LAG, HIST_TPS, HIST_METRICS };

/* About ten minutes at the default one-second interval. */
#define HISTORY_DEFAULT_CAPACITY 600

struct history;

struct history *history_new(int capacity);
void history_free(struct history *h);
void history_clear(struct history *h);
/* Appends one sample per node of s (nodes are matched by name). */
void history_feed(struct history *h, const struct snapshot *s);
/* Copies the newest samples of a node's metric, oldest first, at most max; returns how many.
 * 0 for a node never seen. */
int history_series(const struct history *h, const char *node, enum hist_metric m, double *out,
                   int max);
/* Seconds between the oldest and newest of a node's last n samples (0 if fewer than two). */
double history_span(const struct history *h, const char *node, int n);
int history_capacity(const struct history *h);

#endif
