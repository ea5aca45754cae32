/* lsn: parse, format and subtract WAL positions. */
#include "model/pg/lsn.h"
#include "model/base/num.h"
#include "model/base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool parse_hex32(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 8)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (!isxdigit(c))
            return false;
        v = v * 16 + (uint32_t)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
    }
    *out = v;
    return true;
}

bool lsn_parse(const char *s, lsn_t *out)
{
    if (!s)
        return false;
    const char *slash = strchr(s, '/');
    if (!slash)
        return false;
    uint32_t hi, lo;
    if (!parse_hex32(s, (size_t)(slash - s), &hi) ||
        !parse_hex32(slash + 1, strlen(slash + 1), &lo))
        return false;
    *out = ((lsn_t)hi << 32) | lo;
    return true;
}

void lsn_format(lsn_t lsn, char *buf, size_t n)
{
    if (lsn == LSN_UNKNOWN) {
        str_copy(buf, n, "");
        return;
    }
    str_printf(buf, n, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xffffffffu));
}

int64_t lsn_diff(lsn_t a, lsn_t b)
{
    if (a == LSN_UNKNOWN || b == LSN_UNKNOWN)
        return NUM_UNKNOWN;
    if (a >= b)
        return (int64_t)(a - b);
    return -(int64_t)(b - a);
}

int walfile_timeline(const char *walfile)
{
    uint32_t tli;
    if (!walfile || strlen(walfile) != 24 || !parse_hex32(walfile, 8, &tli))
        return -1;
    return (int)tli;
}

lsn_t walfile_start(const char *walfile, int64_t segment_size)
{
    uint32_t log, seg;
    if (!walfile || strlen(walfile) != 24 || segment_size <= 0 || segment_size > (1LL << 30) ||
        !parse_hex32(walfile + 8, 8, &log) || !parse_hex32(walfile + 16, 8, &seg))
        return LSN_UNKNOWN;
    return ((lsn_t)log << 32) + (lsn_t)seg * (lsn_t)segment_size;
}
