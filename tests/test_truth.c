/* test_truth: facts that must match what PostgreSQL says (issue 15) — a standby whose WAL is
 * gone needs a resync, an archive-only standby is not a broken stream, a problem that can no
 * longer be checked is not "cleared", and a known empty synchronous_standby_names is "" (not
 * the null of unknown). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/derive.h"
#include "model/base/intern.h"
#include "model/watch/events.h"
#include "model/store/json.h"
#include "model/base/util.h"

#include "tests/helpers/refcluster.h"

#include <stdlib.h>
#include <string.h>

static const struct problem *problem(const struct snapshot *s, const char *code, const char *node)
{
    for (int i = 0; i < s->nproblems; i++)
        if (strcmp(s->problems[i].code, code) == 0 && strcmp(s->problems[i].node, node) == 0)
            return &s->problems[i];
    return NULL;
}

/* db_s1 stopped streaming (no WAL receiver, no row on db_m); db_m keeps its slot "s1slot" with
 * the given wal_status. */
static struct snapshot *s1_off_stream(const char *wal_status)
{
    struct snapshot *s = refcluster_new();
    struct node_snap *m = &s->nodes[0], *s1 = &s->nodes[1];
    m->nrepl = 1;
    m->repl[0] = m->repl[1]; /* only walreceiversync (db_s2) streams */
    s1->wr.present = false;
    str_copy(s1->recovery_source, sizeof s1->recovery_source, "stream");
    str_copy(s1->primary_slot_name, sizeof s1->primary_slot_name, "s1slot");
    m->slots = calloc(1, sizeof *m->slots);
    m->nslots = 1;
    str_copy(m->slots[0].name, sizeof m->slots[0].name, "s1slot");
    str_copy(m->slots[0].type, sizeof m->slots[0].type, "physical");
    str_copy(m->slots[0].wal_status, sizeof m->slots[0].wal_status, wal_status);
    m->slots[0].retained_bytes = NUM_UNKNOWN;
    return s;
}

static void lost_slot_needs_resync(void **state)
{
    (void)state;
    struct snapshot *s = s1_off_stream("lost");
    derive_snapshot(s, &ref_limits);
    const struct problem *p = problem(s, "needs_resync", "db_s1");
    assert_non_null(p);
    assert_int_equal(p->severity, SEV_CRITICAL);
    assert_non_null(strstr(p->message, "slot s1slot on db_m is lost"));
    assert_non_null(strstr(p->message, "repltop resync db_s1"));
    assert_true(s->nodes[1].needs_resync);
    assert_string_equal(s->nodes[1].state, "needs_resync");
    assert_null(problem(s, "not_streaming", "db_s1")); /* the reason is said once, fully */
    const struct problem *sl = problem(s, "slot_inactive", "db_m");
    assert_non_null(sl);
    assert_int_equal(sl->severity, SEV_CRITICAL);
    assert_non_null(strstr(sl->message, "already removed"));
    assert_non_null(strstr(sl->message, "db_s1 needs a resync"));
    assert_null(strstr(sl->message, "unknown amount"));
    snapshot_free(s);
}

static void reserved_slot_is_only_behind(void **state)
{
    (void)state;
    struct snapshot *s = s1_off_stream("extended");
    derive_snapshot(s, &ref_limits);
    assert_null(problem(s, "needs_resync", "db_s1"));
    assert_false(s->nodes[1].needs_resync);
    assert_non_null(problem(s, "not_streaming", "db_s1"));
    assert_int_equal(problem(s, "slot_inactive", "db_m")->severity, SEV_WARNING);
    snapshot_free(s);
    /* a streaming standby is not broken, whatever a slot of the same name says */
    s = s1_off_stream("lost");
    s->nodes[1].wr.present = true;
    derive_snapshot(s, &ref_limits);
    assert_null(problem(s, "needs_resync", "db_s1"));
    snapshot_free(s);
}

static void archive_only_standby(void **state)
{
    (void)state;
    struct snapshot *s = s1_off_stream("reserved");
    s->nodes[0].nslots = 0;
    str_copy(s->nodes[1].recovery_source, sizeof s->nodes[1].recovery_source, "archive");
    s->nodes[1].primary_slot_name[0] = '\0';
    derive_snapshot(s, &ref_limits);
    assert_null(problem(s, "not_streaming", "db_s1"));
    assert_string_equal(s->nodes[1].state, "archive");
    char *js = snapshot_to_json(s, false);
    assert_non_null(strstr(js, "\"recovery_source\":\"archive\""));
    free(js);
    snapshot_free(s);
}

/* A derived snapshot at time t: db_m up (with db_s1's lag problem and an inactive slot) or
 * restarting (unreachable). */
static struct snapshot *restart_step(double t, bool primary_up, bool problems)
{
    struct snapshot *s = refcluster_new();
    s->taken_at = t;
    if (!primary_up) {
        node_snap_clear(&s->nodes[0]);
        s->nodes[0].reach = REACH_UNREACHABLE;
        str_copy(s->nodes[0].error, sizeof s->nodes[0].error, "connection refused");
        for (int i = 1; i < 3; i++) {
            s->nodes[i].wr.present = false;
            s->nodes[i].lag_replay = NUM_UNKNOWN;
        }
    } else if (problems) {
        struct node_snap *m = &s->nodes[0];
        m->current_lsn = lsn_of("0/A09D0E8"); /* db_s1 100 MB behind: lag_warn */
        m->slots = calloc(1, sizeof *m->slots);
        m->nslots = 1;
        str_copy(m->slots[0].name, sizeof m->slots[0].name, "old");
        str_copy(m->slots[0].wal_status, sizeof m->slots[0].wal_status, "extended");
        m->slots[0].retained_bytes = 1 << 20;
    } else { /* db_s1 caught up */
        struct repl_row *r = &s->nodes[0].repl[0];
        r->write_lsn = r->flush_lsn = r->replay_lsn = s->nodes[0].current_lsn;
        s->nodes[1].receive_lsn = s->nodes[1].replay_lsn = s->nodes[0].current_lsn;
    }
    derive_snapshot(s, &ref_limits);
    return s;
}

static int count_text(const struct events *ev, const char *text)
{
    int n = 0;
    for (int i = 0; i < events_count(ev); i++)
        n += strstr(events_get(ev, i)->text, text) != NULL;
    return n;
}

static void unchecked_is_not_cleared(void **state)
{
    (void)state;
    struct events *ev = events_new(100);
    struct snapshot *a = restart_step(1, true, true);
    assert_non_null(problem(a, "lag_warn", "db_s1"));
    assert_non_null(problem(a, "slot_inactive", "db_m"));
    events_diff(ev, NULL, a);
    assert_int_equal(count_text(ev, "db_s1 replay is"), 1);
    /* the primary restarts: lag and slot cannot be checked, neither is cleared */
    struct snapshot *b = restart_step(2, false, false);
    assert_null(problem(b, "lag_warn", "db_s1"));
    events_diff(ev, a, b);
    assert_int_equal(count_text(ev, "cleared"), 0);
    assert_int_equal(count_text(ev, "is down"), 1);
    struct snapshot *b2 = restart_step(3, false, false);
    events_diff(ev, b, b2);
    assert_int_equal(count_text(ev, "cleared"), 0);
    /* it is back and both problems are still there: no new "appeared" either */
    struct snapshot *c = restart_step(4, true, true);
    int before = events_count(ev);
    events_diff(ev, b2, c);
    assert_int_equal(count_text(ev, "db_s1 replay is"), 1);
    assert_int_equal(count_text(ev, "slot old"), 1);
    assert_int_equal(count_text(ev, "cleared: db_m"), 1); /* the down problem cleared */
    assert_int_equal(count_text(ev, "cleared: no reachable primary"), 1);
    /* what did change: db_m back, a primary again, both standbys stream again */
    assert_int_equal(events_count(ev), before + 4);
    /* down again, then back without the problems: cleared once checked */
    struct snapshot *d = restart_step(5, false, false);
    events_diff(ev, c, d);
    assert_int_equal(count_text(ev, "cleared: db_s1 replay"), 0);
    struct snapshot *e = restart_step(6, true, false);
    events_diff(ev, d, e);
    assert_int_equal(count_text(ev, "cleared: db_s1 replay"), 1);
    assert_int_equal(count_text(ev, "cleared: slot old"), 1);
    struct snapshot *f = restart_step(7, true, false);
    events_diff(ev, e, f);
    assert_int_equal(count_text(ev, "cleared: db_s1 replay"), 1);
    snapshot_free(a);
    snapshot_free(b);
    snapshot_free(b2);
    snapshot_free(c);
    snapshot_free(d);
    snapshot_free(e);
    snapshot_free(f);
    events_free(ev);
}

static void empty_sync_names_is_known(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[0].synchronous_standby_names = "";
    derive_snapshot(s, &ref_limits);
    char *js = snapshot_to_json(s, false);
    assert_non_null(
        strstr(js, "\"cluster\":{\"primary\":\"db_m\",\"synchronous_standby_names\":\"\""));
    free(js);
    snapshot_free(s);
    /* no primary answered: unknown */
    s = restart_step(1, false, false);
    js = snapshot_to_json(s, false);
    assert_non_null(strstr(js, "\"synchronous_standby_names\":null"));
    assert_null(strstr(js, "\"synchronous_standby_names\":\"\""));
    free(js);
    snapshot_free(s);
}

/* db_s1 stopped streaming, has no slot, and waits for WAL from 0/4000000 on; db_m keeps WAL only
 * from its oldest file on. */
static struct snapshot *no_slot(const char *oldest, const char *wait, int restore)
{
    struct snapshot *s = refcluster_new();
    s->nodes[0].oldest_wal = lsn_of(oldest);
    struct node_snap *s1 = &s->nodes[1];
    s1->wr.present = false;
    s1->receive_lsn = s1->replay_lsn = lsn_of("0/4000000");
    s1->restore_command = restore;
    str_copy(s1->startup_wait, sizeof s1->startup_wait, wait);
    return s;
}

static void removed_wal_without_slot_needs_resync(void **state)
{
    (void)state;
    struct snapshot *s = no_slot("0/5000000", "RecoveryRetrieveRetryInterval", 0);
    derive_snapshot(s, &ref_limits);
    const struct problem *p = problem(s, "needs_resync", "db_s1");
    assert_non_null(p);
    assert_int_equal(p->severity, SEV_CRITICAL);
    assert_non_null(strstr(p->message, "needs WAL from 0/4000000"));
    assert_non_null(strstr(p->message, "db_m keeps WAL only from 0/5000000"));
    assert_non_null(strstr(p->message, "repltop resync db_s1"));
    assert_null(problem(s, "not_streaming", "db_s1"));
    assert_string_equal(s->nodes[1].state, "needs_resync");
    snapshot_free(s);

    /* no evidence, no alarm: the primary still has it; a restore_command may fetch it; the
     * standby still replays WAL of its own (not waiting); unknown settings */
    const struct {
        const char *oldest, *wait;
        int restore;
    } fine[] = {{"0/4000000", "RecoveryRetrieveRetryInterval", 0},
                {"0/5000000", "RecoveryRetrieveRetryInterval", 1},
                {"0/5000000", "", 0},
                {"0/5000000", "RecoveryWalStream", -1}};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        s = no_slot(fine[i].oldest, fine[i].wait, fine[i].restore);
        derive_snapshot(s, &ref_limits);
        assert_null(problem(s, "needs_resync", "db_s1"));
        assert_non_null(problem(s, "not_streaming", "db_s1"));
        snapshot_free(s);
    }
}

/* db_s1 refuses us; it streamed as walreceiver when last seen, and db_m lists that name. */
static void unreachable_but_seen_by_its_primary(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    struct node_snap *s1 = &s->nodes[1];
    const char *app = "walreceiver";
    node_snap_clear(s1);
    s1->reach = REACH_AUTH_FAILED;
    str_copy(s1->error, sizeof s1->error, "pg_hba.conf rejects connection");
    str_copy(s1->application_name, sizeof s1->application_name, app);
    s->nodes[0].repl[0].reply_age = 0.4;
    /* its walsender streams with slot s1slot (the slot's active_pid is the row's pid) */
    struct node_snap *m = &s->nodes[0];
    m->repl[0].pid = 4242;
    m->slots = calloc(1, sizeof *m->slots);
    m->nslots = 1;
    str_copy(m->slots[0].name, sizeof m->slots[0].name, "s1slot");
    str_copy(m->slots[0].type, sizeof m->slots[0].type, "physical");
    str_copy(m->slots[0].wal_status, sizeof m->slots[0].wal_status, "reserved");
    m->slots[0].active = true;
    m->slots[0].active_pid = 4242;
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s1->primary_slot_name, "s1slot");
    const struct problem *p = problem(s, "auth_failed", "db_s1");
    assert_non_null(p);
    assert_int_equal(p->severity, SEV_WARNING); /* replication works; only our view is missing */
    assert_non_null(strstr(p->message, "db_m shows it streaming, potential"));
    assert_non_null(
        strstr(p->message, ", slot s1slot active reserved: second-hand): pg_hba.conf rejects"));
    assert_null(problem(s, "slot_inactive", "db_m"));
    assert_string_equal(s1->seen_by, "db_m");
    assert_string_equal(s1->upstream, "db_m");
    assert_int_equal(s1->role, ROLE_STANDBY);
    assert_int_equal(s1->lag_replay, 0x409D0E8 - 0x2D9D0E8); /* db_m's row for it */
    assert_string_equal(s1->state, "auth_failed");           /* first-hand: it refuses us */
    assert_false(s1->best_candidate);
    snapshot_free(s);

    /* a row with no reply for a while (a vanished host keeps it until wal_sender_timeout):
     * still shown, still critical */
    s = refcluster_new();
    node_snap_clear(&s->nodes[1]);
    s->nodes[1].reach = REACH_UNREACHABLE;
    str_copy(s->nodes[1].application_name, sizeof s->nodes[1].application_name, app);
    s->nodes[0].repl[0].reply_age = 40;
    derive_snapshot(s, &ref_limits);
    assert_int_equal(problem(s, "unreachable", "db_s1")->severity, SEV_CRITICAL);
    assert_string_equal(s->nodes[1].seen_by, "db_m");
    snapshot_free(s);

    /* the name is another answering standby's: that row is not db_s1's */
    s = refcluster_new();
    node_snap_clear(&s->nodes[1]);
    s->nodes[1].reach = REACH_UNREACHABLE;
    str_copy(s->nodes[1].application_name, sizeof s->nodes[1].application_name, "walreceiversync");
    derive_snapshot(s, &ref_limits);
    assert_string_equal(s->nodes[1].seen_by, "");
    assert_int_equal(problem(s, "unreachable", "db_s1")->severity, SEV_CRITICAL);
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lost_slot_needs_resync),
        cmocka_unit_test(reserved_slot_is_only_behind),
        cmocka_unit_test(archive_only_standby),
        cmocka_unit_test(unchecked_is_not_cleared),
        cmocka_unit_test(empty_sync_names_is_known),
        cmocka_unit_test(removed_wal_without_slot_needs_resync),
        cmocka_unit_test(unreachable_but_seen_by_its_primary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
