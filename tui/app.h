/* app: the dashboard's state, shared by the files of tui/ — the loop (loop.c), what keys do
 * (intents.c), the operator actions (actions.c) and the replay of a recording (replay.c).
 * Not for use outside tui/. */
#ifndef REPLTOP_APP_H
#define REPLTOP_APP_H

#include "loop.h"
#include "term.h"
#include "theme.h"
#include "model/watch/events.h"
#include "model/watch/fleet.h"
#include "model/watch/history.h"
#include "model/watch/schedule.h"
#include "model/store/record.h"
#include "model/watch/snapshot.h"
#include "panels/dialog.h"
#include "panels/view.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

/* A cluster of the fleet while it is not on screen: its own sparklines and events, fed from
 * its snapshots all along. The cluster on screen has them in app's hist and events (and its
 * snapshot, a copy of the fleet's, in snap): app_enter swaps them. */
struct app_cluster {
    struct history *hist;
    struct events *events;
    int selected; /* its selected node, kept while another is shown */
    bool stale;   /* its config has new nodes: rebuild it at the top of the next pass */
};

struct app {
    const struct dash_opts *o;
    struct config *cfg; /* the config of the cluster on screen (the first on the fleet screen) */
    struct term *term;
    struct grid *grid;
    struct theme theme;
    struct view view;
    struct history *hist;
    struct events *events;
    struct snapshot *snap; /* what the screen shows; may be a "connecting" placeholder */

    /* live: every cluster, in one fleet (one cluster is a fleet of one) */
    struct fleet *fleet;
    struct app_cluster *cl;
    int ncl;
    int cur; /* the cluster on screen; -1: the fleet screen (more than one cluster) */
    struct events *fleet_events; /* the log on the fleet screen (theme, interval) */
    struct fleet_entry *entries; /* the fleet screen's rows, filled before each drawing */
    double *lags;                /* their sparklines: FLEET_LAG_SAMPLES per cluster */
    struct schedule sched;       /* when the clusters refresh (model/watch/schedule) */

    /* replay */
    struct recording *rec;
    int pos;
    double speed;
    int64_t next_frame;
    char **warnings; /* malformed lines of the recording, logged again after each rebuild */
    int nwarnings;

    /* operator actions (actions.c): one at a time, run as a child process */
    struct dialog dlg; /* the open dialog; cls NULL when none */
    struct run_state run;
    pid_t run_pid;      /* the action's process, 0 when none runs */
    int run_fd;         /* its stdout and stderr, -1 once closed */
    char run_buf[2048]; /* a line being read */
    size_t run_len;
    bool quit_armed;      /* q was pressed once while an action runs */
    FILE *run_echo;       /* after the dashboard closed: where the action's lines go */
    bool run_adds;        /* it may add nodes to the config file: read it again at the end */
    char conf_path[4096]; /* the config, absolute, handed to the action ("" when none) */
    int run_cluster;      /* the cluster the action runs on (its events get its lines) */
    struct events *run_events;

    struct recorder *recorder;
    int64_t message_until;
    long shown_second;
    bool dirty, quit;
    /* the fleet screen has clusters' new snapshots not drawn yet, since then (monotonic ms);
     * 0 for none: drawn when the fleet's refresh ends (loop.c, fleet_redraw_due) */
    int64_t fleet_changed;
};

/* A one-line message in the key bar for a few seconds. */
void app_say(struct app *a, enum severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adopts s (taking ownership) as the snapshot on screen: logs what changed, feeds the
 * sparklines, appends it to the recording. */
void app_take_snapshot(struct app *a, struct snapshot *s);

/* Watches the nodes of cluster i's config as it is now (after nodes were added to it): a new
 * cluster at the top of the loop's next pass, refreshed at once; the screen keeps the last
 * snapshot until then. */
void app_rebuild_cluster(struct app *a, int i);
/* Shows cluster i's dashboard (i >= 0), or the fleet screen (-1). */
void app_enter(struct app *a, int i);
/* Fills the fleet screen's rows (view.fleet) from the fleet as it is now. */
void app_fleet_rows(struct app *a);

/* intents.c: reads the waiting keys and carries out what they ask. */
void app_read_keys(struct app *a);

/* actions.c: the operator actions. */
void actions_init(struct app *a);
/* An action key: opens its dialog, or shows the action that runs. */
void actions_open(struct app *a, enum key_cmd cmd);
/* A key for the open dialog. */
void actions_dialog_key(struct app *a, int key);
/* Keeps what must survive the primary: its synchronous_standby_names. */
void actions_note_snapshot(struct app *a, const struct snapshot *s);
bool actions_running(const struct app *a);
/* The action's output to poll (-1 when none), and reading it when it is ready. */
int actions_fd(const struct app *a);
void actions_read(struct app *a);
/* Collects the action's exit when it ended (after SIGCHLD; harmless otherwise). */
void actions_reap(struct app *a);
/* After the dashboard closed: waits for a running action, printing its output. */
void actions_finish(struct app *a);

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
