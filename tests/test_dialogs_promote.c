/* test_dialogs_promote: the promote dialog (panels/dialog.h) — what it says about the other
 * standbys and the sync list after the primary died, the refusal while the primary still
 * writes and its forced form, the confirmation by the node's name, and the exact argument
 * vector it hands to the child. Rendered on the dashboard from
 * JSON snapshot fixtures and compared with golden files (tests/golden/dialog-*.txt;
 * REPLTOP_UPDATE_GOLDEN=1 rewrites them). */
#include "model/base/util.h"
#include "panels/dialog.h"
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

static void test_promote_after_primary_died(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("primary-down");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, CMD_PROMOTE, s, "db_s2");
    type_text(&d, s, "db_s");
    golden_dialog(s, &d, NULL, "promote-primary-down");
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
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
    type_text(&d, s, "db_s2");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    /* the old list survives only in the dashboard: it goes to the action */
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "promote|--confirmed=dashboard|--previous-sync|FIRST 1 (walreceiversync, walreceiver)|--|"
        "db_s2");
    assert_string_equal(title, "promote db_s2");
    /* Esc closes */
    dialog_key(&d, s, NULL, K_ESC);
    assert_false(dialog_is_open(&d));
    snapshot_free(s);
}

static void test_promote_refused_while_primary_writes(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("lagging");
    struct dialog d;
    demo_ctx(&d);
    dialog_open(&d, CMD_PROMOTE, s, "db_s1");
    type_text(&d, s, "db_s1");
    golden_dialog(s, &d, NULL, "promote-refused");
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "the promote will be REFUSED"));
    assert_non_null(strstr(text, "db_s2 is 628 kB AHEAD of db_s1"));
    free(text);
    /* the right name is not enough while db_m accepts writes */
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "db_m still accepts writes"));
    /* ^F forces it, loudly */
    dialog_key(&d, s, NULL, K_CTRL_F);
    assert_true(d.force);
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "FORCED: db_m still accepts writes"));
    assert_non_null(strstr(text, "split brain"));
    free(text);
    golden_dialog(s, &d, NULL, "promote-forced");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "promote|--confirmed=dashboard|--force|--previous-sync|FIRST 1 (walreceiversync, "
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
    dialog_open(&d, CMD_PROMOTE, s, "db_m");
    type_text(&d, s, "db_m");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "already a primary"));
    /* without a config file nothing can run */
    dialog_open(&d, CMD_PROMOTE, s, "db_s2");
    d.ctx.can_run = false;
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "-c FILE"));
    snapshot_free(s);
}

/* The primary-down fixture with db_s2 renamed, and the promote dialog open on it. */
static struct snapshot *promote_renamed(struct dialog *d, const char *name)
{
    struct snapshot *s = fixture_load("primary-down");
    struct node_snap *n = (struct node_snap *)snapshot_find(s, "db_s2");
    assert_non_null(n);
    str_copy(n->name, sizeof n->name, name);
    demo_ctx(d);
    dialog_open(d, CMD_PROMOTE, s, name);
    return s;
}

/* Enter runs the promote, with the name as one argument of its own. */
static void assert_promote_runs(struct dialog *d, const struct snapshot *s, const char *name)
{
    assert_int_equal(dialog_key(d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160], want[400];
    str_printf(want, sizeof want,
               "promote|--confirmed=dashboard|--previous-sync|FIRST 1 (walreceiversync, "
               "walreceiver)|--|%s",
               name);
    assert_string_equal(argv_of(d, title, sizeof title), want);
}

/* A config name may hold spaces and quotes (model/config/config.c): typed as it is, it confirms,
 * and it goes to the child as one argument. */
static void test_promote_name_with_spaces(void **state)
{
    (void)state;
    const char *name = "stand by \"two\"";
    struct dialog d;
    struct snapshot *s = promote_renamed(&d, name);
    type_text(&d, s, name);
    assert_string_equal(d.typed, name);
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "Type stand by \"two\" to confirm: stand by \"two\" "));
    free(text);
    assert_promote_runs(&d, s, name);
    snapshot_free(s);
}

/* A UTF-8 name (a UTF-8 locale hands each character over as K_CHAR + its code point) is typed
 * to confirm; Backspace takes off a whole character, never half of one. */
static void test_promote_name_in_utf8(void **state)
{
    (void)state;
    const char *name = "n\xc5\x93ud-\xc3\xbc"; /* nœud-ü */
    const int keys[] = {'n', K_CHAR + 0x153, 'u', 'd', '-', K_CHAR + 0xFC};
    struct dialog d;
    struct snapshot *s = promote_renamed(&d, name);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        dialog_key(&d, s, NULL, keys[i]);
    assert_string_equal(d.typed, name);
    dialog_key(&d, s, NULL, K_DEL);
    assert_string_equal(d.typed, "n\xc5\x93ud-"); /* both bytes of ü gone */
    dialog_key(&d, s, NULL, K_CHAR + 0xFC);
    assert_promote_runs(&d, s, name);
    snapshot_free(s);
}

/* A field that is nearly full takes no partial character. */
static void test_text_field_utf8_edges(void **state)
{
    (void)state;
    char buf[4] = "ab";
    assert_false(text_field_append(buf, sizeof buf, K_CHAR + 0x20AC)); /* € needs 3 bytes */
    assert_string_equal(buf, "ab");
    assert_true(text_field_append(buf, sizeof buf, 'c'));
    assert_string_equal(buf, "abc");
    char wide[16] = "";
    assert_true(text_field_append(wide, sizeof wide, K_CHAR + 0x1F600)); /* 4 bytes */
    assert_int_equal(strlen(wide), 4);
    text_field_backspace(wide);
    assert_string_equal(wide, "");
    text_field_backspace(wide); /* an empty field stays empty */
    assert_string_equal(wide, "");
    assert_false(text_field_append(wide, sizeof wide, 7)); /* a control key is not text */
}

/* No primary answers, none was seen and none is remembered, no policy: the dialog asks whether
 * the new primary keeps a synchronous list (proposed: FIRST 1 over the other nodes, editable) or
 * goes asynchronous, and Enter refuses until one is chosen. */
static void test_promote_unknown_list_must_choose(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("primary-down");
    struct dialog d;
    demo_ctx(&d);
    d.ctx.have_last = false;
    dialog_open(&d, CMD_PROMOTE, s, "db_s2");
    type_text(&d, s, "db_s2");
    golden_dialog(s, &d, NULL, "promote-unknown");
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "UNKNOWN: no primary answers"));
    assert_non_null(strstr(text, "( ) keep synchronous: 'FIRST 1 (db_m, walreceiver)'"));
    assert_non_null(
        strstr(text, "( ) go asynchronous: commits will be acknowledged without any standby"));
    free(text);
    /* the right name is not enough: the choice is required */
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "choose keep synchronous or go asynchronous"));

    /* Tab: keep synchronous, with the proposed list */
    dialog_key(&d, s, NULL, K_TAB);
    assert_int_equal(d.psync, PSYNC_KEEP);
    golden_dialog(s, &d, NULL, "promote-keep");
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "(*) keep synchronous: 'FIRST 1 (db_m, walreceiver)'"));
    free(text);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "promote|--confirmed=dashboard|--sync-names|FIRST 1 (db_m, walreceiver)|--|db_s2");
    assert_string_equal(title, "promote db_s2");

    /* editable: ^T takes db_m out; every name out is refused */
    dialog_key(&d, s, NULL, K_CTRL_T);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "promote|--confirmed=dashboard|--sync-names|FIRST 1 (walreceiver)|--|db_s2");
    dialog_key(&d, s, NULL, K_DOWN);
    dialog_key(&d, s, NULL, K_CTRL_T);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "at least one name"));
    assert_string_equal(d.typed, "db_s2"); /* the keys of the choice do not type */

    /* Tab again: asynchronous, said so */
    dialog_key(&d, s, NULL, K_TAB);
    assert_int_equal(d.psync, PSYNC_ASYNC);
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(
        strstr(text, "(*) go asynchronous: commits will be acknowledged without any standby"));
    free(text);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title),
                        "promote|--confirmed=dashboard|--async|--|db_s2");
    assert_string_equal(title, "promote db_s2 (asynchronous)");
    snapshot_free(s);
}

/* With a declared policy the dialog says the new list follows it, and no choice is asked. */
static void test_promote_follows_policy(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("primary-down");
    struct dialog d;
    demo_ctx(&d);
    d.ctx.have_last = false;
    d.ctx.cfg = demo_config("FIRST 1");
    dialog_open(&d, CMD_PROMOTE, s, "db_s2");
    type_text(&d, s, "db_s2");
    golden_dialog(s, &d, NULL, "promote-policy");
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "the new primary's list will follow the policy: "
                                 "'FIRST 1 (db_m, walreceiver)'"));
    assert_non_null(strstr(text, "([repltop] sync = FIRST 1)"));
    assert_null(strstr(text, "keep synchronous"));
    free(text);
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    char title[160];
    assert_string_equal(argv_of(&d, title, sizeof title), "promote|--confirmed=dashboard|--|db_s2");
    /* a named policy: the candidate is taken out of it */
    d.ctx.cfg = demo_config("ANY 1 (db_s2, db_s1)");
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "follow the policy: 'ANY 1 (db_s1)'"));
    assert_non_null(strstr(text, "([repltop] sync = ANY 1 (db_s2, db_s1))"));
    free(text);
    demo_config(NULL);
    snapshot_free(s);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promote_after_primary_died),
        cmocka_unit_test(test_promote_refused_while_primary_writes),
        cmocka_unit_test(test_promote_not_a_standby),
        cmocka_unit_test(test_promote_name_with_spaces),
        cmocka_unit_test(test_promote_name_in_utf8),
        cmocka_unit_test(test_text_field_utf8_edges),
        cmocka_unit_test(test_promote_unknown_list_must_choose),
        cmocka_unit_test(test_promote_follows_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
