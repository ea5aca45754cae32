/* intents: what the loop does about a key — the panels change their own view state and
 * return intents (panels/view.h); the side effects live here: export, theme, interval, pause,
 * replay steps, quitting, and handing keys to the operator actions' dialogs (actions.c). */
#include "app.h"
#include "model/base/util.h"
#include "model/store/json_fleet.h"

#include <stdlib.h>
#include <string.h>

/* On the fleet screen: the fleet's JSON, as status --json writes it (every cluster). */
static void export_fleet(struct app *a)
{
    bool any = false;
    for (int i = 0; i < a->ncl; i++)
        any |= fleet_snapshot(a->fleet, i) != NULL;
    if (!any) {
        app_say(a, SEV_WARNING, "nothing to export yet: no cluster's first refresh has completed");
        return;
    }
    char path[4096], err[4200];
    char *json = fleet_to_json(a->fleet, true);
    bool ok = json_export(json, clock_wall(), ".", path, sizeof path, err, sizeof err);
    free(json);
    if (!ok) {
        app_say(a, SEV_CRITICAL, "export failed: %s", err);
        return;
    }
    app_say(a, SEV_OK, "the fleet's %d clusters exported to %s", a->ncl, path);
}

static void do_export(struct app *a)
{
    if (a->fleet && a->cur < 0) {
        export_fleet(a);
        return;
    }
    if (a->view.connecting || !a->snap) {
        app_say(a, SEV_WARNING, "nothing to export yet: the first refresh has not completed");
        return;
    }
    char path[4096], err[4200];
    if (!snapshot_export(a->snap, ".", path, sizeof path, err, sizeof err)) {
        app_say(a, SEV_CRITICAL, "export failed: %s", err);
        return;
    }
    app_say(a, SEV_OK, "exported to %s", path);
    events_add(a->events, a->snap->taken_at, EV_INFO, SEV_OK, "", "snapshot exported to %s", path);
}

static void next_theme(struct app *a)
{
    const char *name = theme_next_name(a->theme.name);
    struct theme th = a->theme;
    char err[1024];
    if (!theme_load(&th, name, err, sizeof err)) {
        app_say(a, SEV_CRITICAL, "%s", err);
        return;
    }
    a->theme = th;
    term_apply_theme(a->term, &a->theme);
    a->view.theme_name = a->theme.name;
    app_say(a, SEV_OK, "theme %s (%s)%s", a->theme.name,
            a->theme.path[0] ? a->theme.path : "built in",
            a->theme.no_color ? ", colours off: NO_COLOR is set" : "");
}

static void change_interval(struct app *a, int dir)
{
    if (a->rec) {
        replay_speed(a, dir);
        return;
    }
    static const double steps[] = {0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60};
    int n = (int)(sizeof steps / sizeof steps[0]), i = 0;
    while (i < n - 1 && steps[i] < a->cfg->refresh_s - 1e-9)
        i++;
    if (steps[i] > a->cfg->refresh_s + 1e-9 && dir > 0)
        i--; /* between two steps (-i 1.5): "longer" is the step above, "shorter" below */
    i += dir;
    double iv = steps[i < 0 ? 0 : i >= n ? n - 1 : i];
    for (int k = 0; k < a->ncl; k++) /* the clusters of a fleet refresh together */
        fleet_config(a->fleet, k)->refresh_s = iv;
    a->view.interval_s = iv;
    a->sched.next = a->sched.started + (int64_t)(iv * 1000);
    app_say(a, SEV_OK, "refresh every %gs", iv);
}

static void toggle_pause(struct app *a)
{
    if (a->rec) {
        replay_toggle_pause(a);
    } else {
        a->view.paused = !a->view.paused;
        if (!a->view.paused)
            a->sched.next = clock_mono_ms(); /* resume with a fresh snapshot */
    }
    if (a->view.message[0] && a->view.message_severity == SEV_OK)
        a->view.message[0] = '\0';
    a->dirty = true;
}

/* q, F10, or Ctrl-C while an action runs: quitting then waits for the action (its output goes
 * to the terminal), so it takes a second press. */
static void request_quit(struct app *a)
{
    if (!actions_running(a) || a->quit_armed) {
        a->quit = true;
        return;
    }
    a->quit_armed = true;
    app_say(a, SEV_WARNING,
            "%s is running: q again closes the dashboard and waits for it to finish", a->run.title);
}

static void apply(struct app *a, unsigned in)
{
    if (in & INTENT_QUIT)
        request_quit(a);
    if (in & (INTENT_REDRAW | INTENT_REPAINT))
        a->dirty = true;
    if (in & INTENT_REPAINT)
        term_invalidate(a->term);
    if (in & INTENT_EXPORT)
        do_export(a);
    if (in & INTENT_THEME)
        next_theme(a);
    if (in & (INTENT_SLOWER | INTENT_FASTER))
        change_interval(a, in & INTENT_SLOWER ? 1 : -1);
    if (in & INTENT_PAUSE)
        toggle_pause(a);
    if (a->rec && (in & (INTENT_STEP_BACK | INTENT_STEP_FWD | INTENT_FIRST | INTENT_LAST |
                         INTENT_NEXT_EVENT | INTENT_PREV_EVENT)))
        replay_move(a, in);
    if (in & INTENT_ACTION)
        actions_open(a, a->view.cmd);
    if (in & INTENT_OPEN)
        app_enter(a, a->view.fleet_sel);
    if (in & INTENT_BACK)
        app_enter(a, -1);
}

void app_read_keys(struct app *a)
{
    int key;
    while ((key = term_key(a->term)) != K_NONE) {
        if (key == K_RESIZE_EV) {
            a->dirty = true;
            continue;
        }
        if (key == K_CTRL_C) { /* only while an action runs: signals are keys then */
            request_quit(a);
            continue;
        }
        bool small = a->grid->w < MIN_COLS || a->grid->h < MIN_ROWS;
        if (a->view.filtering && !small) { /* the fleet screen's filter is being typed */
            app_fleet_rows(a);
            apply(a, fleet_filter_key(&a->view, key));
            continue;
        }
        /* a dialog takes every key (a name is typed there), but for the running action's
         * dialog, which has nothing to type: q quits from there too */
        bool quit_key = keys_cmd(key) == CMD_QUIT;
        if (dialog_is_open(&a->dlg) && !small &&
            !(dialog_is(&a->dlg, &running_dialog) && quit_key)) {
            a->quit_armed = false;
            actions_dialog_key(a, key);
            continue;
        }
        enum key_cmd cmd = keys_cmd(key);
        if (cmd != CMD_QUIT)
            a->quit_armed = false;
        if (cmd == CMD_NONE && !a->view.show_help)
            continue; /* with the help open, any key closes it */
        if (small) {
            if (cmd == CMD_QUIT)
                request_quit(a);
            continue;
        }
        if (a->fleet && a->cur < 0) {
            app_fleet_rows(a); /* the snapshots may have changed since the last drawing */
            apply(a, fleet_key(&a->view, cmd));
            continue;
        }
        apply(a, dashboard_key(&a->view, a->snap, cmd));
    }
}
