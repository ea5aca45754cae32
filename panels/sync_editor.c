/* sync_editor: the state of the sync list editor (the dialog of `s`, panels/sync_dialog.c) —
 * a method, a number and an ordered list of names, and the synchronous_commit level — filled
 * from a snapshot, changed by keys, and what it would make of the streaming standbys. */
#include "sync_editor.h"
#include "view.h"
#include "model/watch/syncplan.h"
#include "model/base/util.h"

#include <string.h>

const char *const sync_commit_levels[] = {"on", "remote_apply", "remote_write", "local", "off"};
const int sync_ncommit_levels = (int)(sizeof sync_commit_levels / sizeof sync_commit_levels[0]);

static const struct node_snap *primary_of(const struct snapshot *s)
{
    return s && s->primary[0] ? snapshot_find(s, s->primary) : NULL;
}

static int find_item(const struct sync_editor *e, const char *name)
{
    for (int i = 0; i < e->nitems; i++)
        if (str_eq_nocase(e->items[i].name, name))
            return i;
    return -1;
}

static void add_item(struct sync_editor *e, const char *name, bool on)
{
    if (!name[0] || e->nitems >= SYNC_MAX_NAMES || find_item(e, name) >= 0)
        return;
    struct sync_item *it = &e->items[e->nitems++];
    str_copy(it->name, sizeof it->name, name);
    it->on = on;
}

void sync_editor_init(struct sync_editor *e, const struct snapshot *s)
{
    memset(e, 0, sizeof *e);
    e->method = SYNC_FIRST;
    e->num = 1;
    const struct node_snap *p = primary_of(s);
    if (!p)
        return;
    e->have_primary = true;
    str_copy(e->primary, sizeof e->primary, p->name);
    str_copy(e->current, sizeof e->current, p->synchronous_standby_names);
    str_copy(e->current_commit, sizeof e->current_commit, p->synchronous_commit);
    for (int i = 0; i < sync_ncommit_levels; i++)
        if (strcmp(sync_commit_levels[i], p->synchronous_commit) == 0)
            e->commit = i;
    struct syncnames sn;
    if (syncnames_parse(p->synchronous_standby_names, &sn, NULL, 0) && sn.method != SYNC_NONE) {
        e->method = sn.method;
        e->num = sn.num;
        for (int i = 0; i < sn.nnames; i++)
            add_item(e, sn.names[i], true);
    }
    /* then every standby that could be listed: the walsenders, and the standbys we know */
    for (int i = 0; i < p->nrepl; i++)
        if (strcmp(p->repl[i].state, "backup") != 0)
            add_item(e, p->repl[i].application_name, false);
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->reach == REACH_OK && n->role == ROLE_STANDBY)
            add_item(e, n->application_name, false);
    }
}

void sync_editor_names(const struct sync_editor *e, struct syncnames *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < e->nitems; i++)
        if (e->items[i].on)
            str_copy(out->names[out->nnames++], SYNC_NAME_LEN, e->items[i].name);
    out->method = out->nnames ? e->method : SYNC_NONE;
    out->num = out->nnames ? e->num : 0;
    out->explicit_method = true;
}

bool sync_editor_spec(const struct sync_editor *e, char *buf, size_t n)
{
    struct syncnames sn;
    sync_editor_names(e, &sn);
    buf[0] = '\0';
    return sn.method == SYNC_NONE || syncnames_format(&sn, buf, n);
}

/* The application_names of the primary's streaming walsenders (PostgreSQL counts those). */
static int streaming(const struct snapshot *s, const char **names, int max)
{
    const struct node_snap *p = primary_of(s);
    int n = 0;
    for (int i = 0; p && i < p->nrepl && n < max; i++)
        if (strcmp(p->repl[i].state, "streaming") == 0)
            names[n++] = p->repl[i].application_name;
    return n;
}

bool sync_editor_blocks(const struct sync_editor *e, const struct snapshot *s)
{
    const char *level = sync_commit_levels[e->commit];
    if (strcmp(level, "off") == 0 || strcmp(level, "local") == 0)
        return false; /* commits do not wait for standbys at all */
    struct syncnames sn;
    sync_editor_names(e, &sn);
    const char *names[64];
    int n = streaming(s, names, 64);
    return syncnames_would_block(&sn, names, n);
}

const char *sync_editor_after(const struct sync_editor *e, const struct snapshot *s, int item)
{
    if (strcmp(e->items[item].name, "*") == 0)
        return "";
    struct syncnames sn;
    sync_editor_names(e, &sn);
    const char *names[64], *states[64];
    int n = streaming(s, names, 64);
    syncplan_states(&sn, names, n, states);
    for (int i = 0; i < n; i++)
        if (str_eq_nocase(names[i], e->items[item].name))
            return states[i];
    return "not streaming";
}

static int count_on(const struct sync_editor *e)
{
    int n = 0;
    for (int i = 0; i < e->nitems; i++)
        n += e->items[i].on;
    return n;
}

static void swap(struct sync_editor *e, int a, int b)
{
    struct sync_item t = e->items[a];
    e->items[a] = e->items[b];
    e->items[b] = t;
}

unsigned sync_editor_key(struct sync_editor *e, int key)
{
    int c = e->cursor;
    switch (key) {
    case K_UP:
    case 'k':
        e->cursor = c > 0 ? c - 1 : 0;
        break;
    case K_DOWN:
    case 'j':
        e->cursor = c + 1 < e->nitems ? c + 1 : c;
        break;
    case ' ':
    case 'x':
        if (c < e->nitems)
            e->items[c].on = !e->items[c].on;
        break;
    case '[':
    case 'K':
        if (c > 0 && c < e->nitems) {
            swap(e, c, c - 1);
            e->cursor = c - 1;
        }
        break;
    case ']':
    case 'J':
        if (c + 1 < e->nitems) {
            swap(e, c, c + 1);
            e->cursor = c + 1;
        }
        break;
    case 'm':
        e->method = e->method == SYNC_ANY ? SYNC_FIRST : SYNC_ANY;
        break;
    case '+':
    case '=': {
        int max = count_on(e);
        if (e->num < (max > 1 ? max : 1))
            e->num++;
        break;
    }
    case '-':
        if (e->num > 1)
            e->num--;
        break;
    case 'c':
        e->commit = (e->commit + 1) % sync_ncommit_levels;
        break;
    case 'F':
    case K_CTRL_F:
        e->force = !e->force;
        break;
    default:
        return INTENT_NONE;
    }
    return INTENT_REDRAW;
}
