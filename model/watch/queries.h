/* queries: the monitoring SQL and the parsers that turn its rows into a node_snap.
 *
 * One round trip per node per refresh runs three statements (replication, slots, and the node's
 * row, which carries its WAL receiver and the HA manager's marks too), and the optional ones the
 * session may (WAL files, timeline history), each safe on a primary and on a standby: prepared
 * once per session and sent in libpq's pipeline mode, or, without it, together as one simple
 * query. Parsers read columns by name through a rowset, so tests can feed them plain strings
 * without a server. */
#ifndef REPLTOP_QUERIES_H
#define REPLTOP_QUERIES_H

#include "model/watch/snapshot.h"

/* The first QP_REQUIRED parts run every refresh; the others read files of the data directory,
 * which needs privileges the monitoring role may lack (pg_ls_waldir: pg_monitor; pg_read_file:
 * superuser or a grant). They run only where the node part says the session may call them, and
 * a session that cannot is never sent them (a permission error would be logged every refresh). */
enum query_part {
    QP_REPLICATION,
    QP_SLOTS,
    QP_NODE,         /* the node's row: its statement carries the next two parts as well */
    QP_WAL_RECEIVER, /* in the node's row */
    QP_MANAGER,      /* in the node's row: the HA manager's marks, the sessions apart from CONN */
    QP_WAL_FILES,    /* the oldest and newest WAL segment in pg_wal */
    QP_HISTORY,      /* a primary's timeline history file */
    QP_COUNT
};
#define QP_REQUIRED QP_WAL_FILES

/* Rows of one statement: get() returns the text of a column, NULL for SQL NULL or no column. */
struct rowset {
    int nrows;
    const char *(*get)(const struct rowset *rs, int row, const char *col);
    const void *ctx;
};

/* What a standby's primary_conninfo says, kept from one refresh to the next: it seldom changes,
 * and parsing it cost ~15 000 instructions a standby a refresh (bench/RESULTS.md, section 12). */
struct conninfo_memo {
    char *text;              /* the primary_conninfo these were read from, NULL for none */
    char app[NAME_LEN];      /* its application_name, "" when it sets none */
    char host[96], port[16]; /* host, else hostaddr; port ("" when not set) */
};
void conninfo_memo_free(struct conninfo_memo *m);

/* A node's raw sample: the node_snap fields the server reports, plus counters for deltas. */
struct node_sample {
    struct conninfo_memo *memo; /* the session's (node.c); NULL: parse every time */
    struct node_snap s;
    int64_t xact_total; /* sum of commits + rollbacks over all databases, NUM_UNKNOWN */
    int64_t mono_ms;    /* when it was taken, for rate computations */
    bool may[QP_COUNT]; /* the optional parts this session may run (the node part says) */
    bool may_read_conf; /* this session may read postgresql.conf (pg_read_file and the roles) */
};

/* The required statements together, for the simple-query protocol; read_conf: the node's row
 * reads postgresql.conf's first bytes (queries_node_sql). */
const char *queries_monitor_sql(bool read_conf);
/* The node's row, reading postgresql.conf's head only with read_conf: its pg_read_file needs a
 * right that is checked when the statement starts (even where a CASE would never call it), so a
 * session asks for it only once may_read_conf said it may. */
const char *queries_node_sql(bool read_conf);
/* One part's statement alone, to prepare (the extended protocol takes one statement at a time);
 * NULL for the parts the node's row carries (QP_WAL_RECEIVER, QP_MANAGER). */
const char *queries_part_sql(enum query_part part);
/* The application_name a standby's WAL receiver uses: primary_conninfo's (conninfo), else
 * cluster_name, else "walreceiver" (PostgreSQL's default). out is left as it is when conninfo
 * is NULL (unread: say nothing rather than guess). */
void queries_app_name(const char *conninfo, const char *cluster_name, char *out, size_t n);
/* Parses the rows of one part into sample (the node_snap arrays are allocated here). */
void queries_parse(enum query_part part, const struct rowset *rs, struct node_sample *sample);
/* The node's row: its own part, its WAL receiver's and the HA manager's, in that order (after
 * the slots, whose names the manager's marks look at). */
void queries_parse_node_row(const struct rowset *rs, struct node_sample *sample);
/* Reads a timeline history file's text ("1\t0/3000148\tno recovery target specified" lines)
 * into n->history: the newest HISTORY_MAX switches, history_cut when older ones were left out.
 * NULL text: unknown (nhistory -1). */
void queries_parse_history(const char *text, struct node_snap *n);

#endif
