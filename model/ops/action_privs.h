/* action_privs: what an action's role needs on a node, checked before anything changes, with
 * the exact GRANT that is missing (docs/DESIGN.md "Privileges"; the script that creates the
 * roles is docs/roles.sql). */
#ifndef REPLTOP_ACTION_PRIVS_H
#define REPLTOP_ACTION_PRIVS_H

#include "model/ops/action.h"

enum priv_need {
    PRIV_END = 0,
    PRIV_CHECKPOINT,      /* CHECKPOINT: pg_checkpoint (PostgreSQL 15+) */
    PRIV_REWIND_SOURCE,   /* pg_rewind's source: pg_ls_dir, pg_stat_file, pg_read_binary_file */
    PRIV_READ_FILE,       /* pg_read_file: a timeline history file in pg_wal */
    PRIV_SLOTS,           /* create or drop a physical replication slot: REPLICATION */
    PRIV_SET_SYNC_NAMES,  /* ALTER SYSTEM SET synchronous_standby_names */
    PRIV_SET_SYNC_COMMIT, /* ALTER SYSTEM SET synchronous_commit */
    PRIV_SET_CONNINFO,    /* ALTER SYSTEM SET primary_conninfo */
    PRIV_RELOAD,          /* pg_reload_conf() */
    PRIV_PROMOTE,         /* pg_promote() */
    PRIV_READ_SETTINGS,   /* primary_conninfo, data_directory: pg_read_all_settings */
};

/* Whether the role of session c on node has every need (a PRIV_END-terminated list). When not,
 * err says which role lacks what and the statements that grant it, and false. A superuser has
 * everything. A check that cannot run (the server does not answer) is a failure too. */
bool action_check_privs(PGconn *c, const char *node, const enum priv_need *needs, char *err,
                        size_t errlen);

#endif
