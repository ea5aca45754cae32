/* JSON export: the contract keys of docs/DESIGN.md section 5, null for unknown, round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/store/json.h"
#include "model/base/util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static struct snapshot *sample(void)
{
    struct snapshot *s = snapshot_new(2);
    s->taken_at = 1795936682; /* 2026-11-29T07:18:02Z */
    s->seq = 7;
    s->interval_s = 1;
    str_copy(s->primary, sizeof s->primary, "db_m");
    str_copy(s->synchronous_standby_names, sizeof s->synchronous_standby_names,
             "FIRST 1 (walreceiversync, walreceiver)");
    str_copy(s->synchronous_commit, sizeof s->synchronous_commit, "on");
    struct node_snap *m = &s->nodes[0], *s1 = &s->nodes[1];
    str_copy(m->name, sizeof m->name, "db_m");
    node_snap_clear(m);
    m->reach = REACH_OK;
    m->role = ROLE_PRIMARY;
    m->timeline = 1;
    m->current_lsn = 0x409D0E8;
    m->tps = 812.4;
    m->connections = 7;
    str_copy(m->state, sizeof m->state, "primary");
    m->nrepl = 1;
    m->repl = calloc(1, sizeof *m->repl);
    str_copy(m->repl[0].application_name, sizeof m->repl[0].application_name, "walreceiver");
    m->repl[0].replay_lag = NAN;
    m->repl[0].write_lag = 0.5;
    m->repl[0].flush_lag = NAN;
    m->repl[0].sync_priority = 2;
    m->repl[0].client_port = -1;
    str_copy(s1->name, sizeof s1->name, "db_s1");
    node_snap_clear(s1);
    s1->reach = REACH_UNREACHABLE;
    str_copy(s1->error, sizeof s1->error, "connection refused");
    /* down now, but it was db_m's synchronous standby when db_m last answered */
    str_copy(s1->last_sync_state, sizeof s1->last_sync_state, "sync");
    s1->last_sync_priority = 1;
    snapshot_add_problem(s, SEV_CRITICAL, "unreachable", "db_s1", "db_s1 is down");
    return s;
}

static void contract_keys_and_nulls(void **state)
{
    (void)state;
    struct snapshot *s = sample();
    char *text = snapshot_to_json(s, true);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "taken_at")->valuestring, "2026-11-29T07:18:02Z");
    cJSON *cl = cJSON_GetObjectItem(root, "cluster");
    assert_string_equal(cJSON_GetObjectItem(cl, "primary")->valuestring, "db_m");
    assert_string_equal(cJSON_GetObjectItem(cl, "health")->valuestring, "critical");
    cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "problems"), 0);
    assert_string_equal(cJSON_GetObjectItem(p0, "code")->valuestring, "unreachable");
    assert_string_equal(cJSON_GetObjectItem(p0, "severity")->valuestring, "critical");
    assert_string_equal(cJSON_GetObjectItem(p0, "node")->valuestring, "db_s1");

    cJSON *nodes = cJSON_GetObjectItem(root, "nodes");
    cJSON *m = cJSON_GetArrayItem(nodes, 0), *s1 = cJSON_GetArrayItem(nodes, 1);
    const char *keys[] = {"name",        "reachable",          "error",
                          "role",        "timeline",           "system_identifier",
                          "current_lsn", "receive_lsn",        "replay_lsn",
                          "sync_state",  "sync_priority",      "lag_bytes",
                          "lag_seconds", "data_at_risk_bytes", "upstream",
                          "tps",         "connections",        NULL};
    for (int i = 0; keys[i]; i++) {
        if (!cJSON_HasObjectItem(m, keys[i]) || !cJSON_HasObjectItem(s1, keys[i]))
            fail_msg("missing key %s", keys[i]);
    }
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "reachable")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "error")));
    assert_string_equal(cJSON_GetObjectItem(m, "current_lsn")->valuestring, "0/409D0E8");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "receive_lsn")));
    assert_true(cJSON_GetObjectItem(m, "tps")->valuedouble == 812.4);
    /* everything unknown about a down node is null, never 0 */
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(s1, "reachable")));
    assert_string_equal(cJSON_GetObjectItem(s1, "error")->valuestring, "connection refused");
    assert_string_equal(cJSON_GetObjectItem(s1, "role")->valuestring, "unknown");
    const char *nulls[] = {"timeline",   "system_identifier", "receive_lsn",
                           "sync_state", "sync_priority",     "data_at_risk_bytes",
                           "tps",        "connections",       NULL};
    for (int i = 0; nulls[i]; i++)
        if (!cJSON_IsNull(cJSON_GetObjectItem(s1, nulls[i])))
            fail_msg("%s should be null", nulls[i]);
    /* an addition: the standing as of the last refresh with one primary, null when not seen */
    assert_string_equal(cJSON_GetObjectItem(s1, "last_sync_state")->valuestring, "sync");
    assert_true(cJSON_GetObjectItem(s1, "last_sync_priority")->valuedouble == 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "last_sync_state")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "last_sync_priority")));
    cJSON *lb = cJSON_GetObjectItem(s1, "lag_bytes");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(lb, "replay")));
    cJSON *ls = cJSON_GetObjectItem(s1, "lag_seconds");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(ls, "replay")));
    /* NULL intervals in pg_stat_replication stay null */
    cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "replication"), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(row, "replay_lag")));
    assert_true(cJSON_GetObjectItem(row, "write_lag")->valuedouble == 0.5);
    cJSON_Delete(root);
    free(text);
    snapshot_free(s);
}

static void round_trip(void **state)
{
    (void)state;
    struct snapshot *s = sample();
    char *a = snapshot_to_json(s, false);
    assert_null(strchr(a, '\n')); /* one line: NDJSON recordings */
    char err[128];
    struct snapshot *back = snapshot_from_json(a, err, sizeof err);
    assert_non_null(back);
    char *b = snapshot_to_json(back, false);
    assert_string_equal(a, b);
    assert_int_equal(back->nnodes, 2);
    assert_int_equal(back->nodes[1].reach, REACH_UNREACHABLE);
    assert_true(back->nodes[1].tps != back->nodes[1].tps); /* NAN */
    assert_int_equal(back->health, SEV_CRITICAL);
    assert_string_equal(back->nodes[1].last_sync_state, "sync");
    assert_int_equal(back->nodes[1].last_sync_priority, 1);
    assert_int_equal(back->nodes[0].last_sync_priority, -1);
    free(a);
    free(b);
    snapshot_free(back);
    snapshot_free(s);
}

static void malformed_input(void **state)
{
    (void)state;
    char err[128] = "";
    assert_null(snapshot_from_json("{\"nodes\": [", err, sizeof err));
    assert_non_null(strstr(err, "not valid JSON"));
    assert_null(snapshot_from_json("[1,2]", err, sizeof err));
    assert_non_null(strstr(err, "not a repltop snapshot"));
    assert_null(
        snapshot_from_json("{\"cluster\":{},\"nodes\":[{\"role\":\"primary\"}]}", err, sizeof err));
    assert_non_null(strstr(err, "no name"));
    /* wrong types are unknown, not a crash or a zero */
    struct snapshot *s = snapshot_from_json(
        "{\"cluster\":{},\"nodes\":[{\"name\":\"x\",\"timeline\":\"one\",\"tps\":null,"
        "\"current_lsn\":\"zz\",\"lag_bytes\":7}]}",
        err, sizeof err);
    assert_non_null(s);
    assert_int_equal(s->nodes[0].timeline, -1);
    assert_true(s->nodes[0].current_lsn == LSN_UNKNOWN);
    assert_true(s->nodes[0].lag_replay == NUM_UNKNOWN);
    snapshot_free(s);
    /* found by tests/fuzz/fuzz_json: numbers beyond int64_t are unknown (casting them is UB) */
    s = snapshot_from_json("{\"cluster\":{},\"seq\":1e300,\"nodes\":[{\"name\":\"x\","
                           "\"connections\":-1e300,\"data_at_risk_bytes\":9.3e18,"
                           "\"lag_bytes\":{\"replay\":1e19,\"sent\":4096}}]}",
                           err, sizeof err);
    assert_non_null(s);
    assert_true(s->seq == 0);
    assert_true(s->nodes[0].connections == NUM_UNKNOWN);
    assert_true(s->nodes[0].data_at_risk == NUM_UNKNOWN);
    assert_true(s->nodes[0].lag_replay == NUM_UNKNOWN);
    assert_true(s->nodes[0].lag_sent == 4096);
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contract_keys_and_nulls),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(malformed_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
