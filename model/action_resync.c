/* action_resync: `repltop resync NODE [--new]` — a local standby rebuilt from the current
 * primary with pg_basebackup (DESIGN.md section 4), and the same path for a new replica.
 *
 * The old data directory is renamed aside (DATADIR.repltop-old-TIMESTAMP) and kept: repltop
 * never deletes it. When pg_basebackup fails, the original goes back into place (and the
 * server is started again if it ran), so the command can simply be run again. The clone keeps
 * the node's own configuration files and settings, not the primary's (DESIGN.md section 7).
 *
 * `--new` is for a node that has a [node NAME] section but no data directory yet (the `a` key:
 * a new replica): without it a missing directory is refused, so that a typo in datadir does
 * not silently make a new server somewhere else. With --port and --datadir it also adds a node
 * that is not in the config yet (local_newnode), once every check passed and it was confirmed. */
#include "action_resync.h"
#include "conninfo.h"
#include "local_cluster.h"
#include "local_conf.h"
#include "local_newnode.h"
#include "local_node.h"
#include "local_run.h"
#include "local_server.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define STREAM_WAIT_S 60

static const char resync_usage[] =
    "usage: repltop resync NODE [--yes] [-c FILE]\n"
    "       repltop resync NODE --new [--port P --datadir DIR [--host H]] [--yes] [-c FILE]\n"
    "Rebuilds NODE, a standby whose data directory is on this host ([node NODE] datadir in\n"
    "the config), from the current primary: stops it, renames its data directory to\n"
    "DATADIR.repltop-old-TIMESTAMP (kept), runs pg_basebackup -X stream -R, keeps the node's\n"
    "own configuration files, port and application_name, starts it and waits until it streams.\n"
    "  --new          NODE has no data directory yet: create a new replica there\n"
    "  --port P       with --new, for a NODE that is not in the config yet: add it to the\n"
    "  --datadir DIR  config file first ([nodes] NODE = the primary's conninfo with host H and\n"
    "  --host H       port P, no password; [node NODE] datadir DIR, port P, the primary's\n"
    "                 bindir). H defaults to the primary's host. Refused when P is taken on\n"
    "                 this host or by another node, or DIR exists and is not empty\n"
    "  --yes          do not ask (otherwise type the node's name to confirm)\n";

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* ----- what the clone will be ----- */

struct plan {
    char *old_conninfo; /* primary_conninfo of the old directory (may hold a password) */
    char *conninfo;     /* primary_conninfo of the clone */
    char *slot;         /* primary_slot_name, NULL for none */
    bool create_slot;   /* it does not exist on the primary: pg_basebackup -C */
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
    PGresult *r = PQexecParams(c,
                               "SELECT active::text, slot_type FROM pg_replication_slots WHERE "
                               "slot_name = $1",
                               1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        str_printf(err, errlen, "%s: %s", pc->name, PQerrorMessage(c));
    else if (PQntuples(r) == 0)
        p->create_slot = true;
    else if (strcmp(PQgetvalue(r, 0, 1), "physical") != 0)
        ok = false,
        str_printf(err, errlen, "slot %s on %s is not a physical slot", p->slot, pc->name);
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
        p->port = local_old_port(ln->datadir);
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

static void on_basebackup_line(struct action *a, void *ctx, const char *line)
{
    long long done, total;
    if (sscanf(line + strspn(line, " "), "%lld/%lld kB", &done, &total) == 2) {
        action_progress(a, done, total);
        *(long long *)ctx = total;
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
    int rc = local_run(a, ln, argv, pw_env ? env : NULL, 0, on_basebackup_line, kb, why, whylen);
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
    char failed[PATH_MAX + 64] = "";
    if (dir_is_empty(ln->datadir)) {
        if (created)
            rmdir(ln->datadir);
    } else {
        local_aside_path(ln, "failed", failed, sizeof failed);
        if (rename(ln->datadir, failed) == 0) {
            action_ok(a, "the incomplete copy is kept in %s", failed);
        } else {
            str_printf(where, n,
                       "; the incomplete copy could not be moved away (%s), so the original "
                       "is still in %s",
                       strerror(errno), old);
            return;
        }
    }
    if (!old[0]) {
        str_printf(where, n, "; nothing else was changed");
        return;
    }
    if (rename(old, ln->datadir) != 0) {
        str_printf(where, n, "; the original could not be moved back (%s): it is in %s",
                   strerror(errno), old);
        return;
    }
    action_ok(a, "the original data directory is back in %s", ln->datadir);
    char err[700] = "";
    if (was_running && !local_start(a, ln, err, sizeof err))
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
    bool exists = local_datadir_exists(ln) && !dir_is_empty(ln->datadir);
    struct local_conf read_here = {0};
    const struct local_conf *own = o->own;
    if (!own && exists) {
        local_conf_read(&read_here, ln->datadir);
        own = &read_here;
    }
    struct plan p = {0};
    bool ok = make_plan(a, ln, s, pc, own, o, &p, err, errlen);
    bool was_running = ok && exists && local_running(ln);
    ok = ok && (!exists || local_stop(a, ln, err, errlen));
    if (!ok)
        goto out;

    mode_t mode = 0700;
    struct stat st;
    char old[PATH_MAX + 64] = "";
    if (exists) {
        if (stat(ln->datadir, &st) == 0 && (st.st_mode & 0777) == 0750)
            mode = 0750;
        local_aside_path(ln, "old", old, sizeof old);
        if (rename(ln->datadir, old) != 0) {
            str_printf(err, errlen, "cannot move %s aside to %s: %s", ln->datadir, old,
                       strerror(errno));
            ok = false;
            goto out;
        }
        action_ok(a, "moved %s aside to %s (kept)", ln->datadir, old);
    }
    bool created = !local_datadir_exists(ln);
    if (created && !local_mkdir(ln, ln->datadir, mode, err, errlen)) {
        if (old[0] && rename(old, ln->datadir) == 0)
            action_ok(a, "the original data directory is back in %s", ln->datadir);
        ok = false;
        goto out;
    }

    char why[700];
    long long kb = 0;
    int64_t start = clock_mono_ms();
    if (run_basebackup(a, ln, pc, &p, &kb, why, sizeof why) != 0) {
        action_warn(a, "pg_basebackup failed: %s", why);
        if (p.create_slot)
            drop_new_slot(a, pc, &p);
        char where[PATH_MAX + 200];
        put_back(a, ln, old, created, was_running, where, sizeof where);
        str_printf(err, errlen,
                   "pg_basebackup of %s from %s failed: %s%s; run the resync again "
                   "once the cause is fixed",
                   name, pc->name, why, where);
        ok = false;
        goto out;
    }
    action_ok(a, "pg_basebackup copied %lld MB from %s in %.1f s", kb / 1024, pc->name,
              (double)(clock_mono_ms() - start) / 1000.0);

    /* a new replica gets its own cluster_name rather than the primary's */
    char *cn_main = NULL, *cn_auto = NULL;
    if (!own) {
        struct local_conf clone;
        local_conf_read(&clone, ln->datadir);
        cn_main =
            clone.text[CONF_MAIN] ? local_guc_get(clone.text[CONF_MAIN], "cluster_name") : NULL;
        cn_auto =
            clone.text[CONF_AUTO] ? local_guc_get(clone.text[CONF_AUTO], "cluster_name") : NULL;
        local_conf_free(&clone);
    }
    struct standby_conf sc = {p.conninfo, p.slot, p.port,
                              (cn_main && cn_main[0]) || (cn_auto && cn_auto[0]) ? name : NULL};
    free(cn_main);
    free(cn_auto);
    ok = local_make_standby(a, ln, own, &sc, err, errlen) && local_start(a, ln, err, errlen) &&
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

/* ----- the command ----- */

/* Refusals that need nothing but the disk: tablespaces, a mount point, too little space. */
static bool check_disk(struct action *a, const struct local_node *ln, const struct node_conf *pc,
                       bool exists, char *err, size_t errlen)
{
    char path[PATH_MAX + 32], parent[PATH_MAX];
    str_copy(parent, sizeof parent, ln->datadir);
    dirname(parent);
    if (exists) {
        str_printf(path, sizeof path, "%s/pg_tblspc", ln->datadir);
        DIR *d = opendir(path);
        struct dirent *e;
        int spaces = 0;
        while (d && (e = readdir(d)))
            spaces += e->d_name[0] != '.';
        if (d)
            closedir(d);
        if (spaces) {
            str_printf(err, errlen,
                       "%s uses %d tablespace(s): their directories would need "
                       "pg_basebackup --tablespace-mapping, which resync does not do",
                       ln->conf->name, spaces);
            return false;
        }
        struct stat sd, sp;
        if (stat(ln->datadir, &sd) == 0 && stat(parent, &sp) == 0 && sd.st_dev != sp.st_dev) {
            str_printf(err, errlen,
                       "%s is a mount point: it cannot be renamed aside (resync keeps the old "
                       "directory); use a data directory below the mount point",
                       ln->datadir);
            return false;
        }
        str_printf(path, sizeof path, "%s/pg_wal", ln->datadir);
        if (lstat(path, &sd) == 0 && S_ISLNK(sd.st_mode))
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
    struct statvfs vfs;
    if (!size || statvfs(parent, &vfs) != 0) {
        action_warn(a, "cannot compare the primary's size with the free space in %s", parent);
        free(size);
        return true;
    }
    long long need = atoll(size) + 64LL * 1024 * 1024;
    long long avail = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
    free(size);
    char need_s[32], avail_s[32];
    format_bytes(need, need_s, sizeof need_s);
    format_bytes(avail, avail_s, sizeof avail_s);
    if (avail < need) {
        str_printf(err, errlen,
                   "not enough space in %s: %s free, the copy of %s needs about %s (the old "
                   "directory is kept, so both must fit)",
                   parent, avail_s, pc->name, need_s);
        return false;
    }
    action_ok(a, "the copy needs about %s; %s free in %s", need_s, avail_s, parent);
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

/* What the command line gave. */
struct resync_args {
    bool new_replica;       /* --new */
    const char *port;       /* --port, checked by check_args */
    struct newnode_args nn; /* --port --datadir --host: a node not in the config yet */
};

/* Resyncs nc, or builds it with --new; adding: nc is not in the config yet (its entry is
 * added once the checks passed and the operator confirmed). */
static int resync_conf(struct action *a, struct node_conf *nc, bool new_replica, bool adding)
{
    char name[CONFIG_NAME_LEN];
    str_copy(name, sizeof name, nc->name);
    char err[1500];
    struct local_node ln;
    if (!local_node_init(&ln, nc, a->cfg, new_replica, err, sizeof err)) {
        if (!new_replica && nc->datadir && access(nc->datadir, F_OK) != 0 && errno == ENOENT)
            return action_fail(a,
                               "%s: no data directory at %s; to create a new replica there: "
                               "repltop resync %s --new",
                               name, nc->datadir, name);
        return action_fail(a, "cannot resync %s: %s", name, err);
    }
    bool exists = local_datadir_exists(&ln) && !dir_is_empty(ln.datadir);
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
    printf("done: %s streams from %s\n", name, primary->name);
    fflush(stdout);
    return 0;
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

static void on_opt(int opt, const char *arg, void *ctx)
{
    struct resync_args *ra = ctx;
    if (opt == 'N')
        ra->new_replica = true;
    else if (opt == 'P')
        ra->port = arg;
    else if (opt == 'D')
        ra->nn.datadir = arg;
    else if (opt == 'H')
        ra->nn.host = arg;
}

/* The new-replica options make sense only together, with --new. */
static int check_args(struct action_call *call)
{
    struct resync_args *ra = call->opts;
    if (ra->port) {
        char *end;
        long port = strtol(ra->port, &end, 10);
        if (!*ra->port || *end || port < 1 || port > 65535) {
            fprintf(stderr, "repltop: --port must be a number from 1 to 65535, not \"%s\"\n",
                    ra->port);
            return 3;
        }
        ra->nn.port = (int)port;
    }
    if (newnode_given(&ra->nn) && !ra->new_replica) {
        fprintf(stderr, "repltop: --port, --datadir and --host are for a new replica: add --new\n");
        return 3;
    }
    if (ra->nn.datadir && ra->nn.datadir[0] != '/') {
        fprintf(stderr, "repltop: --datadir must be an absolute path, not \"%s\"\n",
                ra->nn.datadir);
        return 3;
    }
    if (ra->nn.host && !ra->nn.host[0]) {
        fprintf(stderr, "repltop: --host is empty\n");
        return 3;
    }
    return -1;
}

static int run(struct action *a, const struct action_call *call)
{
    bool caught = local_signals_catch();
    int rc = resync(a, call->args[0], call->opts);
    if (caught)
        local_signals_restore();
    return rc;
}

static const struct option resync_options[] = {{"new", no_argument, NULL, 'N'},
                                               {"port", required_argument, NULL, 'P'},
                                               {"datadir", required_argument, NULL, 'D'},
                                               {"host", required_argument, NULL, 'H'},
                                               {NULL, 0, NULL, 0}};

static const struct action_cmd resync_cmd = {
    .name = "resync",
    .usage = resync_usage,
    .nargs = 1,
    .takes = "one NODE",
    .extra = resync_options,
    .on_extra = on_opt,
    .check = check_args,
    .run = run,
};

int cmd_resync(int argc, char **argv, const char *config_path)
{
    struct resync_args ra = {0};
    return action_main(argc, argv, config_path, &resync_cmd, &ra);
}
