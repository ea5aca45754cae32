/* intern: an open-addressing hash set of strings (intern.h). */
#include "model/base/intern.h"
#include "model/base/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char **slots; /* a power of two of them, at most half full */
static size_t nslots, used;

static size_t hash(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static char **find(char **in, size_t n, const char *s)
{
    size_t i = hash(s) & (n - 1);
    while (in[i] && strcmp(in[i], s) != 0)
        i = (i + 1) & (n - 1);
    return &in[i];
}

const char *str_intern(const char *s)
{
    if (!s || !*s)
        return "";
    if (2 * (used + 1) > nslots) {
        size_t n = nslots ? 2 * nslots : 64;
        char **grown = xcalloc(n, sizeof *grown);
        for (size_t i = 0; i < nslots; i++)
            if (slots[i])
                *find(grown, n, slots[i]) = slots[i];
        free(slots);
        slots = grown;
        nslots = n;
    }
    char **at = find(slots, nslots, s);
    if (!*at) {
        *at = xstrdup(s);
        used++;
    }
    return *at;
}
