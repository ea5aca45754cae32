/* local_node: resolving a local node — its data directory, PostgreSQL's programs, its owner. */
#include "model/local/local_node.h"
#include "model/base/proc.h"
#include "model/base/util.h"

#include <errno.h>
#include <libgen.h>
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
    if (geteuid() == 0) {
        ln->run_as = ln->owner;
    } else if (geteuid() != ln->uid) {
        str_printf(err, errlen, "%s: %s belongs to %s: run repltop as %s or as root", conf->name,
                   ln->datadir, ln->owner, ln->owner);
        return false;
    }
    return true;
}
