/* syncplan: FIRST n gives "sync" to the n connected standbys with the best priority (their
 * position in the list; a tie on one name goes to the first walsender) and "potential" to the
 * other listed ones; ANY n gives "quorum" to every listed one; the unlisted are "async". */
#include "model/watch/syncplan.h"

#include <stdlib.h>
#include <string.h>

void syncplan_states(const struct syncnames *s, const char *const *app_names, int n,
                     const char **states)
{
    for (int i = 0; i < n; i++)
        states[i] = "async";
    if (s->method == SYNC_NONE)
        return;
    if (s->method == SYNC_ANY) {
        for (int i = 0; i < n; i++)
            if (syncnames_index(s, app_names[i]) >= 0)
                states[i] = "quorum";
        return;
    }
    for (int i = 0; i < n; i++)
        if (syncnames_index(s, app_names[i]) >= 0)
            states[i] = "potential";
    /* pick num standbys by ascending priority, earliest walsender first on ties */
    for (int picked = 0; picked < s->num; picked++) {
        int best = -1, best_prio = 0;
        for (int i = 0; i < n; i++) {
            int prio = syncnames_index(s, app_names[i]);
            if (prio < 0 || states[i][0] == 's')
                continue;
            if (best < 0 || prio < best_prio) {
                best = i;
                best_prio = prio;
            }
        }
        if (best < 0)
            break;
        states[best] = "sync";
    }
}

void syncplan_after_promote(const struct snapshot *s, const struct node_snap *c,
                            const char *old_primary, struct syncnames *sn)
{
    if (sn->method == SYNC_NONE)
        return;
    const char *remaining[SYNC_MAX_NAMES];
    int nr = 0;
    for (int i = 0; i < s->nnodes && nr < SYNC_MAX_NAMES; i++) {
        const struct node_snap *x = &s->nodes[i];
        bool up = x->reach == REACH_OK;
        if (x == c)
            continue;
        if (up && x->role == ROLE_STANDBY && x->application_name[0])
            remaining[nr++] = x->application_name;
        else if ((up && x->role == ROLE_PRIMARY) || strcmp(x->name, c->upstream) == 0 ||
                 (old_primary && strcmp(x->name, old_primary) == 0))
            remaining[nr++] = x->name; /* the old primary, to be rejoined under this name */
    }
    if (c->application_name[0])
        syncnames_replace(sn, c->application_name, remaining, nr);
    syncnames_remove(sn, c->name);
}

void syncplan_after_switchover(struct syncnames *sn, const char *cand_name, const char *cand_app,
                               const char *old_app)
{
    const char *with[] = {old_app};
    if (sn->method == SYNC_NONE)
        return;
    if (!(cand_app && cand_app[0] && syncnames_replace(sn, cand_app, with, 1)))
        syncnames_replace(sn, cand_name, with, 1);
    syncnames_remove(sn, cand_name); /* named twice: by config name and by application_name */
}
