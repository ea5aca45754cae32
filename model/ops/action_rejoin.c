/* action_rejoin: the steps of `repltop rejoin NODE` (front end: cli/cmd_rejoin.c) — an old primary
 * (stopped, crashed, or still running as a second primary) becomes a standby of the current primary
 * with pg_rewind, standby.signal and primary_conninfo; and action_rejoin_node(), the same for
 * promote's standbys that got ahead of the promoted node (docs/DESIGN.md sections 4 and 7).
 *
 * Things that bite: pg_rewind reads the source's timeline from its control file, which lags
 * after a promotion until a checkpoint — without the CHECKPOINT first it says "no rewind
 * required" and the node later fails with "timeline is not a child". pg_rewind also copies the
 * source's configuration files over the node's own (its port, its primary_conninfo, its sync
 * list): they are read before and written back after. What the node wrote after the fork is
 * discarded by pg_rewind; its WAL from the fork on is copied aside first (pg_waldump reads it).
 * When pg_rewind cannot work (WAL gone, no wal_log_hints), a full resync takes over only with
 * --allow-full-copy; any other failure (a privilege, the connection) stops with its cause. */
#include "model/ops/action_resync.h"
#include "model/ops/action_rejoin.h"
#include "model/ops/action_privs.h"
#include "model/ops/action_rewind_checks.h"
#include "model/ops/action_sync.h"
#include "model/pg/conninfo.h"
#include "model/ops/local_cluster.h"
#include "model/local/local_conf.h"
#include "model/local/local_fs.h"
#include "model/local/local_node.h"
#include "model/local/local_run.h"
#include "model/local/local_server.h"
#include "model/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STREAM_WAIT_S 60

struct rejoin {
    struct local_conf own; /* the node's config files, read before pg_rewind */
    char app[NAME_LEN];
    char *base;     /* the replication conninfo copied (may hold a password) */
    char *conninfo; /* the node's new primary_conninfo */
    char *slot;
    int port;
};

static void rejoin_free(struct rejoin *r)
{
    local_conf_free(&r->own);
    if (r->base)
        explicit_bzero(r->base, strlen(r->base));
    if (r->conninfo)
        explicit_bzero(r->conninfo, strlen(r->conninfo));
    free(r->base);
    free(r->conninfo);
    free(r->slot);
}

static bool plan(struct action *a, const struct local_node *ln, const struct snapshot *s,
                 const struct node_conf *pc, struct rejoin *r, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    const struct node_snap *ns = snapshot_find(s, name);
    local_conf_read_node(&r->own, ln);
    char path[PATH_MAX + 32];
    str_printf(path, sizeof path, "%s/standby.signal", ln->datadir);
    bool was_standby =
        local_path_exists(ln, path) || (ns && ns->reach == REACH_OK && ns->role == ROLE_STANDBY);
    const char *auto_conf = r->own.text[CONF_AUTO];
    char *own_ci = auto_conf ? local_guc_get(auto_conf, "primary_conninfo") : NULL;
    if (own_ci && !own_ci[0]) {
        free(own_ci);
        own_ci = NULL;
    }
    char *slot = auto_conf ? local_guc_get(auto_conf, "primary_slot_name") : NULL;
    r->slot = slot && slot[0] ? slot : NULL;
    if (!r->slot)
        free(slot);

    /* A standby keeps the name it streams as; an old primary takes its config name, which is
     * what a synchronous_standby_names written by promote calls it. */
    r->app[0] = '\0';
    if (was_standby && ns && ns->reach == REACH_OK && ns->application_name[0])
        str_copy(r->app, sizeof r->app, ns->application_name);
    else if (was_standby && own_ci)
        conninfo_get(own_ci, "application_name", r->app, sizeof r->app);
    if (!r->app[0])
        str_copy(r->app, sizeof r->app, name);

    const char *from;
    if (was_standby && own_ci) {
        r->base = own_ci;
        own_ci = NULL;
        from = "its own primary_conninfo";
    } else if ((r->base = local_standby_conninfo(a, s, name))) {
        from = "another standby's primary_conninfo";
    } else if (own_ci) {
        r->base = own_ci;
        own_ci = NULL;
        from = "its old primary_conninfo";
    } else {
        r->base = xstrdup(pc->conninfo);
        from = "the primary's connection in the config";
        action_warn(a,
                    "no standby's primary_conninfo to copy the replication user from: %s "
                    "replicates with the user of %s's conninfo in the config",
                    name, pc->name);
    }
    free(own_ci);
    r->conninfo = action_follow_conninfo(r->base, pc, r->app);
    if (!r->conninfo) {
        str_printf(err, errlen, "%s: cannot build primary_conninfo from %s", name, from);
        return false;
    }
    r->port = ln->conf->port > 0 ? ln->conf->port : local_old_port_node(ln);
    char user[NAME_LEN] = "";
    conninfo_get(r->conninfo, "user", user, sizeof user);
    action_step(a, "%s will stream from %s as user %s (from %s), application_name %s", name,
                pc->name, user[0] ? user : "(default)", from, r->app);
    return true;
}

/* The fork point of the node's timeline in the primary's history file. */
static lsn_t fork_point(PGconn *c, int primary_tli, int node_tli)
{
    if (primary_tli <= 1 || node_tli <= 0)
        return LSN_UNKNOWN;
    char sql[128], err[300];
    str_printf(sql, sizeof sql, "SELECT pg_read_file('pg_wal/%08X.history')",
               (unsigned)primary_tli);
    char *hist = action_value(c, sql, err, sizeof err);
    lsn_t fork = LSN_UNKNOWN;
    for (char *line = hist ? strtok(hist, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        char lsn[32];
        int parent;
        if (sscanf(line, "%d %31s", &parent, lsn) == 2 && parent == node_tli)
            lsn_parse(lsn, &fork);
    }
    free(hist);
    return fork;
}

/* The node's config files and its WAL segments from the fork on, into DATADIR.repltop-rewind-*
 * before pg_rewind overwrites or removes them. */
static bool keep_aside(struct action *a, const struct local_node *ln, const struct rejoin *r,
                       lsn_t fork, long seg_size, char *dir, size_t dirlen, char *err,
                       size_t errlen)
{
    local_aside_path(ln, "rewind", dir, dirlen);
    char wal_to[PATH_MAX + 80], wal_from[PATH_MAX + 16];
    str_printf(wal_to, sizeof wal_to, "%s/pg_wal", dir);
    str_printf(wal_from, sizeof wal_from, "%s/pg_wal", ln->datadir);
    if (!local_mkdir(ln, dir, 0700, err, errlen) || !local_mkdir(ln, wal_to, 0700, err, errlen) ||
        !local_conf_write(ln, &r->own, dir, err, errlen))
        return false;
    bool known = fork != LSN_UNKNOWN && seg_size > 0;
    uint64_t fork_seg = known ? fork / (uint64_t)seg_size : 0;
    uint64_t per_id = known ? 0x100000000ULL / (uint64_t)seg_size : 1;
    int nnames = 0, keep = 0;
    char **names = local_list_dir(ln, wal_from, &nnames);
    for (int i = 0; i < nnames; i++) {
        const char *f = names[i];
        unsigned tli, hi, lo;
        char tail[16] = "";
        bool wal = strlen(f) >= 24 && strspn(f, "0123456789ABCDEF") == 24 &&
                   sscanf(f, "%8X%8X%8X%15s", &tli, &hi, &lo, tail) >= 3 &&
                   (!tail[0] || strcmp(tail, ".partial") == 0);
        if (!wal || (known && (uint64_t)hi * per_id + lo < fork_seg)) {
            free(names[i]);
            continue;
        }
        names[keep++] = names[i];
    }
    int failed = local_copy_files(ln, wal_from, names, keep, wal_to);
    local_names_free(names, keep);
    int copied = failed < 0 ? 0 : keep - failed;
    if (failed < 0)
        failed = keep;
    char fork_s[LSN_STRLEN];
    lsn_format(fork, fork_s, sizeof fork_s);
    char which[80];
    if (known)
        str_printf(which, sizeof which, "from the fork point %s on", fork_s);
    else
        str_copy(which, sizeof which, "(all of them: the fork point was unknown)");
    char *readme = xasprintf("Kept by repltop rejoin before pg_rewind of %s.\n\n"
                             "pg_rewind discards what %s wrote after its timeline forked from "
                             "the new primary's.\npg_wal/ holds its WAL segments %s; read them "
                             "with pg_waldump.\nThe .conf files are its own configuration files "
                             "from before the rewind.\nrepltop never deletes this directory: "
                             "remove it when you no longer need it.\n",
                             ln->conf->name, ln->conf->name, which);
    char path[PATH_MAX + 80];
    str_printf(path, sizeof path, "%s/README", dir);
    bool ok = local_write_file(ln, path, readme, 0600, err, errlen);
    free(readme);
    if (failed)
        action_warn(a, "%d WAL segment(s) of %s could not be copied to %s", failed, ln->conf->name,
                    wal_to);
    if (ok)
        action_ok(a, "kept %s's config files and %d WAL segment(s) %s in %s", ln->conf->name,
                  copied, which, dir);
    return ok;
}

struct rewind_out {
    struct action *a;
    bool not_required;
    char diverged[200];
};

static void on_rewind_line(void *ctx, const char *line)
{
    struct rewind_out *ro = ctx;
    struct action *a = ro->a;
    long long done, total;
    const char *m;
    if (sscanf(line + strspn(line, " "), "%lld/%lld kB", &done, &total) == 2)
        action_progress(a, done, total);
    else if ((m = strstr(line, "servers diverged at")))
        str_copy(ro->diverged, sizeof ro->diverged, m);
    else if (strstr(line, "no rewind required"))
        ro->not_required = true;
    else if (strstr(line, "to complete crash recovery"))
        action_step(a, "pg_rewind runs crash recovery on the node first (it had not shut down "
                       "cleanly)");
}

/* pg_rewind with the action role's conninfo to the primary (the role our session c has, named
 * in the line; its user given explicitly since pg_rewind runs as the data directory's owner) */
static int run_rewind(struct action *a, const struct local_node *ln, const struct node_conf *pc,
                      PGconn *c, struct rewind_out *ro, char *why, size_t whylen)
{
    char *admin = config_admin_conninfo(a->cfg, pc);
    char *with_user = admin ? conninfo_with(admin, "user", PQuser(c)) : NULL;
    char *src = with_user ? conninfo_without_secrets(with_user) : NULL;
    char pw[512] = "";
    char *pw_env = NULL;
    if (admin && conninfo_get(admin, "password", pw, sizeof pw) && pw[0])
        pw_env = xasprintf("PGPASSWORD=%s", pw);
    explicit_bzero(pw, sizeof pw);
    if (admin)
        explicit_bzero(admin, strlen(admin));
    if (with_user)
        explicit_bzero(with_user, strlen(with_user));
    free(admin);
    free(with_user);
    char *opt = xasprintf("--source-server=%s", src ? src : "");
    char safe[1024];
    conninfo_scrub(src, safe, sizeof safe);
    action_step(a, "pg_rewind -D %s --source-server=\"%s\" --progress (as role %s on %s%s)",
                ln->datadir, safe, PQuser(c), pc->name, pw_env ? ", password in PGPASSWORD" : "");
    const char *env[] = {pw_env, NULL};
    const char *argv[] = {"pg_rewind", "-D", ln->datadir, opt, "--progress", NULL};
    ro->a = a;
    int rc = local_run(ln, argv, pw_env ? env : NULL, 0, on_rewind_line, ro, why, whylen);
    if (pw_env)
        explicit_bzero(pw_env, strlen(pw_env));
    free(pw_env);
    free(opt);
    free(src);
    return rc;
}

/* A slot named in primary_slot_name must exist on the new primary (slots are not copied by a
 * promotion, docs/DESIGN.md 7). */
static bool ensure_slot(struct action *a, PGconn *c, const char *primary, const char *slot,
                        char *err, size_t errlen)
{
    const char *params[] = {slot};
    PGresult *r = PQexecParams(c,
                               "SELECT pg_create_physical_replication_slot($1, true) WHERE NOT "
                               "EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)",
                               1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) {
        str_printf(err, errlen, "cannot create slot %s on %s: %s", slot, primary,
                   PQresultErrorMessage(r));
        err[strcspn(err, "\n")] = '\0';
    } else if (PQntuples(r) == 1) {
        action_ok(a, "created the replication slot %s on %s", slot, primary);
    }
    PQclear(r);
    return ok;
}

/* The rewind cannot work: a full copy, only when the operator chose it (--allow-full-copy). */
static bool fall_back(struct action *a, const struct local_node *ln, const struct snapshot *s,
                      const struct node_snap *primary, struct rejoin *r, const char *reason,
                      char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    char size[64];
    rewind_copy_size(a, action_node_conf(a, primary->name), size, sizeof size);
    if (!a->allow_full_copy) {
        str_printf(err, errlen,
                   "%s. Only a full copy can repair %s (%s from %s), and nothing was copied: "
                   "run repltop rejoin %s --allow-full-copy, or repltop resync %s. %s is "
                   "stopped",
                   reason, name, size[0] ? size : "its size is unknown", primary->name, name, name,
                   name);
        return false;
    }
    action_warn(a, "%s: a full copy of %s (pg_basebackup, %s from %s), as --allow-full-copy allows",
                reason, name, size[0] ? size : "size unknown", primary->name);
    struct resync_opts o = {.own = &r->own, .application_name = r->app, .conninfo = r->base};
    if (resync_node(a, ln, s, primary, &o, err, errlen))
        return true;
    char first[600];
    str_copy(first, sizeof first, reason);
    char *was = xstrdup(err);
    str_printf(err, errlen, "%s, and the resync that followed failed too: %s", first, was);
    free(was);
    return false;
}

/* Before anything changes: the action role's privileges on the primary, pg_rewind's
 * prerequisite on the node. */
static bool can_rewind(struct action *a, const struct local_node *ln, PGconn *c,
                       const struct node_conf *pc, const struct rejoin *r, char *err, size_t errlen)
{
    enum priv_need needs[] = {PRIV_CHECKPOINT, PRIV_REWIND_SOURCE, PRIV_READ_FILE,
                              r->slot ? PRIV_SLOTS : PRIV_END, PRIV_END};
    if (!action_check_privs(c, pc->name, needs, err, errlen))
        return false;
    if (!rewind_prerequisite(ln, err, errlen))
        return false;
    action_ok(a, "role %s has what the rejoin needs on %s; %s logs hint bits (pg_rewind can run)",
              PQuser(c), pc->name, ln->conf->name);
    return true;
}

static bool rejoin_node(struct action *a, const struct local_node *ln, const struct snapshot *s,
                        const struct node_snap *primary, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    struct node_conf *pc = action_node_conf(a, primary->name);
    if (!pc) {
        str_printf(err, errlen, "the primary %s is not in the config", primary->name);
        return false;
    }
    struct rejoin r = {0};
    PGconn *c = NULL;
    bool ok = plan(a, ln, s, pc, &r, err, errlen) && (c = action_connect(a, pc, err, errlen)) &&
              can_rewind(a, ln, c, pc, &r, err, errlen) &&
              local_stop(&a->progress, ln, err, errlen);
    if (!ok)
        goto out;

    action_step(a, "CHECKPOINT on %s (pg_rewind reads the timeline from its control file)",
                pc->name);
    if (!pg_exec(c, "CHECKPOINT", err, errlen)) {
        char why[600];
        str_copy(why, sizeof why, err);
        str_printf(err, errlen, "CHECKPOINT on %s failed: %s", pc->name, why);
        ok = false;
        goto out;
    }
    int node_tli;
    long seg_size;
    local_controldata(ln, &node_tli, &seg_size);
    lsn_t fork = fork_point(c, primary->timeline, node_tli);
    char aside[PATH_MAX + 64];
    if (!keep_aside(a, ln, &r, fork, seg_size, aside, sizeof aside, err, errlen)) {
        ok = false;
        goto out;
    }

    struct rewind_out ro = {0};
    char why[700];
    int64_t start = clock_mono_ms();
    int rc = run_rewind(a, ln, pc, c, &ro, why, sizeof why);
    if (rc != 0) {
        char reason[800];
        str_printf(reason, sizeof reason, "pg_rewind failed: %s", why);
        if (local_interrupted()) {
            str_printf(err, errlen, "%s; %s may be inconsistent now: run the rejoin again", reason,
                       ln->datadir);
            ok = false;
        } else if (!rewind_impossible(why)) {
            /* a privilege, the connection...: fixable, and never a reason to copy everything */
            str_printf(err, errlen,
                       "%s. That is not a reason to copy everything, so nothing was copied: fix "
                       "the cause and run the rejoin again. %s is stopped; its WAL after the "
                       "fork is kept in %s (if pg_rewind had begun to change files, only a full "
                       "copy repairs it: repltop resync %s)",
                       reason, name, aside, name);
            ok = false;
        } else {
            PQfinish(c);
            c = NULL;
            ok = fall_back(a, ln, s, primary, &r, reason, err, errlen);
        }
        goto out;
    }
    if (ro.not_required)
        action_ok(a, "pg_rewind: no rewind required (%s stopped at or before the fork point)",
                  name);
    else
        action_ok(a, "pg_rewind: %s; done in %.1f s", ro.diverged[0] ? ro.diverged : "rewound",
                  (double)(clock_mono_ms() - start) / 1000.0);

    if (r.slot && !ensure_slot(a, c, pc->name, r.slot, err, errlen)) {
        ok = false;
        goto out;
    }
    PQfinish(c);
    c = NULL;
    struct standby_conf sc = {r.conninfo, r.slot, r.port, NULL, NULL};
    long offset = local_log_size(ln);
    ok = local_make_standby(&a->progress, ln, &r.own, &sc, err, errlen) &&
         local_start(&a->progress, ln, err, errlen) &&
         local_wait_streaming(a, ln, pc, r.app, primary->timeline, STREAM_WAIT_S, err, errlen);
    if (!ok && !local_interrupted() && local_log_says_diverged(ln, offset)) {
        char reason[800];
        str_printf(reason, sizeof reason,
                   "%s cannot follow %s's timeline after the rewind (its log says so)", name,
                   pc->name);
        ok = fall_back(a, ln, s, primary, &r, reason, err, errlen);
    }
    if (ok)
        action_ok(a, "%s is a standby of %s; what it had before the rewind is kept in %s", name,
                  pc->name, aside);
out:
    PQfinish(c);
    rejoin_free(&r);
    return ok;
}

bool action_rejoin_node(struct action *a, struct node_conf *node, char *err, size_t errlen)
{
    struct local_node ln;
    if (!local_node_init(&ln, node, a->cfg, false, err, errlen))
        return false;
    bool caught = local_signals_catch();
    struct snapshot *s = local_snapshot(a); /* a->snap is the caller's, from before */
    char why[600];
    const struct node_snap *primary = local_primary(s, node->name, why, sizeof why);
    bool ok = false;
    if (!primary)
        str_printf(err, errlen, "cannot rejoin %s: %s", node->name, why);
    else if (local_check_datadir(a, &ln, snapshot_find(s, node->name), err, errlen))
        ok = rejoin_node(a, &ln, s, primary, err, errlen);
    snapshot_free(s);
    if (caught)
        local_signals_restore();
    return ok;
}

/* node streams from primary again: with a declared sync policy the primary's list is rebuilt
 * so that node counts again; then the done line. */
int action_rejoined(struct action *a, const char *node, const char *primary)
{
    char pname[NAME_LEN];
    str_copy(pname, sizeof pname, primary); /* a->snap, which primary may be in, is refreshed */
    action_sync_keep_policy(a);
    printf("done: %s streams from %s\n", node, pname);
    fflush(stdout);
    return 0;
}

static int rejoin(struct action *a, const char *arg)
{
    struct node_conf *nc = action_find_node(a, arg);
    if (!nc)
        return action_fail(a, "no node named %s in %s", arg, a->cfg->path);
    const char *name = nc->name;
    char err[2600], why[600];
    struct local_node ln;
    if (!local_node_init(&ln, nc, a->cfg, false, err, sizeof err))
        return action_fail(a, "cannot rejoin %s: %s", name, err);
    const struct node_snap *primary = local_primary(a->snap, name, why, sizeof why);
    if (!primary)
        return action_fail(a, "cannot rejoin %s: %s", name, why);
    const struct node_snap *ns = action_node_snap(a, name);
    bool reachable = ns && ns->reach == REACH_OK;
    if (reachable && ns->role == ROLE_PRIMARY && ns->timeline >= primary->timeline)
        return action_fail(a,
                           "%s and %s are both primaries and %s is not on an older timeline "
                           "(%d, %s: %d): it is not clear which one should follow the other",
                           name, primary->name, name, ns->timeline, primary->name,
                           primary->timeline);
    if (reachable && ns->role == ROLE_STANDBY && !ns->needs_rewind &&
        strcmp(ns->upstream, primary->name) == 0 && strcmp(ns->state, "streaming") == 0) {
        action_ok(a, "%s already streams from %s: nothing to do", name, primary->name);
        return action_rejoined(a, name, primary->name);
    }
    if (!local_check_datadir(a, &ln, ns, err, sizeof err))
        return action_fail(a, "%s", err);
    if (reachable && ns->role == ROLE_PRIMARY)
        action_warn(a,
                    "%s is still running as a second primary: it will be stopped, and what "
                    "it wrote after the fork is discarded (its WAL is kept aside)",
                    name);
    char question[PATH_MAX + 300];
    str_printf(question, sizeof question,
               "Rejoin %s as a standby of %s: stop it, rewind %s with pg_rewind (its WAL after "
               "the fork is kept aside), and start it following %s?",
               name, primary->name, ln.datadir, primary->name);
    if (!action_confirm(a, question, name))
        return 1;
    if (!rejoin_node(a, &ln, a->snap, primary, err, sizeof err))
        return action_fail(a, "%s", err);
    return action_rejoined(a, name, primary->name);
}

int action_rejoin(struct action *a, const char *node)
{
    bool caught = local_signals_catch();
    int rc = rejoin(a, node);
    if (caught)
        local_signals_restore();
    return rc;
}
