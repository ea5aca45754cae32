/* test_dialogs: the operator actions' dialogs (panels/dialog.h) — rendered on the dashboard
 * from JSON snapshot fixtures and compared with golden files (tests/golden/dialog-*.txt;
 * REPLTOP_UPDATE_GOLDEN=1 rewrites them), the sync list editor's keys and its preview of
 * the string and of each standby's state, the commit-hang warning, the confirmation by the
 * node's name, and the exact argument vector each confirmed dialog hands to the child. */
#include "model/events.h"
#include "model/history.h"
#include "model/json.h"
#include "model/util.h"
#include "panels/dialog.h"
#include "panels/grid.h"
#include "panels/keys.h"
#include "panels/view.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/fixture.h"

/* A dialog context as the loop fills it for the demo cluster. */
static void demo_ctx(struct dialog *d)
{
    memset(d, 0, sizeof *d);
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

/* The dashboard with the dialog on top, as text. */
static char *render(const struct snapshot *s, const struct dialog *d, const struct run_state *run,
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

static void assert_fits(const char *text, int w, int h, bool utf8)
{
    int lines = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        char line[4096];
        size_t len = (size_t)(nl - p);
        assert_true(len < sizeof line);
        memcpy(line, p, len);
        line[len] = '\0';
        if (text_width(line, utf8) > w)
            fail_msg("line %d is %d columns wide (max %d): %s", lines + 1, text_width(line, utf8),
                     w, line);
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, h);
}

static void check_golden(const char *text, const char *name, int w, int h)
{
    char path[512];
    str_printf(path, sizeof path, "%s/tests/golden/dialog-%s-%dx%d.txt", fixture_root(), name, w,
               h);
    const char *update = getenv("REPLTOP_UPDATE_GOLDEN");
    if (update && *update && strcmp(update, "0") != 0) {
        FILE *f = fopen(path, "w");
        if (!f)
            fail_msg("cannot write %s", path);
        fputs(text, f);
        fclose(f);
        return;
    }
    char *want = fixture_slurp(path);
    if (!want)
        fail_msg("%s is missing: run with REPLTOP_UPDATE_GOLDEN=1 to create it", path);
    if (strcmp(want, text) != 0) {
        fprintf(stderr, "--- %s\n%s--- rendered now\n%s", path, want, text);
        free(want);
        fail_msg("%s differs from the rendering (REPLTOP_UPDATE_GOLDEN=1 rewrites it)", path);
    }
    free(want);
}

static void golden(const struct snapshot *s, const struct dialog *d, const struct run_state *run,
                   const char *name)
{
    static const int sizes[][2] = {{80, 24}, {120, 40}};
    for (int i = 0; i < 2; i++) {
        char *text = render(s, d, run, sizes[i][0], sizes[i][1], true);
        assert_fits(text, sizes[i][0], sizes[i][1], true);
        check_golden(text, name, sizes[i][0], sizes[i][1]);
        free(text);
    }
}

static void type(struct dialog *d, const struct snapshot *s, const char *text)
{
    for (const char *p = text; *p; p++)
        dialog_key(d, s, NULL, (unsigned char)*p);
}

/* The argument vector joined with '|', for one comparison. */
static const char *argv_of(const struct dialog *d, char *title, size_t titlen)
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

/* ---- promote ---- */

static void test_promote_after_primary_died(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("primary-down");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, DLG_PROMOTE, s, "db_s2");
    type(&d, s, "db_s");
    golden(s, &d, NULL, "promote-primary-down");
    char *text = render(s, &d, NULL, 120, 40, true);
    /* the checks a user relies on, whatever the layout */
    assert_non_null(strstr(text, "Promote db_s2"));
    assert_non_null(strstr(text, "db_s1 is 4.2 kB behind db_s2"));
    assert_non_null(strstr(text, "'FIRST 1 (walreceiversync, walreceiver)' (last seen on db_m)"));
    assert_non_null(strstr(text, "rewritten on db_s2 to 'FIRST 1 (db_m, walreceiver)'"));
    assert_non_null(strstr(text, "Type db_s2 to confirm: db_s"));
    free(text);

    /* Enter with a wrong name: nothing runs, and it says why */
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "type db_s2 exactly"));
    /* backspace, Ctrl-U */
    dialog_key(&d, s, NULL, K_DEL);
    assert_string_equal(d.typed, "db_");
    dialog_key(&d, s, NULL, K_CTRL_U);
    assert_string_equal(d.typed, "");
    type(&d, s, "db_s2");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    /* the old list survives only in the dashboard: it goes to the action */
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "promote|--yes|--previous-sync|FIRST 1 (walreceiversync, walreceiver)|--|"
                        "db_s2");
    assert_string_equal(title, "promote db_s2");
    /* Esc closes */
    dialog_key(&d, s, NULL, K_ESC);
    assert_int_equal(d.kind, DLG_NONE);
    snapshot_free(s);
}

static void test_promote_refused_while_primary_writes(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("lagging");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, DLG_PROMOTE, s, "db_s1");
    type(&d, s, "db_s1");
    golden(s, &d, NULL, "promote-refused");
    char *text = render(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "the promote will be REFUSED"));
    assert_non_null(strstr(text, "db_s2 is 628 kB AHEAD of db_s1"));
    free(text);
    /* the right name is not enough while db_m accepts writes */
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "db_m still accepts writes"));
    /* ^F forces it, loudly */
    dialog_key(&d, s, NULL, K_CTRL_F);
    assert_true(d.force);
    text = render(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "FORCED: db_m still accepts writes"));
    assert_non_null(strstr(text, "split brain"));
    free(text);
    golden(s, &d, NULL, "promote-forced");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "promote|--yes|--force|--previous-sync|FIRST 1 (walreceiversync, "
                        "walreceiver)|--|db_s1");
    assert_string_equal(title, "promote db_s1 (forced)");
    snapshot_free(s);
}

static void test_promote_not_a_standby(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, DLG_PROMOTE, s, "db_m");
    type(&d, s, "db_m");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "already a primary"));
    /* without a config file nothing can run */
    dialog_open(&d, DLG_PROMOTE, s, "db_s2");
    d.ctx.can_run = false;
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "-c FILE"));
    snapshot_free(s);
}

/* ---- the sync list editor ---- */

static const char *spec_of(const struct sync_editor *e)
{
    static char buf[SYNCNAMES_FORMAT_MAX];
    assert_true(sync_editor_spec(e, buf, sizeof buf));
    return buf;
}

static int item(const struct sync_editor *e, const char *name)
{
    for (int i = 0; i < e->nitems; i++)
        if (strcmp(e->items[i].name, name) == 0)
            return i;
    fail_msg("no item %s", name);
    return -1;
}

static void test_sync_editor_keys(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, DLG_SYNC, s, "");
    struct sync_editor *e = &d.sync;
    assert_true(e->have_primary);
    assert_string_equal(e->primary, "db_m");
    assert_int_equal(e->nitems, 2);
    assert_string_equal(spec_of(e), "FIRST 1 (walreceiversync, walreceiver)");
    assert_string_equal(sync_editor_after(e, s, item(e, "walreceiversync")), "sync");
    assert_string_equal(sync_editor_after(e, s, item(e, "walreceiver")), "potential");

    /* unchanged: Enter does nothing and says so */
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "nothing changed"));

    /* m: ANY, every listed standby becomes quorum */
    dialog_key(&d, s, NULL, 'm');
    assert_string_equal(spec_of(e), "ANY 1 (walreceiversync, walreceiver)");
    assert_string_equal(sync_editor_after(e, s, 0), "quorum");
    assert_string_equal(sync_editor_after(e, s, 1), "quorum");
    /* ]: the first entry moves down */
    dialog_key(&d, s, NULL, ']');
    assert_int_equal(e->cursor, 1);
    assert_string_equal(spec_of(e), "ANY 1 (walreceiver, walreceiversync)");
    golden(s, &d, NULL, "sync-any");
    char *text = render(s, &d, NULL, 80, 24, true);
    assert_non_null(strstr(text, "after   'ANY 1 (walreceiver, walreceiversync)'"));
    free(text);

    /* back to FIRST: the order decides who is sync */
    dialog_key(&d, s, NULL, 'm');
    assert_string_equal(spec_of(e), "FIRST 1 (walreceiver, walreceiversync)");
    assert_string_equal(sync_editor_after(e, s, item(e, "walreceiver")), "sync");
    assert_string_equal(sync_editor_after(e, s, item(e, "walreceiversync")), "potential");
    /* [ moves it back up; K and J do the same as [ and ] */
    dialog_key(&d, s, NULL, '[');
    assert_string_equal(spec_of(e), "FIRST 1 (walreceiversync, walreceiver)");
    dialog_key(&d, s, NULL, 'J');
    assert_string_equal(spec_of(e), "FIRST 1 (walreceiver, walreceiversync)");
    dialog_key(&d, s, NULL, 'K');
    assert_string_equal(spec_of(e), "FIRST 1 (walreceiversync, walreceiver)");
    assert_int_equal(e->cursor, 0);

    /* +: two sync standbys; never more than are listed */
    dialog_key(&d, s, NULL, '+');
    dialog_key(&d, s, NULL, '+');
    assert_string_equal(spec_of(e), "FIRST 2 (walreceiversync, walreceiver)");
    assert_string_equal(sync_editor_after(e, s, 0), "sync");
    assert_string_equal(sync_editor_after(e, s, 1), "sync");
    assert_false(sync_editor_blocks(e, s));
    dialog_key(&d, s, NULL, '-');
    assert_string_equal(spec_of(e), "FIRST 1 (walreceiversync, walreceiver)");
    dialog_key(&d, s, NULL, '-');
    assert_int_equal(e->num, 1);

    /* Space takes walreceiver out: it becomes async */
    dialog_key(&d, s, NULL, K_DOWN);
    dialog_key(&d, s, NULL, ' ');
    assert_string_equal(spec_of(e), "FIRST 1 (walreceiversync)");
    assert_string_equal(sync_editor_after(e, s, item(e, "walreceiver")), "async");
    /* and both out: no synchronous standby at all */
    dialog_key(&d, s, NULL, K_UP);
    dialog_key(&d, s, NULL, ' ');
    assert_string_equal(spec_of(e), "");
    assert_false(sync_editor_blocks(e, s));
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    assert_string_equal(argv_of(&d, title, sizeof title), "sync|--yes|--|set|");
    snapshot_free(s);
}

static void test_sync_editor_blocking(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, DLG_SYNC, s, "");
    struct sync_editor *e = &d.sync;
    /* FIRST 2 of both, then walreceiver out: 2 wanted, 1 listed streams */
    dialog_key(&d, s, NULL, '+');
    dialog_key(&d, s, NULL, K_DOWN);
    dialog_key(&d, s, NULL, ' ');
    assert_string_equal(spec_of(e), "FIRST 2 (walreceiversync)");
    assert_true(sync_editor_blocks(e, s));
    golden(s, &d, NULL, "sync-blocks");
    char *text = render(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "WARNING: commits on db_m would HANG"));
    free(text);
    /* Enter refuses until F forces it */
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "every commit would hang"));
    dialog_key(&d, s, NULL, 'F');
    assert_true(e->force);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "sync|--yes|--force|--|set|FIRST 2 (walreceiversync)");
    assert_string_equal(title, "sync set 'FIRST 2 (walreceiversync)'");
    dialog_key(&d, s, NULL, 'F');

    /* c cycles synchronous_commit; local and off do not wait for standbys */
    dialog_key(&d, s, NULL, 'c');
    assert_string_equal(sync_commit_levels[e->commit], "remote_apply");
    assert_true(sync_editor_blocks(e, s));
    dialog_key(&d, s, NULL, 'c');
    dialog_key(&d, s, NULL, 'c');
    assert_string_equal(sync_commit_levels[e->commit], "local");
    assert_false(sync_editor_blocks(e, s));
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "sync|--yes|--commit|local|--|set|FIRST 2 (walreceiversync)");
    dialog_key(&d, s, NULL, 'c');
    dialog_key(&d, s, NULL, 'c');
    assert_string_equal(sync_commit_levels[e->commit], "on");
    snapshot_free(s);
}

static void test_sync_editor_other_standbys(void **state)
{
    (void)state;
    /* quorum: a third standby that is not listed, and does not stream from the primary */
    struct snapshot *s = fixture_load("quorum");
    struct sync_editor e;
    sync_editor_init(&e, s);
    assert_int_equal(e.method, SYNC_ANY);
    assert_int_equal(e.nitems, 3);
    assert_false(e.items[item(&e, "reporting")].on);
    assert_string_equal(sync_editor_after(&e, s, item(&e, "reporting")), "not streaming");
    assert_string_equal(sync_editor_after(&e, s, item(&e, "walreceiver")), "quorum");
    e.cursor = item(&e, "reporting");
    sync_editor_key(&e, ' ');
    assert_string_equal(spec_of(&e), "ANY 1 (walreceiversync, walreceiver, reporting)");
    snapshot_free(s);

    /* no primary: nothing to edit */
    s = fixture_load("primary-down");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, DLG_SYNC, s, "");
    assert_false(d.sync.have_primary);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    char *text = render(s, &d, NULL, 80, 24, true);
    assert_non_null(strstr(text, "No single reachable primary"));
    free(text);
    snapshot_free(s);
}

/* ---- resync, new replica, rejoin ---- */

static void test_local_dialogs(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    char title[160];

    dialog_open(&d, DLG_RESYNC, s, "db_s1");
    golden(s, &d, NULL, "resync");
    type(&d, s, "db_s1");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title), "resync|--yes|--|db_s1");

    /* no datadir in the config: it says so and runs nothing */
    d.ctx.local[1].datadir[0] = '\0';
    dialog_open(&d, DLG_RESYNC, s, "db_s1");
    type(&d, s, "db_s1");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "no datadir in the config"));
    /* the primary is not resynced */
    dialog_open(&d, DLG_RESYNC, s, "db_m");
    type(&d, s, "db_m");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "current primary"));

    /* J on the old primary once another node is primary */
    struct snapshot *two = fixture_load("two-primaries");
    dialog_open(&d, DLG_REJOIN, two, "db_m");
    type(&d, two, "db_m");
    assert_int_equal(dialog_key(&d, two, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title), "rejoin|--yes|--|db_m");
    /* but not the current primary of a healthy cluster */
    dialog_open(&d, DLG_REJOIN, s, "db_m");
    type(&d, s, "db_m");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    snapshot_free(two);
    snapshot_free(s);
}

/* ---- the new replica (a) ---- */

static void keys(struct dialog *d, const struct snapshot *s, int key, int times)
{
    for (int i = 0; i < times; i++)
        dialog_key(d, s, NULL, key);
}

static void test_new_replica(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    char title[160], why[400];

    /* it starts from what the loop proposes, and shows what the config file gets */
    dialog_open(&d, DLG_ADD, s, "db_s1");
    assert_string_equal(d.node, "db_s3");
    assert_string_equal(d.add.port, "5435");
    assert_string_equal(d.add.dir, "/srv/demo/db_s3");
    assert_null(add_refusal(&d, s, why, sizeof why));
    char *conf = add_config_text(&d, s);
    assert_string_equal(conf, "[nodes]\n"
                              "db_s3 = user='postgres' passfile='/srv/demo/pgpass' "
                              "dbname='postgres' host='127.0.0.1' port='5435' "
                              "application_name='repltop'\n"
                              "\n"
                              "[node db_s3]\n"
                              "datadir = /srv/demo/db_s3\n"
                              "port = 5435\n"
                              "bindir = /usr/lib/postgresql/15/bin\n");
    free(conf);
    golden(s, &d, NULL, "add");
    char *text = render(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "New replica db_s3"));
    assert_non_null(strstr(text, "  db_s3 = user='postgres' passfile='/srv/demo/pgpass'"));
    assert_non_null(strstr(text, "  datadir = /srv/demo/db_s3"));
    assert_non_null(strstr(text, "Type db_s3 to confirm:"));
    free(text);

    /* Enter goes from field to field; on the last it wants the name typed */
    keys(&d, s, K_ENTER, 3);
    assert_int_equal(d.add.field, ADD_CONFIRM);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_string_equal(d.note, "type db_s3 exactly to confirm");
    type(&d, s, "db_s3");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "resync|--new|--port|5435|--datadir|/srv/demo/db_s3|--yes|--|db_s3");
    assert_string_equal(title, "new replica db_s3");

    /* another name: the directory follows it until one is typed */
    keys(&d, s, K_BTAB, 3);
    assert_int_equal(d.add.field, ADD_NAME);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type(&d, s, "db s9"); /* no blank in a name */
    assert_string_equal(d.node, "dbs9");
    assert_string_equal(d.add.dir, "/srv/demo/dbs9");
    /* the port takes digits only, and not another node's */
    dialog_key(&d, s, NULL, K_TAB);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type(&d, s, "54x32");
    assert_string_equal(d.add.port, "5432");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "port 5432 is the port of db_m");
    keys(&d, s, K_DOWN, 2);
    type(&d, s, "dbs9");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_string_equal(d.note, "port 5432 is the port of db_m");
    keys(&d, s, K_UP, 2);
    keys(&d, s, K_BACKSPACE, 1);
    type(&d, s, "9");
    assert_null(add_refusal(&d, s, why, sizeof why));
    /* a directory typed by hand stays when the name changes */
    dialog_key(&d, s, NULL, K_TAB);
    keys(&d, s, K_BACKSPACE, 4);
    type(&d, s, "my replica");
    keys(&d, s, K_UP, 2);
    type(&d, s, "x");
    assert_string_equal(d.add.dir, "/srv/demo/my replica");
    keys(&d, s, K_DOWN, 3);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type(&d, s, "dbs9x");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "resync|--new|--port|5439|--datadir|/srv/demo/my replica|--yes|--|dbs9x");

    /* refused before anything runs: a node the config has, a relative directory, another's */
    dialog_open(&d, DLG_ADD, s, "db_s1");
    dialog_key(&d, s, NULL, K_CTRL_U);
    type(&d, s, "db_s1");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "db_s1 is in the config already and has its data directory: choose "
                             "another name");
    text = render(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "db_s1 is in the config already"));
    assert_non_null(strstr(text, "shown once the fields below are valid"));
    free(text);
    dialog_open(&d, DLG_ADD, s, "db_s1");
    keys(&d, s, K_TAB, 2);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type(&d, s, "srv/x");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "the directory must be an absolute path");
    dialog_key(&d, s, NULL, K_CTRL_U);
    type(&d, s, "/srv/demo/db_s2/");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "/srv/demo/db_s2 is the data directory of db_s2");
    /* the config reader's line limit, checked as the command checks it */
    dialog_open(&d, DLG_ADD, s, "db_s1");
    str_printf(d.ctx.local[0].conninfo, sizeof d.ctx.local[0].conninfo,
               "host='127.0.0.1' port='5432' application_name='%0180d'", 0);
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_non_null(strstr(why, "the config reader takes at most 198"));
    demo_ctx(&d);

    /* a node the config has but that is not built yet: built as configured, nothing added */
    struct dlg_local *l = &d.ctx.local[d.ctx.nlocal++];
    str_copy(l->name, sizeof l->name, "db_s4");
    str_copy(l->datadir, sizeof l->datadir, "/srv/demo/db_s4");
    l->port = 5436;
    str_copy(d.ctx.add_name, sizeof d.ctx.add_name, "db_s4");
    d.ctx.add_port = 5436;
    str_copy(d.ctx.add_dir, sizeof d.ctx.add_dir, "/srv/demo/db_s4");
    dialog_open(&d, DLG_ADD, s, "db_s1");
    assert_null(add_refusal(&d, s, why, sizeof why));
    conf = add_config_text(&d, s);
    assert_string_equal(conf, "");
    free(conf);
    text = render(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "db_s4 is in /srv/demo/repltop.conf already, not built yet"));
    free(text);
    keys(&d, s, K_TAB, 1);
    type(&d, s, "7"); /* other settings than its own: refused */
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_non_null(strstr(why, "db_s4 is in the config already with other settings"));

    /* no primary to clone from; no config file */
    struct snapshot *down = fixture_load("primary-down");
    demo_ctx(&d);
    dialog_open(&d, DLG_ADD, down, "db_s1");
    assert_non_null(add_refusal(&d, down, why, sizeof why));
    assert_string_equal(why, "no single primary answers: there is nothing to clone from");
    snapshot_free(down);
    d.ctx.can_run = false;
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_non_null(strstr(why, "start repltop with -c FILE"));
    keys(&d, s, K_ENTER, 3);
    type(&d, s, "db_s3");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    dialog_key(&d, s, NULL, K_ESC);
    assert_int_equal(d.kind, DLG_NONE);
    snapshot_free(s);
}

/* ---- the running action ---- */

static void run_line(struct run_state *r, enum severity sev, const char *text)
{
    struct run_line *l = &r->lines[r->nlines++];
    l->sev = sev;
    str_copy(l->text, sizeof l->text, text);
}

static void test_running_action(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    d.kind = DLG_RUN;
    str_copy(d.node, sizeof d.node, "db_s1");
    struct run_state r;
    memset(&r, 0, sizeof r);
    r.active = true;
    str_copy(r.title, sizeof r.title, "resync db_s1");
    r.started = s->taken_at - 9.6;
    run_line(&r, SEV_OK, "step: stopping db_s1 (pg_ctl stop -m fast)");
    run_line(&r, SEV_OK, "ok: db_s1 is stopped");
    run_line(&r, SEV_WARNING, "warn: db_s1 is the only synchronous standby of db_m");
    r.rate_t0 = s->taken_at - 4.6;
    r.rate_kb0 = 0;
    r.done_kb = 51200;
    r.total_kb = 102400;
    golden(s, &d, &r, "running");
    char *text = render(s, &d, &r, 120, 40, true);
    assert_non_null(strstr(text, "action running: resync db_s1 50%"));
    assert_non_null(strstr(text, "50%  50 MB of 100 MB  ETA 5s"));
    assert_non_null(strstr(text, "running for 10.0 s"));
    free(text);
    /* Esc hides the dialog; the header still says what runs */
    dialog_key(&d, s, &r, K_ESC);
    assert_int_equal(d.kind, DLG_NONE);
    text = render(s, &d, &r, 80, 24, true);
    assert_non_null(strstr(text, "action running: resync db_s1"));
    free(text);
    /* the end */
    r.active = false;
    r.ended = true;
    r.finished = s->taken_at;
    r.status = 1;
    run_line(&r, SEV_CRITICAL, "fail: pg_basebackup failed");
    d.kind = DLG_RUN;
    text = render(s, &d, &r, 120, 40, true);
    assert_non_null(strstr(text, "FAILED after 9.6 s (exit status 1)"));
    assert_null(strstr(text, "action running"));
    free(text);
    snapshot_free(s);
}

/* Every dialog at every size, UTF-8 and ASCII: nothing overflows, ASCII stays ASCII. */
static void test_every_size_fits(void **state)
{
    (void)state;
    static const int sizes[][2] = {{60, 15}, {61, 16}, {80, 24}, {100, 30}, {200, 60}};
    static const enum dialog_kind kinds[] = {DLG_PROMOTE, DLG_SYNC,   DLG_RESYNC,
                                             DLG_ADD,     DLG_REJOIN, DLG_RUN};
    const char *fixtures[] = {"healthy", "primary-down", "lagging", "quorum"};
    struct run_state r;
    memset(&r, 0, sizeof r);
    r.active = true;
    str_copy(r.title, sizeof r.title, "resync db_s1");
    for (int i = 0; i < RUN_LINES; i++)
        run_line(&r, SEV_OK,
                 "step: a long line of output that the dialog has to cut or wrap "
                 "somewhere because it does not fit in eighty columns at all");
    r.done_kb = 10;
    r.total_kb = 100;
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        struct snapshot *s = fixture_load(fixtures[f]);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            struct dialog d;
            demo_ctx(&d);
            dialog_open(&d, kinds[k], s, "db_s1");
            d.kind = kinds[k];
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
                for (int u = 0; u < 2; u++) {
                    char *text = render(s, &d, &r, sizes[i][0], sizes[i][1], u);
                    assert_fits(text, sizes[i][0], sizes[i][1], u);
                    for (const char *p = text; !u && *p; p++)
                        if ((unsigned char)*p >= 0x80)
                            fail_msg("non-ASCII in ASCII mode:\n%s", text);
                    free(text);
                }
            }
        }
        snapshot_free(s);
    }
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promote_after_primary_died),
        cmocka_unit_test(test_promote_refused_while_primary_writes),
        cmocka_unit_test(test_promote_not_a_standby),
        cmocka_unit_test(test_sync_editor_keys),
        cmocka_unit_test(test_sync_editor_blocking),
        cmocka_unit_test(test_sync_editor_other_standbys),
        cmocka_unit_test(test_local_dialogs),
        cmocka_unit_test(test_new_replica),
        cmocka_unit_test(test_running_action),
        cmocka_unit_test(test_every_size_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
