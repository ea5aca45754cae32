/* What repltop reads from Patroni's REST API: the members of /cluster (roles, states, tags,
 * lag "unknown" kept unknown), the settings of /config, and who Patroni would accept as a
 * failover candidate (sync standby, nofailover, maximum_lag_on_failover). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/base/num.h"
#include "model/patroni/patroni_view.h"

#include <string.h>

/* As Patroni 3.0.2 answers GET /cluster on the lab (tests/lib_patroni.sh), db_s2 tagged. */
static const char cluster_json[] =
    "{\"members\": ["
    "{\"name\": \"db_m\", \"role\": \"leader\", \"state\": \"running\", \"api_url\": "
    "\"http://127.0.0.1:59008/patroni\", \"host\": \"127.0.0.1\", \"port\": 59001, \"timeline\": "
    "3},"
    "{\"name\": \"db_s1\", \"role\": \"sync_standby\", \"state\": \"streaming\", \"api_url\": "
    "\"http://127.0.0.1:59018/patroni\", \"host\": \"127.0.0.1\", \"port\": 59002, \"timeline\": "
    "3, "
    "\"lag\": 0},"
    "{\"name\": \"db_s2\", \"role\": \"replica\", \"state\": \"streaming\", \"api_url\": "
    "\"http://127.0.0.1:59028/patroni\", \"host\": \"127.0.0.1\", \"port\": 59003, \"timeline\": "
    "3, "
    "\"lag\": \"unknown\", \"pending_restart\": true, \"tags\": {\"nofailover\": true}}"
    "], \"scope\": \"repltop-lab\", \"pause\": true}";

static void cluster_members(void **state)
{
    (void)state;
    struct patroni_view v;
    char err[256];
    patroni_view_clear(&v);
    assert_true(patroni_cluster_parse(cluster_json, &v, err, sizeof err));
    assert_int_equal(v.nmembers, 3);
    assert_true(v.paused);
    assert_string_equal(v.scope, "repltop-lab");
    assert_string_equal(patroni_leader(&v)->name, "db_m");
    const struct patroni_member *s2 = patroni_member_find(&v, "db_s2");
    assert_non_null(s2);
    assert_int_equal(s2->port, 59003);
    assert_true(s2->nofailover);
    assert_true(s2->pending_restart);
    assert_true(s2->lag == NUM_UNKNOWN); /* "unknown" is never 0 */
    assert_int_equal(patroni_member_find(&v, "db_s1")->lag, 0);
    char sync[64];
    patroni_sync_standbys(&v, sync, sizeof sync);
    assert_string_equal(sync, "db_s1");
}

static void not_patroni(void **state)
{
    (void)state;
    struct patroni_view v;
    char err[256];
    patroni_view_clear(&v);
    assert_false(patroni_cluster_parse("{\"state\": \"running\"}", &v, err, sizeof err));
    assert_false(patroni_cluster_parse("<html>", &v, err, sizeof err));
    assert_false(v.known);
}

static void settings(void **state)
{
    (void)state;
    struct patroni_settings s;
    char err[256];
    assert_true(patroni_settings_parse(
        "{\"ttl\": 30, \"loop_wait\": 10, \"synchronous_mode\": true, "
        "\"synchronous_node_count\": 1, \"maximum_lag_on_failover\": 1048576}",
        &s, err, sizeof err));
    assert_int_equal(s.synchronous_mode, 1);
    assert_int_equal(s.synchronous_mode_strict, -1); /* not set: unknown, not "off" */
    assert_int_equal(s.synchronous_node_count, 1);
    assert_int_equal(s.maximum_lag_on_failover, 1048576);
    assert_int_equal(s.loop_wait, 10);
}

static void candidates_follow_patroni(void **state)
{
    (void)state;
    struct patroni_view v;
    char err[256], why[256];
    patroni_view_clear(&v);
    assert_true(patroni_cluster_parse(cluster_json, &v, err, sizeof err));
    v.settings.synchronous_mode = 1;
    assert_true(patroni_can_fail_over_to(&v, "db_s1", why, sizeof why));
    assert_false(patroni_can_fail_over_to(&v, "db_s2", why, sizeof why));
    assert_non_null(strstr(why, "nofailover"));
    assert_false(patroni_can_fail_over_to(&v, "db_m", why, sizeof why));
    assert_false(patroni_can_fail_over_to(&v, "db_x", why, sizeof why));
    /* synchronous_mode: only the sync standby */
    v.members[2].nofailover = false;
    assert_false(patroni_can_fail_over_to(&v, "db_s2", why, sizeof why));
    assert_non_null(strstr(why, "sync standby (db_s1 is)"));
    /* asynchronous: too far behind is refused by maximum_lag_on_failover */
    v.settings.synchronous_mode = 0;
    v.settings.maximum_lag_on_failover = 1000;
    v.members[2].lag = 5000;
    assert_false(patroni_can_fail_over_to(&v, "db_s2", why, sizeof why));
    assert_non_null(strstr(why, "maximum_lag_on_failover"));
    v.members[2].lag = 10;
    assert_true(patroni_can_fail_over_to(&v, "db_s2", why, sizeof why));
}

static void api_base(void **state)
{
    (void)state;
    char b[128];
    patroni_api_base("http://127.0.0.1:59008/patroni", b, sizeof b);
    assert_string_equal(b, "http://127.0.0.1:59008");
    patroni_api_base("http://h:8008/", b, sizeof b);
    assert_string_equal(b, "http://h:8008");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cluster_members), cmocka_unit_test(not_patroni),
        cmocka_unit_test(settings),        cmocka_unit_test(candidates_follow_patroni),
        cmocka_unit_test(api_base),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
