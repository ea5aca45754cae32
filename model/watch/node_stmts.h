/* node_stmts: the monitoring statements on one libpq session — prepared once per session
 * and sent with one sync in libpq's pipeline mode (one round trip), or as one simple query where
 * libpq has no pipeline mode — and their results parsed into a sample (queries.h). node.c owns
 * the session and its state machine; this is what goes over it each refresh. */
#ifndef REPLTOP_NODE_STMTS_H
#define REPLTOP_NODE_STMTS_H

#include "model/watch/queries.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct stmts {
    bool pipeline;                  /* this session is in pipeline mode */
    bool prepared[QP_COUNT];        /* the statements this session has prepared */
    signed char sent[2 * QP_COUNT]; /* the commands in flight, in order */
    int nsent, ndone;               /* how many were sent, and answered in full */
    int part;                       /* how many required statements' rows were read */
    int nread;                      /* how many results of statements were taken (no pipeline) */
    /* The optional parts (queries.h): may this session run them (as the last node part said),
     * and has one failed (never sent again on this session). */
    bool may[QP_COUNT], broken[QP_COUNT];
    bool followed;  /* this refresh already sent a follow-up with the parts newly allowed */
    bool read_conf; /* the node's row reads postgresql.conf (queries_node_sql) */
    /* A timeline's history file never changes once the timeline exists: the primary's is read
     * once per timeline and session, and again only when the node's row shows another
     * timeline (a follow-up in the same refresh). */
    bool history_sent;            /* this refresh sent the history statement */
    struct history_memo *history; /* what it read, NULL for nothing known (read again) */
};

/* A primary's history as read on timeline tli: n switches (the node_snap's fields). */
struct history_memo {
    int tli, n;
    bool cut;
    struct tli_switch sw[];
};

enum stmts_state {
    STMTS_MORE,   /* not all answered yet: wait for the socket */
    STMTS_DONE,   /* every statement answered: the sample is complete */
    STMTS_FAILED, /* answered, with an error (in err) or rows missing */
    STMTS_LOST,   /* the connection broke (err may say why) */
    STMTS_SENT,   /* the node part allowed optional parts: they were sent, flush and wait */
};

/* A new session: nothing prepared, not in pipeline mode. */
/* Right after connecting: a superuser (the server says so when the session starts) reads
 * postgresql.conf's head from the first refresh on, so a one-refresh snapshot (status, an
 * action's checks) sees it too; another role once the first refresh said it may. */
void stmts_learn_rights(struct stmts *st, PGconn *conn);
void stmts_reset(struct stmts *st); /* also when the node goes: frees what it keeps */
/* Right after connecting: pipeline mode where libpq has it (also checked at run time). */
void stmts_enter_pipeline(struct stmts *st, PGconn *conn);
/* Sends one refresh's statements; false with libpq's error on the connection. */
bool stmts_send(struct stmts *st, PGconn *conn);
/* Reads every result that is complete into sample. */
enum stmts_state stmts_read(struct stmts *st, PGconn *conn, struct node_sample *sample, char *err,
                            size_t errlen);

#endif
