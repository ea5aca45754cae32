/* snapshot: everything repltop knows about the cluster at one refresh, as plain data.
 *
 * The snapshot is the contract between the model and every consumer: the dashboard panels,
 * `status`, the JSON export and recordings. It holds no libpq or curses object, can be copied
 * from JSON (replay) and freed with one call. Unknown values follow num.h: NUM_UNKNOWN, NAN,
 * LSN_UNKNOWN, -1 for small counts, "" for strings. */
#ifndef REPLTOP_SNAPSHOT_H
#define REPLTOP_SNAPSHOT_H

#include "model/pg/lsn.h"
#include "model/base/num.h"
#include "model/patroni/patroni_view.h"

#include <stdbool.h>
#include <stdint.h>

#define NAME_LEN    64   /* PostgreSQL's NAMEDATALEN */
#define SETTING_LEN 1024 /* synchronous_standby_names and similar */
#define ERROR_LEN   256

enum node_role { ROLE_UNKNOWN, ROLE_PRIMARY, ROLE_STANDBY };

/* Whether the last refresh reached the node, and if not, why. */
enum node_reach {
    REACH_PENDING,     /* not yet tried (first refresh still running) */
    REACH_OK,          /* answered this refresh */
    REACH_UNREACHABLE, /* connection refused, host down, server shut down */
    REACH_TIMEOUT,     /* connected or connecting, but no answer within the deadline */
    REACH_AUTH_FAILED, /* the server refused our credentials */
    REACH_ERROR,       /* connected, but the query failed (permissions, bad dbname...) */
};

enum severity { SEV_OK, SEV_WARNING, SEV_CRITICAL };

/* One row of pg_stat_replication on the node that serves WAL. */
struct repl_row {
    int pid;
    char application_name[NAME_LEN];
    char client_addr[NAME_LEN]; /* "" for a Unix socket */
    int client_port;            /* -1 when unknown */
    char state[24];             /* startup, catchup, streaming, backup, stopping */
    lsn_t sent_lsn, write_lsn, flush_lsn, replay_lsn;
    double write_lag, flush_lag, replay_lag; /* seconds, NAN when NULL (idle) */
    double reply_age;    /* seconds since the standby's last reply (reply_time), NAN if unknown */
    int sync_priority;   /* -1 when unknown */
    char sync_state[16]; /* async, potential, sync, quorum */
};

/* One row of pg_replication_slots. */
struct slot_row {
    char name[NAME_LEN];
    char type[16]; /* physical, logical */
    bool active;
    int active_pid; /* the walsender streaming with it (pg_stat_replication's pid), -1 when none */
    lsn_t restart_lsn;
    char wal_status[16];    /* reserved, extended, unreserved, lost; "" when unknown */
    int64_t safe_wal_size;  /* bytes, NUM_UNKNOWN when NULL */
    int64_t retained_bytes; /* WAL held back by the slot, NUM_UNKNOWN when unknown */
};

/* pg_stat_wal_receiver of a standby (present=false when no WAL receiver runs). */
struct wal_receiver {
    bool present;
    char status[24]; /* streaming, waiting, stopping, ... */
    int received_tli;
    lsn_t flushed_lsn, latest_end_lsn;
    char sender_host[128];
    int sender_port;
    char slot_name[NAME_LEN];
    double last_msg_age; /* seconds since the last message from the sender, NAN if unknown */
};

/* One line of a timeline history file: timeline tli was left for the next one at end (the
 * switch point: the new timeline's first LSN). */
struct tli_switch {
    int tli;
    lsn_t end;
};
#define HISTORY_MAX 32 /* the newest switches a primary's history is kept with */
/* The HA manager that runs a node, as recognised from PostgreSQL alone (manager.h). */
enum manager_kind { MANAGER_NONE, MANAGER_PATRONI, MANAGER_REPMGR, MANAGER_AUTOFAILOVER };

struct node_manager {
    bool checked; /* the node answered the detection this refresh; else all below is unknown */
    enum manager_kind kind;
    char scope[NAME_LEN];  /* Patroni: its scope (cluster_name); "" unknown or none */
    char member[NAME_LEN]; /* the manager's name for the node ("monitor": pg_auto_failover's) */
    int node_id;           /* repmgr's or pg_auto_failover's node id, -1 unknown */
    int agent;             /* the manager's own session on the node: 1 seen, 0 not, -1 unknown */
    char marks[160];       /* what it was recognised by, for the operator: "Patroni's session" */
};

struct node_snap {
    char name[NAME_LEN];
    char target[128]; /* host:port (or socket dir:port) it is polled at, no secrets */
    /* how the actions reach its host: "local", "ssh DEST", "none"; "" unknown (a recording
     * from before) */
    char actions_via[160];
    enum node_reach reach;
    char error[ERROR_LEN]; /* the server's or libpq's message when reach is not OK */
    double sampled_at;     /* wall time of the data below, 0 when never sampled */
    bool stale;            /* the data below is from an earlier refresh (node not answering) */

    enum node_role role;
    char server_version[32];
    int server_version_num;
    char system_identifier[24]; /* decimal, as PostgreSQL prints it */
    int timeline;               /* -1 when unknown */
    double uptime_s;
    /* pg_postmaster_start_time() as epoch seconds, to the microsecond ("" unknown): with the
     * system identifier, which postmaster answered (one server under two host names) */
    char postmaster_start[32];
    lsn_t oldest_wal;    /* the start of the oldest WAL segment in its pg_wal, LSN_UNKNOWN */
    int restore_command; /* standby: restore_command -1 unknown, 0 empty, 1 set */
    /* standby: what its startup process waits for ("" none or unknown); RecoveryWalStream and
     * RecoveryRetrieveRetryInterval mean it has replayed all the WAL it has and waits for more */
    char startup_wait[40];
    /* primary: the history of its timeline, the newest HISTORY_MAX switches in timeline order;
     * nhistory -1 when not read (no privilege), 0 on timeline 1; history_cut when older lines
     * were left out */
    struct tli_switch history[HISTORY_MAX];
    int nhistory;
    bool history_cut;

    lsn_t current_lsn;    /* primary: pg_current_wal_lsn() */
    lsn_t receive_lsn;    /* standby: pg_last_wal_receive_lsn() */
    lsn_t replay_lsn;     /* standby: pg_last_wal_replay_lsn() */
    double replay_age;    /* standby: now() - pg_last_xact_replay_timestamp(), NAN if unknown */
    int replay_paused;    /* -1 unknown, 0 no, 1 yes */
    double apply_delay_s; /* standby: recovery_min_apply_delay in seconds, NAN if unknown */

    /* shared (str_intern, model/base/intern.h): never NULL, "" unknown or none; a struct copy
     * copies the pointer (a 1 kB array in each of a node's three copies before) */
    const char *synchronous_standby_names;
    char synchronous_commit[16];
    char application_name[NAME_LEN]; /* standby: what it streams as */
    char upstream[NAME_LEN];         /* standby: the node it streams from ("" unknown) */
    char upstream_addr[128];         /* standby: sender host:port from its WAL receiver */
    /* standby: where its WAL comes from — "stream" (primary_conninfo set), "archive" (no
     * primary_conninfo, restore_command set), "" when unknown or neither */
    char recovery_source[12];
    char primary_slot_name[NAME_LEN]; /* standby: its primary_slot_name setting, "" none/unknown */
    /* Whether the watching role (watch_role, "" unknown) may read the replication views' other
     * sessions (pg_read_all_stats, part of pg_monitor): 1, 0, -1 unknown. Without it
     * pg_stat_replication's and pg_stat_wal_receiver's states read NULL: unknown, not down. */
    int read_all_stats;
    char watch_role[NAME_LEN];

    /* Derived from the upstream's pg_stat_replication row that matches this standby. */
    bool matched;
    char sync_state[16]; /* "" when unknown */
    int sync_priority;
    char repl_state[24];
    int64_t lag_sent, lag_write, lag_flush, lag_replay; /* bytes behind the primary's current LSN */
    double lag_write_s, lag_flush_s, lag_replay_s;
    int64_t data_at_risk; /* bytes a promotion of this standby would lose now */
    bool best_candidate;
    /* On a fork of the primary's timeline (derive.c, from evidence only): on a newer timeline
     * than the primary, or on an older one that the primary's history left at fork_lsn while
     * this standby holds WAL past it, or on one that is not in that history at all. */
    bool needs_rewind;
    lsn_t fork_lsn; /* where its timeline left the primary's history; LSN_UNKNOWN */
    /* Identity (derive.c): the earlier config entry this one is the same server as (same system
     * identifier and address), "" when none; and whether its system identifier is not the
     * cluster's (the one most entries share). Either way it is neither a primary of the cluster
     * nor a failover candidate. */
    char same_server_as[NAME_LEN];
    bool other_cluster;
    /* Not reachable, but the node named here lists it in its pg_stat_replication (by the
     * application_name it streamed as when last seen, else by its name): role, upstream, sync
     * state, lag and data at risk below are that node's word for it, second-hand. "" none. */
    char seen_by[NAME_LEN];
    bool needs_resync; /* its WAL is gone (the slot it streams with is lost): health.c sets it */
    /* sync_state and sync_priority as of the last refresh in which exactly one primary answered
     * ("" and -1: not seen, or not in its pg_stat_replication then). The cluster carries them
     * across refreshes (lastsync.h), so that once the primary is down the failover candidate
     * still prefers the standby that was synchronous. */
    char last_sync_state[16];
    int last_sync_priority;

    double tps;          /* transactions per second since the previous sample, NAN first time */
    int64_t connections; /* client backends but the HA managers', NUM_UNKNOWN when unknown */
    int64_t manager_sessions; /* the HA managers' own sessions, NUM_UNKNOWN when unknown */
    struct node_manager manager;

    /* Display state for one word on screen: streaming, catchup, primary, down, timeout... */
    char state[32];

    struct repl_row *repl;
    int nrepl;
    struct slot_row *slots;
    int nslots;
    struct wal_receiver wr;

    /* The Patroni member this node is (patroni_members.h), "" when Patroni is not configured
     * or lists no such member; its view is the snapshot's patroni. */
    char patroni_member[NAME_LEN];
};

struct problem {
    enum severity severity;
    char code[32];
    char node[NAME_LEN]; /* "" for a cluster-wide problem */
    char message[ERROR_LEN];
};

struct snapshot {
    double taken_at; /* wall time */
    uint64_t seq;    /* refresh number, 1 for the first */
    char primary[NAME_LEN];
    char synchronous_standby_names[SETTING_LEN];
    char synchronous_commit[16];
    char candidate[NAME_LEN]; /* best failover candidate, "" if none */
    /* The primary's synchronous_standby_names as remembered on disk (memory.h) while this
     * process has seen no primary, "" otherwise: what the candidate's tie-break goes by when no
     * primary answers and no node's standing is known (derive.c). Not exported. Shared
     * (str_intern) like the two below: never NULL. */
    const char *remembered_sync_names;
    /* The declared sync policy ([repltop] sync, syncpolicy.h) as written, "" when none: the
     * header shows it, health checks the cluster against it (below_sync_policy). */
    const char *sync_policy;
    enum severity health;
    double interval_s; /* refresh interval it was taken at */

    struct problem *problems;
    int nproblems;
    struct node_snap *nodes;
    int nnodes;

    /* Patroni's view of the cluster ([repltop] patroni, --patroni, [node X] patroni): NULL
     * when Patroni is not configured; known false when its REST API did not answer (error). */
    struct patroni_view *patroni;
};

struct snapshot *snapshot_new(int nnodes);
void snapshot_free(struct snapshot *s);
struct snapshot *snapshot_copy(const struct snapshot *s);
/* Resets a node to "everything unknown", keeping name and target. */
void node_snap_clear(struct node_snap *n);
/* The WAL a standby holds: what it received, or what it replayed from its own pg_wal when that
 * is further (after a restart with no primary to stream from, the receive position is reset
 * and says nothing). LSN_UNKNOWN when neither is known. */
lsn_t node_wal_held(const struct node_snap *n);
/* A standby that applies WAL only recovery_min_apply_delay (> 0) after it was committed. */
bool node_delayed(const struct node_snap *n);
const struct node_snap *snapshot_find(const struct snapshot *s, const char *name);
/* The Patroni member a node is, NULL when none is known. */
const struct patroni_member *snapshot_patroni_member(const struct snapshot *s,
                                                     const struct node_snap *n);
void snapshot_add_problem(struct snapshot *s, enum severity sev, const char *code, const char *node,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

const char *role_name(enum node_role r); /* primary, standby, unknown */
const char *
reach_name(enum node_reach r); /* ok, pending, unreachable, timeout, auth_failed, error */
const char *severity_name(enum severity s); /* ok, warning, critical */

#endif
