/* test_dialogs_run: the running action's dialog (progress, output, how it ended, the header
 * once it is hidden), and every dialog at every size, UTF-8 and ASCII. Rendered on the dashboard
 * from JSON snapshot fixtures and compared with golden files (tests/golden/dialog-*.txt;
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
#include "tests/helpers/golden.h"

static void test_running_action(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    struct dialog d;
    demo_ctx(&d);
    d.cls = &running_dialog;
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
    golden_dialog(s, &d, &r, "running");
    char *text = render_dialog(s, &d, &r, 120, 40, true);
    assert_non_null(strstr(text, "action running: resync db_s1 50%"));
    assert_non_null(strstr(text, "50%  50 MB of 100 MB  ETA 5s"));
    assert_non_null(strstr(text, "running for 10.0 s"));
    free(text);
    /* Esc hides the dialog; the header still says what runs */
    dialog_key(&d, s, &r, K_ESC);
    assert_false(dialog_is_open(&d));
    text = render_dialog(s, &d, &r, 80, 24, true);
    assert_non_null(strstr(text, "action running: resync db_s1"));
    free(text);
    /* the end */
    r.active = false;
    r.ended = true;
    r.finished = s->taken_at;
    r.status = 1;
    run_line(&r, SEV_CRITICAL, "fail: pg_basebackup failed");
    d.cls = &running_dialog;
    text = render_dialog(s, &d, &r, 120, 40, true);
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
#define CLASS_ADDRESS(cls) &cls,
    static const struct dialog_class *const classes[] = {DIALOG_CLASSES(CLASS_ADDRESS)};
#undef CLASS_ADDRESS
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
        for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
            struct dialog d;
            demo_ctx(&d);
            if (classes[k]->patroni) { /* it opens where Patroni's REST API is known */
                s->patroni = calloc(1, sizeof *s->patroni);
                patroni_view_clear(s->patroni);
                s->patroni->known = s->patroni->settings_known = true;
                str_copy(s->patroni->scope, sizeof s->patroni->scope, "demo");
                s->patroni->settings.synchronous_mode = 1;
                s->patroni->nmembers = 1;
                str_copy(s->patroni->members[0].name, PATRONI_NAME_LEN, "db_s1");
                str_copy(s->patroni->members[0].role, 24, "sync_standby");
            }
            if (classes[k]->cmd != CMD_NONE) {
                assert_true(dialog_open(&d, classes[k]->cmd, s, "db_s1"));
            } else { /* the running action's view: no key opens it, the loop shows it */
                d.cls = classes[k];
                str_copy(d.node, sizeof d.node, "db_s1");
            }
            assert_true(dialog_is(&d, classes[k]));
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
                for (int u = 0; u < 2; u++) {
                    char *text = render_dialog(s, &d, &r, sizes[i][0], sizes[i][1], u);
                    assert_fits(text, sizes[i][0], sizes[i][1], u); /* ASCII stays ASCII too */
                    free(text);
                }
            }
            free(s->patroni);
            s->patroni = NULL;
        }
        snapshot_free(s);
    }
}

/* Each operator action's key command opens the dialog whose class says that command; no other
 * command opens one. */
static void test_every_action_opens_its_dialog(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("healthy");
    for (int c = CMD_NONE; c < CMD_COUNT; c++) {
        struct dialog d;
        demo_ctx(&d);
        assert_int_equal(dialog_open(&d, (enum key_cmd)c, s, "db_s1"), cmd_operator(c));
        assert_int_equal(dialog_is_open(&d), cmd_operator(c));
        if (dialog_is_open(&d))
            assert_int_equal(d.cls->cmd, c);
    }
    snapshot_free(s);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_action),
        cmocka_unit_test(test_every_size_fits),
        cmocka_unit_test(test_every_action_opens_its_dialog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
