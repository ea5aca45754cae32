/* history: one ring per node, all metrics sampled together. */
#include "history.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ring {
    char name[NAME_LEN];
    int start, count; /* oldest sample at start */
    double *t;
    double *v[HIST_METRICS];
};

struct history {
    int capacity;
    struct ring *rings;
    int nrings;
};

struct history *history_new(int capacity)
{
    struct history *h = xcalloc(1, sizeof *h);
    h->capacity = capacity > 1 ? capacity : 2;
    return h;
}

void history_clear(struct history *h)
{
    for (int i = 0; i < h->nrings; i++)
        h->rings[i].start = h->rings[i].count = 0;
}

void history_free(struct history *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->nrings; i++) {
        free(h->rings[i].t);
        for (int m = 0; m < HIST_METRICS; m++)
            free(h->rings[i].v[m]);
    }
    free(h->rings);
    free(h);
}

int history_capacity(const struct history *h)
{
    return h->capacity;
}

static const struct ring *find(const struct history *h, const char *name)
{
    for (int i = 0; i < h->nrings; i++)
        if (strcmp(h->rings[i].name, name) == 0)
            return &h->rings[i];
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
    r->t = xcalloc((size_t)h->capacity, sizeof *r->t);
    for (int m = 0; m < HIST_METRICS; m++)
        r->v[m] = xcalloc((size_t)h->capacity, sizeof *r->v[m]);
    return r;
}

static void push(struct history *h, struct ring *r, double t, const double *vals)
{
    int slot;
    if (r->count < h->capacity) {
        slot = (r->start + r->count) % h->capacity;
        r->count++;
    } else {
        slot = r->start;
        r->start = (r->start + 1) % h->capacity;
    }
    r->t[slot] = t;
    for (int m = 0; m < HIST_METRICS; m++)
        r->v[m][slot] = vals[m];
}

void history_feed(struct history *h, const struct snapshot *s)
{
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        double vals[HIST_METRICS];
        vals[HIST_LAG] = num_known(n->lag_replay) ? (double)n->lag_replay : NAN;
        vals[HIST_TPS] = n->tps;
        push(h, find_or_add(h, n->name), s->taken_at, vals);
    }
}

int history_series(const struct history *h, const char *node, enum hist_metric m, double *out,
                   int max)
{
    const struct ring *r = find(h, node);
    if (!r || max <= 0 || (unsigned)m >= HIST_METRICS)
        return 0;
    int n = r->count < max ? r->count : max;
    int first = r->count - n;
    for (int i = 0; i < n; i++)
        out[i] = r->v[m][(r->start + first + i) % h->capacity];
    return n;
}

double history_span(const struct history *h, const char *node, int n)
{
    const struct ring *r = find(h, node);
    if (!r || r->count < 2 || n < 2)
        return 0;
    if (n > r->count)
        n = r->count;
    double newest = r->t[(r->start + r->count - 1) % h->capacity];
    double oldest = r->t[(r->start + r->count - n) % h->capacity];
    return newest - oldest;
}
