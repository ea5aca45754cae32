/* action_resync_checks: the steps of `repltop resync NODE [--new]` before the rebuilding — the
 * checks against the cluster and the disk, confirmation, and a new node added to the config —
 * around resync_node() (action_resync.c), which does the rebuilding. Its front end (options,
 * --help) is cli/cmd_resync.c. */
#include "model/ops/action_resync.h"
#include "model/ops/action_resync_checks.h"
#include "model/ops/action_rejoin.h"
#include "model/pg/conninfo.h"
#include "model/ops/local_cluster.h"
#include "model/local/local_conf.h"
#include "model/local/local_fs.h"
#include "model/ops/local_newnode.h"
#include "model/local/local_node.h"
#include "model/local/local_run.h"
#include "model/local/local_server.h"
#include "model/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Refusals that need nothing but the disk: tablespaces, a mount point, too little space. */
static bool check_disk(struct action *a, const struct local_node *ln, const struct node_conf *pc,
                       bool exists, char *err, size_t errlen)
{
    char path[PATH_MAX + 32], parent[PATH_MAX];
    str_copy(parent, sizeof parent, ln->datadir);
    dirname(parent);
    if (exists) {
        str_printf(path, sizeof path, "%s/pg_tblspc", ln->datadir);
        int spaces = 0;
        char **names = local_list_dir(ln, path, &spaces);
        local_names_free(names, spaces);
        if (spaces) {
            str_printf(err, errlen,
                       "%s uses %d tablespace(s): their directories would need "
                       "pg_basebackup --tablespace-mapping, which resync does not do",
                       ln->conf->name, spaces);
            return false;
        }
        if (local_is_mount_point(ln, ln->datadir)) {
            str_printf(err, errlen,
                       "%s is a mount point: it cannot be renamed aside (resync keeps the old "
                       "directory); use a data directory below the mount point",
                       ln->datadir);
            return false;
        }
        str_printf(path, sizeof path, "%s/pg_wal", ln->datadir);
        if (local_is_link(ln, path))
            action_warn(a,
                        "%s/pg_wal is a symbolic link: the new copy keeps its WAL inside the "
                        "data directory",
                        ln->datadir);
    }
    char why[600];
    PGconn *c = action_connect(a, pc, why, sizeof why);
    char *size = c ? action_value(c, "SELECT sum(pg_database_size(oid))::bigint FROM pg_database",
                                  why, sizeof why)
                   : NULL;
    PQfinish(c);
    long long avail;
    if (!size || !local_free_bytes(ln, parent, &avail)) {
        action_warn(a, "cannot compare the primary's size with the free space in %s", parent);
        free(size);
        return true;
    }
    long long need = atoll(size) + 64LL * 1024 * 1024;
    free(size);
    char need_s[32], avail_s[32], db_s[32];
    format_bytes(need, need_s, sizeof need_s);
    format_bytes(need - 64LL * 1024 * 1024, db_s, sizeof db_s);
    format_bytes(avail, avail_s, sizeof avail_s);
    if (avail < need) {
        str_printf(err, errlen,
                   "not enough space in %s: %s free, the copy of %s needs about %s (the old "
                   "directory is kept, so both must fit)",
                   parent, avail_s, pc->name, need_s);
        return false;
    }
    /* said so, or "needs 86 MB" then "copied 22 MB" reads like a mistake */
    action_ok(a,
              "the copy needs at most about %s (the databases, %s, and 64 MB for the WAL streamed "
              "meanwhile); %s free in %s",
              need_s, db_s, avail_s, parent);
    return true;
}

static bool is_sync(const struct node_snap *n)
{
    return n->reach == REACH_OK && n->role == ROLE_STANDBY &&
           (strcmp(n->sync_state, "sync") == 0 || strcmp(n->sync_state, "quorum") == 0);
}

/* Rebuilding the only synchronous standby makes the primary's synchronous commits wait. */
static void warn_sync(struct action *a, const struct node_snap *ns, const struct node_snap *primary)
{
    if (!ns || !is_sync(ns))
        return;
    int others = 0;
    for (int i = 0; i < a->snap->nnodes; i++) {
        const struct node_snap *n = &a->snap->nodes[i];
        others += n != ns && n->reach == REACH_OK && n->role == ROLE_STANDBY &&
                  (is_sync(n) || strcmp(n->sync_state, "potential") == 0);
    }
    if (others)
        action_step(a,
                    "%s is a synchronous standby of %s: another standby of its list takes "
                    "over while it is rebuilt",
                    ns->name, primary->name);
    else
        action_warn(a,
                    "%s is the only synchronous standby of %s: until it streams again, "
                    "commits on %s that wait for a synchronous standby (synchronous_commit = "
                    "%s) hang",
                    ns->name, primary->name, primary->name,
                    primary->synchronous_commit[0] ? primary->synchronous_commit : "?");
}

/* Resyncs nc, or builds it with --new; adding: nc is not in the config yet (its entry is
 * added once the checks passed and the operator confirmed). */
static int resync_conf(struct action *a, struct node_conf *nc, bool new_replica, bool adding)
{
    char name[CONFIG_NAME_LEN];
    str_copy(name, sizeof name, nc->name);
    char err[1500];
    struct local_node ln;
    if (!local_node_init(&ln, nc, a->cfg, new_replica, err, sizeof err)) {
        /* absent (locally ENOENT; on a remote host, as its check found) */
        if (!new_replica && nc->datadir && strstr(err, "no data directory at") &&
            (config_node_remote(nc) || strstr(err, strerror(ENOENT))))
            return action_fail(a,
                               "%s: no data directory at %s%s%s; to create a new replica "
                               "there: repltop resync %s --new",
                               name, nc->datadir,
                               nc->ssh      ? " on "
                               : nc->docker ? " in "
                                            : "",
                               nc->ssh      ? nc->ssh
                               : nc->docker ? nc->docker
                                            : "",
                               name);
        return action_fail(a, "cannot resync %s: %s", name, err);
    }
    bool exists = local_datadir_exists(&ln) && !local_dir_empty(&ln, ln.datadir);
    if (new_replica && exists)
        return action_fail(a,
                           "%s: %s already holds data; --new is for a replica that has none "
                           "(without --new, resync replaces it and keeps the old one aside)",
                           name, ln.datadir);
    const struct node_snap *ns = action_node_snap(a, name);
    if (ns && ns->reach == REACH_OK && ns->role == ROLE_PRIMARY)
        return action_fail(a,
                           "%s is a primary%s: resync rebuilds standbys only (an old primary "
                           "comes back with: repltop rejoin %s)",
                           name, strcmp(a->snap->primary, name) == 0 ? ", the current one" : "",
                           name);
    char why[600];
    const struct node_snap *primary = local_primary(a->snap, name, why, sizeof why);
    if (!primary)
        return action_fail(a, "cannot resync %s: %s", name, why);
    struct node_conf *pc = action_node_conf(a, primary->name);
    if (exists && !local_check_datadir(a, &ln, ns, err, sizeof err))
        return action_fail(a, "%s", err);
    if (!check_disk(a, &ln, pc, exists, err, sizeof err))
        return action_fail(a, "cannot resync %s: %s", name, err);

    warn_sync(a, ns, primary);

    char question[PATH_MAX + 400];
    if (exists)
        str_printf(question, sizeof question,
                   "Resync %s: stop it, move %s aside to %s.repltop-old-TIMESTAMP (kept), and "
                   "clone it again from %s with pg_basebackup?",
                   name, ln.datadir, ln.datadir, primary->name);
    else if (adding)
        str_printf(question, sizeof question,
                   "Add %s to %s and create it as a new replica of %s in %s (port %d) with "
                   "pg_basebackup?",
                   name, a->cfg->path, primary->name, ln.datadir, nc->port);
    else
        str_printf(question, sizeof question,
                   "Create %s as a new replica of %s in %s with pg_basebackup?", name,
                   primary->name, ln.datadir);
    if (!action_confirm(a, question, name))
        return 1;
    if (adding) {
        /* from here on the node is the config's: a->cfg and a->snap are new */
        if (!newnode_add(a, nc, err, sizeof err))
            return action_fail(a, "cannot add %s to %s: %s", name, a->cfg->path, err);
        nc = config_find_node(a->cfg, name);
        primary = nc ? local_primary(a->snap, name, why, sizeof why) : NULL;
        if (!nc || !local_node_init(&ln, nc, a->cfg, true, err, sizeof err) || !primary)
            return action_fail(a,
                               "%s is in %s now, but cannot be built: %s; once that is fixed: "
                               "repltop resync %s --new",
                               name, a->cfg->path,
                               !nc        ? "it did not load"
                               : !primary ? why
                                          : err,
                               name);
    }
    struct resync_opts o = {.new_replica = new_replica};
    if (!resync_node(a, &ln, a->snap, primary, &o, err, sizeof err)) {
        if (adding) {
            size_t len = strlen(err);
            str_printf(err + len, sizeof err - len,
                       "; %s stays in %s: once the cause is fixed, repltop resync %s --new "
                       "builds it",
                       name, a->cfg->path, name);
        }
        return action_fail(a, "%s", err);
    }
    return action_rejoined(a, name, primary->name);
}

static int resync(struct action *a, const char *arg, const struct resync_args *ra)
{
    struct node_conf *nc = action_find_node(a, arg);
    char err[1500];
    if (nc && newnode_given(&ra->nn) && !newnode_same(nc, &ra->nn, err, sizeof err))
        return action_fail(a, "%s", err);
    if (nc)
        return resync_conf(a, nc, ra->new_replica, false);
    if (!ra->new_replica || !newnode_given(&ra->nn))
        return action_fail(a, "no node named %s in %s%s", arg, a->cfg->path,
                           ra->new_replica ? ": to add it as a new replica, give --port P and "
                                             "--datadir DIR"
                                           : "");
    char why[600];
    const struct node_snap *primary = local_primary(a->snap, arg, why, sizeof why);
    if (!primary)
        return action_fail(a, "cannot add %s: %s", arg, why);
    struct node_conf *pc = action_node_conf(a, primary->name);
    struct node_conf fresh;
    if (!newnode_plan(a, arg, &ra->nn, pc, &fresh, err, sizeof err)) {
        newnode_free(&fresh);
        return action_fail(a, "cannot add %s: %s", arg, err);
    }
    char host[256] = "";
    conninfo_get(fresh.conninfo, "host", host, sizeof host);
    action_step(a,
                "%s is new: [nodes] %s = %s (%s's conninfo, host %s, port %d), [node %s] "
                "datadir %s, port %d%s%s",
                arg, arg, fresh.conninfo, pc->name, host[0] ? host : "default", fresh.port, arg,
                fresh.datadir, fresh.port, fresh.bindir ? ", bindir " : "",
                fresh.bindir ? fresh.bindir : "");
    int rc = resync_conf(a, &fresh, true, true);
    newnode_free(&fresh);
    return rc;
}

int action_resync(struct action *a, const char *node, const struct resync_args *ra)
{
    bool caught = local_signals_catch();
    int rc = resync(a, node, ra);
    if (caught)
        local_signals_restore();
    return rc;
}
