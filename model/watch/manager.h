/* manager: which HA manager runs a node — Patroni, repmgr or pg_auto_failover — recognised
 * from PostgreSQL alone, and what an operator action on a managed cluster must do instead.
 *
 * A manager decides who is primary, what the standbys follow and (Patroni, pg_auto_failover)
 * the synchronous list. An action that changes those behind its back is undone by it at best,
 * and at worst loses acknowledged commits (docs/DESIGN.md 4.9): repltop refuses it and names
 * the manager's own way. The marks are read by one cheap statement per refresh (queries.c)
 * that fails on no node, whatever is installed there; manager_decide turns them into the
 * node's struct node_manager, and is a pure function so tests feed it captured values. */
#ifndef REPLTOP_MANAGER_H
#define REPLTOP_MANAGER_H

#include "model/watch/snapshot.h"

#include <stddef.h>

/* What the detection statement read on one node. Strings are NULL for SQL NULL (not
 * readable with our privileges, or absent); counts NUM_UNKNOWN when unknown. */
struct manager_marks {
    int64_t patroni_sessions;      /* sessions named "Patroni" or "Patroni ..." */
    int64_t repmgr_sessions;       /* sessions named "repmgr" or "repmgrd" */
    int64_t autofailover_sessions; /* sessions of pg_auto_failover's monitor role */
    const char *cluster_name;      /* Patroni sets it to its scope */
    const char *config_head;       /* the first bytes of postgresql.conf (pg_read_file) */
    const char *repmgr_extension;  /* its version when the repmgr extension is in this db */
    int repmgr_database;           /* a database named repmgr (its metadata's): 1, 0, -1 */
    const char *preload_libraries; /* shared_preload_libraries (repmgrd needs "repmgr") */
    int autofailover_role;         /* role pgautofailover_replicator exists: 1, 0, -1 unknown */
    int autofailover_monitor;      /* a pg_auto_failover database (the monitor): 1, 0, -1 */
};

/* Decides n->manager from the marks and what the node reported already (its application_name,
 * slots and synchronous_standby_names carry pg_auto_failover's "pgautofailover_standby_N"). */
void manager_decide(const struct manager_marks *m, struct node_snap *n);

/* "Patroni", "repmgr", "pg_auto_failover"; "" for none. */
const char *manager_name(enum manager_kind k);
/* The JSON spelling: "patroni", "repmgr", "pg_auto_failover", "none". */
const char *manager_key(enum manager_kind k);
enum manager_kind manager_from_key(const char *key); /* MANAGER_NONE when unknown */

/* The node whose manager runs `node`'s cluster: node itself when a manager runs it, else the
 * first node of the snapshot one runs (a manager runs the whole cluster: a sync list or a
 * standby re-pointed beside it fights it too). NULL when no node shows one. */
const struct node_snap *manager_running(const struct snapshot *s, const char *node);

/* The one line that refuses `verb` ("promote", "switchover", "sync set", "resync", "new
 * replica", "rejoin") on node (NULL: the cluster) when an HA manager runs it: which manager,
 * and what to do instead. NULL when the action may run directly (no manager, or one that
 * leaves this to the operator: repmgr and the sync list). */
const char *manager_refusal(const struct snapshot *s, const char *verb, const char *node, char *buf,
                            size_t n);

/* "Patroni (scope demo)", "repmgr", "pg_auto_failover (node 2)": who runs the node. */
void manager_describe(const struct node_manager *m, char *buf, size_t n);

#endif
