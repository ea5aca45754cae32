/* view: what the panels need besides the snapshot — selection, focus, toggles, scroll
 * positions, the clock, and the loop's state to show (interval, pause, replay position) —
 * and the intents a key handler returns for the loop to carry out (htop style: the panel
 * changes only its view state; the loop does everything with side effects). */
#ifndef REPLTOP_VIEW_H
#define REPLTOP_VIEW_H

#include "grid.h"
#include "keys.h"
#include "model/watch/events.h"
#include "model/watch/history.h"
#include "model/watch/snapshot.h"

#include <stdbool.h>

/* Below this the dashboard shows only "terminal too small". */
#define MIN_COLS 60
#define MIN_ROWS 15

enum panel_id { PANEL_NODES, PANEL_DETAIL, PANEL_EVENTS, PANEL_COUNT };

/* What the loop must do after a key; flags. */
enum intent {
    INTENT_NONE = 0,
    INTENT_REDRAW = 1 << 0,      /* the view changed: render again */
    INTENT_QUIT = 1 << 1,        /* leave */
    INTENT_EXPORT = 1 << 2,      /* write the snapshot as JSON */
    INTENT_THEME = 1 << 3,       /* next theme */
    INTENT_SLOWER = 1 << 4,      /* longer interval */
    INTENT_FASTER = 1 << 5,      /* shorter interval */
    INTENT_PAUSE = 1 << 6,       /* pause / resume */
    INTENT_STEP_BACK = 1 << 7,   /* replay: previous frame */
    INTENT_STEP_FWD = 1 << 8,    /* replay: next frame */
    INTENT_FIRST = 1 << 9,       /* replay: first frame */
    INTENT_LAST = 1 << 10,       /* replay: last frame */
    INTENT_REPAINT = 1 << 11,    /* repaint the whole terminal */
    INTENT_ACTION = 1 << 12,     /* an action key (view.cmd says which): open its dialog */
    INTENT_RUN = 1 << 13,        /* a dialog was confirmed: run its action (dialog_argv) */
    INTENT_NEXT_EVENT = 1 << 14, /* replay: the next frame whose problems differ */
    INTENT_PREV_EVENT = 1 << 15, /* replay: the previous such frame */
    INTENT_OPEN = 1 << 16,       /* fleet screen: open cluster view.fleet_sel's dashboard */
    INTENT_BACK = 1 << 17,       /* a cluster's dashboard: back to the fleet screen */
};

/* One cluster of a fleet, as the fleet screen (panels/fleet.c) shows it. */
struct fleet_entry {
    const char *name;
    const struct snapshot *snap; /* its last snapshot, NULL before its first refresh */
    int nodes;                   /* configured nodes */
    const double *lag;           /* its worst replay lag per refresh (bytes, NAN unknown), */
    int nlag;                    /* oldest first */
    const char *twin; /* a cluster it is the same as (duplicate_cluster), or NULL: "NAME = TWIN" */
};

struct dialog;
struct run_state;

struct view {
    /* selection and layout state, changed by key handlers */
    int selected; /* index into snapshot->nodes */
    int table_top;
    enum panel_id focus;
    bool show_detail;
    bool show_help;
    int detail_scroll, events_scroll, help_scroll;
    int detail_lines, events_lines, help_lines; /* content heights from the last render */
    int detail_page, events_page, help_page;    /* visible heights from the last render */
    enum key_cmd cmd;                           /* with INTENT_ACTION */

    /* what the loop tells the panels */
    double now;        /* wall clock, for the header clock and ages */
    double interval_s; /* live: the refresh interval; replay: the playback speed factor */
    bool paused;
    bool connecting; /* live, before the first refresh completed */
    const char *theme_name;
    const char *record_path; /* --record FILE, or NULL */
    bool replay;
    int replay_pos, replay_count;
    bool read_only;    /* --read-only or [repltop] actions = off: READ-ONLY, no action keys */
    char message[512]; /* one line for the function-key bar ("" for none) */
    enum severity message_severity;
    const struct history *history;
    const struct events *events;
    const struct dialog *dialog; /* drawn on top when one is open (panels/dialog.h) */
    const struct run_state *run; /* the operator action running or last run, or NULL */

    /* a fleet: more than one cluster (panels/fleet.c) */
    int fleet_size;                  /* clusters watched; 1: no fleet screen */
    bool fleet_screen;               /* the fleet screen is shown, not one cluster */
    const char *cluster_name;        /* the cluster shown, in a fleet; NULL otherwise */
    const struct fleet_entry *fleet; /* fleet_size entries, for the fleet screen */
    int fleet_sel, fleet_top;        /* the selected cluster (an index), the first row shown */
    bool fleet_moved; /* a key moved the selection: it follows its cluster; else the top row */
    int fleet_prob;   /* the problems panel's cursor line (when Tab gave it the focus) */
    char filter[64];  /* `/`: only clusters whose name holds it */
    bool filtering;   /* the filter is being typed */
};

void view_init(struct view *v);

/* Draws the whole dashboard for s (which may be NULL before the first refresh) into g. */
void dashboard_render(const struct snapshot *s, struct view *v, struct grid *g);
/* Handles an action on the focused panel (or globally); returns intent flags. */
unsigned dashboard_key(struct view *v, const struct snapshot *s, enum key_cmd a);

/* ---- the panels: render into a rectangle; key handlers where a panel has keys ---- */

void header_render(const struct snapshot *s, const struct view *v, struct grid *g, struct rect r);
void nodes_render(const struct snapshot *s, struct view *v, struct grid *g, struct rect r);
unsigned nodes_key(struct view *v, const struct snapshot *s, enum key_cmd a);
void detail_render(const struct snapshot *s, struct view *v, struct grid *g, struct rect r);
unsigned detail_key(struct view *v, const struct snapshot *s, enum key_cmd a);
/* The rows the detail panel would fill (borders included) at width w. */
int detail_height(const struct snapshot *s, const struct view *v, int w, bool utf8);
void events_render(const struct snapshot *s, struct view *v, struct grid *g, struct rect r);
unsigned events_key(struct view *v, const struct snapshot *s, enum key_cmd a);
/* The fleet screen: a header, one row per cluster (worst first, filtered), the fleet's
 * problems, the key bar. */
void fleet_render(struct view *v, struct grid *g);
unsigned fleet_key(struct view *v, enum key_cmd a);
/* A key while the filter is typed: characters, Backspace, Enter (keep), Esc (clear). */
unsigned fleet_filter_key(struct view *v, int key);
/* The clusters shown, in screen order (worst first, the filter applied): how many, into order
 * (room for v->fleet_size). */
int fleet_order(const struct view *v, int *order);
void help_render(const struct view *v, struct grid *g, struct rect r);
unsigned help_key(struct view *v, enum key_cmd a);
void fkeys_render(const struct view *v, struct grid *g, struct rect r);
void small_render(struct grid *g);

/* ---- shared by the panels (panels/fmt.c) ---- */

/* The worst severity of s's problems about node (SEV_OK when none). */
enum severity node_severity(const struct snapshot *s, const char *node);
/* Whether s has a problem with this code about node. */
bool node_has_problem(const struct snapshot *s, const char *node, const char *code);
/* The role a row or word is drawn in for a node. */
enum role node_row_role(const struct snapshot *s, const struct node_snap *n);
enum role severity_role(enum severity sev);
/* Value formatting; unknown values give the dash glyph. */
void fmt_bytes(int64_t v, bool utf8, char *buf, size_t n);
void fmt_seconds(double v, bool utf8, char *buf, size_t n);
void fmt_lsn(lsn_t v, bool utf8, char *buf, size_t n);
void fmt_int(int64_t v, bool utf8, char *buf, size_t n);
void fmt_tps(double v, bool utf8, char *buf, size_t n);
void fmt_str(const char *s, bool utf8, char *buf, size_t n);
/* "12s", "4m05s", "3h12m", "2d04h" */
void fmt_duration(double secs, char *buf, size_t n);
/* Local wall-clock time "HH:MM:SS". */
void fmt_clock(double t, char *buf, size_t n);
/* Scrolls content of `lines` lines shown `page` at a time; INTENT_REDRAW when it moved. */
unsigned scroll_key(int *scroll, int lines, int page, enum key_cmd a);

#endif
