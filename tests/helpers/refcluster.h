/* refcluster: the reference cluster as a hand-made snapshot, for the derivation tests — db_m
 * the primary with synchronous_standby_names 'FIRST 1 (walreceiversync, walreceiver)', db_s1
 * streaming as walreceiver (potential, 19 MB of replay behind), db_s2 as walreceiversync (sync,
 * caught up). Node names differ from application names on purpose. */
#ifndef REPLTOP_TEST_REFCLUSTER_H
#define REPLTOP_TEST_REFCLUSTER_H

#include "model/watch/health.h"

#define REF_SYSID "7713489272709254051"

/* Warn at 16 MB or 10 s behind, critical at 256 MB or 60 s. */
extern const struct health_limits ref_limits;

/* "X/Y" as a position; fails the running test when it does not parse. */
lsn_t lsn_of(const char *s);
/* Whether s lists a problem with this code (on this node; NULL: any node). */
bool has_problem(const struct snapshot *s, const char *code, const char *node);
/* A new snapshot of the reference cluster, not yet derived. */
struct snapshot *refcluster_new(void);

#endif
