/* dialog_check: shared by the dialog tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dialog_check.h"
#include "golden.h"
#include "model/watch/events.h"
#include "model/base/util.h"
#include "panels/grid.h"
#include "panels/view.h"

#include <stdlib.h>
#include <string.h>

struct config *demo_config(const char *policy)
{
    static struct node_conf nodes[3] = {{.name = "db_m"}, {.name = "db_s1"}, {.name = "db_s2"}};
    static struct config cfg;
    static char text[128];
    memset(&cfg, 0, sizeof cfg);
    cfg.path = "/srv/demo/repltop.conf";
    cfg.nodes = nodes;
    cfg.nnodes = 3;
    if (policy) {
        str_copy(text, sizeof text, policy);
        cfg.sync_policy = text;
    }
    return &cfg;
}

void demo_ctx(struct dialog *d)
{
    memset(d, 0, sizeof *d);
    d->ctx.cfg = demo_config(NULL);
    d->ctx.can_run = true;
    d->ctx.config = "/srv/demo/repltop.conf";
    d->ctx.have_last = true;
    str_copy(d->ctx.last_primary, sizeof d->ctx.last_primary, "db_m");
    str_copy(d->ctx.last_sync, sizeof d->ctx.last_sync, "FIRST 1 (walreceiversync, walreceiver)");
    const char *names[] = {"db_m", "db_s1", "db_s2"};
    for (int i = 0; i < 3; i++) {
        struct dlg_local *l = &d->ctx.local[d->ctx.nlocal++];
        str_copy(l->name, sizeof l->name, names[i]);
        str_printf(l->datadir, sizeof l->datadir, "/srv/demo/%s", names[i]);
        l->filled = true;
        l->port = 5432 + i;
        str_printf(l->conninfo, sizeof l->conninfo,
                   "user='postgres' passfile='/srv/demo/pgpass' dbname='postgres' "
                   "host='127.0.0.1' port='%d' application_name='repltop'",
                   l->port);
        str_copy(l->bindir, sizeof l->bindir, "/usr/lib/postgresql/15/bin");
    }
    /* what the loop proposes for a new replica: the next of the family, port, directory */
    str_copy(d->ctx.add_name, sizeof d->ctx.add_name, "db_s3");
    d->ctx.add_port = 5435;
    str_copy(d->ctx.add_dir, sizeof d->ctx.add_dir, "/srv/demo/db_s3");
    str_copy(d->ctx.add_dir_of, sizeof d->ctx.add_dir_of, "/srv/demo");
}

char *render_dialog(const struct snapshot *s, const struct dialog *d, const struct run_state *run,
                    int w, int h, bool utf8)
{
    struct events *ev = events_new(EVENTS_DEFAULT_CAPACITY);
    events_diff(ev, NULL, s);
    struct view v;
    view_init(&v);
    v.now = s->taken_at + 0.4;
    v.interval_s = 1;
    v.events = ev;
    v.theme_name = "default";
    v.dialog = d;
    v.run = run;
    for (int i = 0; i < s->nnodes; i++)
        if (strcmp(s->nodes[i].name, d->node) == 0)
            v.selected = i;
    struct grid *g = grid_new(w, h, utf8);
    dashboard_render(s, &v, g);
    char *text = grid_to_text(g);
    grid_free(g);
    events_free(ev);
    return text;
}

void golden_dialog(const struct snapshot *s, const struct dialog *d, const struct run_state *run,
                   const char *name)
{
    static const int sizes[][2] = {{80, 24}, {120, 40}};
    for (int i = 0; i < 2; i++) {
        char *text = render_dialog(s, d, run, sizes[i][0], sizes[i][1], true);
        assert_fits(text, sizes[i][0], sizes[i][1], true);
        char golden[128];
        str_printf(golden, sizeof golden, "dialog-%s", name);
        golden_check(text, golden, sizes[i][0], sizes[i][1]);
        free(text);
    }
}

void type_text(struct dialog *d, const struct snapshot *s, const char *text)
{
    for (const char *p = text; *p; p++)
        dialog_key(d, s, NULL, (unsigned char)*p);
}

const char *argv_of(const struct dialog *d, char *title, size_t titlen)
{
    static char buf[4096];
    const char *argv[DLG_ARGV_MAX];
    int n = dialog_argv(d, argv, title, titlen);
    assert_true(n < DLG_ARGV_MAX);
    assert_null(argv[n]);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t len = strlen(buf);
        str_printf(buf + len, sizeof buf - len, "%s%s", i ? "|" : "", argv[i]);
    }
    return buf;
}

void run_line(struct run_state *r, enum severity sev, const char *text)
{
    struct run_line *l = &r->lines[r->nlines++];
    l->sev = sev;
    str_copy(l->text, sizeof l->text, text);
}
