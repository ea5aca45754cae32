/* local_node: resolving a local node — its data directory, PostgreSQL's programs, its owner. */
#include "model/local/local_node.h"
#include "model/base/proc.h"
#include "model/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool owner_of(const char *path, uid_t *uid, gid_t *gid)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    *uid = st.st_uid;
    *gid = st.st_gid;
    return true;
}

bool local_datadir_exists(const struct local_node *ln)
{
    if (host_remote(&ln->host))
        return host_test(&ln->host, HOST_IS_DIR, ln->datadir);
    struct stat st;
    return stat(ln->datadir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Who a new data directory belongs to: its parent's owner, else the owner of another local
 * node's data directory (the parent may be root's, like /srv). */
static bool new_dir_owner(struct local_node *ln, const struct config *cfg)
{
    char parent[PATH_MAX];
    str_copy(parent, sizeof parent, ln->datadir);
    if (owner_of(dirname(parent), &ln->uid, &ln->gid) && ln->uid != 0)
        return true;
    for (int i = 0; i < cfg->nnodes; i++) {
        const struct node_conf *n = &cfg->nodes[i];
        if (n != ln->conf && n->datadir && owner_of(n->datadir, &ln->uid, &ln->gid) && ln->uid != 0)
            return true;
    }
    return false;
}

#define DEBIAN_ETC "/etc/postgresql"

/* data_directory = 'PATH' in a Debian cluster's postgresql.conf (a heap string, or NULL) */
static char *conf_data_directory(const char *path)
{
    FILE *f = fopen(path, "re");
    char line[PATH_MAX + 64], *found = NULL;
    while (f && fgets(line, sizeof line, f)) {
        char *p = line + strspn(line, " \t");
        if (strncmp(p, "data_directory", 14) != 0)
            continue;
        p += 14 + strspn(p + 14, " \t=");
        char quote = *p == '\'' ? *p++ : 0;
        size_t len = quote ? strcspn(p, "'") : strcspn(p, " \t#\n");
        free(found);
        p[len] = '\0';
        found = xstrdup(p);
    }
    if (f)
        fclose(f);
    return found;
}

/* spec: "pg_ctl", "pg_ctlcluster:15/main" or "systemd:postgresql@15-main" */
static bool service_parse(const char *spec, struct local_service *svc, char *err, size_t errlen)
{
    memset(svc, 0, sizeof *svc);
    const char *v;
    if (strcmp(spec, "pg_ctl") == 0)
        return true;
    if (strncmp(spec, "pg_ctlcluster:", 14) == 0) {
        v = spec + 14;
        const char *slash = strchr(v, '/');
        size_t vl = slash ? (size_t)(slash - v) : 0;
        if (!slash || vl == 0 || vl >= sizeof svc->version || !slash[1] ||
            strlen(slash + 1) >= sizeof svc->cluster || strchr(slash + 1, '/')) {
            str_printf(err, errlen,
                       "service pg_ctlcluster:VERSION/CLUSTER (like 15/main), not \"%s\"", spec);
            return false;
        }
        svc->kind = SVC_PG_CTLCLUSTER;
        str_printf(svc->version, sizeof svc->version, "%.*s", (int)vl, v);
        str_copy(svc->cluster, sizeof svc->cluster, slash + 1);
        return true;
    }
    if (strncmp(spec, "systemd:", 8) == 0 && spec[8] && strlen(spec + 8) < sizeof svc->unit &&
        spec[8] != '-') {
        svc->kind = SVC_SYSTEMD;
        str_copy(svc->unit, sizeof svc->unit, spec + 8);
        return true;
    }
    str_printf(err, errlen,
               "service must be pg_ctl, pg_ctlcluster:VERSION/CLUSTER or systemd:UNIT, not \"%s\"",
               spec);
    return false;
}

/* The Debian cluster (/etc/postgresql/VERSION/CLUSTER) whose data_directory is datadir. */
static bool debian_cluster(const char *datadir, struct local_service *svc)
{
    char want[PATH_MAX];
    if (!realpath(datadir, want))
        return false;
    DIR *vd = opendir(DEBIAN_ETC);
    struct dirent *v, *c;
    bool found = false;
    while (vd && !found && (v = readdir(vd))) {
        char vpath[PATH_MAX];
        str_printf(vpath, sizeof vpath, "%s/%s", DEBIAN_ETC, v->d_name);
        DIR *cd = v->d_name[0] == '.' ? NULL : opendir(vpath);
        while (cd && !found && (c = readdir(cd))) {
            char conf[PATH_MAX + 300], have[PATH_MAX];
            str_printf(conf, sizeof conf, "%s/%s/postgresql.conf", vpath, c->d_name);
            char *dd = c->d_name[0] == '.' ? NULL : conf_data_directory(conf);
            if (dd && realpath(dd, have) && strcmp(have, want) == 0 &&
                strlen(v->d_name) < sizeof svc->version &&
                strlen(c->d_name) < sizeof svc->cluster) {
                svc->kind = SVC_PG_CTLCLUSTER;
                str_copy(svc->version, sizeof svc->version, v->d_name);
                str_copy(svc->cluster, sizeof svc->cluster, c->d_name);
                str_printf(svc->source, sizeof svc->source, "detected: %s/%s/%s", DEBIAN_ETC,
                           v->d_name, c->d_name);
                found = true;
            }
            free(dd);
        }
        if (cd)
            closedir(cd);
    }
    if (vd)
        closedir(vd);
    return found;
}

/* ln->svc from [node NAME] service, else detected; a Debian cluster's server log is then
 * /var/log/postgresql/postgresql-VERSION-CLUSTER.log (ln->log). */
static bool service_resolve(struct local_node *ln, char *err, size_t errlen)
{
    struct local_service *svc = &ln->svc;
    memset(svc, 0, sizeof *svc);
    const char *spec = ln->conf->service;
    if (spec) {
        if (!service_parse(spec, svc, err, errlen))
            return false;
        str_printf(svc->source, sizeof svc->source, "[node %s] service", ln->conf->name);
    } else if (debian_cluster(ln->datadir, svc)) {
        /* under a running systemd, Debian's clusters are its units (postgresql@15-main) */
        struct stat st;
        if (stat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode)) {
            svc->kind = SVC_SYSTEMD;
            str_printf(svc->unit, sizeof svc->unit, "postgresql@%s-%s", svc->version, svc->cluster);
        }
    } else {
        str_copy(svc->source, sizeof svc->source, "default");
    }
    if (svc->kind == SVC_SYSTEMD && geteuid() != 0) {
        str_printf(err, errlen,
                   "%s is run by systemd (%s, %s): stopping or starting it needs root (run "
                   "repltop as root), or set [node %s] service = pg_ctl",
                   ln->conf->name, svc->unit, svc->source, ln->conf->name);
        return false;
    }
    if (svc->version[0] && svc->cluster[0])
        str_printf(ln->log, sizeof ln->log, "/var/log/postgresql/postgresql-%s-%s.log",
                   svc->version, svc->cluster);
    return true;
}

bool local_node_init(struct local_node *ln, struct node_conf *conf, const struct config *cfg,
                     bool missing_ok, char *err, size_t errlen)
{
    memset(ln, 0, sizeof *ln);
    ln->conf = conf;
    if (str_empty(conf->datadir)) {
        str_printf(err, errlen,
                   "%s has no datadir in the config: only a node whose data directory is on "
                   "this host, or on one reached with ssh, can be rebuilt (add [node %s] with "
                   "datadir = ... and, for another host, ssh = ...)",
                   conf->name, conf->name);
        return false;
    }
    if (conf->datadir[0] != '/') {
        str_printf(err, errlen, "%s: datadir must be an absolute path, not %s", conf->name,
                   conf->datadir);
        return false;
    }
    str_copy(ln->datadir, sizeof ln->datadir, conf->datadir);
    for (size_t n = strlen(ln->datadir); n > 1 && ln->datadir[n - 1] == '/'; n--)
        ln->datadir[n - 1] = '\0';
    str_printf(ln->log, sizeof ln->log, "%s.log", ln->datadir);
    host_init(&ln->host, conf);
    if (host_remote(&ln->host)) { /* its programs run as the user ssh logs in as */
        if (conf->bindir)
            str_copy(ln->bindir, sizeof ln->bindir, conf->bindir);
        return host_check_node(ln, missing_ok, err, errlen);
    }
    const char *bin = proc_pg_bindir(conf->bindir);
    if (!bin) {
        str_printf(err, errlen,
                   "%s: PostgreSQL's programs (pg_ctl) not found: set bindir in [node %s]",
                   conf->name, conf->name);
        return false;
    }
    str_copy(ln->bindir, sizeof ln->bindir, bin);
    /* without pg_ctl, "is it running?" has no answer: never guess that it is not */
    const char *progs[] = {"pg_ctl", "pg_basebackup", "pg_rewind", "pg_controldata"};
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", ln->bindir, progs[i]);
        if (access(path, X_OK) != 0) {
            str_printf(err, errlen, "%s: %s is missing (%s): set bindir in [node %s]", conf->name,
                       path, strerror(errno), conf->name);
            return false;
        }
    }

    struct stat st;
    if (stat(ln->datadir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            str_printf(err, errlen, "%s: %s is not a directory", conf->name, ln->datadir);
            return false;
        }
        ln->uid = st.st_uid;
        ln->gid = st.st_gid;
    } else if (errno == ENOENT && missing_ok) {
        if (!new_dir_owner(ln, cfg)) {
            str_printf(err, errlen,
                       "%s: cannot tell which user the new data directory %s should belong to "
                       "(its parent is root's and no other local node has a data directory): "
                       "create it empty, owned by the server's user",
                       conf->name, ln->datadir);
            return false;
        }
    } else {
        str_printf(err, errlen, "%s: no data directory at %s (%s)", conf->name, ln->datadir,
                   strerror(errno));
        return false;
    }
    if (ln->uid == 0) {
        str_printf(err, errlen,
                   "%s: %s belongs to root, and PostgreSQL refuses to run as root: it must "
                   "belong to the server's user",
                   conf->name, ln->datadir);
        return false;
    }
    struct passwd *pw = getpwuid(ln->uid);
    if (!pw) {
        str_printf(err, errlen, "%s: the owner (uid %ld) of %s has no user name", conf->name,
                   (long)ln->uid, ln->datadir);
        return false;
    }
    str_copy(ln->owner, sizeof ln->owner, pw->pw_name);
    if (!service_resolve(ln, err, errlen))
        return false;
    if (geteuid() == 0) {
        ln->run_as = ln->owner;
    } else if (geteuid() != ln->uid) {
        str_printf(err, errlen, "%s: %s belongs to %s: run repltop as %s or as root", conf->name,
                   ln->datadir, ln->owner, ln->owner);
        return false;
    }
    return true;
}
