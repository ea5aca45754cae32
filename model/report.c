/* report: fixed-width table; unknown values print as "–" (an en dash), never 0. */
#include "report.h"
#include "util.h"

#include <string.h>

#define DASH "\xe2\x80\x93"

static const char *or_dash(const char *s)
{
    return s && *s ? s : DASH;
}

static void fmt_bytes(int64_t v, char *buf, size_t n)
{
    if (num_known(v))
        format_bytes(v, buf, n);
    else
        str_copy(buf, n, DASH);
}

static void fmt_secs(double v, char *buf, size_t n)
{
    if (dbl_known(v))
        str_printf(buf, n, v < 10 ? "%.2fs" : "%.0fs", v);
    else
        str_copy(buf, n, DASH);
}

/* printf pads by bytes; the dash is 3 bytes for 1 column, so pad by hand */
static void cell(FILE *out, const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cols += (*p & 0xc0) != 0x80;
    fputs(s, out);
    for (int i = cols; i < width; i++)
        fputc(' ', out);
}

void report_print(FILE *out, const struct snapshot *s)
{
    char when[32];
    time_iso8601(s->taken_at, when, sizeof when);
    fprintf(out, "cluster %s  primary %s  sync '%s' (synchronous_commit %s)  %s\n",
            severity_name(s->health), or_dash(s->primary), s->synchronous_standby_names,
            or_dash(s->synchronous_commit), when);
    static const char *head[] = {"NODE", "ROLE",   "STATE", "TL",      "LSN",     "REPLAY",
                                 "LAG",  "LAG(s)", "SYNC",  "AT RISK", "UPSTREAM"};
    static const int width[] = {16, 8, 13, 3, 13, 13, 9, 7, 10, 9, 12};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        cell(out, head[i], width[i] + 1);
    fputc('\n', out);
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        char tl[12], lsn[LSN_STRLEN], replay[LSN_STRLEN], lag[24], lags[16], risk[24];
        char name[NAME_LEN + 2];
        str_printf(name, sizeof name, "%s%s", n->name, n->best_candidate ? "*" : "");
        if (n->timeline > 0)
            str_printf(tl, sizeof tl, "%d", n->timeline);
        else
            str_copy(tl, sizeof tl, DASH);
        lsn_format(n->role == ROLE_PRIMARY ? n->current_lsn : n->receive_lsn, lsn, sizeof lsn);
        lsn_format(n->replay_lsn, replay, sizeof replay);
        fmt_bytes(n->lag_replay, lag, sizeof lag);
        fmt_secs(n->lag_replay_s, lags, sizeof lags);
        fmt_bytes(n->data_at_risk, risk, sizeof risk);
        const char *cells[] = {name,
                               n->reach == REACH_OK ? role_name(n->role) : DASH,
                               n->state,
                               tl,
                               or_dash(lsn),
                               or_dash(replay),
                               lag,
                               lags,
                               or_dash(n->sync_state),
                               risk,
                               or_dash(n->upstream)};
        for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
            cell(out, cells[c], width[c] + 1);
        fputc('\n', out);
    }
    if (s->candidate[0])
        fprintf(out, "* best failover candidate: %s\n", s->candidate);
    for (int i = 0; i < s->nproblems; i++)
        fprintf(out, "%-8s %-20s %s\n", severity_name(s->problems[i].severity), s->problems[i].code,
                s->problems[i].message);
}

int report_exit_code(const struct snapshot *s)
{
    return s->health == SEV_CRITICAL ? 2 : s->health == SEV_WARNING ? 1 : 0;
}
