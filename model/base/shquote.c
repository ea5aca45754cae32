/* shquote: single-quoting words for a remote POSIX shell. */
#include "model/base/shquote.h"
#include "model/base/util.h"

#include <string.h>

static size_t quoted_len(const char *w)
{
    size_t n = 2;
    for (; *w; w++)
        n += *w == '\'' ? 4 : 1;
    return n;
}

static char *quote_into(char *o, const char *w)
{
    *o++ = '\'';
    for (; *w; w++) {
        if (*w == '\'') {
            memcpy(o, "'\\''", 4); /* end the quote, an escaped ', quote again */
            o += 4;
        } else {
            *o++ = *w;
        }
    }
    *o++ = '\'';
    return o;
}

char *sh_quote(const char *word)
{
    char *out = xmalloc(quoted_len(word) + 1);
    *quote_into(out, word) = '\0';
    return out;
}

char *sh_join(const char *const *argv)
{
    size_t n = 1;
    for (int i = 0; argv[i]; i++)
        n += quoted_len(argv[i]) + 1;
    char *out = xmalloc(n), *o = out;
    for (int i = 0; argv[i]; i++) {
        if (i)
            *o++ = ' ';
        o = quote_into(o, argv[i]);
    }
    *o = '\0';
    return out;
}
