/* syncnames_edit: questions about a parsed synchronous_standby_names and edits of its list —
 * which standbys it names and how many it waits for, a name replaced or removed — the way
 * PostgreSQL compares names (ASCII case folding, syncnames_name_eq). */
#include "model/pg/syncnames.h"
#include "model/base/util.h"

#include <string.h>

bool syncnames_equal(const struct syncnames *a, const struct syncnames *b)
{
    if (a->method != b->method || a->num != b->num || a->nnames != b->nnames)
        return false;
    for (int i = 0; i < a->nnames; i++)
        if (!syncnames_name_eq(a->names[i], b->names[i]))
            return false;
    return true;
}

int syncnames_index(const struct syncnames *s, const char *application_name)
{
    if (s->method == SYNC_NONE || !application_name)
        return -1;
    for (int i = 0; i < s->nnames; i++)
        if (strcmp(s->names[i], "*") == 0 || syncnames_name_eq(s->names[i], application_name))
            return i;
    return -1;
}

bool syncnames_matches(const struct syncnames *s, const char *application_name)
{
    return syncnames_index(s, application_name) >= 0;
}

/* Position of the entry equal to name (no wildcard), or -1. */
static int find_name(const struct syncnames *s, const char *name, int from)
{
    for (int i = from; i < s->nnames; i++)
        if (syncnames_name_eq(s->names[i], name))
            return i;
    return -1;
}

static void become_none_if_empty(struct syncnames *s)
{
    if (s->nnames > 0)
        return;
    struct syncnames none;
    memset(&none, 0, sizeof none);
    *s = none;
}

bool syncnames_replace(struct syncnames *s, const char *old_name, const char *const *new_names,
                       int n)
{
    if (s->method == SYNC_NONE || !old_name || n < 0 || (n > 0 && !new_names))
        return false;
    int at = find_name(s, old_name, 0);
    if (at < 0)
        return false;
    for (int i = 0; i < n; i++)
        if (!new_names[i] || new_names[i][0] == '\0' || strlen(new_names[i]) > SYNC_NAME_LEN - 1)
            return false;

    /* Build into a copy so that a list that would overflow leaves *s untouched. */
    struct syncnames r = *s;
    memset(r.names, 0, sizeof r.names);
    r.nnames = 0;
    for (int i = 0; i < s->nnames; i++) {
        if (syncnames_name_eq(s->names[i], old_name) && i != at)
            continue;
        if (i != at) {
            if (r.nnames == SYNC_MAX_NAMES)
                return false;
            memcpy(r.names[r.nnames++], s->names[i], SYNC_NAME_LEN);
            continue;
        }
        for (int k = 0; k < n; k++) {
            /* Already kept before this point, or earlier in new_names. */
            if (find_name(&r, new_names[k], 0) >= 0)
                continue;
            /* Listed further on: it keeps its own place (unless it is old_name, dropped there). */
            if (!syncnames_name_eq(new_names[k], old_name) &&
                find_name(s, new_names[k], at + 1) >= 0)
                continue;
            if (r.nnames == SYNC_MAX_NAMES)
                return false;
            str_copy(r.names[r.nnames++], SYNC_NAME_LEN, new_names[k]);
        }
    }
    become_none_if_empty(&r);
    *s = r;
    return true;
}

bool syncnames_remove(struct syncnames *s, const char *name)
{
    if (s->method == SYNC_NONE || !name || find_name(s, name, 0) < 0)
        return false;
    return syncnames_replace(s, name, NULL, 0);
}

int syncnames_required(const struct syncnames *s)
{
    return s->method == SYNC_NONE ? 0 : s->num;
}

bool syncnames_exceeds_list(const struct syncnames *s)
{
    if (s->method == SYNC_NONE || s->num <= s->nnames)
        return false;
    return find_name(s, "*", 0) < 0;
}

bool syncnames_would_block(const struct syncnames *s, const char *const *connected_app_names, int n)
{
    int need = syncnames_required(s);
    if (need <= 0)
        return false;
    int have = 0;
    for (int i = 0; i < n && connected_app_names; i++)
        if (syncnames_matches(s, connected_app_names[i]))
            have++;
    return have < need;
}
