/* action_resync: `repltop resync NODE [--new]` — a local standby rebuilt from the current
 * primary with pg_basebackup (docs/DESIGN.md section 4), and the same path for a new replica.
 *
 * The old data directory is renamed aside (DATADIR.repltop-old-TIMESTAMP) and kept: repltop
 * never deletes it. When pg_basebackup fails, the original goes back into place (and the
 * server is started again if it ran), so the command can simply be run again. The clone keeps
 * the node's own configuration files and settings, not the primary's (docs/DESIGN.md section 7).
 *
 * `--new` is for a node that has a [node NAME] section but no data directory yet (the `a` key:
 * a new replica): without it a missing directory is refused, so that a typo in datadir does
 * not silently make a new server somewhere else. With --port and --datadir it also adds a node
 * that is not in the config yet (local_newnode), once every check passed and it was confirmed. */
#include "model/ops/action_resync.h"
#include "model/pg/conninfo.h"
#include "model/ops/local_cluster.h"
#include "model/local/local_conf.h"
#include "model/local/local_fs.h"
#include "model/ops/local_newnode.h"
#include "model/local/local_node.h"
#include "model/local/local_run.h"
#include "model/local/local_server.h"
#include "model/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define STREAM_WAIT_S 60

/* An incomplete copy in the data directory goes aside (DATADIR.repltop-failed-TIME, kept;
 * failed gets the path, "" when nothing was there); an empty directory is removed when
 * remove_empty. False, with why in failed, when the rename fails. */
static bool set_aside_copy(struct action *a, const struct local_node *ln, bool remove_empty,
                           char *failed, size_t n)
{
    failed[0] = '\0';
    if (!local_datadir_exists(ln))
        return true;
    if (local_dir_empty(ln, ln->datadir)) {
        if (remove_empty)
            local_remove_dir(ln, ln->datadir);
        return true;
    }
    local_aside_path(ln, "failed", failed, n);
    char why[300];
    if (!local_rename(ln, ln->datadir, failed, why, sizeof why)) {
        str_copy(failed, n, why); /* the caller says why */
        return false;
    }
    action_ok(a, "the incomplete copy is kept in %s", failed);
    return true;
}

/* ----- a copy in progress: DATADIR.repltop-resync -----
 * Written before pg_basebackup starts, removed once the copy is a configured standby. If the
 * resync is killed in between (the terminal closed, the host rebooted), the next resync finds
 * it: the data directory then holds an incomplete copy of the primary (with the primary's
 * configuration files), and the file names where the original was moved aside. */

static void marker_path(const struct local_node *ln, char *out, size_t n)
{
    str_printf(out, n, "%s.repltop-resync", ln->datadir);
}

static void marker_remove(const struct local_node *ln)
{
    char path[PATH_MAX + 32];
    marker_path(ln, path, sizeof path);
    local_remove_file(ln, path);
}

/* Whether a pg_basebackup that writes into the data directory may still run on its host (its
 * ssh session dropped, or the resync was killed): then nothing may be moved, or the original
 * put back would receive its files. how gets "still runs on HOST" or "may still run...". */
static bool copy_goes_on(const struct local_node *ln, char *how, size_t n)
{
    char pids[200];
    int running = local_copy_running(ln, pids, sizeof pids);
    const char *dest = host_remote(&ln->host) ? ln->host.dest : "this host";
    if (running > 0)
        str_printf(how, n, "a pg_basebackup into %s still runs on %s (pid %s)", ln->datadir, dest,
                   pids);
    else if (running < 0)
        str_printf(how, n, "a pg_basebackup into %s may still run on %s, which does not answer",
                   ln->datadir, dest);
    return running != 0;
}

/* Undoes what an interrupted resync left: its incomplete copy aside, the original back. */
static bool recover_interrupted(struct action *a, const struct local_node *ln, char *err,
                                size_t errlen)
{
    char path[PATH_MAX + 32], original[PATH_MAX + 64] = "";
    marker_path(ln, path, sizeof path);
    char *text = local_read_file(ln, path, NULL);
    if (!text)
        return true;
    str_copy(original, sizeof original, text);
    free(text);
    original[strcspn(original, "\n")] = '\0';
    action_warn(a, "an earlier resync of %s was interrupted during the copy (%s exists)",
                ln->conf->name, path);
    if (local_running(ln)) {
        str_printf(err, errlen,
                   "%s runs, yet %s says a copy was in progress: check it by hand, then "
                   "remove %s",
                   ln->datadir, path, path);
        return false;
    }
    char how[PATH_MAX + 400];
    if (copy_goes_on(ln, how, sizeof how)) {
        str_printf(err, errlen,
                   "%s: nothing was changed; once it has ended (stop it, its copy is "
                   "incomplete), run the resync again",
                   how);
        return false;
    }
    char failed[PATH_MAX + 64];
    if (!set_aside_copy(a, ln, true, failed, sizeof failed)) {
        str_printf(err, errlen, "cannot move the incomplete copy %s aside: %s", ln->datadir,
                   failed);
        return false;
    }
    char why[300];
    if (original[0] && !local_rename(ln, original, ln->datadir, why, sizeof why)) {
        str_printf(err, errlen, "cannot move the original %s back to %s: %s", original, ln->datadir,
                   why);
        return false;
    }
    if (original[0])
        action_ok(a, "the original data directory is back in %s", ln->datadir);
    local_remove_file(ln, path);
    return true;
}

/* ----- what the clone will be ----- */

struct plan {
    char *old_conninfo; /* primary_conninfo of the old directory (may hold a password) */
    char *conninfo;     /* primary_conninfo of the clone */
    char *slot;         /* primary_slot_name, NULL for none */
    bool create_slot;   /* it does not exist on the primary: pg_basebackup -C */
    bool slot_ours;     /* active, for this very node: free once it stops */
    char app[NAME_LEN];
    int port;
};

static void plan_free(struct plan *p)
{
    if (p->old_conninfo)
        explicit_bzero(p->old_conninfo, strlen(p->old_conninfo));
    if (p->conninfo)
        explicit_bzero(p->conninfo, strlen(p->conninfo));
    free(p->old_conninfo);
    free(p->conninfo);
    free(p->slot);
}

static char *nonempty(char *s)
{
    if (s && !s[0]) {
        free(s);
        return NULL;
    }
    return s;
}

/* Whether the slot exists on the primary and nobody uses it (the node is stopped). */
static bool check_slot(struct action *a, const struct node_conf *pc, struct plan *p, char *err,
                       size_t errlen)
{
    PGconn *c = action_connect(a, pc, err, errlen);
    if (!c)
        return false;
    const char *params[] = {p->slot};
    /* active for whom: the node itself (streaming with its application_name) is fine */
    PGresult *r = PQexecParams(c,
                               "SELECT s.active::text, s.slot_type, coalesce(r.application_name, "
                               "'') FROM pg_replication_slots s LEFT JOIN pg_stat_replication r "
                               "ON r.pid = s.active_pid WHERE s.slot_name = $1",
                               1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        str_printf(err, errlen, "%s: %s", pc->name, PQerrorMessage(c));
    else if (PQntuples(r) == 0)
        p->create_slot = true;
    else if (strcmp(PQgetvalue(r, 0, 1), "physical") != 0)
        ok = false,
        str_printf(err, errlen, "slot %s on %s is not a physical slot", p->slot, pc->name);
    else if (strcmp(PQgetvalue(r, 0, 0), "true") == 0 && str_eq_nocase(PQgetvalue(r, 0, 2), p->app))
        p->slot_ours = true;
    else if (strcmp(PQgetvalue(r, 0, 0), "true") == 0)
        ok = false, str_printf(err, errlen,
                               "slot %s on %s is in use by another connection: it cannot "
                               "serve the new copy of this node",
                               p->slot, pc->name);
    if (!ok) /* err is the caller's, unset when all went well */
        err[strcspn(err, "\n")] = '\0';
    PQclear(r);
    PQfinish(c);
    return ok;
}

/* After the node stopped: its walsender lets go of the slot a moment later. */
static bool wait_slot_free(struct action *a, const struct node_conf *pc, const struct plan *p,
                           char *err, size_t errlen)
{
    PGconn *c = action_connect(a, pc, err, errlen);
    if (!c)
        return false;
    const char *params[] = {p->slot};
    bool free_now = false;
    for (int i = 0; i < 200 && !free_now; i++) {
        PGresult *r = PQexecParams(c,
                                   "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 "
                                   "AND NOT active",
                                   1, NULL, params, NULL, NULL, 0);
        free_now = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        PQclear(r);
        if (!free_now)
            usleep(50 * 1000);
    }
    PQfinish(c);
    if (!free_now)
        str_printf(err, errlen, "slot %s on %s is still in use 10 s after %s stopped", p->slot,
                   pc->name, p->app);
    return free_now;
}

/* The slot this attempt created, dropped again after a failed clone (it would hold WAL). */
static void drop_new_slot(struct action *a, const struct node_conf *pc, const struct plan *p)
{
    char err[600];
    PGconn *c = action_connect(a, pc, err, sizeof err);
    if (!c)
        return;
    const char *params[] = {p->slot};
    PGresult *r = PQexecParams(c,
                               "SELECT pg_drop_replication_slot(slot_name) FROM "
                               "pg_replication_slots WHERE slot_name = $1 AND NOT active",
                               1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        action_ok(a, "dropped the slot %s that this attempt had created on %s", p->slot, pc->name);
    PQclear(r);
    PQfinish(c);
}

static bool make_plan(struct action *a, const struct local_node *ln, const struct snapshot *s,
                      const struct node_conf *pc, const struct local_conf *own,
                      const struct resync_opts *o, struct plan *p, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    const struct node_snap *ns = snapshot_find(s, name);
    bool reachable_standby = ns && ns->reach == REACH_OK && ns->role == ROLE_STANDBY;
    const char *auto_conf = own ? own->text[CONF_AUTO] : NULL;
    p->old_conninfo = auto_conf ? nonempty(local_guc_get(auto_conf, "primary_conninfo")) : NULL;
    p->slot = auto_conf ? nonempty(local_guc_get(auto_conf, "primary_slot_name")) : NULL;
    if (!p->slot && reachable_standby && ns->wr.present && ns->wr.slot_name[0])
        p->slot = xstrdup(ns->wr.slot_name);

    char app[NAME_LEN] = "";
    if (o->application_name)
        str_copy(app, sizeof app, o->application_name);
    else if (reachable_standby && ns->application_name[0])
        str_copy(app, sizeof app, ns->application_name);
    else if (!p->old_conninfo ||
             !conninfo_get(p->old_conninfo, "application_name", app, sizeof app))
        app[0] = '\0';
    if (!app[0])
        str_copy(app, sizeof app, name);
    str_copy(p->app, sizeof p->app, app);

    p->port = ln->conf->port;
    if (p->port <= 0 && local_datadir_exists(ln))
        p->port = local_old_port_node(ln);
    char port[16];
    if (p->port <= 0 && conninfo_get(ln->conf->conninfo, "port", port, sizeof port))
        p->port = atoi(port);
    if (p->port <= 0 && o->new_replica) {
        str_printf(err, errlen, "%s: no port for the new replica: set port in [node %s]", name,
                   name);
        return false;
    }

    /* whose replication user and options to copy */
    const char *from = "its old primary_conninfo";
    char *other = NULL;
    const char *base = o->conninfo ? o->conninfo : p->old_conninfo;
    if (o->conninfo)
        from = "its primary_conninfo";
    if (!base && (other = local_standby_conninfo(a, s, name))) {
        base = other;
        from = "another standby's primary_conninfo";
    }
    if (!base) {
        base = pc->conninfo;
        from = "the primary's connection in the config";
        action_warn(a,
                    "no primary_conninfo to copy the replication user from: %s replicates "
                    "with the user of %s's conninfo in the config",
                    name, pc->name);
    }
    p->conninfo = action_follow_conninfo(base, pc, app);
    if (other)
        explicit_bzero(other, strlen(other));
    free(other);
    if (!p->conninfo) {
        str_printf(err, errlen, "%s: cannot build primary_conninfo from %s", name, from);
        return false;
    }
    char user[NAME_LEN] = "";
    conninfo_get(p->conninfo, "user", user, sizeof user);
    action_step(a, "%s will stream from %s as user %s (from %s), application_name %s, port %d%s%s",
                name, pc->name, user[0] ? user : "(default)", from, app, p->port,
                p->slot ? ", slot " : "", p->slot ? p->slot : "");
    return !p->slot || check_slot(a, pc, p, err, errlen);
}

/* ----- pg_basebackup ----- */

struct basebackup_out {
    struct action *a;
    long long *kb;
};

static void on_basebackup_line(void *ctx, const char *line)
{
    struct basebackup_out *bo = ctx;
    struct action *a = bo->a;
    long long done, total;
    if (sscanf(line + strspn(line, " "), "%lld/%lld kB", &done, &total) == 2) {
        action_progress(a, done, total);
        *bo->kb = total;
        return;
    }
    action_step(a, "%s%s", strncmp(line, "pg_basebackup:", 14) == 0 ? "" : "pg_basebackup: ", line);
}

static int run_basebackup(struct action *a, const struct local_node *ln, const struct node_conf *pc,
                          const struct plan *p, long long *kb, char *why, size_t whylen)
{
    /* The password (if the conninfo has one) goes through the environment, never argv. The
     * copy connects as "pg_basebackup", not with the standby's application_name: its two
     * walsenders (state "backup") would otherwise be matched to the node on the dashboard. */
    char *no_pw = conninfo_without_secrets(p->conninfo);
    char *arg = no_pw ? conninfo_with(no_pw, "application_name", NULL) : NULL;
    free(no_pw);
    char pw[512] = "";
    char *pw_env = NULL;
    if (conninfo_get(p->conninfo, "password", pw, sizeof pw) && pw[0])
        pw_env = xasprintf("PGPASSWORD=%s", pw);
    explicit_bzero(pw, sizeof pw);
    const char *env[] = {pw_env, NULL};
    const char *argv[16] = {"pg_basebackup",     "-D", ln->datadir, "-X", "stream",      "-R",
                            "--checkpoint=fast", "-P", "-w",        "-d", arg ? arg : ""};
    int n = 11;
    if (p->slot) {
        if (p->create_slot)
            argv[n++] = "-C";
        argv[n++] = "-S";
        argv[n++] = p->slot;
    }
    argv[n] = NULL;
    char safe[1024];
    conninfo_scrub(arg, safe, sizeof safe);
    action_step(a,
                "pg_basebackup -D %s -X stream -R --checkpoint=fast -P -d \"%s\"%s%s%s from %s%s",
                ln->datadir, safe, p->slot && p->create_slot ? " -C" : "", p->slot ? " -S " : "",
                p->slot ? p->slot : "", pc->name, pw_env ? " (password in PGPASSWORD)" : "");
    struct basebackup_out bo = {a, kb};
    int rc = local_run(ln, argv, pw_env ? env : NULL, 0, on_basebackup_line, &bo, why, whylen);
    if (pw_env)
        explicit_bzero(pw_env, strlen(pw_env));
    free(pw_env);
    free(arg);
    return rc;
}

/* After a failed clone: the incomplete copy aside (or removed when pg_basebackup left it
 * empty), the original back in place, and the server started again if it ran. */
static void put_back(struct action *a, const struct local_node *ln, const char *old, bool created,
                     bool was_running, char *where, size_t n)
{
    char failed[PATH_MAX + 64];
    if (!set_aside_copy(a, ln, created, failed, sizeof failed)) {
        str_printf(where, n,
                   "; the incomplete copy could not be moved away (%s), so the original is "
                   "still in %s",
                   failed, old);
        return;
    }
    if (!old[0]) {
        str_printf(where, n, "; nothing else was changed");
        return;
    }
    char why[300];
    if (!local_rename(ln, old, ln->datadir, why, sizeof why)) {
        str_printf(where, n, "; the original could not be moved back (%s): it is in %s", why, old);
        return;
    }
    action_ok(a, "the original data directory is back in %s", ln->datadir);
    char err[700] = "";
    if (was_running && !local_start(&a->progress, ln, err, sizeof err))
        action_warn(a, "%s", err);
    str_printf(where, n, "; %s is the original data directory again%s", ln->datadir,
               failed[0] ? " (the incomplete copy is aside)" : "");
}

bool resync_node(struct action *a, const struct local_node *ln, const struct snapshot *s,
                 const struct node_snap *primary, const struct resync_opts *o, char *err,
                 size_t errlen)
{
    const char *name = ln->conf->name;
    struct node_conf *pc = action_node_conf(a, primary->name);
    if (!pc) {
        str_printf(err, errlen, "the primary %s is not in the config", primary->name);
        return false;
    }
    if (!recover_interrupted(a, ln, err, errlen))
        return false;
    bool exists = local_datadir_exists(ln) && !local_dir_empty(ln, ln->datadir);
    struct local_conf read_here = {0};
    const struct local_conf *own = o->own;
    if (!own && exists) {
        local_conf_read_node(&read_here, ln);
        own = &read_here;
    }
    struct plan p = {0};
    bool ok = make_plan(a, ln, s, pc, own, o, &p, err, errlen);
    bool was_running = ok && exists && local_running(ln);
    /* read before the stop, with the other answers of the node's host (local_survey) */
    mode_t mode = exists && (local_mode(ln, ln->datadir) & 0777) == 0750 ? 0750 : 0700;
    ok = ok && (!exists || local_stop(&a->progress, ln, err, errlen));
    ok = ok && (!p.slot_ours || wait_slot_free(a, pc, &p, err, errlen));
    if (!ok)
        goto out;

    /* moved aside, an empty directory made, the marker written: one round trip on a remote
     * host; each step's failure undone as if it had been run alone */
    char old[PATH_MAX + 64] = "", why[700], marker[PATH_MAX + 32];
    marker_path(ln, marker, sizeof marker);
    bool created = exists || !local_datadir_exists(ln); /* moved aside: no longer there */
    int failed =
        local_move_aside(ln, exists, created ? mode : 0, marker, old, sizeof old, err, errlen);
    if (old[0] && failed != HOST_ASIDE_MOVE)
        action_ok(a, "moved %s aside to %s (kept)", ln->datadir, old);
    if (failed == HOST_ASIDE_MKDIR && old[0] &&
        !local_rename(ln, old, ln->datadir, why, sizeof why))
        was_running = false; /* not back in place: not started either */
    else if (failed == HOST_ASIDE_MKDIR && old[0])
        action_ok(a, "the original data directory is back in %s", ln->datadir);
    if (failed == HOST_ASIDE_MOVE || failed == HOST_ASIDE_MKDIR) {
        /* nothing else changed: the node runs again as it did */
        char more[700] = "";
        if (was_running && !local_start(&a->progress, ln, more, sizeof more))
            action_warn(a, "%s", more);
        ok = false;
        goto out;
    }
    long long kb = 0;
    int64_t start = clock_mono_ms();
    if (failed == HOST_ASIDE_MARKER) {
        put_back(a, ln, old, created, was_running, why, sizeof why);
        ok = false;
        goto out;
    }
    if (run_basebackup(a, ln, pc, &p, &kb, why, sizeof why) != 0) {
        action_warn(a, "pg_basebackup failed: %s", why);
        char how[PATH_MAX + 400];
        if (copy_goes_on(ln, how, sizeof how)) { /* the marker stays, for the next resync */
            str_printf(err, errlen,
                       "pg_basebackup of %s from %s failed: %s; and %s, so nothing more was "
                       "changed%s%s; once it has ended (stop it: its copy is incomplete), run "
                       "the resync again: it keeps that copy aside and starts over",
                       name, pc->name, why, how,
                       old[0] ? ": the original data directory is in " : "", old);
            ok = false;
            goto out;
        }
        if (p.create_slot)
            drop_new_slot(a, pc, &p);
        char where[PATH_MAX + 200];
        put_back(a, ln, old, created, was_running, where, sizeof where);
        marker_remove(ln);
        str_printf(err, errlen,
                   "pg_basebackup of %s from %s failed: %s%s; run the resync again "
                   "once the cause is fixed",
                   name, pc->name, why, where);
        ok = false;
        goto out;
    }
    action_ok(a, "pg_basebackup copied %lld MB from %s in %.1f s", kb / 1024, pc->name,
              (double)(clock_mono_ms() - start) / 1000.0);
    local_survey(ln); /* the clone's files, read next: one round trip on a remote host */

    /* a new replica gets its own cluster_name rather than the primary's */
    char *cn_main = NULL, *cn_auto = NULL;
    if (!own) {
        struct local_conf clone;
        local_conf_read_node(&clone, ln);
        cn_main =
            clone.text[CONF_MAIN] ? local_guc_get(clone.text[CONF_MAIN], "cluster_name") : NULL;
        cn_auto =
            clone.text[CONF_AUTO] ? local_guc_get(clone.text[CONF_AUTO], "cluster_name") : NULL;
        local_conf_free(&clone);
    }
    /* a configured standby is no longer a copy in progress: the marker goes with the writes */
    struct standby_conf sc = {p.conninfo, p.slot, p.port,
                              (cn_main && cn_main[0]) || (cn_auto && cn_auto[0]) ? name : NULL,
                              marker};
    free(cn_main);
    free(cn_auto);
    ok = local_make_standby(&a->progress, ln, own, &sc, err, errlen);
    ok = ok && local_start(&a->progress, ln, err, errlen) &&
         local_wait_streaming(a, ln, pc, p.app, primary->timeline, STREAM_WAIT_S, err, errlen);
    if (!ok && old[0]) {
        char more[PATH_MAX + 100];
        str_printf(more, sizeof more, "; the old data directory is kept in %s", old);
        str_copy(err + strlen(err), errlen - strlen(err), more);
    }
    if (ok && old[0])
        action_ok(a,
                  "the old data directory of %s is kept in %s: delete it once you no longer "
                  "need it",
                  name, old);
out:
    plan_free(&p);
    local_conf_free(&read_here);
    return ok;
}
