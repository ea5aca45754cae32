/* running: the dialog of the action that runs — its last lines of output, coloured by their
 * tag, a progress bar when it reports progress, and its result once it ended. Esc hides it
 * while the action goes on; an action key shows it again. */
#include "dialog_class.h"
#include "view.h"
#include "model/base/util.h"

#include <string.h>

static enum role line_role(enum severity sev)
{
    return sev == SEV_CRITICAL ? CR_CRITICAL : sev == SEV_WARNING ? CR_WARNING : CR_HELP;
}

/* "0.4 s", "12.3 s", then "4m05s". */
static void took_text(double secs, char *buf, size_t n)
{
    if (secs < 60)
        str_printf(buf, n, "%.1f s", secs < 0 ? 0 : secs);
    else
        fmt_duration(secs, buf, n);
}

static void run_render(const struct dialog *d, const struct snapshot *s,
                       const struct run_state *run, double now, struct grid *g)
{
    (void)d;
    (void)s;
    if (!run)
        return;
    struct dlg_out body, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&body, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    /* the newest lines that fit (a long one takes two): the box may have the whole screen
     * but the header, the key bar and its own border and footer */
    int room = g->h - 3 - 2 - 3 - (run->total_kb > 0 ? 1 : 0);
    int first = run->nlines, used = 0;
    while (first > 0) {
        const struct run_line *l = &run->lines[(run->start + first - 1) % RUN_LINES];
        int need = text_width(l->text, g->utf8) > w ? 2 : 1;
        if (used + need > room)
            break;
        used += need;
        first--;
    }
    for (int i = first; i < run->nlines; i++) {
        const struct run_line *l = &run->lines[(run->start + i) % RUN_LINES];
        dlg_wrap(&body, 2, line_role(l->sev), 0, "%s", l->text);
    }
    if (run->nlines == 0)
        dlg_line(&body, CR_DIM, 0, "(no output yet)");
    dlg_progress(&foot, run, now);
    char took[24];
    took_text((run->active ? now : run->finished) - run->started, took, sizeof took);
    if (run->active) {
        dlg_line(&foot, CR_WARNING, 0, "running for %s", took);
        dlg_line(&foot, CR_DIM, 0, "Esc hides this: the action goes on (an action key shows it)");
    } else {
        char how[64];
        if (run->status > 128)
            str_printf(how, sizeof how, "killed by signal %d", run->status - 128);
        else
            str_printf(how, sizeof how, "exit status %d", run->status);
        dlg_line(&foot, run->ok ? CR_OK : CR_CRITICAL, ATTR_REVERSE, " %s after %s (%s) ",
                 run->ok ? "SUCCEEDED" : "FAILED", took, how);
        dlg_line(&foot, CR_DIM, 0, "Esc or Enter closes; every line is in the events panel");
    }
    char title[200];
    str_printf(title, sizeof title, "%s %s %s", run->title, g->utf8 ? "·" : "-",
               run->active ? "running"
               : run->ok   ? "done"
                           : "failed");
    dlg_frame(g, title, run->active ? CR_FOCUS : run->ok ? CR_OK : CR_CRITICAL, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

static unsigned run_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                        int key)
{
    (void)s;
    (void)run;
    if (key == K_ESC || key == K_ENTER) {
        dialog_close(d);
        return INTENT_REDRAW;
    }
    return INTENT_NONE;
}

/* The running action: it runs nothing of its own. */
const struct dialog_class running_dialog = {
    .name = "running",
    .cmd = CMD_NONE, /* the loop shows it while an action runs */
    .render = run_render,
    .key = run_key,
};
