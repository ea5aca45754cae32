/* manager: the HA manager that runs a node, and the way forward an action is refused with
 * (manager.h). */
#include "model/watch/manager.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

/* pg_auto_failover names every standby's stream, slot and sync entry this way, N its node id */
#define AF_PREFIX "pgautofailover_standby_"

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool positive(int64_t v)
{
    return num_known(v) && v > 0;
}

static void add_mark(struct node_manager *m, const char *what)
{
    size_t len = strlen(m->marks);
    str_printf(m->marks + len, sizeof m->marks - len, "%s%s", len ? ", " : "", what);
}

static bool decide_patroni(const struct manager_marks *mk, struct node_snap *n)
{
    struct node_manager *m = &n->manager;
    bool conf = mk->config_head && strstr(mk->config_head, "overwritten by Patroni");
    if (!positive(mk->patroni_sessions) && !conf)
        return false;
    m->kind = MANAGER_PATRONI;
    m->agent = num_known(mk->patroni_sessions) ? mk->patroni_sessions > 0 : -1;
    str_copy(m->scope, sizeof m->scope, mk->cluster_name);
    /* Patroni's standbys stream under their member name (its primary_conninfo) */
    if (n->role == ROLE_STANDBY)
        str_copy(m->member, sizeof m->member, n->application_name);
    if (positive(mk->patroni_sessions))
        add_mark(m, "Patroni's session");
    if (conf)
        add_mark(m, "postgresql.conf written by Patroni");
    return true;
}

/* pg_auto_failover's name on this node's stream, one of its slots or its sync list. */
static bool autofailover_names(const struct node_snap *n)
{
    if (starts_with(n->application_name, AF_PREFIX) ||
        strstr(n->synchronous_standby_names, AF_PREFIX))
        return true;
    for (int i = 0; i < n->nslots; i++)
        if (starts_with(n->slots[i].name, AF_PREFIX))
            return true;
    return false;
}

static bool decide_autofailover(const struct manager_marks *mk, struct node_snap *n)
{
    struct node_manager *m = &n->manager;
    bool names = autofailover_names(n);
    if (mk->autofailover_monitor != 1 && mk->autofailover_role != 1 && !names &&
        !positive(mk->autofailover_sessions))
        return false;
    m->kind = MANAGER_AUTOFAILOVER;
    /* the monitor checks its nodes in short sessions: not seeing one says nothing */
    m->agent = positive(mk->autofailover_sessions) ? 1 : -1;
    if (mk->autofailover_monitor == 1) {
        str_copy(m->member, sizeof m->member, "monitor");
        add_mark(m, "the pg_auto_failover database (its monitor)");
    }
    if (starts_with(n->application_name, AF_PREFIX)) {
        char *end;
        long id = strtol(n->application_name + strlen(AF_PREFIX), &end, 10);
        if (*end == '\0' && id > 0 && id < 0x7fffffff)
            m->node_id = (int)id;
    }
    if (names)
        add_mark(m, "its pgautofailover_standby_* names");
    if (mk->autofailover_role == 1)
        add_mark(m, "role pgautofailover_replicator");
    if (positive(mk->autofailover_sessions))
        add_mark(m, "its monitor's session");
    return true;
}

static bool decide_repmgr(const struct manager_marks *mk, struct node_snap *n)
{
    struct node_manager *m = &n->manager;
    bool preload = mk->preload_libraries && strstr(mk->preload_libraries, "repmgr");
    if (!mk->repmgr_extension && !positive(mk->repmgr_sessions) && mk->repmgr_database != 1 &&
        !preload)
        return false;
    m->kind = MANAGER_REPMGR;
    m->agent = num_known(mk->repmgr_sessions) ? mk->repmgr_sessions > 0 : -1;
    /* repmgr's standbys stream under their node_name (standby clone writes it) */
    if (n->role == ROLE_STANDBY)
        str_copy(m->member, sizeof m->member, n->application_name);
    if (mk->repmgr_extension)
        add_mark(m, "the repmgr extension");
    if (mk->repmgr_database == 1)
        add_mark(m, "the repmgr database");
    if (preload)
        add_mark(m, "repmgr in shared_preload_libraries");
    if (positive(mk->repmgr_sessions))
        add_mark(m, "repmgr's session");
    return true;
}

void manager_decide(const struct manager_marks *mk, struct node_snap *n)
{
    memset(&n->manager, 0, sizeof n->manager);
    n->manager.checked = true;
    n->manager.node_id = -1;
    n->manager.agent = -1;
    if (!decide_patroni(mk, n) && !decide_autofailover(mk, n) && !decide_repmgr(mk, n))
        n->manager.kind = MANAGER_NONE;
}

const char *manager_name(enum manager_kind k)
{
    switch (k) {
    case MANAGER_PATRONI:
        return "Patroni";
    case MANAGER_REPMGR:
        return "repmgr";
    case MANAGER_AUTOFAILOVER:
        return "pg_auto_failover";
    default:
        return "";
    }
}

const char *manager_key(enum manager_kind k)
{
    switch (k) {
    case MANAGER_PATRONI:
        return "patroni";
    case MANAGER_REPMGR:
        return "repmgr";
    case MANAGER_AUTOFAILOVER:
        return "pg_auto_failover";
    default:
        return "none";
    }
}

enum manager_kind manager_from_key(const char *key)
{
    for (int k = MANAGER_PATRONI; k <= MANAGER_AUTOFAILOVER; k++)
        if (key && strcmp(key, manager_key((enum manager_kind)k)) == 0)
            return (enum manager_kind)k;
    return MANAGER_NONE;
}

void manager_describe(const struct node_manager *m, char *buf, size_t n)
{
    if (m->kind == MANAGER_PATRONI && m->scope[0])
        str_printf(buf, n, "Patroni (scope %s)", m->scope);
    else if (m->node_id > 0)
        str_printf(buf, n, "%s (node %d)", manager_name(m->kind), m->node_id);
    else
        str_copy(buf, n, manager_name(m->kind));
}

const struct node_snap *manager_running(const struct snapshot *s, const char *node)
{
    const struct node_snap *t = s && node && *node ? snapshot_find(s, node) : NULL;
    if (t && t->manager.kind != MANAGER_NONE)
        return t;
    for (int i = 0; s && i < s->nnodes; i++)
        if (s->nodes[i].manager.kind != MANAGER_NONE)
            return &s->nodes[i];
    return NULL;
}

/* The manager's name for the node an action is about: its member name when known, else the
 * name it streams as, else repltop's. */
static const char *member_of(const struct snapshot *s, const char *node)
{
    const struct node_snap *t = s && node && *node ? snapshot_find(s, node) : NULL;
    if (t && t->manager.member[0])
        return t->manager.member;
    if (t && t->application_name[0])
        return t->application_name;
    return node && *node ? node : "MEMBER";
}

static bool is(const char *verb, const char *v)
{
    return strcmp(verb, v) == 0;
}

/* Patroni's way for each action; scope and member as patronictl takes them. */
static bool patroni_way(const char *verb, const char *scope, const char *member, char *buf,
                        size_t n)
{
    const char *rest = "or give repltop its REST API with `patroni = URL`";
    if (is(verb, "promote"))
        str_printf(buf, n, "use `patronictl failover %s --candidate %s`, %s", scope, member, rest);
    else if (is(verb, "switchover"))
        str_printf(buf, n, "use `patronictl switchover %s`, %s", scope, rest);
    else if (is(verb, "sync set"))
        str_printf(buf, n,
                   "Patroni owns the sync list: use `patronictl edit-config %s` "
                   "(synchronous_mode, synchronous_node_count)",
                   scope);
    else if (is(verb, "resync"))
        str_printf(buf, n, "use `patronictl reinit %s %s`, %s", scope, member, rest);
    else if (is(verb, "rejoin"))
        str_printf(buf, n,
                   "Patroni rejoins an old primary itself (use_pg_rewind); if it cannot, "
                   "`patronictl reinit %s %s`",
                   scope, member);
    else if (is(verb, "new replica"))
        str_printf(buf, n, "start a Patroni with scope %s on the new node: it clones it", scope);
    else
        return false;
    return true;
}

static bool repmgr_way(const char *verb, char *buf, size_t n)
{
    if (is(verb, "promote"))
        str_copy(buf, n,
                 "use `repmgr standby promote` on its host (`repmgr standby "
                 "switchover` while the primary runs)");
    else if (is(verb, "switchover"))
        str_copy(buf, n, "use `repmgr standby switchover` on the new primary's host");
    else if (is(verb, "resync"))
        str_copy(buf, n,
                 "use `repmgr standby clone --force` then `repmgr standby register "
                 "--force` on its host");
    else if (is(verb, "rejoin"))
        str_copy(buf, n, "use `repmgr node rejoin --force-rewind` on its host");
    else if (is(verb, "new replica"))
        str_copy(buf, n,
                 "use `repmgr standby clone` then `repmgr standby register` on the new "
                 "node's host");
    else
        return false; /* repmgr leaves synchronous_standby_names to the operator */
    return true;
}

static bool autofailover_way(const char *verb, char *buf, size_t n)
{
    if (is(verb, "promote"))
        str_copy(buf, n,
                 "use `pg_autoctl perform promotion` on its host (its monitor promotes "
                 "it)");
    else if (is(verb, "switchover"))
        str_copy(buf, n, "use `pg_autoctl perform switchover`");
    else if (is(verb, "sync set"))
        str_copy(buf, n,
                 "pg_auto_failover sets the sync list itself: use `pg_autoctl set "
                 "formation number-sync-standbys N` or `pg_autoctl set node "
                 "replication-quorum`");
    else if (is(verb, "resync"))
        str_copy(buf, n,
                 "its keeper rebuilds it; to start over, `pg_autoctl drop node` then "
                 "`pg_autoctl create postgres` on its host");
    else if (is(verb, "rejoin"))
        str_copy(buf, n, "its keeper (`pg_autoctl run`) brings an old primary back itself");
    else if (is(verb, "new replica"))
        str_copy(buf, n, "use `pg_autoctl create postgres --monitor URI` on the new node's host");
    else
        return false;
    return true;
}

const char *manager_refusal(const struct snapshot *s, const char *verb, const char *node, char *buf,
                            size_t n)
{
    const struct node_snap *by = manager_running(s, node);
    if (!by || !verb)
        return NULL;
    const struct node_manager *m = &by->manager;
    char way[400];
    bool refused = false;
    if (m->kind == MANAGER_PATRONI)
        refused = patroni_way(verb, m->scope[0] ? m->scope : "SCOPE", member_of(s, node), way,
                              sizeof way);
    else if (m->kind == MANAGER_REPMGR)
        refused = repmgr_way(verb, way, sizeof way);
    else if (m->kind == MANAGER_AUTOFAILOVER)
        refused = autofailover_way(verb, way, sizeof way);
    if (!refused)
        return NULL;
    char who[NAME_LEN + 32];
    manager_describe(m, who, sizeof who);
    if (node && *node && strcmp(by->name, node) == 0)
        str_printf(buf, n, "%s is run by %s: %s", node, who, way);
    else
        str_printf(buf, n, "the cluster is run by %s, seen on %s: %s", who, by->name, way);
    return buf;
}
