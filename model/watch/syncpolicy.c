/* syncpolicy: the list a declared policy gives the primary, and whether the cluster meets it. */
#include "model/watch/syncpolicy.h"
#include "model/base/util.h"

#include <string.h>
#include <strings.h>

/* The name a node streams as: its application_name when the snapshot knows it, else its config
 * name. */
static const char *stream_name(const struct snapshot *s, const char *name)
{
    const struct node_snap *n = s ? snapshot_find(s, name) : NULL;
    return n && n->application_name[0] ? n->application_name : name;
}

bool syncpolicy_list(const char *policy, const struct config *c, const struct snapshot *s,
                     const char *primary, struct syncnames *out, char *err, size_t errlen)
{
    struct syncnames p;
    if (str_empty(policy)) {
        str_printf(err, errlen, "no sync policy is set");
        return false;
    }
    if (!syncnames_parse_policy(policy, &p, err, errlen))
        return false;
    if (p.nnames == 0) {
        /* every other configured node, in config order */
        for (int i = 0; i < c->nnodes && p.nnames < SYNC_MAX_NAMES; i++) {
            if (primary && strcmp(c->nodes[i].name, primary) == 0)
                continue;
            str_copy(p.names[p.nnames++], SYNC_NAME_LEN, stream_name(s, c->nodes[i].name));
        }
    } else if (primary) {
        const char *app = stream_name(s, primary);
        syncnames_remove(&p, primary);
        if (strcasecmp(app, primary) != 0)
            syncnames_remove(&p, app);
    }
    if (p.nnames == 0) {
        memset(&p, 0, sizeof p);
        p.method = SYNC_NONE;
    }
    *out = p;
    return true;
}

/* Whether entry (a name in the primary's list) names the node that want (a name in the
 * policy's list) stands for: its config name or its application_name. */
static bool same_node(const struct config *c, const struct snapshot *s, const char *want,
                      const char *entry)
{
    if (strcasecmp(want, entry) == 0)
        return true;
    for (int i = 0; i < c->nnodes; i++) {
        const char *name = c->nodes[i].name, *app = stream_name(s, name);
        if ((strcasecmp(want, name) == 0 || strcasecmp(want, app) == 0) &&
            (strcasecmp(entry, name) == 0 || strcasecmp(entry, app) == 0))
            return true;
    }
    return false;
}

/* Whether the primary's list is the policy's. A policy that names its standbys names their
 * order too; one that names none (FIRST 1) asks for that many of the other nodes, so a list of
 * the same nodes in another order keeps it just as well (the demo's FIRST 1 (walreceiversync,
 * walreceiver) meets `sync = FIRST 1` whatever the config's order). */
static bool lists_match(const struct config *c, const struct snapshot *s,
                        const struct syncnames *want, const struct syncnames *have, bool ordered)
{
    if (want->method != have->method || want->nnames != have->nnames)
        return false;
    if (want->method == SYNC_NONE)
        return true;
    if (want->num != have->num)
        return false;
    for (int i = 0; i < want->nnames; i++) {
        bool found = false;
        for (int j = ordered ? i : 0; j < (ordered ? i + 1 : have->nnames) && !found; j++)
            found = same_node(c, s, want->names[i], have->names[j]);
        if (!found)
            return false;
    }
    return true;
}

bool syncpolicy_check(const char *policy, const struct config *c, const struct snapshot *s,
                      char *why, size_t whylen)
{
    str_copy(why, whylen, "");
    const struct node_snap *p = s->primary[0] ? snapshot_find(s, s->primary) : NULL;
    if (str_empty(policy) || !p || p->reach != REACH_OK)
        return false;
    struct syncnames want, have;
    char err[300];
    struct syncnames declared;
    if (!syncpolicy_list(policy, c, s, p->name, &want, err, sizeof err) ||
        !syncnames_parse_policy(policy, &declared, err, sizeof err) ||
        !syncnames_parse(p->synchronous_standby_names, &have, NULL, 0))
        return false;
    if (!lists_match(c, s, &want, &have, declared.nnames > 0)) {
        char w[SYNCNAMES_FORMAT_MAX] = "";
        syncnames_format(&want, w, sizeof w);
        str_printf(why, whylen, "primary's list '%s' differs from the policy's '%s'",
                   p->synchronous_standby_names, w);
        return true;
    }
    if (want.method == SYNC_NONE)
        return false;
    /* PostgreSQL counts only streaming walsenders whose name is listed */
    int streaming = 0;
    for (int i = 0; i < p->nrepl; i++)
        if (strcmp(p->repl[i].state, "streaming") == 0 &&
            syncnames_matches(&have, p->repl[i].application_name))
            streaming++;
    if (streaming >= want.num)
        return false;
    if (streaming == 0)
        str_printf(why, whylen, "policy %s %d: no standby streams", sync_method_name(want.method),
                   want.num);
    else
        str_printf(why, whylen, "policy wants %d synchronous standby%s, %d stream%s", want.num,
                   want.num == 1 ? "" : "s", streaming, streaming == 1 ? "s" : "");
    return true;
}
