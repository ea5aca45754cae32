/* loop: the poll() loop, signals through a self-pipe, the live refresh schedule, drawing, and
 * setting the dashboard up and down. Keys are in intents.c, the operator actions in
 * actions.c, the replay in replay.c. */
#include "app.h"
#include "model/watch/cluster.h"
#include "model/watch/fleet.h"
#include "model/watch/patroni_members.h"
#include "model/watch/schedule.h"
#include "model/base/sigpipe.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MESSAGE_MS    10000
#define SEND_SLICE_MS 2   /* a refresh's sends in one pass, before the loop looks at keys again */
#define CLOCK_WAIT_MS 250 /* how long a new second on the clock waits for a refresh's snapshot */
#define FLEET_DRAW_MS 250 /* the longest a cluster's new snapshot waits for the others' */

/* ---- signals, through a self-pipe (model/base/sigpipe) ---- */

static const int caught[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCHLD};

/* ---- messages ---- */

void app_say(struct app *a, enum severity sev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->view.message, sizeof a->view.message, fmt, ap);
    va_end(ap);
    a->view.message_severity = sev;
    a->message_until = clock_mono_ms() + MESSAGE_MS;
    a->dirty = true;
}

/* ---- snapshots ---- */

/* Patroni's DCS is the source of truth for membership: a member Patroni lists that no node
 * is joins the dashboard, named by its member name (the cluster is rebuilt at the top of the
 * next pass). */
static void follow_patroni(struct app *a, const struct snapshot *s)
{
    if (!s->patroni || !s->patroni->known)
        return;
    struct config *cfg = a->cfg;
    int before = cfg->nnodes;
    if (patroni_add_members(cfg, s->patroni) == 0)
        return;
    app_rebuild_cluster(a, a->cur);
    for (int i = before; i < cfg->nnodes; i++)
        events_add(a->events, clock_wall(), EV_INFO, SEV_OK, cfg->nodes[i].name,
                   "%s joins the dashboard (a new member in Patroni's cluster)",
                   cfg->nodes[i].name);
}

void app_take_snapshot(struct app *a, struct snapshot *s)
{
    events_diff(a->events, a->view.connecting ? NULL : a->snap, s);
    history_feed(a->hist, s);
    actions_note_snapshot(a, s);
    if (a->recorder) {
        char err[512];
        if (!recorder_write(a->recorder, s, err, sizeof err)) {
            app_say(a, SEV_CRITICAL, "recording stopped: %s", err);
            events_add(a->events, s->taken_at, EV_INFO, SEV_CRITICAL, "", "recording stopped: %s",
                       err);
            recorder_close(a->recorder);
            a->recorder = NULL;
            a->view.record_path = NULL;
        }
    }
    if (!a->o->replay_path)
        follow_patroni(a, s);
    snapshot_free(a->snap);
    a->snap = s;
    a->view.connecting = false;
    a->dirty = true;
}

/* Before the first refresh completes: the configured nodes, every value unknown. */
static struct snapshot *placeholder(const struct config *cfg)
{
    struct snapshot *s = snapshot_new(cfg->nnodes);
    s->taken_at = clock_wall();
    s->interval_s = cfg->refresh_s;
    for (int i = 0; i < cfg->nnodes; i++) {
        str_copy(s->nodes[i].name, sizeof s->nodes[i].name, cfg->nodes[i].name);
        str_copy(s->nodes[i].state, sizeof s->nodes[i].state, "connecting");
    }
    return s;
}

/* A new second on the header clock waits, for at most CLOCK_WAIT_MS, for the refresh that is
 * due or under way: its snapshot is drawn with the new second, one drawing instead of two
 * (the drawing costs more than the refresh, bench/RESULTS.md). */
static bool clock_waits(const struct app *a, int64_t now)
{
    if (!a->fleet || a->view.paused)
        return false;
    if (a->sched.refreshing)
        return now < a->sched.started + CLOCK_WAIT_MS;
    return now >= a->sched.next;
}

void app_rebuild_cluster(struct app *a, int i)
{
    if (a->fleet && i >= 0 && i < a->ncl)
        a->cl[i].stale = true;
}

/* At the top of a pass, never between poll() and the handling of its results, which name the
 * old cluster's sockets. That cluster's refresh under way is dropped with its connections. */
static void rebuild_clusters(struct app *a)
{
    for (int i = 0; i < a->ncl; i++) {
        if (!a->cl[i].stale)
            continue;
        fleet_rebuild(a->fleet, i);
        a->cl[i].stale = false;
        schedule_rebuilt(&a->sched, a->fleet, clock_mono_ms());
        a->dirty = true;
    }
}

/* ---- the clusters of a fleet ---- */

void app_enter(struct app *a, int i)
{
    if (a->cur >= 0) /* its history and events stay in a->cl[cur] */
        a->cl[a->cur].selected = a->view.selected;
    snapshot_free(a->snap);
    a->snap = NULL;
    a->cur = i;
    a->view.fleet_screen = i < 0;
    a->view.show_help = false;
    a->view.focus = PANEL_NODES;
    a->view.table_top = a->view.detail_scroll = a->view.events_scroll = 0;
    if (i < 0) {
        a->hist = NULL;
        a->events = a->fleet_events;
        a->cfg = fleet_config(a->fleet, 0);
        a->view.cluster_name = NULL;
    } else {
        a->hist = a->cl[i].hist;
        a->events = a->cl[i].events;
        a->cfg = fleet_config(a->fleet, i);
        const struct snapshot *s = fleet_snapshot(a->fleet, i);
        a->snap = s ? snapshot_copy(s) : placeholder(a->cfg);
        a->view.connecting = s == NULL;
        a->view.selected = a->cl[i].selected;
        a->view.cluster_name = a->ncl > 1 ? fleet_name(a->fleet, i) : NULL;
        a->view.read_only = a->o->read_only || a->cfg->actions_off;
    }
    a->view.history = a->hist;
    a->view.events = a->events;
    a->dirty = true;
}

/* A cluster's refresh ended (fleet_collect): the one on screen takes a copy of its snapshot;
 * another one's sparklines and events are fed, so they are there when it is opened. */
static void on_snapshot(void *arg, int i, const struct snapshot *prev, const struct snapshot *now)
{
    struct app *a = arg;
    if (i == a->cur) {
        app_take_snapshot(a, snapshot_copy(now));
        return;
    }
    events_diff(a->cl[i].events, prev, now);
    history_feed(a->cl[i].hist, now);
    if (a->cur < 0 && !a->fleet_changed)
        a->fleet_changed = clock_mono_ms();
}

/* The fleet screen is drawn once the fleet's refresh ended, not at every cluster's snapshot:
 * a refresh of hundreds of clusters ends over many turns of the loop, and each drawing lays out
 * every cluster's row (14 drawings a refresh with 30 clusters, bench/RESULTS.md section 12).
 * A refresh that takes long (a slow server) is shown as it goes, every FLEET_DRAW_MS. */
static void fleet_redraw_due(struct app *a, int64_t now)
{
    if (a->fleet_changed &&
        (!a->sched.refreshing || now >= a->fleet_changed + FLEET_DRAW_MS || a->cur >= 0)) {
        a->fleet_changed = 0;
        a->dirty = true;
    }
}

/* The fleet screen's rows, from the fleet as it is now (its snapshots change at each collect). */
static void fill_entries(struct app *a)
{
    for (int i = 0; i < a->ncl; i++) {
        struct fleet_entry *e = &a->entries[i];
        double *lag = a->lags + (size_t)i * FLEET_LAG_SAMPLES;
        e->name = fleet_name(a->fleet, i);
        e->snap = fleet_snapshot(a->fleet, i);
        e->nodes = fleet_config(a->fleet, i)->nnodes;
        e->lag = lag;
        e->nlag = fleet_lag_series(a->fleet, i, lag, FLEET_LAG_SAMPLES);
        int twin;
        e->twin = fleet_twins(a->fleet, i, &twin, 1) ? fleet_name(a->fleet, twin) : NULL;
    }
    a->view.fleet = a->entries;
    a->view.fleet_size = a->ncl;
}

void app_fleet_rows(struct app *a)
{
    if (a->fleet)
        fill_entries(a);
}

static void clusters_start(struct app *a)
{
    const struct dash_opts *o = a->o;
    a->ncl = o->cfgs ? o->ncfg : 1;
    struct config *const *cfgs = o->cfgs ? o->cfgs : (struct config *const *)&o->cfg;
    a->fleet = fleet_new(cfgs, a->ncl);
    fleet_set_always_polled(a->fleet);
    schedule_init(&a->sched, clock_mono_ms());
    a->cl = xcalloc((size_t)a->ncl, sizeof *a->cl);
    /* a fleet keeps fewer events per cluster: 300 clusters of 500 would be 60 MB (bench/) */
    int events = a->ncl > 1 ? 40 : EVENTS_DEFAULT_CAPACITY;
    for (int i = 0; i < a->ncl; i++) {
        a->cl[i].hist = i == 0 ? a->hist : history_new(HISTORY_DEFAULT_CAPACITY);
        a->cl[i].events = i == 0 && a->ncl == 1 ? a->events : events_new(events);
    }
    if (a->ncl > 1) /* the log made so far (a theme that did not load) is the fleet screen's */
        a->fleet_events = a->events;
    a->entries = xcalloc((size_t)a->ncl, sizeof *a->entries);
    a->lags = xcalloc((size_t)a->ncl * FLEET_LAG_SAMPLES, sizeof *a->lags);
    a->cur = -1;
    a->events = NULL;
    a->view.fleet_sel = -1; /* the first row, worst first */
    app_enter(a, a->ncl > 1 ? -1 : 0);
    fill_entries(a);
}

static void clusters_free(struct app *a)
{
    if (!a->fleet)
        return;
    for (int i = 0; i < a->ncl; i++) {
        history_free(a->cl[i].hist);
        if (a->cl[i].events != a->fleet_events)
            events_free(a->cl[i].events);
    }
    events_free(a->fleet_events);
    a->hist = NULL;
    a->events = NULL;
    free(a->cl);
    free(a->entries);
    free(a->lags);
    fleet_free(a->fleet);
    a->fleet = NULL;
}

/* ---- replay ---- */

static void read_signals(struct app *a)
{
    int sig;
    while ((sig = sigpipe_next()) != 0) {
        if (sig == SIGWINCH) {
            term_resize(a->term);
            a->dirty = true;
        } else if (sig == SIGCHLD) {
            actions_reap(a);
        } else {
            a->quit = true; /* SIGINT, SIGTERM, SIGHUP */
        }
    }
}

static void draw(struct app *a)
{
    int cols, rows;
    term_size(a->term, &cols, &rows);
    if (a->grid->w != cols || a->grid->h != rows)
        grid_resize(a->grid, cols, rows);
    a->view.now = clock_wall();
    if (a->fleet && a->cur < 0) {
        fill_entries(a);
        fleet_render(&a->view, a->grid);
    } else {
        dashboard_render(a->snap, &a->view, a->grid);
    }
    term_draw(a->term, a->grid);
    a->shown_second = (long)a->view.now;
    a->dirty = false;
    a->fleet_changed = 0; /* this frame shows every snapshot so far */
}

/* Room for the terminal, the signal pipe, an action's output and the fleet's descriptors (its
 * nodes' epoll set and Patroni's sockets): any number of nodes is polled (issue 14: a fixed 256
 * left the rest unpolled). */
static void fit_pollfds(struct app *a, struct pollfd **pfds, int **owner, int *cap)
{
    int need = 3 + (a->fleet ? fleet_pollfds_max(a->fleet) : 0);
    if (need <= *cap)
        return;
    *pfds = xrealloc(*pfds, (size_t)need * sizeof **pfds);
    *owner = xrealloc(*owner, (size_t)need * sizeof **owner);
    *cap = need;
}

static void run(struct app *a)
{
    struct pollfd *pfds = NULL;
    int *owner = NULL, cap = 0;
    bool nodes_only = false; /* the last wake-up was for node answers only */
    while (!a->quit) {
        if (a->fleet)
            rebuild_clusters(a);
        fit_pollfds(a, &pfds, &owner, &cap);
        int64_t now = clock_mono_ms();
        if (a->rec)
            replay_tick(a, now);
        if (a->view.message[0] && now >= a->message_until) {
            a->view.message[0] = '\0';
            a->dirty = true;
        }
        if ((long)clock_wall() != a->shown_second && !clock_waits(a, now))
            a->dirty = true; /* the header clock moves every second, whatever the nodes do */
        fleet_redraw_due(a, now);
        /* drawn before a refresh's sends: a key read in the last pass is answered first */
        if (a->dirty)
            draw(a);
        /* a refresh's sends one slice per pass: a key is read and answered between slices */
        bool sending = a->fleet && schedule_send(&a->sched, a->fleet, a->cfg->refresh_s,
                                                 a->view.paused, clock_mono_ms(), SEND_SLICE_MS);
        now = clock_mono_ms();

        pfds[0] = (struct pollfd){term_fd(a->term), POLLIN, 0};
        pfds[1] = (struct pollfd){sigpipe_fd(), POLLIN, 0};
        int nfix = 2;
        if (actions_fd(a) >= 0)
            pfds[nfix++] = (struct pollfd){actions_fd(a), POLLIN, 0};
        /* every node's socket (in the fleet's epoll set), between refreshes too
         * (cluster_set_always_polled): a late answer is read when it comes, and a refresh never
         * waits for a hung node */
        int ncl = a->fleet ? fleet_pollfds(a->fleet, pfds + nfix, owner, cap - nfix) : 0;
        double wall = clock_wall();
        int timeout = (int)((floor(wall) + 1 - wall) * 1000) + 1;
        if (a->fleet)
            timeout = timeout_min(timeout, fleet_timeout_ms(a->fleet, now));
        if (a->fleet)
            timeout = timeout_min(timeout, schedule_due_ms(&a->sched, a->view.paused, now));
        if (a->sched.refreshing && (long)clock_wall() != a->shown_second)
            timeout = timeout_min(timeout, timeout_until(a->sched.started + CLOCK_WAIT_MS, now));
        if (a->fleet_changed)
            timeout = timeout_min(timeout, timeout_until(a->fleet_changed + FLEET_DRAW_MS, now));
        if (a->rec && !a->view.paused)
            timeout = timeout_min(timeout, timeout_until(a->next_frame, now));
        if (a->view.message[0])
            timeout = timeout_min(timeout, timeout_until(a->message_until, now));

        if (actions_running(a) && actions_fd(a) < 0)
            timeout = timeout_min(timeout, 200); /* its output ended: the exit is near */
        if (sending)
            timeout = 0; /* only a look at keys and answers before the next slice */
        if (nodes_only && timeout != 0) {
            schedule_gather(pfds, nfix, timeout);
            timeout = 0;
        }
        int r = poll(pfds, (nfds_t)(nfix + ncl), timeout);
        nodes_only =
            r > 0 && !pfds[0].revents && !pfds[1].revents && !(nfix > 2 && pfds[2].revents);
        if (r < 0 && errno != EINTR) {
            app_say(a, SEV_CRITICAL, "poll: %s", strerror(errno));
            sleep(1);
            continue;
        }
        now = clock_mono_ms();
        if (r > 0 && pfds[1].revents)
            read_signals(a);
        if (r > 0 && nfix > 2 && pfds[2].revents)
            actions_read(a);
        if (actions_running(a) && actions_fd(a) < 0)
            actions_reap(a); /* a backstop: a full self-pipe may have dropped its SIGCHLD */
        if (a->fleet)
            fleet_handle(a->fleet, pfds + nfix, owner, ncl, now);
        if (a->fleet)
            schedule_collect(&a->sched, a->fleet, on_snapshot, a);
        if (r > 0 && pfds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
            a->quit = true; /* the terminal went away */
        else if (r > 0 && pfds[0].revents)
            app_read_keys(a);
    }
    free(pfds);
    free(owner);
}

/* ---- setting up and tearing down ---- */

static void choose_theme(struct app *a)
{
    const char *nc = getenv("NO_COLOR");
    const char *name = a->o->theme;
    if (!name && a->o->cfg)
        name = a->o->cfg->theme;
    bool explicit = name != NULL;
    a->theme.no_color = nc && *nc && !explicit; /* https://no-color.org: flags override it */
    if (!name)
        name = a->theme.no_color ? "monochrome" : "default";
    char err[1024];
    if (!theme_load(&a->theme, name, err, sizeof err)) {
        text_error("%s (using the default theme)", err);
        app_say(a, SEV_WARNING, "%s (using the default theme)", err);
        events_add(a->events, clock_wall(), EV_INFO, SEV_WARNING, "",
                   "%s (using the default theme)", err);
    }
    a->view.theme_name = a->theme.name;
}

int dashboard_run(const struct dash_opts *o)
{
    struct app app;
    struct app *a = &app;
    memset(a, 0, sizeof *a);
    a->o = o;
    view_init(&a->view);
    a->hist = history_new(HISTORY_DEFAULT_CAPACITY);
    a->events = events_new(EVENTS_DEFAULT_CAPACITY);
    a->view.history = a->hist;
    a->view.events = a->events;
    a->speed = 1;
    int rc = 1;
    char err[4200];

    if (o->replay_path) {
        if (!replay_open(a, o->replay_path, err, sizeof err)) {
            text_error("%s", err);
            rc = 3; /* bad input, as a bad config (DESIGN.md section 5.2) */
            goto out;
        }
    } else {
        if (o->record_path) {
            a->recorder = recorder_open(o->record_path, err, sizeof err);
            if (!a->recorder) {
                text_error("--record: %s", err);
                rc = 3;
                goto out;
            }
            a->view.record_path = recorder_path(a->recorder);
        }
        a->cfg = o->cfg;
        a->view.interval_s = o->cfg->refresh_s;
        a->view.read_only = o->read_only || o->cfg->actions_off;
    }
    choose_theme(a);
    if (!o->replay_path)
        clusters_start(a);
    actions_init(a);
    /* before curses starts: it installs its own SIGINT/SIGTERM/SIGWINCH handlers only where
     * none is set, so ours stay */
    if (!sigpipe_open(caught, (int)(sizeof caught / sizeof caught[0]), err, sizeof err)) {
        text_error("%s", err);
        goto out;
    }
    a->term = term_open(err, sizeof err);
    if (!a->term) {
        text_error("%s", err);
        goto out;
    }
    term_apply_theme(a->term, &a->theme);
    int cols, rows;
    term_size(a->term, &cols, &rows);
    a->grid = grid_new(cols, rows, term_utf8(a->term));
    if (a->rec)
        replay_start(a);
    a->dirty = true;
    run(a);
    rc = 0;
out:
    term_close(a->term);
    a->term = NULL;
    actions_finish(a); /* an action still running: wait for it, with its output on stdout */
    sigpipe_close();
    grid_free(a->grid);
    clusters_free(a);
    recorder_close(a->recorder);
    recording_free(a->rec);
    for (int i = 0; i < a->nwarnings; i++)
        free(a->warnings[i]);
    free(a->warnings);
    snapshot_free(a->snap);
    history_free(a->hist);
    events_free(a->events);
    return rc;
}
