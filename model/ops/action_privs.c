/* action_privs: the privilege check before an action (action_privs.h). Each need is one boolean
 * query for the session's own role, so the answer is the server's, not a guess from role names.
 * pg_checkpoint and GRANT ... ON PARAMETER exist from PostgreSQL 15: before, only a superuser. */
#include "model/ops/action_privs.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

#define PG15 "current_setting('server_version_num')::int >= 150000"

struct priv_rule {
    const char *what;  /* what it is for, in the refusal */
    const char *sql;   /* one boolean for current_user; CASE keeps pre-15 servers from erroring */
    const char *grant; /* %1$s is the role, quoted */
};

#define FN(sig)       "has_function_privilege('pg_catalog." sig "', 'EXECUTE')"
#define GRANT_FN(sig) "GRANT EXECUTE ON FUNCTION pg_catalog." sig " TO %1$s;"
#define SET_PARAM(p)                                                                               \
    "CASE WHEN " PG15 " THEN has_parameter_privilege('" p "', 'ALTER SYSTEM') ELSE false END"

/* what pg_rewind calls on its source (PostgreSQL's pg_rewind documentation) */
#define LS_DIR        "pg_ls_dir(text, boolean, boolean)"
#define STAT_FILE     "pg_stat_file(text, boolean)"
#define READ_BIN      "pg_read_binary_file(text)"
#define READ_BIN_PART "pg_read_binary_file(text, bigint, bigint, boolean)"

static const struct priv_rule rules[] = {
    [PRIV_CHECKPOINT] = {"CHECKPOINT (before PostgreSQL 15 only a superuser may)",
                         "CASE WHEN " PG15 " THEN pg_has_role('pg_checkpoint', 'MEMBER') ELSE "
                         "false END",
                         "GRANT pg_checkpoint TO %1$s;"},
    [PRIV_REWIND_SOURCE] = {"pg_rewind's source",
                            FN(LS_DIR) " AND " FN(STAT_FILE) " AND " FN(READ_BIN) " AND " FN(
                                READ_BIN_PART),
                            GRANT_FN(LS_DIR) " " GRANT_FN(STAT_FILE) " " GRANT_FN(
                                READ_BIN) " " GRANT_FN(READ_BIN_PART)},
    [PRIV_READ_FILE] = {"reading a timeline history file", FN("pg_read_file(text)"),
                        GRANT_FN("pg_read_file(text)")},
    [PRIV_SLOTS] = {"replication slots",
                    "(SELECT rolreplication FROM pg_roles WHERE rolname = current_user)",
                    "ALTER ROLE %1$s REPLICATION;"},
    [PRIV_SET_SYNC_NAMES] = {"ALTER SYSTEM SET synchronous_standby_names",
                             SET_PARAM("synchronous_standby_names"),
                             "GRANT ALTER SYSTEM ON PARAMETER synchronous_standby_names TO %1$s;"},
    [PRIV_SET_SYNC_COMMIT] = {"ALTER SYSTEM SET synchronous_commit",
                              SET_PARAM("synchronous_commit"),
                              "GRANT ALTER SYSTEM ON PARAMETER synchronous_commit TO %1$s;"},
    [PRIV_SET_CONNINFO] = {"ALTER SYSTEM SET primary_conninfo", SET_PARAM("primary_conninfo"),
                           "GRANT ALTER SYSTEM ON PARAMETER primary_conninfo TO %1$s;"},
    [PRIV_RELOAD] = {"pg_reload_conf()", FN("pg_reload_conf()"), GRANT_FN("pg_reload_conf()")},
    [PRIV_PROMOTE] = {"pg_promote()", FN("pg_promote(boolean, integer)"),
                      GRANT_FN("pg_promote(boolean, integer)")},
    [PRIV_READ_SETTINGS] = {"reading primary_conninfo and data_directory",
                            "pg_has_role('pg_read_all_settings', 'MEMBER')",
                            "GRANT pg_read_all_settings TO %1$s;"},
};

/* 1 true, 0 false, -1 the query failed (err says why) */
static int ask_bool(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    int v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    else {
        str_copy(err, errlen, PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : "no answer");
        err[strcspn(err, "\n")] = '\0';
    }
    PQclear(r);
    return v;
}

bool action_check_privs(PGconn *c, const char *node, const enum priv_need *needs, char *err,
                        size_t errlen)
{
    char why[400];
    int super =
        ask_bool(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", why, sizeof why);
    if (super < 0) {
        str_printf(err, errlen, "cannot check the privileges of role %s on %s: %s", PQuser(c), node,
                   why);
        return false;
    }
    if (super)
        return true;
    char *role = PQescapeIdentifier(c, PQuser(c), strlen(PQuser(c)));
    char lacks[600] = "", grants[1600] = "";
    for (int i = 0; needs[i] != PRIV_END; i++) {
        const struct priv_rule *r = &rules[needs[i]];
        char *sql = xasprintf("SELECT %s", r->sql);
        int has = ask_bool(c, sql, why, sizeof why);
        free(sql);
        if (has > 0)
            continue;
        size_t l = strlen(lacks), g = strlen(grants);
        str_printf(lacks + l, sizeof lacks - l, "%s%s%s%s", l ? ", " : "", r->what,
                   has < 0 ? ": " : "", has < 0 ? why : "");
        str_printf(grants + g, sizeof grants - g, g ? " " : "");
        g = strlen(grants);
        snprintf(grants + g, sizeof grants - g, r->grant, role ? role : PQuser(c));
    }
    if (role)
        PQfreemem(role);
    if (!lacks[0])
        return true;
    str_printf(err, errlen,
               "role %s on %s lacks what this action needs (%s); nothing was changed. As a "
               "superuser: %s (or give the action another role: [repltop] admin_user or [node %s] "
               "admin, repltop(1) PRIVILEGES)",
               PQuser(c), node, lacks, grants, node);
    return false;
}
