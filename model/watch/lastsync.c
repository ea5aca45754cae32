/* lastsync: the failover tie-break's memory across refreshes. */
#include "model/watch/lastsync.h"
#include "model/watch/memory.h"
#include "model/base/intern.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

struct seen {
    char state[16];
    int priority;
};

struct lastsync {
    struct seen *nodes; /* by the cluster's node index */
    int nnodes;
    bool seen_primary;            /* a refresh had exactly one primary */
    char sysid[24];               /* whose memory file was read, "" none yet */
    char remembered[SETTING_LEN]; /* its synchronous_standby_names */
};

struct lastsync *lastsync_new(int nnodes)
{
    struct lastsync *m = xcalloc(1, sizeof *m);
    m->nnodes = nnodes > 0 ? nnodes : 0;
    m->nodes = xcalloc((size_t)(m->nnodes ? m->nnodes : 1), sizeof *m->nodes);
    for (int i = 0; i < m->nnodes; i++)
        m->nodes[i].priority = -1;
    return m;
}

void lastsync_free(struct lastsync *m)
{
    if (!m)
        return;
    free(m->nodes);
    free(m);
}

/* The cluster's identifier as the reachable nodes give it, NULL when none does. */
static const char *reachable_sysid(const struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++)
        if (s->nodes[i].reach == REACH_OK && s->nodes[i].system_identifier[0])
            return s->nodes[i].system_identifier;
    return NULL;
}

void lastsync_recall(struct lastsync *m, struct snapshot *s)
{
    for (int i = 0; i < s->nnodes && i < m->nnodes; i++) {
        str_copy(s->nodes[i].last_sync_state, sizeof s->nodes[i].last_sync_state,
                 m->nodes[i].state);
        s->nodes[i].last_sync_priority = m->nodes[i].priority;
    }
    const char *sysid = reachable_sysid(s);
    if (m->seen_primary || !sysid)
        return;
    if (strcmp(sysid, m->sysid) != 0) {
        struct cluster_memory mem;
        str_copy(m->sysid, sizeof m->sysid, sysid);
        m->remembered[0] = '\0';
        if (memory_load(sysid, &mem))
            str_copy(m->remembered, sizeof m->remembered, mem.synchronous_standby_names);
    }
    s->remembered_sync_names = str_intern(m->remembered);
}

void lastsync_keep(struct lastsync *m, const struct snapshot *s)
{
    if (s->primary[0])
        m->seen_primary = true;
    for (int i = 0; i < s->nnodes && i < m->nnodes; i++) {
        str_copy(m->nodes[i].state, sizeof m->nodes[i].state, s->nodes[i].last_sync_state);
        m->nodes[i].priority = s->nodes[i].last_sync_priority;
    }
}
