/* local_newnode: the config entry of a new replica and the checks made before it is written.
 *
 * The new node's monitoring conninfo is the primary's with host and port replaced: the same
 * user, database and options, and the same way of logging in. A password written in the
 * primary's conninfo is not copied (the config never gets one from repltop); a passfile or a
 * service keeps working when it covers the new port, which is checked before anything is
 * written, since repltop could not watch a node it cannot log in to. */
#include "model/ops/local_newnode.h"
#include "model/pg/conninfo.h"
#include "model/base/localport.h"
#include "model/pg/pgpass.h"
#include "model/base/util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool newnode_given(const struct newnode_args *na)
{
    return na->port > 0 || na->datadir || na->host;
}

void newnode_free(struct node_conf *nc)
{
    if (nc->conninfo)
        explicit_bzero(nc->conninfo, strlen(nc->conninfo));
    free(nc->conninfo);
    free(nc->datadir);
    free(nc->bindir);
    memset(nc, 0, sizeof *nc);
}

/* A path without its trailing slashes, into out. */
static void trim_path(const char *path, char *out, size_t n)
{
    str_copy(out, n, path);
    for (size_t len = strlen(out); len > 1 && out[len - 1] == '/'; len--)
        out[len - 1] = '\0';
}

static int conf_port(const struct node_conf *n)
{
    char port[16];
    if (n->port > 0)
        return n->port;
    return conninfo_get(n->conninfo, "port", port, sizeof port) ? atoi(port) : -1;
}

bool newnode_same(const struct node_conf *nc, const struct newnode_args *na, char *err,
                  size_t errlen)
{
    char want[PATH_MAX], have[PATH_MAX], host[256] = "";
    trim_path(na->datadir ? na->datadir : "", want, sizeof want);
    trim_path(nc->datadir ? nc->datadir : "", have, sizeof have);
    conninfo_get(nc->conninfo, "host", host, sizeof host);
    const char *differs = na->port > 0 && na->port != conf_port(nc) ? "port"
                          : na->datadir && strcmp(want, have) != 0  ? "datadir"
                          : na->host && strcmp(na->host, host) != 0 ? "host"
                                                                    : NULL;
    if (!differs)
        return true;
    char port[16] = "none";
    if (conf_port(nc) > 0)
        str_printf(port, sizeof port, "%d", conf_port(nc));
    str_printf(err, errlen,
               "%s is in the config already, with another %s (datadir %s, port %s, host %s): "
               "choose another name, or build it as configured with: repltop resync %s --new",
               nc->name, differs, have[0] ? have : "none", port, host[0] ? host : "default",
               nc->name);
    return false;
}

/* The directory: absolute, not another node's (nor inside one), absent or empty, with a
 * parent that exists. */
static bool check_dir(const struct config *cfg, const char *name, const char *dir, char *err,
                      size_t errlen)
{
    if (dir[0] != '/') {
        str_printf(err, errlen, "the data directory must be an absolute path, not %s", dir);
        return false;
    }
    for (int i = 0; i < cfg->nnodes; i++) {
        const struct node_conf *n = &cfg->nodes[i];
        char other[PATH_MAX];
        if (!n->datadir)
            continue;
        trim_path(n->datadir, other, sizeof other);
        size_t len = strlen(other);
        if (strcmp(other, dir) == 0) {
            str_printf(err, errlen, "%s is the data directory of %s", dir, n->name);
            return false;
        }
        if ((strncmp(dir, other, len) == 0 && dir[len] == '/') ||
            (strncmp(other, dir, strlen(dir)) == 0 && other[strlen(dir)] == '/')) {
            str_printf(err, errlen, "%s and %s, the data directory of %s, would overlap", dir,
                       other, n->name);
            return false;
        }
    }
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode) || !dir_is_empty(dir)) {
            str_printf(err, errlen,
                       "%s exists and is not an empty directory: a new replica needs a new or "
                       "empty one (choose another --datadir for %s)",
                       dir, name);
            return false;
        }
        return true;
    }
    char parent[PATH_MAX];
    str_copy(parent, sizeof parent, dir);
    dirname(parent);
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode)) {
        str_printf(err, errlen, "%s: its parent directory %s does not exist", dir, parent);
        return false;
    }
    return true;
}

/* The port: free in the config and on this host. */
static bool check_port(const struct config *cfg, int port, char *err, size_t errlen)
{
    for (int i = 0; i < cfg->nnodes; i++) {
        if (conf_port(&cfg->nodes[i]) == port) {
            str_printf(err, errlen, "port %d is the port of %s in %s", port, cfg->nodes[i].name,
                       cfg->path ? cfg->path : "the config");
            return false;
        }
    }
    char why[300];
    if (localport_taken(port, why, sizeof why)) {
        str_printf(err, errlen, "%s: choose another --port", why);
        return false;
    }
    return true;
}

static const char *opt_val(PQconninfoOption *opts, const char *key)
{
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0 && !str_empty(o->val))
            return o->val;
    return NULL;
}

/* repltop logs in to the primary as the config says; it must log in to the new node the same
 * way. A password in the primary's conninfo is not copied; one from a passfile is found only
 * when the passfile has a line for the new host and port. */
static bool check_login(struct action *a, const struct node_conf *primary, const char *conninfo,
                        int port, char *err, size_t errlen)
{
    char why[600];
    PGconn *c = action_connect(a, primary, why, sizeof why);
    if (!c) {
        str_printf(err, errlen, "cannot check how repltop logs in to %s: %s", primary->name, why);
        return false;
    }
    bool ok = true;
    if (PQconnectionUsedPassword(c)) {
        PQconninfoOption *opts = PQconninfo(c);
        char literal[8] = "";
        conninfo_get(primary->conninfo, "password", literal, sizeof literal);
        bool has_literal = literal[0] != '\0';
        explicit_bzero(literal, sizeof literal);
        const char *passfile = opt_val(opts, "passfile");
        char host[256] = "", portstr[16];
        if (!conninfo_get(conninfo, "host", host, sizeof host) || !host[0])
            if (!conninfo_get(conninfo, "hostaddr", host, sizeof host))
                str_copy(host, sizeof host, getenv("PGHOST"));
        str_printf(portstr, sizeof portstr, "%d", port);
        bool from_elsewhere = !has_literal && opt_val(opts, "password"); /* service, env */
        bool found = from_elsewhere || !str_empty(getenv("PGPASSWORD")) ||
                     pgpass_has_entry(passfile, host, portstr, PQdb(c), PQuser(c));
        if (!found && has_literal) {
            str_printf(err, errlen,
                       "%s's conninfo in %s holds its password, which repltop does not copy "
                       "into the config: put the password in a passfile (passfile=... or "
                       "~/.pgpass) or a service, then run again",
                       primary->name, a->cfg->path);
            ok = false;
        } else if (!found) {
            /* libpq fills the option from the conninfo, a service or PGPASSWORD only: this
             * password came from the passfile */
            str_printf(err, errlen,
                       "repltop logs in to %s with a password from %s, which has no line for "
                       "%s:%d (database %s, user %s), so it could not watch the new node: add "
                       "one like %s's (%s:%d:%s:%s:PASSWORD, or * for the port) and run again",
                       primary->name, passfile ? passfile : "the passfile",
                       host[0] ? host : "localhost", port, PQdb(c), PQuser(c), primary->name,
                       host[0] ? host : "localhost", port, PQdb(c), PQuser(c));
            ok = false;
        }
        PQconninfoFree(opts);
    }
    PQfinish(c);
    return ok;
}

bool newnode_plan(struct action *a, const char *name, const struct newnode_args *na,
                  const struct node_conf *primary, struct node_conf *nc, char *err, size_t errlen)
{
    memset(nc, 0, sizeof *nc);
    if (na->port <= 0 || !na->datadir) {
        str_printf(err, errlen,
                   "%s is not in %s: a new replica needs --port P and --datadir DIR to be added",
                   name, a->cfg->path);
        return false;
    }
    char dir[PATH_MAX];
    trim_path(na->datadir, dir, sizeof dir);
    str_copy(nc->name, sizeof nc->name, name);
    str_printf(nc->origin, sizeof nc->origin, "new node %s", name);
    nc->port = na->port;
    nc->datadir = xstrdup(dir);
    const char *bindir = primary->bindir;
    for (int i = 0; !bindir && i < a->cfg->nnodes; i++)
        bindir = a->cfg->nodes[i].bindir;
    nc->bindir = bindir ? xstrdup(bindir) : NULL;
    nc->conninfo = conninfo_for_node(primary->conninfo, na->host, na->port);
    if (!nc->conninfo) {
        str_printf(err, errlen,
                   "cannot make %s's conninfo from %s's: it does not parse, or names several "
                   "hosts (give --host)",
                   name, primary->name);
        return false;
    }
    return config_check_entry(name, nc->conninfo, nc->datadir, nc->port, nc->bindir, err, errlen) &&
           check_dir(a->cfg, name, dir, err, errlen) && check_port(a->cfg, na->port, err, errlen) &&
           check_login(a, primary, nc->conninfo, na->port, err, errlen);
}

bool newnode_add(struct action *a, const struct node_conf *nc, char *err, size_t errlen)
{
    char path[PATH_MAX];
    str_copy(path, sizeof path, a->cfg->path);
    action_step(a, "adding %s to %s", nc->name, path);
    if (!config_append_node(path, nc->name, nc->conninfo, nc->datadir, nc->port, nc->bindir, err,
                            errlen))
        return false;
    struct config fresh;
    config_init(&fresh);
    if (!config_load_file(&fresh, path, err, errlen) || !config_validate(&fresh, err, errlen)) {
        config_done(&fresh);
        return false;
    }
    config_done(a->cfg);
    *a->cfg = fresh;
    action_ok(a, "%s is in %s now ([nodes] and [node %s]); %d nodes", nc->name, path, nc->name,
              a->cfg->nnodes);
    action_refresh(a);
    return true;
}
