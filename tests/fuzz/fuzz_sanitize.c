/* fuzz_sanitize: text_escape (model/base/text.h), the one escaping of text from outside before it
 * reaches a terminal, and the grid that draws with it. Properties:
 * - the output has no control byte (C0, DEL), no C1 control and is valid UTF-8 (checked here with
 *   a validator of its own, not text.c's);
 * - escaping it again changes nothing;
 * - an input that is valid UTF-8 without any control comes out unchanged;
 * - a bounded escape (a buffer size from the input) is a prefix of the whole one, cut between
 *   units, and as clean;
 * - every cell of a grid the text is drawn into holds clean text. */
#include "fuzz.h"

#include "model/base/text.h"
#include "panels/grid.h"

#include <stdbool.h>

/* Whether s is valid UTF-8 (RFC 3629) without C0, DEL or C1 controls. */
static bool clean(const unsigned char *s)
{
    while (*s) {
        unsigned c = s[0];
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c < 0x80) {
            s++;
            continue;
        }
        int n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (n == 0)
            return false;
        unsigned long cp = c & (0xffu >> (n + 1));
        for (int i = 1; i < n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            (cp >= 0x80 && cp < 0xa0))
            return false;
        s += n;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size);
    char *out = text_escape_dup(in);
    if (!clean((const unsigned char *)out))
        fuzz_fail("the output is not clean UTF-8: \"%s\"", out);
    char *again = text_escape_dup(out);
    if (strcmp(again, out) != 0)
        fuzz_fail("escaping twice changes \"%s\" into \"%s\"", out, again);
    free(again);
    size_t len = strlen(in);
    while (len > 0 && (in[len - 1] == '\n' || in[len - 1] == '\r'))
        len--;
    char *body = strndup(in, len);
    if (body && clean((const unsigned char *)body) && strcmp(body, out) != 0)
        fuzz_fail("clean input \"%s\" changed into \"%s\"", body, out);
    free(body);

    size_t n = size > 0 ? data[0] % 64 + 1 : 1;
    char *small = malloc(n);
    if (!small)
        abort();
    text_escape(small, n, in);
    if (strlen(small) >= n || strncmp(small, out, strlen(small)) != 0 ||
        !clean((const unsigned char *)small))
        fuzz_fail("a bounded escape (%zu bytes) is not a clean prefix: \"%s\"", n, small);
    free(small);

    for (int utf8 = 0; utf8 < 2; utf8++) {
        struct grid *g = grid_new(30, 2, utf8);
        grid_text(g, (int)n % 5 - 2, 0, 30, CR_NORMAL, 0, in);
        grid_wrap(g, 0, 1, 12, CR_NORMAL, 0, in, 1);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 30; x++)
                if (!clean((const unsigned char *)grid_at(g, x, y)->ch))
                    fuzz_fail("a grid cell holds \"%s\"", grid_at(g, x, y)->ch);
        grid_free(g);
    }
    free(out);
    free(in);
    return 0;
}
