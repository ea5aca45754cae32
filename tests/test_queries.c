/* The monitoring query's row parsers, fed plain strings as a server would send them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/queries.h"

#include <stdlib.h>
#include <string.h>

/* A fake result: columns and rows of strings (NULL = SQL NULL). */
struct table {
    const char *const *cols;
    const char *const *cells; /* nrows * ncols */
    int ncols;
};

static const char *table_get(const struct rowset *rs, int row, const char *col)
{
    const struct table *t = rs->ctx;
    for (int c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c], col) == 0)
            return t->cells[row * t->ncols + c];
    return NULL;
}

static void feed(enum query_part part, const char *const *cols, int ncols, const char *const *cells,
                 int nrows, struct node_sample *smp)
{
    struct table t = {cols, cells, ncols};
    struct rowset rs = {.nrows = nrows, .get = table_get, .ctx = &t};
    queries_parse(part, &rs, smp);
}

static void new_sample(struct node_sample *smp)
{
    memset(smp, 0, sizeof *smp);
    node_snap_clear(&smp->s);
    smp->xact_total = NUM_UNKNOWN;
}

static const char *node_cols[] = {
    "in_recovery",         "server_version", "server_version_num",
    "system_identifier",   "current_lsn",    "current_walfile",
    "checkpoint_timeline", "receive_lsn",    "replay_lsn",
    "replay_age",          "replay_paused",  "uptime",
    "connections",         "xact_total",     "synchronous_standby_names",
    "synchronous_commit",  "cluster_name",   "primary_conninfo"};

static void primary_row(void **state)
{
    (void)state;
    const char *row[] = {"f",         "15.18",
                         "150018",    "7713489272709254051",
                         "0/409D0E8", "000000030000000000000004",
                         "2",         NULL,
                         "0/3000000", /* where recovery ended, before a promote */
                         NULL,        NULL,
                         "3600.5",    "7",
                         "123456",    "FIRST 1 (walreceiversync, walreceiver)",
                         "on",        "",
                         NULL};
    struct node_sample smp;
    new_sample(&smp);
    feed(QP_NODE, node_cols, 18, row, 1, &smp);
    assert_int_equal(smp.s.role, ROLE_PRIMARY);
    assert_string_equal(smp.s.server_version, "15.18");
    assert_int_equal(smp.s.server_version_num, 150018);
    assert_string_equal(smp.s.system_identifier, "7713489272709254051");
    assert_int_equal(smp.s.current_lsn, 0x409D0E8);
    /* the WAL file's timeline (3), not the lagging control file's (2) */
    assert_int_equal(smp.s.timeline, 3);
    assert_true(smp.s.receive_lsn == LSN_UNKNOWN);
    assert_true(smp.s.replay_lsn == LSN_UNKNOWN);
    assert_true(isnan(smp.s.replay_age));
    assert_int_equal(smp.s.replay_paused, -1);
    /* the manager's statement counts connections (one pass over the backends for both) */
    assert_true(smp.s.connections == NUM_UNKNOWN);
    assert_int_equal(smp.xact_total, 123456);
    assert_string_equal(smp.s.synchronous_standby_names, "FIRST 1 (walreceiversync, walreceiver)");
    assert_string_equal(smp.s.application_name, "");
}

static void standby_row_keeps_no_password(void **state)
{
    (void)state;
    const char *row[] = {"t",
                         "15.18",
                         "150018",
                         "7713489272709254051",
                         NULL,
                         NULL,
                         "1",
                         "0/4000000",
                         "0/2D9D0E8",
                         "1.87",
                         "f",
                         "100",
                         "3",
                         "99",
                         "",
                         "on",
                         "",
                         "user=replication_user password=s3cret host=127.0.0.1 port=54320 "
                         "application_name=walreceiver"};
    struct node_sample smp;
    new_sample(&smp);
    feed(QP_NODE, node_cols, 18, row, 1, &smp);
    assert_int_equal(smp.s.role, ROLE_STANDBY);
    assert_int_equal(smp.s.receive_lsn, 0x4000000);
    assert_int_equal(smp.s.replay_lsn, 0x2D9D0E8);
    assert_true(smp.s.replay_age > 1.86 && smp.s.replay_age < 1.88);
    assert_int_equal(smp.s.replay_paused, 0);
    assert_string_equal(smp.s.application_name, "walreceiver");
    assert_string_equal(smp.s.upstream_addr, "127.0.0.1:54320");
    /* nothing of the conninfo's secret may survive anywhere in the sample */
    const char *bytes = (const char *)&smp.s;
    for (size_t i = 0; i + 6 <= sizeof smp.s; i++)
        assert_false(memcmp(bytes + i, "s3cret", 6) == 0);
}

static void standby_default_app_name(void **state)
{
    (void)state;
    /* no application_name in primary_conninfo: PostgreSQL uses cluster_name, else
     * "walreceiver" */
    const char *row[] = {"t",  "15.18", "150018", "1", NULL, NULL, "1",  NULL, NULL,
                         NULL, "f",     "1",      "1", "1",  "",   "on", "",   "host=h port=1"};
    struct node_sample smp;
    new_sample(&smp);
    feed(QP_NODE, node_cols, 18, row, 1, &smp);
    assert_string_equal(smp.s.application_name, "walreceiver");
    const char *row2[] = {"t",  "15.18", "150018", "1", NULL, NULL, "1",  NULL, NULL,
                          NULL, "f",     "1",      "1", "1",  "",   "on", "s9", "host=h port=1"};
    new_sample(&smp);
    feed(QP_NODE, node_cols, 18, row2, 1, &smp);
    assert_string_equal(smp.s.application_name, "s9");
    /* unreadable primary_conninfo (no privilege): unknown, not a guess */
    const char *row3[] = {"t",  "15.18", "150018", "1", NULL, NULL, "1",  NULL, NULL,
                          NULL, "f",     "1",      "1", "1",  "",   "on", "s9", NULL};
    new_sample(&smp);
    feed(QP_NODE, node_cols, 18, row3, 1, &smp);
    assert_string_equal(smp.s.application_name, "");
}

static void standby_recovery_source(void **state)
{
    (void)state;
    static const char *cols[] = {"in_recovery", "primary_conninfo", "restore_command",
                                 "primary_slot_name", "cluster_name"};
    struct { /* primary_conninfo, restore_command -> recovery_source */
        const char *pci, *restore, *want;
    } cases[] = {
        {"host=h port=1", "", "stream"},
        {"host=h port=1", "cp /a/%f %p", "stream"}, /* streams, archive as fallback */
        {"", "cp /a/%f %p", "archive"},
        {"", "", ""},     /* neither: not known to come from anywhere */
        {NULL, NULL, ""}, /* settings not readable: unknown */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *row[] = {"t", cases[i].pci, cases[i].restore, "s1slot", ""};
        struct node_sample smp;
        new_sample(&smp);
        feed(QP_NODE, cols, 5, row, 1, &smp);
        assert_string_equal(smp.s.recovery_source, cases[i].want);
        assert_string_equal(smp.s.primary_slot_name, "s1slot");
    }
}

static void replication_rows(void **state)
{
    (void)state;
    const char *cols[] = {"pid",           "application_name", "client_addr", "client_port",
                          "state",         "sent_lsn",         "write_lsn",   "flush_lsn",
                          "replay_lsn",    "write_lag",        "flush_lag",   "replay_lag",
                          "sync_priority", "sync_state"};
    const char *cells[] = {"101",       "walreceiver", "127.0.0.1", "40000",
                           "streaming", "0/409D0E8",   "0/4000000", "0/4000000",
                           "0/2D9D0E8", "0.0021",      "0.0034",    "1.87",
                           "2",         "potential",   "102",       "walreceiversync",
                           "127.0.0.1", "40001",       "streaming", "0/409D0E8",
                           "0/409D0E8", "0/409D0E8",   "0/409D0E8", NULL,
                           NULL,        NULL,          "1",         "sync"};
    struct node_sample smp;
    new_sample(&smp);
    feed(QP_REPLICATION, cols, 14, cells, 2, &smp);
    assert_int_equal(smp.s.nrepl, 2);
    assert_string_equal(smp.s.repl[0].application_name, "walreceiver");
    assert_int_equal(smp.s.repl[0].write_lsn, 0x4000000);
    assert_true(smp.s.repl[0].replay_lag > 1.86);
    assert_string_equal(smp.s.repl[1].sync_state, "sync");
    assert_int_equal(smp.s.repl[1].sync_priority, 1);
    /* idle: NULL intervals stay unknown, not zero */
    assert_true(isnan(smp.s.repl[1].replay_lag));
    free(smp.s.repl);
}

static void slots_and_receiver(void **state)
{
    (void)state;
    const char *scols[] = {"slot_name",  "slot_type",     "active",        "restart_lsn",
                           "wal_status", "safe_wal_size", "retained_bytes"};
    const char *scells[] = {"s1", "physical", "f", "0/1000000", "reserved", NULL, "52428800"};
    struct node_sample smp;
    new_sample(&smp);
    feed(QP_SLOTS, scols, 7, scells, 1, &smp);
    assert_int_equal(smp.s.nslots, 1);
    assert_false(smp.s.slots[0].active);
    assert_true(smp.s.slots[0].safe_wal_size == NUM_UNKNOWN);
    assert_int_equal(smp.s.slots[0].retained_bytes, 52428800);
    free(smp.s.slots);

    const char *wcols[] = {"status",         "received_tli", "flushed_lsn",
                           "latest_end_lsn", "sender_host",  "sender_port",
                           "slot_name",      "conninfo",     "last_msg_age"};
    const char *wcells[] = {
        "streaming", "2",
        "0/5000000", "0/5000000",
        "127.0.0.1", "54320",
        NULL,        "user=r password=******** application_name=walreceiversync",
        "0.5"};
    new_sample(&smp);
    smp.s.timeline = 1; /* from the control file, which lags */
    feed(QP_WAL_RECEIVER, wcols, 9, wcells, 1, &smp);
    assert_true(smp.s.wr.present);
    assert_string_equal(smp.s.wr.status, "streaming");
    assert_int_equal(smp.s.timeline, 2);
    assert_string_equal(smp.s.upstream_addr, "127.0.0.1:54320");
    assert_string_equal(smp.s.application_name, "walreceiversync");
    /* no receiver running */
    new_sample(&smp);
    feed(QP_WAL_RECEIVER, wcols, 9, wcells, 0, &smp);
    assert_false(smp.s.wr.present);
}

static void sql_is_role_safe(void **state)
{
    (void)state;
    const char *sql = queries_monitor_sql(false);
    /* pg_current_wal_lsn() fails on a standby: every use must be guarded */
    const char *p = sql;
    int uses = 0;
    while ((p = strstr(p, "pg_current_wal_lsn()"))) {
        uses++;
        p++;
    }
    assert_true(uses >= 3);
    assert_non_null(strstr(sql, "CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn()"));
    assert_non_null(strstr(sql, "pg_walfile_name"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(primary_row),
        cmocka_unit_test(standby_row_keeps_no_password),
        cmocka_unit_test(standby_default_app_name),
        cmocka_unit_test(standby_recovery_source),
        cmocka_unit_test(replication_rows),
        cmocka_unit_test(slots_and_receiver),
        cmocka_unit_test(sql_is_role_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
