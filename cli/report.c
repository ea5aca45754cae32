/* report: fixed-width table; unknown values print as "–" (an en dash), never 0. */
#include "cli/report.h"
#include "model/watch/manager.h"
#include "model/base/text.h"
#include "model/base/util.h"
#include "model/patroni/patroni_view.h"

#include <stdlib.h>
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

/* Terminal columns of a UTF-8 string (the dash is 3 bytes for 1 column). */
static int columns(const char *s)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cols += (*p & 0xc0) != 0x80;
    return cols;
}

/* printf pads by bytes, so pad by hand */
static void cell(FILE *out, const char *s, int width)
{
    fputs(s, out);
    for (int i = columns(s); i < width; i++)
        fputc(' ', out);
}

/* "patroni repltop-test  leader db_m  sync standby db_s1  mode on, count 1": Patroni's view,
 * when its REST API is configured. */
static void patroni_line(FILE *out, const struct snapshot *s)
{
    const struct patroni_view *v = s->patroni;
    if (!v)
        return;
    if (!v->known) {
        char *err = text_escape_dup(v->error);
        fprintf(out, "patroni  REST API not answering: %s\n", err);
        free(err);
        return;
    }
    const struct patroni_member *l = patroni_leader(v);
    char syncs[256];
    patroni_sync_standbys(v, syncs, sizeof syncs);
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    fprintf(m, "patroni %s  leader %s  sync standby %s  synchronous_mode %s, count %d%s",
            v->scope[0] ? v->scope : DASH, l ? l->name : "none", syncs[0] ? syncs : "none",
            v->settings.synchronous_mode == 1 ? "on" : "off",
            v->settings.synchronous_node_count >= 1 ? v->settings.synchronous_node_count : 1,
            v->paused ? "  PAUSED" : "");
    fclose(m);
    char *safe = text_escape_dup(line);
    fprintf(out, "%s\n", safe);
    free(safe);
    free(line);
}

void report_print(FILE *out, const struct snapshot *s)
{
    char when[32];
    time_iso8601(s->taken_at, when, sizeof when);
    /* names, settings and messages come from the config and the servers: escaped (text.h) */
    char *primary = text_escape_dup(or_dash(s->primary));
    /* sync '' is known and empty (async only); "sync –" is unknown (no single primary) */
    char *names = text_escape_dup(s->synchronous_standby_names);
    size_t synclen = strlen(names) + 32;
    char *sync = xmalloc(synclen);
    if (!s->primary[0])
        str_copy(sync, synclen, DASH);
    else
        str_printf(sync, synclen, "'%s'%s", names, names[0] ? "" : " (async only)");
    free(names);
    char *commit = text_escape_dup(or_dash(s->synchronous_commit));
    fprintf(out, "cluster %s  primary %s  sync %s (synchronous_commit %s)  %s\n",
            severity_name(s->health), primary, sync, commit, when);
    free(primary);
    free(sync);
    free(commit);
    const struct node_snap *by = manager_running(s, NULL);
    if (by) { /* who decides here: repltop's actions are refused around it */
        char who[NAME_LEN + 32];
        manager_describe(&by->manager, who, sizeof who);
        char *line = text_escape_dup(who), *on = text_escape_dup(by->name);
        fprintf(out, "run by %s, seen on %s: act through it\n", line, on);
        free(line);
        free(on);
    }
    patroni_line(out, s);
    enum { NCOL = 11 };
    static const char *head[NCOL] = {"NODE", "ROLE",   "STATE", "TL",      "LSN",     "REPLAY",
                                     "LAG",  "LAG(s)", "SYNC",  "AT RISK", "UPSTREAM"};
    /* every cell first, so each column is as wide as its widest cell */
    char(*cells)[NCOL][80] = xcalloc((size_t)s->nnodes + 1, sizeof *cells);
    for (int c = 0; c < NCOL; c++)
        str_copy(cells[0][c], sizeof cells[0][c], head[c]);
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        char(*row)[80] = cells[i + 1];
        char lsn[LSN_STRLEN], replay[LSN_STRLEN];
        str_printf(row[0], 80, "%s%s", n->name, n->best_candidate ? "*" : "");
        str_copy(row[1], 80, n->reach == REACH_OK ? role_name(n->role) : DASH);
        str_copy(row[2], 80, n->state);
        if (node_delayed(n)) /* a delayed standby: "streaming +3600s" */
            str_printf(row[2] + strlen(row[2]), 80 - strlen(row[2]), " +%.0fs", n->apply_delay_s);
        if (n->timeline > 0)
            str_printf(row[3], 80, "%d", n->timeline);
        else
            str_copy(row[3], 80, DASH);
        lsn_format(n->role == ROLE_PRIMARY ? n->current_lsn : n->receive_lsn, lsn, sizeof lsn);
        lsn_format(n->replay_lsn, replay, sizeof replay);
        str_copy(row[4], 80, or_dash(lsn));
        str_copy(row[5], 80, or_dash(replay));
        fmt_bytes(n->lag_replay, row[6], 80);
        fmt_secs(n->lag_replay_s, row[7], 80);
        str_copy(row[8], 80, or_dash(n->sync_state));
        fmt_bytes(n->data_at_risk, row[9], 80);
        str_copy(row[10], 80, or_dash(n->upstream));
    }
    for (int r = 1; r <= s->nnodes; r++)
        for (int c = 0; c < NCOL; c++)
            text_escape(cells[r][c], sizeof cells[r][c], cells[r][c]);
    int width[NCOL] = {0};
    for (int r = 0; r <= s->nnodes; r++)
        for (int c = 0; c < NCOL; c++)
            if (columns(cells[r][c]) > width[c])
                width[c] = columns(cells[r][c]);
    for (int r = 0; r <= s->nnodes; r++) {
        for (int c = 0; c < NCOL; c++)
            cell(out, cells[r][c], c == NCOL - 1 ? 0 : width[c] + 2);
        fputc('\n', out);
    }
    free(cells);
    if (s->candidate[0]) {
        fputs("* best failover candidate: ", out);
        text_fputs(out, s->candidate);
        fputc('\n', out);
    }
    for (int i = 0; i < s->nproblems; i++) {
        fprintf(out, "%-8s %-20s ", severity_name(s->problems[i].severity), s->problems[i].code);
        text_fputs(out, s->problems[i].message);
        fputc('\n', out);
    }
}

int report_exit_code(const struct snapshot *s)
{
    return s->health == SEV_CRITICAL ? 2 : s->health == SEV_WARNING ? 1 : 0;
}

/* A perfdata label: 'NODE_what', a quote in it doubled (the plugin guidelines). */
static void perf_label(FILE *out, const char *node, const char *what)
{
    fputc('\'', out);
    for (const char *p = node; *p; p++) {
        if (*p == '\'')
            fputc('\'', out);
        fputc(*p, out);
    }
    fprintf(out, "_%s'=", what);
}

static void perf_bytes(FILE *out, int64_t v)
{
    if (num_known(v))
        fprintf(out, "%lldB", (long long)v);
    else
        fputc('U', out);
}

static void perf_node(FILE *out, const struct node_snap *n, const struct config *cfg)
{
    perf_label(out, n->name, "lag_bytes");
    perf_bytes(out, n->lag_replay);
    fprintf(out, ";%lld;%lld;0 ", (long long)cfg->lag_warn_bytes, (long long)cfg->lag_crit_bytes);
    perf_label(out, n->name, "lag_seconds");
    if (dbl_known(n->lag_replay_s))
        fprintf(out, "%.3fs", n->lag_replay_s);
    else
        fputc('U', out);
    fprintf(out, ";%g;%g;0 ", cfg->lag_warn_s, cfg->lag_crit_s);
    perf_label(out, n->name, "at_risk_bytes");
    perf_bytes(out, n->data_at_risk);
}

int report_check_state(const struct snapshot *s, char *text, size_t len, int *more)
{
    int answered = 0, worst = -1;
    *more = 0;
    for (int i = 0; i < s->nnodes; i++)
        answered += s->nodes[i].reach == REACH_OK;
    for (int i = 0; i < s->nproblems; i++) {
        if (s->problems[i].severity == SEV_OK)
            continue;
        if (worst < 0 || s->problems[i].severity > s->problems[worst].severity)
            worst = i;
        (*more)++;
    }
    if (*more > 0)
        (*more)--; /* the others than the one in text */
    int rc = answered == 0 ? 3 : report_exit_code(s);
    char msg[ERROR_LEN + 64];
    if (worst >= 0)
        str_printf(msg, sizeof msg, "%s", s->problems[worst].message);
    else
        str_printf(msg, sizeof msg, "%d of %d nodes answered, primary %s", answered, s->nnodes,
                   or_dash(s->primary));
    if (answered == 0 && worst < 0)
        str_copy(msg, sizeof msg, "no node answered");
    /* one line, and a '|' would start the perfdata */
    text_escape(text, len, msg);
    for (char *p = text; *p; p++)
        if (*p == '|')
            *p = '/';
    return rc;
}

const char *report_check_name(int state)
{
    static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    return state >= 0 && state <= 3 ? names[state] : "UNKNOWN";
}

int report_check(FILE *out, const struct snapshot *s, const struct config *cfg)
{
    char text[4 * (ERROR_LEN + 64)];
    int more;
    int rc = report_check_state(s, text, sizeof text, &more);
    fprintf(out, "REPLTOP %s - %s", report_check_name(rc), text);
    if (more > 0)
        fprintf(out, " (+%d more)", more);
    fputs(" |", out);
    for (int i = 0; i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->reach == REACH_OK && n->role == ROLE_PRIMARY)
            continue;
        fputc(' ', out);
        perf_node(out, n, cfg);
    }
    fputc('\n', out);
    return rc;
}
