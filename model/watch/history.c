/* history: one ring per node, all metrics sampled together. */
#include "model/watch/history.h"
#include "model/base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Memory: 200 nodes keep 600 samples each. Every feed has one time for all nodes, kept once
 * in h->t; a node's samples are floats (a sparkline needs no more), in the slot of the feed
 * they came with: 8 bytes a sample instead of 24 (bench/RESULTS.md, section 1). */
struct ring {
    char name[NAME_LEN];
    int count;     /* samples held, the newest from feed number `last` */
    uint64_t last; /* slot of feed f: f % capacity */
    float (*v)[HIST_METRICS];
};

struct history {
    int capacity;
    uint64_t fed; /* feeds so far; the current one is fed - 1 */
    double *t;    /* the time of each feed, by slot */
    struct ring *rings;
    int nrings;
    int hint; /* the ring after the last one found: nodes come in the same order each time */
};

struct history *history_new(int capacity)
{
    struct history *h = xcalloc(1, sizeof *h);
    h->capacity = capacity > 1 ? capacity : 2;
    h->t = xcalloc((size_t)h->capacity, sizeof *h->t);
    return h;
}

void history_clear(struct history *h)
{
    for (int i = 0; i < h->nrings; i++)
        h->rings[i].count = 0;
}

void history_free(struct history *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->nrings; i++)
        free(h->rings[i].v);
    free(h->rings);
    free(h->t);
    free(h);
}

int history_capacity(const struct history *h)
{
    return h->capacity;
}

static const struct ring *find(const struct history *h, const char *name)
{
    /* O(1) for the usual walk over the nodes in order, instead of O(nodes) a look-up */
    for (int k = 0; k < h->nrings; k++) {
        int i = (h->hint + k) % h->nrings;
        if (strcmp(h->rings[i].name, name) == 0) {
            ((struct history *)h)->hint = i + 1;
            return &h->rings[i];
        }
    }
    return NULL;
}

static struct ring *find_or_add(struct history *h, const char *name)
{
    struct ring *r = (struct ring *)find(h, name);
    if (r)
        return r;
    h->rings = xrealloc(h->rings, (size_t)(h->nrings + 1) * sizeof *h->rings);
    r = &h->rings[h->nrings++];
    memset(r, 0, sizeof *r);
    str_copy(r->name, sizeof r->name, name);
    r->v = xcalloc((size_t)h->capacity, sizeof *r->v);
    return r;
}

/* Into the slot of the current feed; feeds the node missed in between become gaps. */
static void push(struct history *h, struct ring *r, const double *vals)
{
    uint64_t now = h->fed - 1;
    if (r->count && r->last == now)
        r->count--; /* the same name twice in one snapshot: the second replaces the first */
    uint64_t missed = r->count && now > r->last ? now - r->last - 1 : 0;
    if (missed > (uint64_t)h->capacity)
        missed = (uint64_t)h->capacity;
    for (uint64_t f = now - missed; f < now; f++)
        for (int m = 0; m < HIST_METRICS; m++)
            r->v[f % (uint64_t)h->capacity][m] = NAN;
    for (int m = 0; m < HIST_METRICS; m++)
        r->v[now % (uint64_t)h->capacity][m] = (float)vals[m];
    r->count += (int)missed + 1;
    if (r->count > h->capacity)
        r->count = h->capacity;
    r->last = now;
}

void history_feed(struct history *h, const struct snapshot *s)
{
    h->t[h->fed++ % (uint64_t)h->capacity] = s->taken_at;
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        double vals[HIST_METRICS];
        vals[HIST_LAG] = num_known(n->lag_replay) ? (double)n->lag_replay : NAN;
        vals[HIST_TPS] = n->tps;
        push(h, find_or_add(h, n->name), vals);
    }
}

/* How many of a ring's samples still have their feed's time (a node no longer fed keeps
 * samples from before the last `capacity` feeds). */
static int usable(const struct history *h, const struct ring *r)
{
    uint64_t age = h->fed - 1 - r->last;
    if (!r->count || age >= (uint64_t)h->capacity)
        return 0;
    uint64_t left = (uint64_t)h->capacity - age;
    return (uint64_t)r->count < left ? r->count : (int)left;
}

int history_series(const struct history *h, const char *node, enum hist_metric m, double *out,
                   int max)
{
    const struct ring *r = find(h, node);
    if (!r || max <= 0 || (unsigned)m >= HIST_METRICS)
        return 0;
    int count = usable(h, r);
    int n = count < max ? count : max;
    for (int i = 0; i < n; i++)
        out[i] = r->v[(r->last - (uint64_t)(n - 1 - i)) % (uint64_t)h->capacity][m];
    return n;
}

double history_span(const struct history *h, const char *node, int n)
{
    const struct ring *r = find(h, node);
    int count = r ? usable(h, r) : 0;
    if (count < 2 || n < 2)
        return 0;
    if (n > count)
        n = count;
    uint64_t cap = (uint64_t)h->capacity;
    return h->t[r->last % cap] - h->t[(r->last - (uint64_t)(n - 1)) % cap];
}
