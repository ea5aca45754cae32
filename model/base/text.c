/* text: the one escaping of text from outside before it reaches a terminal (text.h). */
#include "model/base/text.h"
#include "model/base/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), 0 when it is not one; *cp gets the code point. */
static size_t utf8_valid(const unsigned char *p, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, lo = p[0] == 0xe0 ? 0xa0 : 0x80, hi = p[0] == 0xed ? 0x9f : 0xbf;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, lo = p[0] == 0xf0 ? 0x90 : 0x80, hi = p[0] == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    uint32_t c = p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    *cp = c;
    return n;
}

size_t text_unit(const char *s, uint32_t *cp, char esc[TEXT_ESC_MAX])
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c = 0;
    size_t n = utf8_valid(p, &c);
    esc[0] = '\0';
    *cp = c;
    if (n == 0) {
        str_printf(esc, TEXT_ESC_MAX, "\\x%02x", p[0]);
        return 1;
    }
    if (c == '\n')
        str_copy(esc, TEXT_ESC_MAX, "\\n");
    else if (c == '\t')
        str_copy(esc, TEXT_ESC_MAX, "\\t");
    else if (c == '\r')
        str_copy(esc, TEXT_ESC_MAX, "\\r");
    else if (c < 0x20 || c == 0x7f)
        str_printf(esc, TEXT_ESC_MAX, "\\x%02x", (unsigned)c);
    else if (c >= 0x80 && c < 0xa0)
        str_printf(esc, TEXT_ESC_MAX, "\\u%04x", (unsigned)c);
    return n;
}

/* The length of s without the line ends at its very end. */
static size_t text_len(const char *s)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    return len;
}

char *text_escape(char *dst, size_t n, const char *s)
{
    size_t o = 0;
    if (n == 0)
        return dst;
    if (!s)
        s = "";
    /* a copy of s, NUL-terminated where its trailing line ends start */
    size_t len = text_len(s);
    char *src = xmalloc(len + 1);
    memcpy(src, s, len);
    src[len] = '\0';
    for (const char *p = src; *p;) {
        uint32_t cp;
        char esc[TEXT_ESC_MAX];
        size_t ulen = text_unit(p, &cp, esc);
        const char *out = esc[0] ? esc : p;
        size_t olen = esc[0] ? strlen(esc) : ulen;
        if (o + olen >= n)
            break;
        memcpy(dst + o, out, olen);
        o += olen;
        p += ulen;
    }
    dst[o] = '\0';
    free(src);
    return dst;
}

char *text_escape_dup(const char *s)
{
    size_t n = (s ? strlen(s) : 0) * (TEXT_ESC_MAX - 1) + 1; /* "\u0085" is 6 bytes for 2 */
    char *out = xmalloc(n);
    text_escape(out, n, s);
    return out;
}

void text_fputs(FILE *f, const char *s)
{
    char *e = text_escape_dup(s);
    fputs(e, f);
    free(e);
}

void text_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    char *e = text_escape_dup(msg ? msg : "(out of memory)");
    fprintf(stderr, "repltop: %s\n", e);
    fflush(stderr);
    free(e);
    free(msg);
}
