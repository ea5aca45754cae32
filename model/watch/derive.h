/* derive: what the raw samples mean — upstreams, lag, data at risk, the failover candidate,
 * a one-word state per node — and then the health rules (health.h). */
#ifndef REPLTOP_DERIVE_H
#define REPLTOP_DERIVE_H

#include "model/watch/snapshot.h"

struct derive_limits {
    int64_t lag_warn_bytes, lag_crit_bytes;
    double lag_warn_s, lag_crit_s;
};

/* Fills every derived field of s from its raw node fields, then its problems and health. */
void derive_snapshot(struct snapshot *s, const struct derive_limits *lim);

/* "127.0.0.1:5433" and "localhost:5433" name the same server; exposed for tests. */
bool derive_same_addr(const char *a, const char *b);

#endif
