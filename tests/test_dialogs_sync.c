/* test_dialogs_sync: the sync list editor (panels/dialog.h) — its keys, its preview of the
 * string and of each standby's state, the commit-hang warning and its forced form, and the
 * argument vector of `sync set`. Rendered on the dashboard from
 * JSON snapshot fixtures and compared with golden files (tests/golden/dialog-*.txt;
 * REPLTOP_UPDATE_GOLDEN=1 rewrites them). */
#include "model/base/util.h"
#include "panels/dialog.h"
#include "panels/sync_editor.h"
#include "panels/keys.h"
#include "panels/view.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/dialog_check.h"
#include "tests/helpers/fixture.h"

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

/* Enter on a list that passes the checks asks for "yes" (typed, as `sync set` asks on a
 * terminal) before it runs: Enter with anything else does not run, Esc goes back to the list. */
static unsigned enter_and_confirm(struct dialog *d, const struct snapshot *s)
{
    assert_int_equal(dialog_key(d, s, NULL, K_ENTER), INTENT_REDRAW);
    assert_true(d->confirming);
    dialog_key(d, s, NULL, 'y');
    assert_int_equal(dialog_key(d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_string_equal(d->note, "type yes exactly to confirm");
    dialog_key(d, s, NULL, 'e');
    dialog_key(d, s, NULL, 's');
    return dialog_key(d, s, NULL, K_ENTER);
}

static void test_sync_editor_keys(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, CMD_SYNC, s, "");
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
    golden_dialog(s, &d, NULL, "sync-any");
    char *text = render_dialog(s, &d, NULL, 80, 24, true);
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
    assert_int_equal(enter_and_confirm(&d, s), INTENT_RUN);
    char title[160];
    assert_string_equal(argv_of(&d, title, sizeof title), "sync|--confirmed=dashboard|--|set|");
    snapshot_free(s);
}

static void test_sync_editor_confirm_esc(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, CMD_SYNC, s, "");
    dialog_key(&d, s, NULL, 'm');
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_REDRAW);
    assert_true(d.confirming);
    /* the editor's keys are letters of the field now */
    dialog_key(&d, s, NULL, 'm');
    assert_string_equal(d.typed, "m");
    assert_int_equal(dialog_key(&d, s, NULL, K_ESC), INTENT_REDRAW);
    assert_false(d.confirming);
    assert_non_null(d.cls); /* back to the list, still open */
    assert_string_equal(d.typed, "");
    snapshot_free(s);
}

static void test_sync_editor_blocking(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, CMD_SYNC, s, "");
    struct sync_editor *e = &d.sync;
    /* FIRST 2 of both, then walreceiver out: 2 wanted, 1 listed streams */
    dialog_key(&d, s, NULL, '+');
    dialog_key(&d, s, NULL, K_DOWN);
    dialog_key(&d, s, NULL, ' ');
    assert_string_equal(spec_of(e), "FIRST 2 (walreceiversync)");
    assert_true(sync_editor_blocks(e, s));
    golden_dialog(s, &d, NULL, "sync-blocks");
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "WARNING: commits on db_m would HANG"));
    free(text);
    /* Enter refuses until F forces it */
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "every commit would hang"));
    dialog_key(&d, s, NULL, 'F');
    assert_true(e->force);
    assert_int_equal(enter_and_confirm(&d, s), INTENT_RUN);
    char title[160];
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "sync|--confirmed=dashboard|--force|--|set|FIRST 2 (walreceiversync)");
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
    assert_int_equal(enter_and_confirm(&d, s), INTENT_RUN);
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "sync|--confirmed=dashboard|--commit|local|--|set|FIRST 2 (walreceiversync)");
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
    dialog_open(&d, CMD_SYNC, s, "");
    assert_false(d.sync.have_primary);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    char *text = render_dialog(s, &d, NULL, 80, 24, true);
    assert_non_null(strstr(text, "No single reachable primary"));
    free(text);
    snapshot_free(s);
}

/* p: save the list as the declared policy too (--save), offered only with a config file. */
static void test_sync_editor_save_policy(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, CMD_SYNC, s, "");
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "[ ] save this list as the sync policy"));
    free(text);
    /* an unchanged list saved as the policy is a change worth running */
    dialog_key(&d, s, NULL, 'p');
    assert_true(d.sync.save);
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "[x] save this list as the sync policy ([repltop] sync)"));
    free(text);
    assert_int_equal(enter_and_confirm(&d, s), INTENT_RUN);
    char title[160];
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "sync|--confirmed=dashboard|--save|--|set|FIRST 1 (walreceiversync, walreceiver)");
    /* p again: not saved, and then nothing changed */
    dialog_key(&d, s, NULL, 'p');
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    /* without a config file: no such line, p does nothing */
    dialog_open(&d, CMD_SYNC, s, "");
    d.ctx.can_run = false;
    dialog_key(&d, s, NULL, 'p');
    assert_false(d.sync.save);
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_null(strstr(text, "save this list as the sync policy"));
    free(text);
    snapshot_free(s);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_editor_save_policy),
        cmocka_unit_test(test_sync_editor_keys),
        cmocka_unit_test(test_sync_editor_confirm_esc),
        cmocka_unit_test(test_sync_editor_blocking),
        cmocka_unit_test(test_sync_editor_other_standbys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
