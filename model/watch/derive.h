/* derive: what the raw samples mean — upstreams, lag, data at risk, the failover candidate,
 * a one-word state per node — and then the health rules (health.h). */
#ifndef REPLTOP_DERIVE_H
#define REPLTOP_DERIVE_H

#include "model/watch/health.h"
#include "model/watch/snapshot.h"

/* Fills every derived field of s from its raw node fields, then its problems and health. */
void derive_snapshot(struct snapshot *s, const struct health_limits *lim);

/* "127.0.0.1:5433" and "localhost:5433" name the same server; exposed for tests. */
bool derive_same_addr(const char *a, const char *b);

#endif
