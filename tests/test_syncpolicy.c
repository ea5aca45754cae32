/* The declared sync policy ([repltop] sync): its grammar (syncnames_parse_policy), the list it
 * gives a primary (syncpolicy_list) and whether a cluster is below it (syncpolicy_check), on the
 * reference cluster: db_m primary, db_s1 streaming as walreceiver, db_s2 as walreceiversync. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/derive.h"
#include "model/base/intern.h"
#include "model/watch/syncpolicy.h"
#include "tests/helpers/refcluster.h"

#include <string.h>

static void ref_config(struct config *c)
{
    config_init(c);
    char err[256];
    assert_true(config_add_node(c, "db_m", "host=127.0.0.1 port=5432", "t", err, sizeof err));
    assert_true(config_add_node(c, "db_s1", "host=127.0.0.1 port=5433", "t", err, sizeof err));
    assert_true(config_add_node(c, "db_s2", "host=127.0.0.1 port=5434", "t", err, sizeof err));
}

static struct snapshot *ref_snapshot(void)
{
    struct snapshot *s = refcluster_new();
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->primary, "db_m");
    return s;
}

/* syncpolicy_list formatted, or "error: ..." */
static const char *list(const char *policy, const struct config *c, const struct snapshot *s,
                        const char *primary)
{
    static char buf[SYNCNAMES_FORMAT_MAX + 300];
    struct syncnames sn;
    char err[300];
    if (!syncpolicy_list(policy, c, s, primary, &sn, err, sizeof err)) {
        snprintf(buf, sizeof buf, "error: %s", err);
        return buf;
    }
    buf[0] = '\0';
    if (sn.method != SYNC_NONE)
        assert_true(syncnames_format(&sn, buf, sizeof buf));
    return buf;
}

static void policy_grammar(void **state)
{
    (void)state;
    struct syncnames sn;
    char err[256];
    assert_true(syncnames_parse_policy("FIRST 1", &sn, err, sizeof err));
    assert_int_equal(sn.method, SYNC_FIRST);
    assert_int_equal(sn.num, 1);
    assert_int_equal(sn.nnames, 0);
    assert_true(syncnames_parse_policy("  any 2 ", &sn, err, sizeof err));
    assert_int_equal(sn.method, SYNC_ANY);
    assert_int_equal(sn.num, 2);
    assert_int_equal(sn.nnames, 0);
    assert_true(syncnames_parse_policy("ANY 1 (a, b)", &sn, err, sizeof err));
    assert_int_equal(sn.nnames, 2);
    assert_true(syncnames_parse_policy("a, b", &sn, err, sizeof err));
    assert_int_equal(sn.method, SYNC_FIRST);
    assert_int_equal(sn.nnames, 2);
    assert_false(syncnames_parse_policy("", &sn, err, sizeof err));
    assert_non_null(strstr(err, "empty sync policy"));
    assert_false(syncnames_parse_policy(NULL, &sn, err, sizeof err));
    assert_false(syncnames_parse_policy("FIRST", &sn, err, sizeof err));
    assert_false(syncnames_parse_policy("FIRST 0", &sn, err, sizeof err));
    assert_non_null(strstr(err, "at least 1"));
    assert_false(syncnames_parse_policy("FIRST 1 x", &sn, err, sizeof err));
    assert_false(syncnames_parse_policy("ANY 1 (a", &sn, err, sizeof err));
}

static void list_without_names(void **state)
{
    (void)state;
    struct config c;
    ref_config(&c);
    struct snapshot *s = ref_snapshot();
    /* as the primary stays: the standbys by the names they stream as, in config order */
    assert_string_equal(list("FIRST 1", &c, s, "db_m"), "FIRST 1 (walreceiver, walreceiversync)");
    assert_string_equal(list("any 2", &c, s, "db_m"), "ANY 2 (walreceiver, walreceiversync)");
    /* db_s2 promoted: the old primary comes back under its config name */
    assert_string_equal(list("FIRST 1", &c, s, "db_s2"), "FIRST 1 (db_m, walreceiver)");
    /* no snapshot: config names */
    assert_string_equal(list("FIRST 1", &c, NULL, "db_s1"), "FIRST 1 (db_m, db_s2)");
    /* one node only: nothing to wait for */
    struct config one;
    config_init(&one);
    char err[100];
    assert_true(config_add_node(&one, "solo", "host=x", "t", err, sizeof err));
    assert_string_equal(list("FIRST 1", &one, NULL, "solo"), "");
    config_done(&one);
    assert_string_equal(list("", &c, s, "db_m"), "error: no sync policy is set");
    assert_string_equal(list(NULL, &c, s, "db_m"), "error: no sync policy is set");
    snapshot_free(s);
    config_done(&c);
}

static void list_with_names(void **state)
{
    (void)state;
    struct config c;
    ref_config(&c);
    struct snapshot *s = ref_snapshot();
    assert_string_equal(list("FIRST 1 (db_s2, db_s1, db_m)", &c, s, "db_m"),
                        "FIRST 1 (db_s2, db_s1)");
    /* the primary is left out by its application_name too */
    assert_string_equal(list("ANY 1 (walreceiversync, walreceiver, db_m)", &c, s, "db_s2"),
                        "ANY 1 (walreceiver, db_m)");
    assert_string_equal(list("FIRST 1 (db_s2)", &c, s, "db_s2"), "");
    assert_string_equal(list("FIRST 1 (db_s2, x)", &c, NULL, "db_m"), "FIRST 1 (db_s2, x)");
    snapshot_free(s);
    config_done(&c);
}

static const char *check(const char *policy, const struct config *c, const struct snapshot *s)
{
    static char why[600];
    bool below = syncpolicy_check(policy, c, s, why, sizeof why);
    assert_int_equal(below, why[0] != '\0');
    return why;
}

static void check_below(void **state)
{
    (void)state;
    struct config c;
    ref_config(&c);
    struct snapshot *s = ref_snapshot();
    /* the reference cluster's list is FIRST 1 (walreceiversync, walreceiver) */
    assert_string_equal(check("FIRST 1 (walreceiversync, walreceiver)", &c, s), "");
    /* config names and application names are the same node */
    assert_string_equal(check("FIRST 1 (db_s2, db_s1)", &c, s), "");
    assert_string_equal(check(NULL, &c, s), "");
    assert_string_equal(check("", &c, s), "");
    /* the no-names policy would list db_s1 first; the same nodes in another order keep it */
    assert_string_equal(check("FIRST 1", &c, s), "");
    /* a policy that names its standbys names their order too */
    assert_string_equal(check("FIRST 1 (db_s1, db_s2)", &c, s),
                        "primary's list 'FIRST 1 (walreceiversync, walreceiver)' differs from "
                        "the policy's 'FIRST 1 (db_s1, db_s2)'");
    /* the same number but not every other node: below the no-names policy */
    s->nodes[0].synchronous_standby_names = str_intern("FIRST 1 (walreceiversync)");
    assert_string_equal(check("FIRST 1", &c, s),
                        "primary's list 'FIRST 1 (walreceiversync)' differs from the policy's "
                        "'FIRST 1 (walreceiver, walreceiversync)'");
    s->nodes[0].synchronous_standby_names = str_intern("FIRST 1 (walreceiversync, walreceiver)");
    assert_string_equal(check("FIRST 2 (db_s2, db_s1)", &c, s),
                        "primary's list 'FIRST 1 (walreceiversync, walreceiver)' differs from "
                        "the policy's 'FIRST 2 (db_s2, db_s1)'");
    /* the primary has the policy's list, but too few listed standbys stream */
    struct node_snap *m = &s->nodes[0];
    assert_string_equal(m->name, "db_m");
    m->synchronous_standby_names = str_intern("FIRST 2 (walreceiversync, walreceiver)");
    strcpy(m->repl[0].state, "catchup");
    assert_string_equal(check("FIRST 2 (db_s2, db_s1)", &c, s),
                        "policy wants 2 synchronous standbys, 1 streams");
    for (int i = 0; i < m->nrepl; i++)
        strcpy(m->repl[i].state, "catchup");
    m->synchronous_standby_names = str_intern("FIRST 1 (walreceiversync, walreceiver)");
    assert_string_equal(check("FIRST 1 (db_s2, db_s1)", &c, s),
                        "policy FIRST 1: no standby streams");
    /* an asynchronous primary is below any policy */
    m->synchronous_standby_names = str_intern("");
    assert_string_equal(check("ANY 1", &c, s),
                        "primary's list '' differs from the policy's 'ANY 1 (walreceiver, "
                        "walreceiversync)'");
    /* no primary answers: cannot tell */
    s->primary[0] = '\0';
    assert_string_equal(check("ANY 1", &c, s), "");
    snapshot_free(s);
    config_done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_grammar),
        cmocka_unit_test(list_without_names),
        cmocka_unit_test(list_with_names),
        cmocka_unit_test(check_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
