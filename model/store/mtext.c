/* mtext: a growing text (mtext.h). */
#include "model/store/mtext.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void mtext_reserve(struct mtext *t, size_t n)
{
    if (t->cap - t->len > n)
        return;
    size_t cap = t->cap ? t->cap : 256;
    while (cap - t->len <= n)
        cap *= 2;
    t->p = xrealloc(t->p, cap);
    t->cap = cap;
}

void mtext_i64(struct mtext *t, int64_t v)
{
    char buf[24], *e = buf + sizeof buf, *s = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    do
        *--s = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--s = '-';
    mtext_put(t, s, (size_t)(e - s));
}

/* A value that is a whole number of microseconds (a lag PostgreSQL reports, an age to the
 * millisecond) and below 1e9 has at most 15 significant digits, and "%.15g" writes exactly
 * them: written here without the formatting's cost. */
void mtext_dbl(struct mtext *t, double v)
{
    if (fabs(v) < 1e9 && (fabs(v) >= 1e-4 || (v == 0 && !signbit(v)))) {
        long long m = llround(v * 1e6);
        if ((double)m / 1e6 == v) {
            unsigned long long u = m < 0 ? (unsigned long long)-m : (unsigned long long)m;
            char buf[32], *e = buf + sizeof buf, *s = e;
            unsigned frac = (unsigned)(u % 1000000);
            int digits = 6;
            for (; digits > 0 && frac % 10 == 0; digits--)
                frac /= 10; /* no trailing zeros, as %g */
            for (int i = 0; i < digits; i++, frac /= 10)
                *--s = (char)('0' + frac % 10);
            if (digits)
                *--s = '.';
            u /= 1000000;
            do
                *--s = (char)('0' + u % 10);
            while ((u /= 10) != 0);
            if (m < 0)
                *--s = '-';
            mtext_put(t, s, (size_t)(e - s));
            return;
        }
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%.15g", v);
    mtext_put(t, buf, (size_t)n);
}

/* Bytes copied as they are: printable ASCII and the controls the format allows raw. */
static size_t plain_run(const char *v)
{
    size_t n = 0;
    for (unsigned char c;
         (c = (unsigned char)v[n]) != 0 && c < 0x80 && c != '\\' && c != '"' && c != '\n';)
        n++;
    return n;
}

void mtext_label_value(struct mtext *t, const char *v)
{
    for (;;) {
        size_t n = plain_run(v);
        mtext_put(t, v, n);
        v += n;
        if (!*v)
            return;
        uint32_t cp;
        char esc[TEXT_ESC_MAX];
        n = text_unit(v, &cp, esc);
        if (esc[0] && cp == 0)
            mtext_put(t, "\xef\xbf\xbd", 3); /* not UTF-8: U+FFFD */
        else if (*v == '\\')
            mtext_put(t, "\\\\", 2);
        else if (*v == '"')
            mtext_put(t, "\\\"", 2);
        else if (*v == '\n')
            mtext_put(t, "\\n", 2);
        else
            mtext_put(t, v, n);
        v += n;
    }
}

char *mtext_take(struct mtext *t)
{
    char *p = t->p;
    *t = (struct mtext){0};
    return p;
}

void mtext_free(struct mtext *t)
{
    free(t->p);
    *t = (struct mtext){0};
}
