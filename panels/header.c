/* header: two lines on top — cluster health as one word in its colour, the primary, the sync
 * settings, the HA manager that runs the cluster, the interval, the age of the snapshot, the
 * problem count, the operator action that runs, and a clock that keeps moving even while a node
 * hangs. Items drop by priority when the terminal is narrow. */
#include "view.h"
#include "dialog.h"
#include "model/watch/manager.h"
#include "model/base/util.h"

#include <math.h>
#include <string.h>
#include <time.h>

struct seg {
    const char *label; /* dim, may be NULL */
    char value[SETTING_LEN + 32];
    enum role role;
    unsigned attrs;
    int prio; /* 0 is never dropped; higher numbers go first */
};

static bool has_problem(const struct snapshot *s, const char *code)
{
    for (int i = 0; i < s->nproblems; i++)
        if (strcmp(s->problems[i].code, code) == 0)
            return true;
    return false;
}

static int seg_width(const struct seg *s, bool utf8)
{
    int w = text_width(s->value, utf8);
    if (s->label)
        w += text_width(s->label, utf8) + 1;
    return w;
}

/* Lays segments out left to right in w columns with two blanks between them, leaving out the
 * least important ones until the rest fit; a prio-0 segment that still does not fit is cut. */
static void draw_segments(struct grid *g, int x, int y, int w, struct seg *segs, int n)
{
    bool keep[16];
    int total = 0;
    for (int i = 0; i < n; i++) {
        keep[i] = true;
        total += seg_width(&segs[i], g->utf8) + (i ? 2 : 0);
    }
    for (int prio = 9; prio > 0 && total > w; prio--) {
        for (int i = n - 1; i >= 0 && total > w; i--) {
            if (keep[i] && segs[i].prio == prio) {
                keep[i] = false;
                total -= seg_width(&segs[i], g->utf8) + 2;
            }
        }
    }
    int cx = x, end = x + w;
    bool first = true;
    for (int i = 0; i < n && cx < end; i++) {
        if (!keep[i])
            continue;
        if (!first)
            cx += 2;
        first = false;
        if (segs[i].label) {
            cx += grid_text(g, cx, y, end - cx, CR_DIM, 0, segs[i].label);
            cx += grid_text(g, cx, y, end - cx, CR_NORMAL, 0, " ");
        }
        cx += grid_text_clip(g, cx, y, end - cx, segs[i].role, segs[i].attrs, segs[i].value);
    }
}

static void fmt_interval(double s, char *buf, size_t n)
{
    if (s >= 1 && fabs(s - round(s)) < 1e-9)
        str_printf(buf, n, "%.0fs", s);
    else
        str_printf(buf, n, "%gs", s);
}

void header_render(const struct snapshot *s, const struct view *v, struct grid *g, struct rect r)
{
    bool u = g->utf8;
    grid_fill(g, r, CR_HEADER);

    /* the clock, right-aligned: live it is now; in a replay, the time of the frame shown */
    char clock[40];
    if (v->replay && s) {
        time_t t = (time_t)s->taken_at;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(clock, sizeof clock, r.w >= 100 ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
    } else {
        fmt_clock(v->now, clock, sizeof clock);
    }
    int cw = text_width(clock, u);
    grid_text(g, r.x + r.w - cw - 1, r.y, cw, CR_HEADER, 0, clock);
    int w = r.w - cw - 3;

    struct seg segs[13];
    int n = 0;
    segs[n] = (struct seg){NULL, "repltop", CR_TITLE, 0, 5};
    n++;
    if (v->cluster_name) { /* one cluster of a fleet: which one */
        segs[n] = (struct seg){"cluster", "", CR_TITLE, ATTR_BOLD, 0};
        str_copy(segs[n].value, sizeof segs[n].value, v->cluster_name);
        n++;
    }
    if (v->read_only) {
        segs[n] = (struct seg){NULL, " READ-ONLY ", CR_MESSAGE, ATTR_REVERSE, 0};
        n++;
    }
    if (!s || v->connecting) {
        segs[n] = (struct seg){NULL, "", CR_DIM, 0, 0};
        str_printf(segs[n].value, sizeof segs[n].value, "connecting%s", u ? "…" : "...");
        n++;
    } else {
        segs[n] = (struct seg){NULL, "", severity_role(s->health), ATTR_REVERSE, 0};
        str_printf(segs[n].value, sizeof segs[n].value, " %s ",
                   s->health == SEV_OK        ? "OK"
                   : s->health == SEV_WARNING ? "WARNING"
                                              : "CRITICAL");
        n++;
        segs[n] = (struct seg){"primary", "", s->primary[0] ? CR_PRIMARY : CR_CRITICAL, 0, 1};
        if (s->primary[0]) {
            str_copy(segs[n].value, sizeof segs[n].value, s->primary);
        } else {
            /* none, or several: a split brain names every node that accepts writes */
            size_t len = 0;
            for (int i = 0; i < s->nnodes; i++) {
                const struct node_snap *p = &s->nodes[i];
                if (p->reach != REACH_OK || p->role != ROLE_PRIMARY)
                    continue;
                len = strlen(segs[n].value);
                str_printf(segs[n].value + len, sizeof segs[n].value - len, "%s%s",
                           len ? " + " : "", p->name);
            }
            if (!segs[n].value[0])
                str_copy(segs[n].value, sizeof segs[n].value, "none");
        }
        n++;
        /* an HA manager runs the cluster: repltop watches, its actions go through it */
        const struct node_snap *by = manager_running(s, NULL);
        if (by || s->patroni) {
            segs[n] = (struct seg){"run by", "", CR_WARNING, 0, 1};
            if (by)
                manager_describe(&by->manager, segs[n].value, sizeof segs[n].value);
            else
                str_printf(segs[n].value, sizeof segs[n].value, "Patroni (scope %s)",
                           s->patroni->scope[0] ? s->patroni->scope : "?");
            if (s->patroni) { /* its REST API: the actions go through it */
                size_t len = strlen(segs[n].value);
                str_printf(segs[n].value + len, sizeof segs[n].value - len, ", REST %s",
                           s->patroni->known ? "ok" : "not answering");
                if (s->patroni->known && s->patroni->paused)
                    str_printf(segs[n].value + strlen(segs[n].value),
                               sizeof segs[n].value - strlen(segs[n].value), ", paused");
            }
            n++;
        }
        segs[n] = (struct seg){NULL, "", s->nproblems ? CR_WARNING : CR_HEADER, 0, 2};
        str_printf(segs[n].value, sizeof segs[n].value, "%d problem%s", s->nproblems,
                   s->nproblems == 1 ? "" : "s");
        if (s->health == SEV_CRITICAL)
            segs[n].role = CR_CRITICAL;
        n++;
    }
    if (v->replay) {
        segs[n] = (struct seg){NULL, "", CR_MESSAGE, 0, 0};
        str_printf(segs[n].value, sizeof segs[n].value, " REPLAY %d/%d %s%g ", v->replay_pos + 1,
                   v->replay_count, glyph_times(u), v->interval_s);
        n++;
    } else {
        segs[n] = (struct seg){"every", "", CR_HEADER, 0, 3};
        fmt_interval(v->interval_s, segs[n].value, sizeof segs[n].value);
        n++;
        if (s && !v->connecting) {
            double age = v->now - s->taken_at;
            segs[n] = (struct seg){"updated", "", CR_HEADER, 0, 4};
            str_printf(segs[n].value, sizeof segs[n].value, "%.1fs ago", age < 0 ? 0 : age);
            /* older than three intervals and a deadline: refreshes are not coming through */
            if (age > 3 * v->interval_s + 2 && !v->paused)
                segs[n].role = CR_WARNING;
            if (age >= 60) {
                char d[24];
                fmt_duration(age, d, sizeof d);
                str_printf(segs[n].value, sizeof segs[n].value, "%s ago", d);
            }
            n++;
        }
    }
    if (v->paused) {
        segs[n] = (struct seg){NULL, " PAUSED ", CR_WARNING, ATTR_REVERSE, 0};
        n++;
    }
    if (v->run && v->run->active) {
        char pct[128];
        run_progress_text(v->run, v->now, pct, sizeof pct);
        pct[strcspn(pct, " ")] = '\0'; /* the percentage only */
        segs[n] = (struct seg){NULL, "", CR_WARNING, ATTR_REVERSE, 0};
        str_printf(segs[n].value, sizeof segs[n].value, " action running: %s%s%s ", v->run->title,
                   pct[0] ? " " : "", pct);
        n++;
    }
    draw_segments(g, r.x + 1, r.y, w, segs, n);

    if (r.h < 2)
        return;
    n = 0;
    if (s) {
        segs[n] = (struct seg){"sync", "", CR_HEADER, 0, 0};
        fmt_str(s->primary[0] ? s->synchronous_standby_names : "", u, segs[n].value,
                sizeof segs[n].value);
        if (s->primary[0] && !s->synchronous_standby_names[0])
            str_copy(segs[n].value, sizeof segs[n].value, "'' (async only)");
        n++;
        if (s->sync_policy[0]) {
            bool below = has_problem(s, "below_sync_policy");
            segs[n] = (struct seg){"policy", "", below ? CR_WARNING : CR_HEADER, 0, 1};
            str_printf(segs[n].value, sizeof segs[n].value, "%s%s", s->sync_policy,
                       below ? ", below policy" : "");
            n++;
        }
        segs[n] = (struct seg){"synchronous_commit", "", CR_HEADER, 0, 2};
        fmt_str(s->synchronous_commit, u, segs[n].value, sizeof segs[n].value);
        n++;
        segs[n] = (struct seg){"failover candidate", "", CR_CANDIDATE, 0, 1};
        if (s->candidate[0])
            str_printf(segs[n].value, sizeof segs[n].value, "%s %s", s->candidate, glyph_star(u));
        else
            str_copy(segs[n].value, sizeof segs[n].value, glyph_dash(u));
        n++;
        segs[n] = (struct seg){NULL, "", CR_DIM, 0, 4};
        str_printf(segs[n].value, sizeof segs[n].value, "%d node%s", s->nnodes,
                   s->nnodes == 1 ? "" : "s");
        n++;
    }
    if (v->record_path) {
        segs[n] = (struct seg){"recording", "", CR_WARNING, 0, 3};
        const char *base = strrchr(v->record_path, '/');
        str_copy(segs[n].value, sizeof segs[n].value, base ? base + 1 : v->record_path);
        n++;
    }
    draw_segments(g, r.x + 1, r.y + 1, r.w - 2, segs, n);
}
