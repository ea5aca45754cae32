/* patroni_sync: the sync editor where Patroni runs the cluster and its REST API is known. It
 * edits what Patroni owns — synchronous_mode, synchronous_mode_strict, synchronous_node_count
 * — and says that the members are Patroni's to choose; the action is `repltop sync set --count
 * N --strict on|off --mode on|off` (PATCH /config, model/ops/action_patroni.h). */
#include "dialog_class.h"
#include "view.h"
#include "model/base/util.h"

#include <string.h>

static void patroni_sync_open(struct dialog *d, const struct snapshot *s)
{
    const struct patroni_settings *st = &s->patroni->settings;
    d->pmode = st->synchronous_mode == 1;
    d->pstrict = st->synchronous_mode_strict == 1;
    d->pcount = st->synchronous_node_count >= 1 ? st->synchronous_node_count : 1;
    str_printf(d->pcount_text, sizeof d->pcount_text, "%d", d->pcount);
}

static const char *on_off(int v)
{
    return v ? "on" : "off";
}

static void patroni_sync_render(const struct dialog *d, const struct snapshot *s,
                                const struct run_state *run, double now, struct grid *g)
{
    (void)run;
    (void)now;
    const struct patroni_view *v = s->patroni;
    struct dlg_out body, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&body, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    char syncs[256] = "";
    for (int i = 0; i < v->nmembers; i++)
        if (strcmp(v->members[i].role, "sync_standby") == 0)
            str_printf(syncs + strlen(syncs), sizeof syncs - strlen(syncs), "%s%s",
                       syncs[0] ? ", " : "", v->members[i].name);
    dlg_wrap(&body, 3, CR_WARNING, 0,
             "Patroni runs this cluster: it chooses the sync standbys among its members. "
             "repltop changes what Patroni owns, through its REST API (PATCH /config).");
    dlg_blank(&body);
    const struct patroni_settings *st = &v->settings;
    dlg_kv(&body, 25, "now", CR_HELP, "mode %s, strict %s, count %d; sync standby %s",
           on_off(st->synchronous_mode == 1), on_off(st->synchronous_mode_strict == 1),
           st->synchronous_node_count >= 1 ? st->synchronous_node_count : 1,
           syncs[0] ? syncs : "none");
    dlg_kv(&body, 25, "synchronous_mode", CR_KEY, "%s (m)", on_off(d->pmode));
    dlg_kv(&body, 25, "synchronous_mode_strict", CR_KEY, "%s (t)%s", on_off(d->pstrict),
           d->pstrict ? ": no commit without a sync standby" : "");
    dlg_kv(&body, 25, "synchronous_node_count", CR_KEY, "%d (+ -)", d->pcount);
    if (!d->pmode)
        dlg_wrap(&body, 2, CR_CRITICAL, 0,
                 "synchronous_mode off: commits are acknowledged without any standby (a "
                 "durability downgrade)");
    if (d->confirming) {
        dlg_line(&foot, CR_KEY, 0, "Ask Patroni to apply it?");
        dlg_field(&foot, d);
    }
    if (d->note[0])
        dlg_line(&foot, CR_WARNING, 0, "%s", d->note);
    dlg_line(&foot, CR_DIM, 0, "m mode  t strict  +- count  Enter apply  Esc cancel");
    char title[PATRONI_NAME_LEN + 48];
    str_printf(title, sizeof title, "Patroni's sync settings (%s)", v->scope[0] ? v->scope : "?");
    dlg_frame(g, title, CR_FOCUS, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

static unsigned patroni_sync_key(struct dialog *d, const struct snapshot *s,
                                 const struct run_state *run, int key)
{
    (void)run;
    d->note[0] = '\0';
    if (d->confirming) {
        if (key == K_ESC) {
            d->confirming = false;
            d->typed[0] = '\0';
            return INTENT_REDRAW;
        }
        if (key != K_ENTER)
            return dlg_field_key(d, key) | INTENT_REDRAW;
        unsigned r = dlg_confirm(d, NULL);
        d->confirming = !(r & INTENT_RUN);
        return r;
    }
    if (key == K_ESC || key == 'q') {
        dialog_close(d);
        return INTENT_REDRAW;
    }
    if (key == 'm' || key == 't')
        *(key == 'm' ? &d->pmode : &d->pstrict) ^= 1;
    else if ((key == '+' || key == '=') && d->pcount < 32)
        d->pcount++;
    else if (key == '-' && d->pcount > 1)
        d->pcount--;
    str_printf(d->pcount_text, sizeof d->pcount_text, "%d", d->pcount); /* for the argv */
    if (key == K_ENTER) {
        const struct patroni_settings *st = &s->patroni->settings;
        if (!d->ctx.can_run)
            str_copy(d->note, sizeof d->note,
                     "actions need the cluster's config file: start repltop with -c FILE");
        else if (d->pmode == (st->synchronous_mode == 1) &&
                 d->pstrict == (st->synchronous_mode_strict == 1) &&
                 d->pcount == (st->synchronous_node_count >= 1 ? st->synchronous_node_count : 1))
            str_copy(d->note, sizeof d->note, "nothing changed (Esc leaves)");
        else {
            d->confirming = true;
            d->typed[0] = '\0';
        }
    }
    return INTENT_REDRAW;
}

static int patroni_sync_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    int n = 0;
    argv[n++] = "sync";
    argv[n++] = "--confirmed=dashboard";
    argv[n++] = "--mode";
    argv[n++] = on_off(d->pmode);
    argv[n++] = "--strict";
    argv[n++] = on_off(d->pstrict);
    argv[n++] = "--count";
    argv[n++] = d->pcount_text;
    argv[n++] = "--";
    argv[n++] = "set";
    argv[n] = NULL;
    str_printf(title, titlen, "Patroni sync: mode %s, strict %s, count %d", on_off(d->pmode),
               on_off(d->pstrict), d->pcount);
    return n;
}

const struct dialog_class patroni_sync_dialog = {
    .name = "Patroni sync settings",
    .cmd = CMD_SYNC,
    .open = patroni_sync_open,
    .render = patroni_sync_render,
    .key = patroni_sync_key,
    .argv = patroni_sync_argv,
    .of_cluster = true,
    .patroni = true,
};
