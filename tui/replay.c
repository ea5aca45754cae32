/* replay: a recording (--replay FILE) played into the dashboard instead of a live cluster —
 * at the recorded pace times a speed, paused, stepped. Sparklines and the event log are
 * rebuilt from the frames before the one shown, so they look as they did at that moment. */
#include "app.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A malformed line: kept for the event log and counted in the status line (replay_start); not
 * printed one by one: replay_open says how many in one line (DESIGN.md section 5.5). */
static void replay_warn(void *arg, const char *message)
{
    struct app *a = arg;
    a->warnings = xrealloc(a->warnings, (size_t)(a->nwarnings + 1) * sizeof *a->warnings);
    a->warnings[a->nwarnings++] = xstrdup(message);
}

/* Shows frame pos. Stepping one frame forward only adds it; any other move rebuilds the
 * sparklines and the event log from the frames before it, so they look as they did then. */
static void show(struct app *a, int pos)
{
    char err[512];
    if (pos < 0)
        pos = 0;
    if (pos >= a->rec->nframes)
        pos = a->rec->nframes - 1;
    if (a->snap && pos == a->pos + 1) {
        struct snapshot *s = recording_frame(a->rec, pos, err, sizeof err);
        if (s)
            app_take_snapshot(a, s);
        a->pos = pos;
    } else {
        history_clear(a->hist);
        events_clear(a->events);
        double t0 = a->rec->frames[0].t;
        for (int i = 0; i < a->nwarnings; i++)
            events_add(a->events, t0, EV_INFO, SEV_WARNING, "", "%s", a->warnings[i]);
        int from = pos - history_capacity(a->hist) + 1;
        snapshot_free(a->snap);
        a->snap = NULL;
        for (int i = from > 0 ? from : 0; i <= pos; i++) {
            struct snapshot *s = recording_frame(a->rec, i, err, sizeof err);
            if (!s)
                continue;
            events_diff(a->events, a->snap, s);
            history_feed(a->hist, s);
            snapshot_free(a->snap);
            a->snap = s;
        }
        a->pos = pos;
    }
    a->view.replay_pos = a->pos;
    a->dirty = true;
}

/* Milliseconds from frame pos to the next, at the recorded pace divided by the speed. */
static int64_t delay_ms(const struct app *a)
{
    double d = 1;
    const struct frame *f = a->rec->frames;
    if (a->o->replay_interval > 0)
        d = a->o->replay_interval;
    else if (a->pos + 1 < a->rec->nframes && f[a->pos].t > 0 && f[a->pos + 1].t > f[a->pos].t)
        d = f[a->pos + 1].t - f[a->pos].t;
    if (d > 60)
        d = 60; /* a gap in the recording is not worth waiting for */
    d /= a->speed;
    return d < 0.01 ? 10 : (int64_t)(d * 1000);
}

void replay_tick(struct app *a, int64_t now)
{
    if (a->view.paused || now < a->next_frame)
        return;
    if (a->pos + 1 >= a->rec->nframes) {
        a->view.paused = true;
        app_say(a, SEV_OK,
                "end of the recording (%d snapshots): space plays it again, %s steps back",
                a->rec->nframes, key_label(K_LEFT, a->grid->utf8));
        return;
    }
    show(a, a->pos + 1);
    a->next_frame = now + delay_ms(a);
}

bool replay_open(struct app *a, const char *path, char *err, size_t errlen)
{
    a->rec = recording_load(path, replay_warn, a, err, errlen);
    if (!a->rec)
        return false;
    if (a->nwarnings) /* before the screen starts: left on the terminal after the dashboard */
        text_error("%d malformed line(s) skipped; the first: %s", a->nwarnings, a->warnings[0]);
    a->view.replay = true;
    a->view.replay_count = a->rec->nframes;
    a->view.interval_s = a->speed;
    return true;
}

void replay_start(struct app *a)
{
    show(a, 0);
    a->next_frame = clock_mono_ms() + delay_ms(a);
    if (a->nwarnings)
        app_say(a, SEV_WARNING, "%d malformed line(s) of %s skipped: see the event log",
                a->nwarnings, a->rec->path);
}

/* What a frame's problems are, as one string (severity, code, node of each): two frames with
 * the same one look the same in the problems panel. NULL when the frame cannot be read. */
static char *problems_key(const struct app *a, int pos)
{
    char err[512];
    struct snapshot *s = recording_frame(a->rec, pos, err, sizeof err);
    if (!s)
        return NULL;
    size_t len = 16;
    for (int i = 0; i < s->nproblems; i++)
        len += strlen(s->problems[i].code) + strlen(s->problems[i].node) + 8;
    char *key = xmalloc(len);
    size_t at = (size_t)snprintf(key, len, "%d|", (int)s->health);
    for (int i = 0; i < s->nproblems && at < len; i++)
        at += (size_t)snprintf(key + at, len - at, "%d %s %s|", (int)s->problems[i].severity,
                               s->problems[i].code, s->problems[i].node);
    snapshot_free(s);
    return key;
}

/* Where the problems changed: forward (dir 1), the next frame whose problems differ from frame
 * pos's; backward, the first frame of pos's state, or when pos is that frame already, the first
 * frame of the state before it. pos when there is none (said in the message line). */
static int next_change(struct app *a, int pos, int dir)
{
    char *here = problems_key(a, pos), *k = NULL;
    int found = pos, i = pos + dir;
    for (; here && i >= 0 && i < a->rec->nframes; i += dir, free(k), k = NULL) {
        k = problems_key(a, i);
        if (k && strcmp(k, here) != 0)
            break;
    }
    if (dir > 0 && here && i < a->rec->nframes) {
        found = i;
    } else if (dir < 0 && here && i + 1 != pos) {
        found = i + 1; /* the start of this state (i is before the record when none differ) */
    } else if (dir < 0 && here && i >= 0) {
        char *before = k; /* the state before this one: back to its first frame */
        k = NULL;
        for (found = i; found > 0; found--) {
            k = problems_key(a, found - 1);
            bool same = k && strcmp(k, before) == 0;
            free(k);
            k = NULL;
            if (!same)
                break;
        }
        free(before);
    }
    free(k);
    free(here);
    if (found == pos)
        app_say(a, SEV_OK, "no %s change of the problems in the recording",
                dir > 0 ? "later" : "earlier");
    return found;
}

void replay_move(struct app *a, unsigned in)
{
    a->view.paused = true;
    int pos = a->pos;
    if (in & INTENT_STEP_BACK)
        pos--;
    if (in & INTENT_STEP_FWD)
        pos++;
    if (in & INTENT_FIRST)
        pos = 0;
    if (in & INTENT_LAST)
        pos = a->rec->nframes - 1;
    if (in & (INTENT_NEXT_EVENT | INTENT_PREV_EVENT))
        pos = next_change(a, pos, in & INTENT_NEXT_EVENT ? 1 : -1);
    if (pos >= 0 && pos < a->rec->nframes && pos != a->pos)
        show(a, pos);
    a->dirty = true;
}

void replay_speed(struct app *a, int dir)
{
    static const double speeds[] = {0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};
    int n = (int)(sizeof speeds / sizeof speeds[0]), i = 0;
    while (i < n - 1 && speeds[i] < a->speed)
        i++;
    i -= dir; /* a longer interval is a slower playback */
    a->speed = speeds[i < 0 ? 0 : i >= n ? n - 1 : i];
    a->view.interval_s = a->speed;
    a->next_frame = clock_mono_ms() + delay_ms(a);
    app_say(a, SEV_OK, "playback at %g%s the recorded pace", a->speed, glyph_times(a->grid->utf8));
}

void replay_toggle_pause(struct app *a)
{
    a->view.paused = !a->view.paused;
    if (!a->view.paused) {
        if (a->pos + 1 >= a->rec->nframes)
            show(a, 0); /* at the end: play it again */
        a->next_frame = clock_mono_ms() + delay_ms(a);
    }
    a->dirty = true;
}
