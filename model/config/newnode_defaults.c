/* newnode_defaults: the suggestions of the new-replica form, from the config, the disk and
 * the ports of this host. */
#include "model/config/newnode_defaults.h"
#include "model/base/localport.h"
#include "model/base/util.h"
#include "model/pg/conninfo.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

int newnode_conf_port(const struct node_conf *n)
{
    char port[16];
    if (n->port > 0)
        return n->port;
    return conninfo_get(n->conninfo, "port", port, sizeof port) ? atoi(port) : -1;
}

bool newnode_dir_filled(const char *path)
{
    if (!path || !path[0])
        return false;
    DIR *d = opendir(path);
    if (!d)
        return false;
    closedir(d);
    return !dir_is_empty(path);
}

/* The path without trailing slashes ("/" stays). */
static void strip_slashes(char *out, size_t n, const char *path)
{
    str_copy(out, n, path);
    for (size_t len = strlen(out); len > 1 && out[len - 1] == '/'; len--)
        out[len - 1] = '\0';
}

/* A configured node with a data directory that does not exist yet or is empty. */
static bool unbuilt_node(const struct config *cfg, struct newnode_defaults *d)
{
    for (int i = 0; i < cfg->nnodes; i++) {
        const struct node_conf *n = &cfg->nodes[i];
        /* another host's directory is not looked at from here: such a node is built by
         * typing its name in the form */
        if (!n->datadir || !n->datadir[0] || n->ssh || newnode_dir_filled(n->datadir))
            continue;
        str_copy(d->name, sizeof d->name, n->name);
        d->port = newnode_conf_port(n);
        strip_slashes(d->datadir, sizeof d->datadir, n->datadir);
        return true;
    }
    return false;
}

/* The next name of the family of the node with the highest number ("replica1" when no name
 * ends in one), not the name of a configured node. */
static void next_name(const struct config *cfg, char *out, size_t n)
{
    char prefix[CONFIG_NAME_LEN] = "replica";
    int num = 0;
    for (int i = 0; i < cfg->nnodes; i++) {
        const char *name = cfg->nodes[i].name;
        size_t len = strlen(name), d = len;
        while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
            d--;
        if (d < len && d > 0 && atoi(name + d) >= num) {
            num = atoi(name + d);
            str_printf(prefix, sizeof prefix, "%.*s", (int)d, name);
        }
    }
    for (bool taken = true; taken;) {
        str_printf(out, n, "%s%d", prefix, ++num);
        taken = false;
        for (int i = 0; i < cfg->nnodes && !taken; i++)
            taken = strcmp(cfg->nodes[i].name, out) == 0;
    }
}

/* The first of 100 ports after the highest configured one (5433 when none says) that no node
 * of the config uses and nothing on this host holds; -1 when none is. */
static int next_port(const struct config *cfg)
{
    int highest = 0;
    for (int i = 0; i < cfg->nnodes; i++)
        if (newnode_conf_port(&cfg->nodes[i]) > highest)
            highest = newnode_conf_port(&cfg->nodes[i]);
    char why[300];
    int first = highest > 0 ? highest + 1 : 5433;
    for (int p = first; p <= 65535 && p < first + 100; p++) {
        bool used = false;
        for (int i = 0; i < cfg->nnodes && !used; i++)
            used = newnode_conf_port(&cfg->nodes[i]) == p;
        if (!used && !localport_taken(p, why, sizeof why))
            return p;
    }
    return -1;
}

void newnode_defaults_fill(const struct config *cfg, struct newnode_defaults *d)
{
    memset(d, 0, sizeof *d);
    d->port = -1;
    for (int i = 0; i < cfg->nnodes && !d->dir_of[0]; i++) {
        const char *dd = cfg->nodes[i].datadir;
        const char *slash = dd ? strrchr(dd, '/') : NULL;
        if (slash && slash > dd)
            str_printf(d->dir_of, sizeof d->dir_of, "%.*s", (int)(slash - dd), dd);
    }
    if (unbuilt_node(cfg, d))
        return;
    next_name(cfg, d->name, sizeof d->name);
    d->port = next_port(cfg);
    if (d->dir_of[0])
        str_printf(d->datadir, sizeof d->datadir, "%s/%s", d->dir_of, d->name);
}
