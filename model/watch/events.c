/* events: the ring, and the diff of two snapshots into events. */
#include "model/watch/events.h"
#include "model/base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A problem that went out of sight because it can no longer be checked (its node, or the
 * primary it is measured against, does not answer): neither cleared nor still there. */
struct unchecked {
    char code[32];
    char node[NAME_LEN];
    char message[ERROR_LEN];
};

struct events {
    int capacity, start, count;
    struct event *items;
    struct unchecked *unknown;
    int nunknown;
};

struct events *events_new(int capacity)
{
    struct events *ev = xcalloc(1, sizeof *ev);
    ev->capacity = capacity > 0 ? capacity : 1;
    ev->items = xcalloc((size_t)ev->capacity, sizeof *ev->items);
    return ev;
}

/* Every event's text freed; the ring empty. */
static void texts_free(struct events *ev)
{
    for (int i = 0; i < ev->count; i++)
        free(ev->items[(ev->start + i) % ev->capacity].text);
    ev->start = ev->count = 0;
}

void events_free(struct events *ev)
{
    if (!ev)
        return;
    texts_free(ev);
    free(ev->items);
    free(ev->unknown);
    free(ev);
}

void events_clear(struct events *ev)
{
    texts_free(ev);
    ev->nunknown = 0;
}

void events_add(struct events *ev, double t, enum event_kind kind, enum severity sev,
                const char *node, const char *fmt, ...)
{
    struct event *e;
    if (ev->count < ev->capacity) {
        e = &ev->items[(ev->start + ev->count) % ev->capacity];
        ev->count++;
    } else {
        e = &ev->items[ev->start];
        ev->start = (ev->start + 1) % ev->capacity;
        free(e->text);
    }
    memset(e, 0, sizeof *e);
    e->t = t;
    e->kind = kind;
    e->severity = sev;
    str_copy(e->node, sizeof e->node, node);
    char text[ERROR_LEN + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    e->text = xstrdup(text);
}

int events_count(const struct events *ev)
{
    return ev->count;
}

const struct event *events_get(const struct events *ev, int i)
{
    if (i < 0 || i >= ev->count)
        return NULL;
    return &ev->items[(ev->start + ev->count - 1 - i) % ev->capacity];
}

/* A problem is "the same" across snapshots when its code and node are: its message carries
 * numbers (lag amounts) that change every refresh. */
static const struct problem *find_problem(const struct snapshot *s, const struct problem *p)
{
    for (int i = 0; s && i < s->nproblems; i++)
        if (strcmp(s->problems[i].code, p->code) == 0 && strcmp(s->problems[i].node, p->node) == 0)
            return &s->problems[i];
    return NULL;
}

/* Codes whose check needs nothing but the problem's own node (or, node "", the whole list of
 * nodes): every other rule measures the node against the primary (lag, timeline, sync) and
 * cannot be checked while no single primary answers. */
static bool self_checked(const char *code)
{
    static const char *const codes[] = {"unreachable",   "timeout",       "auth_failed",
                                        "query_failed",  "no_primary",    "multiple_primaries",
                                        "not_streaming", "replay_paused", "slot_inactive"};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (strcmp(code, codes[i]) == 0)
            return true;
    return false;
}

static bool reach_code(const char *code)
{
    return strcmp(code, "unreachable") == 0 || strcmp(code, "timeout") == 0 ||
           strcmp(code, "auth_failed") == 0 || strcmp(code, "query_failed") == 0;
}

/* Whether cur could have raised code on node: the node answered (for reachability problems:
 * was tried), and a rule measured against the primary had one. */
static bool checkable(const struct snapshot *cur, const char *code, const char *node)
{
    if (node[0]) {
        const struct node_snap *n = snapshot_find(cur, node);
        if (!n) /* no longer watched */
            return true;
        if (n->reach == REACH_PENDING)
            return false;
        if (!reach_code(code) && n->reach != REACH_OK)
            return false;
    }
    return self_checked(code) || cur->primary[0];
}

static int find_unknown(const struct events *ev, const char *code, const char *node)
{
    for (int i = 0; i < ev->nunknown; i++)
        if (strcmp(ev->unknown[i].code, code) == 0 && strcmp(ev->unknown[i].node, node) == 0)
            return i;
    return -1;
}

static void drop_unknown(struct events *ev, int i)
{
    ev->unknown[i] = ev->unknown[--ev->nunknown];
}

static void add_unknown(struct events *ev, const struct problem *p)
{
    if (find_unknown(ev, p->code, p->node) >= 0)
        return;
    ev->unknown = xrealloc(ev->unknown, (size_t)(ev->nunknown + 1) * sizeof *ev->unknown);
    struct unchecked *u = &ev->unknown[ev->nunknown++];
    str_copy(u->code, sizeof u->code, p->code);
    str_copy(u->node, sizeof u->node, p->node);
    str_copy(u->message, sizeof u->message, p->message);
}

/* Problems of prev missing from cur: cleared when cur checked them, else unknown until a later
 * snapshot checks them again (cleared then if still missing; silent if back). */
static int diff_problems(struct events *ev, const struct snapshot *prev, const struct snapshot *cur)
{
    int added = 0;
    double t = cur->taken_at;
    for (int i = 0; i < cur->nproblems; i++) {
        const struct problem *p = &cur->problems[i];
        int u = find_unknown(ev, p->code, p->node);
        if (u >= 0) { /* out of sight for a while, and still there: not new */
            drop_unknown(ev, u);
            continue;
        }
        if (find_problem(prev, p))
            continue;
        events_add(ev, t, EV_PROBLEM, p->severity, p->node, "%s", p->message);
        added++;
    }
    for (int i = 0; prev && i < prev->nproblems; i++) {
        const struct problem *p = &prev->problems[i];
        if (find_problem(cur, p))
            continue;
        if (!checkable(cur, p->code, p->node)) {
            add_unknown(ev, p);
            continue;
        }
        events_add(ev, t, EV_CLEARED, SEV_OK, p->node, "cleared: %s", p->message);
        added++;
    }
    for (int i = 0; i < ev->nunknown;) {
        const struct unchecked *u = &ev->unknown[i];
        if (!checkable(cur, u->code, u->node)) {
            i++;
            continue;
        }
        /* checked again and absent (present ones were dropped above) */
        events_add(ev, t, EV_CLEARED, SEV_OK, u->node, "cleared: %s", u->message);
        added++;
        drop_unknown(ev, i);
    }
    return added;
}

int events_diff(struct events *ev, const struct snapshot *prev, const struct snapshot *cur)
{
    int added = 0;
    double t = cur->taken_at;
    if (!prev) {
        events_add(ev, t, EV_INFO, SEV_OK, "", "first snapshot: %d node%s, primary %s, health %s",
                   cur->nnodes, cur->nnodes == 1 ? "" : "s",
                   cur->primary[0] ? cur->primary : "none", severity_name(cur->health));
        added++;
    }
    added += diff_problems(ev, prev, cur);
    for (int i = 0; prev && i < cur->nnodes; i++) {
        const struct node_snap *n = &cur->nodes[i];
        const struct node_snap *o = snapshot_find(prev, n->name);
        /* only compare what both snapshots know: a node going down is a problem above */
        if (!o || n->reach != REACH_OK || o->reach != REACH_OK)
            continue;
        if (n->role != o->role && n->role != ROLE_UNKNOWN && o->role != ROLE_UNKNOWN) {
            events_add(ev, t, EV_CHANGE, SEV_WARNING, n->name, "%s is now %s (was %s)", n->name,
                       role_name(n->role), role_name(o->role));
            added++;
        }
        if (n->timeline > 0 && o->timeline > 0 && n->timeline != o->timeline) {
            events_add(ev, t, EV_CHANGE, SEV_WARNING, n->name, "%s moved to timeline %d (was %d)",
                       n->name, n->timeline, o->timeline);
            added++;
        }
    }
    if (prev && strcmp(prev->primary, cur->primary) != 0 && cur->primary[0] && prev->primary[0]) {
        events_add(ev, t, EV_CHANGE, SEV_WARNING, cur->primary, "the primary is now %s (was %s)",
                   cur->primary, prev->primary);
        added++;
    }
    if (prev && prev->primary[0] && cur->primary[0] &&
        strcmp(prev->synchronous_standby_names, cur->synchronous_standby_names) != 0) {
        events_add(ev, t, EV_CHANGE, SEV_OK, cur->primary,
                   "synchronous_standby_names is now '%s' (was '%s')",
                   cur->synchronous_standby_names, prev->synchronous_standby_names);
        added++;
    }
    return added;
}
