/* fmt: how the panels spell values, and how a node's health picks its colour role. Unknown
 * values are a dash, never 0. */
#include "view.h"
#include "model/base/util.h"

#include <math.h>
#include <string.h>
#include <time.h>

enum severity node_severity(const struct snapshot *s, const char *node)
{
    enum severity worst = SEV_OK;
    for (int i = 0; s && i < s->nproblems; i++)
        if (strcmp(s->problems[i].node, node) == 0 && s->problems[i].severity > worst)
            worst = s->problems[i].severity;
    return worst;
}

bool node_has_problem(const struct snapshot *s, const char *node, const char *code)
{
    for (int i = 0; s && i < s->nproblems; i++)
        if (strcmp(s->problems[i].node, node) == 0 && strcmp(s->problems[i].code, code) == 0)
            return true;
    return false;
}

enum role severity_role(enum severity sev)
{
    return sev == SEV_CRITICAL ? CR_CRITICAL : sev == SEV_WARNING ? CR_WARNING : CR_OK;
}

enum role node_row_role(const struct snapshot *s, const struct node_snap *n)
{
    if (n->reach == REACH_UNREACHABLE || n->reach == REACH_TIMEOUT || n->reach == REACH_AUTH_FAILED)
        return CR_DOWN;
    if (n->reach == REACH_PENDING)
        return CR_DIM;
    /* split brain is a cluster problem, but each primary's row must show it */
    if (n->role == ROLE_PRIMARY && node_has_problem(s, "", "multiple_primaries"))
        return CR_CRITICAL;
    switch (node_severity(s, n->name)) {
    case SEV_CRITICAL:
        return CR_CRITICAL;
    case SEV_WARNING:
        return CR_WARNING;
    default:
        return CR_NORMAL;
    }
}

void fmt_bytes(int64_t v, bool utf8, char *buf, size_t n)
{
    if (num_known(v))
        format_bytes(v, buf, n);
    else
        str_copy(buf, n, glyph_dash(utf8));
}

void fmt_seconds(double v, bool utf8, char *buf, size_t n)
{
    if (!dbl_known(v))
        str_copy(buf, n, glyph_dash(utf8));
    else if (v < 1)
        str_printf(buf, n, "%.0fms", v * 1000 < 0 ? 0 : v * 1000);
    else if (v < 60)
        str_printf(buf, n, "%.1fs", v);
    else
        fmt_duration(v, buf, n);
}

void fmt_lsn(lsn_t v, bool utf8, char *buf, size_t n)
{
    if (v == LSN_UNKNOWN)
        str_copy(buf, n, glyph_dash(utf8));
    else
        lsn_format(v, buf, n);
}

void fmt_int(int64_t v, bool utf8, char *buf, size_t n)
{
    if (num_known(v))
        str_printf(buf, n, "%lld", (long long)v);
    else
        str_copy(buf, n, glyph_dash(utf8));
}

void fmt_tps(double v, bool utf8, char *buf, size_t n)
{
    if (!dbl_known(v))
        str_copy(buf, n, glyph_dash(utf8));
    else if (v < 100)
        str_printf(buf, n, "%.1f", v);
    else if (v < 100000)
        str_printf(buf, n, "%.0f", v);
    else
        str_printf(buf, n, "%.0fk", v / 1000);
}

void fmt_str(const char *s, bool utf8, char *buf, size_t n)
{
    str_copy(buf, n, s && *s ? s : glyph_dash(utf8));
}

void fmt_duration(double secs, char *buf, size_t n)
{
    if (!dbl_known(secs) || secs < 0)
        secs = 0;
    long long s = (long long)secs;
    if (s < 60)
        str_printf(buf, n, "%llds", s);
    else if (s < 3600)
        str_printf(buf, n, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400)
        str_printf(buf, n, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else
        str_printf(buf, n, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

void fmt_clock(double t, char *buf, size_t n)
{
    time_t secs = (time_t)t;
    struct tm tm;
    localtime_r(&secs, &tm);
    strftime(buf, n, "%H:%M:%S", &tm);
}
