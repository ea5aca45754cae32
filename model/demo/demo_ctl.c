/* demo_ctl: the commands on a demo that was built: start what is stopped (`demo up` again),
 * `demo down` (stop what runs, optionally delete the directory) and `demo status`. All work on
 * whatever state a failover drill left: a node stopped, killed or promoted away. */
#include "model/demo/demo.h"
#include "model/local/local_server.h"
#include "model/base/util.h"

#include <errno.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <stdio.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_demo_dir(const struct demo *d)
{
    char marker[PATH_MAX + 16];
    str_printf(marker, sizeof marker, "%s/.repltop-demo", d->dir);
    return access(d->conf, F_OK) == 0 || access(marker, F_OK) == 0;
}

/* nftw gives its callback no context: the first failure is kept here. */
static char purge_failure[PATH_MAX + 128];

static int purge_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == 0)
        return 0;
    str_printf(purge_failure, sizeof purge_failure, "cannot remove %s: %s", path, strerror(errno));
    return 1;
}

/* The role of a running node: pg_is_in_recovery() over libpq. */
static enum demo_role node_role(const struct demo *d, int i, char *err, size_t errlen)
{
    PGconn *conn = demo_connect(d, i, "postgres", err, errlen);
    if (!conn)
        return DEMO_ROLE_UNKNOWN;
    enum demo_role role = DEMO_ROLE_UNKNOWN;
    PGresult *res = PQexec(conn, "SELECT pg_is_in_recovery()");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        role = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? DEMO_ROLE_STANDBY : DEMO_ROLE_PRIMARY;
    } else {
        str_printf(err, errlen, "%s: %s", d->nodes[i].name, PQerrorMessage(conn));
        err[strcspn(err, "\n")] = '\0'; /* err is the caller's, unset when all went well */
    }
    PQclear(res);
    PQfinish(conn);
    return role;
}

static bool has_standby_signal(const struct demo *d, int i)
{
    char path[PATH_MAX + 32];
    str_printf(path, sizeof path, "%s/standby.signal", d->nodes[i].datadir);
    return access(path, F_OK) == 0;
}

/* The timeline of a stopped node's last checkpoint (pg_controldata), -1 if unknown. */
static long stopped_timeline(const struct demo *d, int i)
{
    struct node_conf nc;
    struct local_node ln;
    demo_local(d, d->nodes[i].name, d->nodes[i].datadir, &nc, &ln);
    int tli;
    long seg_size;
    local_controldata(&ln, &tli, &seg_size);
    return tli;
}

/* Stopped nodes without standby.signal come up as primaries. After a failover drill that may be
 * the old primary next to the promoted standby: start at most one primary — the running one,
 * else the one on the newest timeline — and refuse the others (split brain). */
static void refuse_second_primaries(const struct demo *d, const bool *running, bool *refuse)
{
    int leader = -1, candidates = 0;
    char why[256];
    for (int i = 0; i < DEMO_NODES; i++)
        if (running[i] && leader < 0 && node_role(d, i, why, sizeof why) == DEMO_ROLE_PRIMARY)
            leader = i;
    long tli[DEMO_NODES], best = -1;
    bool tie = false;
    for (int i = 0; i < DEMO_NODES; i++) {
        refuse[i] = false;
        tli[i] = -1;
        if (running[i] || !demo_node_exists(d, i) || has_standby_signal(d, i))
            continue;
        candidates++;
        tli[i] = stopped_timeline(d, i);
        tie |= tli[i] == best;
        if (tli[i] > best) {
            best = tli[i];
            tie = false;
        }
    }
    if (leader < 0 && candidates <= 1)
        return;
    for (int i = 0; i < DEMO_NODES; i++) {
        if (running[i] || !demo_node_exists(d, i) || has_standby_signal(d, i))
            continue;
        if (leader < 0 && !tie && tli[i] == best) {
            leader = i;
            continue;
        }
        refuse[i] = true;
    }
}

bool demo_start_stopped(struct demo *d, char *err, size_t errlen)
{
    demo_read_ports(d);
    bool running[DEMO_NODES], refuse[DEMO_NODES];
    for (int i = 0; i < DEMO_NODES; i++)
        running[i] = demo_node_exists(d, i) && demo_node_running(d, i);
    refuse_second_primaries(d, running, refuse);
    int failed = 0;
    for (int i = 0; i < DEMO_NODES; i++) {
        const struct demo_node *nd = &d->nodes[i];
        char why[1024];
        bool ok = true;
        if (!demo_node_exists(d, i)) {
            demo_say(d, "%s: no data directory at %s; skipped", nd->name, nd->datadir);
        } else if (running[i]) {
            demo_say(d, "%s: already running (port %d)", nd->name, nd->port);
        } else if (refuse[i]) {
            str_printf(why, sizeof why,
                       "%s: not started: without standby.signal it would be a second primary "
                       "(split brain); make it a standby of the current primary first "
                       "(repltop rejoin %s)",
                       nd->name, nd->name);
            ok = false;
        } else if (demo_node_start(d, i, why, sizeof why)) {
            demo_say(d, "%s: started (port %d)", nd->name, nd->port);
        } else {
            ok = false;
        }
        if (!ok) {
            demo_say(d, "%s", why);
            if (!failed++)
                str_copy(err, errlen, why);
        }
    }
    return failed == 0;
}

/* A data directory under DIR that is not one of the three (a replica added with `a` or
 * `resync --new`): stopped too, so that down stops everything and --purge never removes a
 * directory a server still runs in. Returns the number that could not be stopped. */
static int stop_extra_datadirs(struct demo *d, int *found, char *err, size_t errlen)
{
    DIR *dir = opendir(d->dir);
    if (!dir)
        return 0;
    int failed = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        char sub[PATH_MAX], probe[PATH_MAX + 16];
        bool known = false;
        for (int i = 0; i < DEMO_NODES; i++)
            known |= strcmp(e->d_name, d->nodes[i].name) == 0;
        str_printf(sub, sizeof sub, "%s/%s", d->dir, e->d_name);
        str_printf(probe, sizeof probe, "%s/PG_VERSION", sub);
        if (known || e->d_name[0] == '.' || access(probe, F_OK) != 0)
            continue;
        (*found)++;
        char why[1024];
        struct node_conf nc;
        struct local_node ln;
        demo_local(d, e->d_name, sub, &nc, &ln);
        bool kept = strstr(e->d_name, ".repltop-") != NULL; /* resync or rejoin kept it aside */
        if (!local_running(&ln)) {
            demo_say(d,
                     kept ? "%s: kept aside by a resync or rejoin (not a node)" : "%s: not running",
                     e->d_name);
            continue;
        }
        struct progress pr = demo_progress(d);
        if (local_stop(&pr, &ln, why, sizeof why)) {
            demo_say(d, "%s: stopped", e->d_name);
        } else {
            failed++;
            str_copy(err, errlen, why);
        }
    }
    closedir(dir);
    return failed;
}

bool demo_down(struct demo *d, bool purge, char *err, size_t errlen)
{
    struct stat st;
    if (stat(d->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        str_printf(err, errlen, "%s: no demo cluster here", d->dir);
        return false;
    }
    int found = 0, failed = 0;
    for (int i = 0; i < DEMO_NODES; i++) {
        if (!demo_node_exists(d, i))
            continue;
        found++;
        if (!demo_node_running(d, i)) {
            demo_say(d, "%s: not running", d->nodes[i].name);
            continue;
        }
        char why[512];
        if (demo_node_stop(d, i, why, sizeof why)) {
            demo_say(d, "%s: stopped", d->nodes[i].name);
        } else if (!demo_node_running(d, i)) {
            /* pg_ctl says "server does not shut down" when it was dying anyway (SIGKILL). */
            demo_say(d, "%s: not running (it had died)", d->nodes[i].name);
        } else {
            failed++;
            str_copy(err, errlen, why);
        }
    }
    failed += stop_extra_datadirs(d, &found, err, errlen);
    if (failed)
        return false;
    if (!purge) {
        if (found == 0 && !is_demo_dir(d)) {
            str_printf(err, errlen, "%s: no demo cluster here", d->dir);
            return false;
        }
        if (found)
            demo_say(d, "data kept in %s (`repltop demo up --dir %s` starts it again)", d->dir,
                     d->dir);
        return true;
    }
    if (!is_demo_dir(d)) {
        str_printf(err, errlen,
                   "%s: not removed: neither repltop.conf nor .repltop-demo is there, so the "
                   "demo did not make this directory",
                   d->dir);
        return false;
    }
    purge_failure[0] = '\0';
    if (nftw(d->dir, purge_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0) {
        str_copy(err, errlen, purge_failure[0] ? purge_failure : "could not remove the demo");
        return false;
    }
    demo_say(d, "removed %s", d->dir);
    return true;
}

bool demo_status(struct demo *d, struct demo_node_status st[DEMO_NODES], char *err, size_t errlen)
{
    int found = 0;
    demo_read_ports(d);
    for (int i = 0; i < DEMO_NODES; i++) {
        struct demo_node_status *s = &st[i];
        memset(s, 0, sizeof *s);
        s->exists = demo_node_exists(d, i);
        if (!s->exists)
            continue;
        found++;
        s->running = demo_node_running(d, i);
        if (!s->running)
            continue;
        s->role = node_role(d, i, s->error, sizeof s->error);
    }
    if (found == 0) {
        str_printf(err, errlen, "%s: no demo cluster here (`repltop demo up --dir %s` makes one)",
                   d->dir, d->dir);
        return false;
    }
    return true;
}
