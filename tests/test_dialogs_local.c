/* test_dialogs_local: the dialogs of the local actions (panels/dialog.h) — resync, rejoin and
 * the new replica: what each refuses before anything runs, the new replica's fields and the
 * config text it adds, the confirmation by the node's name, and the exact argument vector
 * each hands to the child. Rendered on the dashboard from
 * JSON snapshot fixtures and compared with golden files (tests/golden/dialog-*.txt;
 * REPLTOP_UPDATE_GOLDEN=1 rewrites them). */
#include "model/base/util.h"
#include "panels/dialog.h"
#include "panels/new_replica.h"
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

/* ---- resync, rejoin ---- */

static void test_local_dialogs(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    char title[160];

    dialog_open(&d, CMD_RESYNC, s, "db_s1");
    golden_dialog(s, &d, NULL, "resync");
    type_text(&d, s, "db_s1");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title), "resync|--confirmed=dashboard|--|db_s1");

    /* no datadir in the config: it says so and runs nothing */
    d.ctx.local[1].datadir[0] = '\0';
    dialog_open(&d, CMD_RESYNC, s, "db_s1");
    type_text(&d, s, "db_s1");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "no datadir in the config"));
    /* the primary is not resynced */
    dialog_open(&d, CMD_RESYNC, s, "db_m");
    type_text(&d, s, "db_m");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_non_null(strstr(d.note, "current primary"));

    /* J on the old primary once another node is primary */
    struct snapshot *two = fixture_load("two-primaries");
    dialog_open(&d, CMD_REJOIN, two, "db_m");
    type_text(&d, two, "db_m");
    assert_int_equal(dialog_key(&d, two, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(argv_of(&d, title, sizeof title), "rejoin|--confirmed=dashboard|--|db_m");
    /* but not the current primary of a healthy cluster */
    dialog_open(&d, CMD_REJOIN, s, "db_m");
    type_text(&d, s, "db_m");
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
    dialog_open(&d, CMD_ADD, s, "db_s1");
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
    golden_dialog(s, &d, NULL, "add");
    char *text = render_dialog(s, &d, NULL, 120, 40, true);
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
    type_text(&d, s, "db_s3");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "resync|--new|--port|5435|--datadir|/srv/demo/db_s3|--confirmed=dashboard|--|db_s3");
    assert_string_equal(title, "new replica db_s3");

    /* another name: the directory follows it until one is typed */
    keys(&d, s, K_BTAB, 3);
    assert_int_equal(d.add.field, ADD_NAME);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type_text(&d, s, "db s9"); /* no blank in a name */
    assert_string_equal(d.node, "dbs9");
    assert_string_equal(d.add.dir, "/srv/demo/dbs9");
    /* the port takes digits only, and not another node's */
    dialog_key(&d, s, NULL, K_TAB);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type_text(&d, s, "54x32");
    assert_string_equal(d.add.port, "5432");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "port 5432 is the port of db_m");
    keys(&d, s, K_DOWN, 2);
    type_text(&d, s, "dbs9");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    assert_string_equal(d.note, "port 5432 is the port of db_m");
    keys(&d, s, K_UP, 2);
    keys(&d, s, K_BACKSPACE, 1);
    type_text(&d, s, "9");
    assert_null(add_refusal(&d, s, why, sizeof why));
    /* a directory typed by hand stays when the name changes */
    dialog_key(&d, s, NULL, K_TAB);
    keys(&d, s, K_BACKSPACE, 4);
    type_text(&d, s, "my replica");
    keys(&d, s, K_UP, 2);
    type_text(&d, s, "x");
    assert_string_equal(d.add.dir, "/srv/demo/my replica");
    keys(&d, s, K_DOWN, 3);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type_text(&d, s, "dbs9x");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER), INTENT_RUN);
    assert_string_equal(
        argv_of(&d, title, sizeof title),
        "resync|--new|--port|5439|--datadir|/srv/demo/my replica|--confirmed=dashboard|--|dbs9x");

    /* refused before anything runs: a node the config has, a relative directory, another's */
    dialog_open(&d, CMD_ADD, s, "db_s1");
    dialog_key(&d, s, NULL, K_CTRL_U);
    type_text(&d, s, "db_s1");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "db_s1 is in the config already and has its data directory: choose "
                             "another name");
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "db_s1 is in the config already"));
    assert_non_null(strstr(text, "shown once the fields below are valid"));
    free(text);
    dialog_open(&d, CMD_ADD, s, "db_s1");
    keys(&d, s, K_TAB, 2);
    dialog_key(&d, s, NULL, K_CTRL_U);
    type_text(&d, s, "srv/x");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "the directory must be an absolute path");
    dialog_key(&d, s, NULL, K_CTRL_U);
    type_text(&d, s, "/srv/demo/db_s2/");
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_string_equal(why, "/srv/demo/db_s2 is the data directory of db_s2");
    /* the config reader's line limit, checked as the command checks it */
    dialog_open(&d, CMD_ADD, s, "db_s1");
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
    dialog_open(&d, CMD_ADD, s, "db_s1");
    assert_null(add_refusal(&d, s, why, sizeof why));
    conf = add_config_text(&d, s);
    assert_string_equal(conf, "");
    free(conf);
    text = render_dialog(s, &d, NULL, 120, 40, true);
    assert_non_null(strstr(text, "db_s4 is in /srv/demo/repltop.conf already, not built yet"));
    free(text);
    keys(&d, s, K_TAB, 1);
    type_text(&d, s, "7"); /* other settings than its own: refused */
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_non_null(strstr(why, "db_s4 is in the config already with other settings"));

    /* no primary to clone from; no config file */
    struct snapshot *down = fixture_load("primary-down");
    demo_ctx(&d);
    dialog_open(&d, CMD_ADD, down, "db_s1");
    assert_non_null(add_refusal(&d, down, why, sizeof why));
    assert_string_equal(why, "no single primary answers: there is nothing to clone from");
    snapshot_free(down);
    d.ctx.can_run = false;
    assert_non_null(add_refusal(&d, s, why, sizeof why));
    assert_non_null(strstr(why, "start repltop with -c FILE"));
    keys(&d, s, K_ENTER, 3);
    type_text(&d, s, "db_s3");
    assert_int_equal(dialog_key(&d, s, NULL, K_ENTER) & INTENT_RUN, 0);
    dialog_key(&d, s, NULL, K_ESC);
    assert_false(dialog_is_open(&d));
    snapshot_free(s);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_dialogs),
        cmocka_unit_test(test_new_replica),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
