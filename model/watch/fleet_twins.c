/* fleet_twins: one cluster configured twice (fleet_twins.h). */
#include "model/watch/fleet_twins.h"
#include "model/watch/derive.h"
#include "model/base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* host:port with the host in lower case and every loopback name as one, so that two spellings
 * derive_same_addr takes for one address hash alike. */
static uint64_t addr_key(const char *target)
{
    const char *colon = strrchr(target, ':');
    char host[128];
    str_copy(host, sizeof host, target);
    if (colon)
        host[colon - target] = '\0';
    for (char *p = host; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
        str_copy(host, sizeof host, "127.0.0.1");
    return fnv(fnv(fnv(14695981039346656037ULL, "addr "), host), colon ? colon : "");
}

static bool answered(const struct node_snap *n)
{
    return n->reach == REACH_OK && n->system_identifier[0];
}

uint64_t *twin_keys(const struct snapshot *s, int *n)
{
    uint64_t *k = xcalloc((size_t)(2 * s->nnodes + 1), sizeof *k);
    int c = 0;
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *nd = &s->nodes[i];
        if (answered(nd)) {
            uint64_t h = fnv(fnv(14695981039346656037ULL, "sysid "), nd->system_identifier);
            bool seen = false;
            for (int j = 0; j < c && !seen; j++)
                seen = k[j] == h;
            if (!seen)
                k[c++] = h;
        }
        if (nd->target[0])
            k[c++] = addr_key(nd->target);
    }
    *n = c;
    return k;
}

bool twin_keys_meet(const uint64_t *a, int na, const uint64_t *b, int nb)
{
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (a[i] == b[j])
                return true;
    return false;
}

static void add(struct snapshot *s, const struct config *cfg, const char *msg)
{
    int sev = config_severity_for(cfg, "duplicate_cluster", NULL);
    enum severity level = sev >= 0 ? (enum severity)sev : SEV_WARNING;
    snapshot_add_problem(s, level, "duplicate_cluster", "", "%s", msg);
    if (level > s->health)
        s->health = level;
}

bool twin_check(struct snapshot *s, const struct config *cfg, const struct snapshot *o,
                const char *oname, const char *opath)
{
    const char *mine = cfg && cfg->path ? cfg->path : "no file",
               *theirs = opath ? opath : "no file";
    char msg[ERROR_LEN];
    for (int i = 0; i < s->nnodes; i++) /* the same system identifier: the same cluster */
        for (int j = 0; answered(&s->nodes[i]) && j < o->nnodes; j++)
            if (answered(&o->nodes[j]) &&
                strcmp(s->nodes[i].system_identifier, o->nodes[j].system_identifier) == 0) {
                str_printf(msg, sizeof msg,
                           "one cluster in two files: %s and %s (cluster %s), both system "
                           "identifier %s (configured twice, or one a copy)",
                           mine, theirs, oname, s->nodes[i].system_identifier);
                add(s, cfg, msg);
                return true;
            }
    for (int i = 0; i < s->nnodes; i++) /* the same address, where nothing says otherwise */
        for (int j = 0; j < o->nnodes; j++) {
            const struct node_snap *a = &s->nodes[i], *b = &o->nodes[j];
            if (!derive_same_addr(a->target, b->target) ||
                (answered(a) && answered(b) &&
                 strcmp(a->system_identifier, b->system_identifier) != 0))
                continue;
            str_printf(msg, sizeof msg,
                       "one server in two files: %s (%s) in %s is node %s of cluster %s in %s",
                       a->name, a->target, mine, b->name, oname, theirs);
            add(s, cfg, msg);
            return true;
        }
    return false;
}
