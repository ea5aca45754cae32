/* app: the dashboard's state, shared by the files of tui/ — the loop (loop.c), what keys do
 * (intents.c) and the replay of a recording (replay.c). Not for use outside tui/. */
#ifndef REPLTOP_APP_H
#define REPLTOP_APP_H

#include "loop.h"
#include "term.h"
#include "theme.h"
#include "model/events.h"
#include "model/history.h"
#include "model/record.h"
#include "model/snapshot.h"
#include "panels/view.h"

#include <stdbool.h>
#include <stdint.h>

struct app {
    const struct dash_opts *o;
    struct term *term;
    struct grid *grid;
    struct theme theme;
    struct view view;
    struct history *hist;
    struct events *events;
    struct snapshot *snap; /* what the screen shows; may be a "connecting" placeholder */

    /* live */
    struct cluster *cluster;
    bool refreshing;
    int64_t refresh_started, next_refresh;

    /* replay */
    struct recording *rec;
    int pos;
    double speed;
    int64_t next_frame;
    char **warnings; /* malformed lines of the recording, logged again after each rebuild */
    int nwarnings;

    struct recorder *recorder;
    int64_t message_until;
    long shown_second;
    bool dirty, quit;
};

/* A one-line message in the key bar for a few seconds. */
void app_say(struct app *a, enum severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adopts s (taking ownership) as the snapshot on screen: logs what changed, feeds the
 * sparklines, appends it to the recording. */
void app_take_snapshot(struct app *a, struct snapshot *s);

/* intents.c: reads the waiting keys and carries out what they ask. */
void app_read_keys(struct app *a);

/* replay.c: a recording played back instead of a live cluster. */
bool replay_open(struct app *a, const char *path, char *err, size_t errlen);
void replay_start(struct app *a);
/* Shows the next frame when its time has come (and playback is not paused). */
void replay_tick(struct app *a, int64_t now);
/* Steps, after INTENT_STEP_BACK/STEP_FWD/FIRST/LAST; pauses the playback. */
void replay_move(struct app *a, unsigned intents);
/* dir > 0: slower, dir < 0: faster. */
void replay_speed(struct app *a, int dir);
void replay_toggle_pause(struct app *a);

#endif
