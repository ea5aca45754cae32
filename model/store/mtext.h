/* mtext: a text that grows, written with a few cheap appends — the Prometheus page of
 * `repltop serve` (metrics.h) is ~2 kB a node, written at every new snapshot, where stdio's
 * formatting cost 200 instructions a byte. */
#ifndef REPLTOP_MTEXT_H
#define REPLTOP_MTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mtext {
    char *p; /* NUL-terminated once anything was written; NULL before */
    size_t len, cap;
};

/* Room for n more bytes and the NUL (aborts when out of memory, as xmalloc). */
void mtext_reserve(struct mtext *t, size_t n);

static inline void mtext_put(struct mtext *t, const char *s, size_t n)
{
    if (t->cap - t->len <= n)
        mtext_reserve(t, n);
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static inline void mtext_puts(struct mtext *t, const char *s)
{
    mtext_put(t, s, strlen(s));
}

/* A decimal integer. */
void mtext_i64(struct mtext *t, int64_t v);
/* A double exactly as "%.15g" writes it, most of them without snprintf. */
void mtext_dbl(struct mtext *t, double v);
/* A label value as the exposition format wants it: backslash, double quote and line feed
 * escaped, a byte that is not UTF-8 replaced by U+FFFD (Prometheus refuses the whole scrape
 * otherwise). */
void mtext_label_value(struct mtext *t, const char *v);

/* The text, its owner now the caller (NULL when nothing was written); t is empty again. */
char *mtext_take(struct mtext *t);
void mtext_free(struct mtext *t);

#endif
