/* test_panels_model: what the dashboard keeps beside the snapshot — the history ring buffers
 * behind the sparklines, the event log diffed from consecutive snapshots, recordings (append,
 * read back, malformed lines reported as FILE:LINE and skipped) and the JSON export. */
#include "model/watch/events.h"
#include "model/watch/history.h"
#include "model/store/json.h"
#include "model/store/record.h"
#include "model/base/util.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* A two-node snapshot: db_m primary, db_s1 standby with the given replay lag. */
static struct snapshot *make(double t, int64_t lag, double tps)
{
    struct snapshot *s = snapshot_new(2);
    s->taken_at = t;
    str_copy(s->primary, sizeof s->primary, "db_m");
    str_copy(s->nodes[0].name, NAME_LEN, "db_m");
    s->nodes[0].reach = REACH_OK;
    s->nodes[0].role = ROLE_PRIMARY;
    s->nodes[0].timeline = 1;
    s->nodes[0].tps = tps;
    str_copy(s->nodes[1].name, NAME_LEN, "db_s1");
    s->nodes[1].reach = REACH_OK;
    s->nodes[1].role = ROLE_STANDBY;
    s->nodes[1].timeline = 1;
    s->nodes[1].lag_replay = lag;
    return s;
}

static void test_history_ring(void **state)
{
    (void)state;
    struct history *h = history_new(4);
    double v[8];
    assert_int_equal(history_series(h, "db_s1", HIST_LAG, v, 8), 0);
    for (int i = 0; i < 6; i++) {
        struct snapshot *s = make(1000 + i, i == 2 ? NUM_UNKNOWN : i * 100, i * 10.0);
        history_feed(h, s);
        snapshot_free(s);
    }
    /* capacity 4: the newest four, oldest first; the unknown sample is a gap, not 0 */
    assert_int_equal(history_series(h, "db_s1", HIST_LAG, v, 8), 4);
    assert_true(isnan(v[0]));
    assert_true(v[1] == 300 && v[2] == 400 && v[3] == 500);
    assert_int_equal(history_series(h, "db_s1", HIST_LAG, v, 2), 2);
    assert_true(v[0] == 400 && v[1] == 500);
    /* the primary has no replay lag: all gaps; its TPS is there */
    assert_int_equal(history_series(h, "db_m", HIST_LAG, v, 8), 4);
    for (int i = 0; i < 4; i++)
        assert_true(isnan(v[i]));
    assert_int_equal(history_series(h, "db_m", HIST_TPS, v, 8), 4);
    assert_true(v[3] == 50.0);
    assert_true(history_span(h, "db_s1", 4) == 3.0);
    assert_int_equal(history_series(h, "nobody", HIST_LAG, v, 8), 0);
    history_clear(h);
    assert_int_equal(history_series(h, "db_s1", HIST_LAG, v, 8), 0);
    history_free(h);
}

/* Every feed has one time for all nodes: a node missing from some snapshots (a config change)
 * gets gaps for them, and a node no longer fed keeps only the samples whose times are kept. */
static void test_history_missed_feeds(void **state)
{
    (void)state;
    struct history *h = history_new(4);
    double v[8];
    for (int i = 0; i < 10; i++) {
        struct snapshot *s = make(1000 + i, 100 + i, 0);
        if (i >= 3 && i < 8)
            s->nnodes = 1; /* db_s1 left out of feeds 3 to 7 */
        history_feed(h, s);
        s->nnodes = 2;
        snapshot_free(s);
    }
    assert_int_equal(history_series(h, "db_s1", HIST_LAG, v, 8), 4);
    assert_true(isnan(v[0]) && isnan(v[1]));
    assert_true(v[2] == 108 && v[3] == 109);
    assert_true(history_span(h, "db_s1", 2) == 1.0);
    assert_true(history_span(h, "db_s1", 4) == 3.0);
    /* db_s1 no longer fed: after three more feeds one sample still has its time */
    for (int i = 10; i < 13; i++) {
        struct snapshot *s = make(1000 + i, 0, 0);
        s->nnodes = 1;
        history_feed(h, s);
        s->nnodes = 2;
        snapshot_free(s);
    }
    assert_int_equal(history_series(h, "db_s1", HIST_LAG, v, 8), 1);
    assert_true(v[0] == 109);
    assert_int_equal(history_series(h, "db_m", HIST_TPS, v, 8), 4);
    history_free(h);
}

static const struct event *find_event(const struct events *ev, const char *text)
{
    for (int i = 0; i < events_count(ev); i++)
        if (strstr(events_get(ev, i)->text, text))
            return events_get(ev, i);
    return NULL;
}

static void test_events_diff(void **state)
{
    (void)state;
    struct events *ev = events_new(100);
    struct snapshot *a = make(1000, 0, 1);
    assert_int_equal(events_diff(ev, NULL, a), 1); /* "first snapshot" */
    assert_non_null(find_event(ev, "first snapshot: 2 nodes, primary db_m, health ok"));

    struct snapshot *b = make(1001, 20000000, 1);
    snapshot_add_problem(b, SEV_WARNING, "lag_warn", "db_s1", "db_s1 replay is 19 MB behind");
    assert_int_equal(events_diff(ev, a, b), 1);
    const struct event *e = events_get(ev, 0);
    assert_int_equal(e->kind, EV_PROBLEM);
    assert_int_equal(e->severity, SEV_WARNING);
    assert_string_equal(e->node, "db_s1");
    assert_true(e->t == 1001);

    /* the same problem with new numbers is not a new event */
    struct snapshot *c = make(1002, 21000000, 1);
    snapshot_add_problem(c, SEV_WARNING, "lag_warn", "db_s1", "db_s1 replay is 20 MB behind");
    assert_int_equal(events_diff(ev, b, c), 0);

    /* it clears; and the standby is promoted on a new timeline */
    struct snapshot *d = make(1003, 0, 1);
    d->nodes[1].role = ROLE_PRIMARY;
    d->nodes[1].timeline = 2;
    assert_int_equal(events_diff(ev, c, d), 3);
    assert_non_null(find_event(ev, "cleared: db_s1 replay is 20 MB behind"));
    assert_non_null(find_event(ev, "db_s1 is now primary (was standby)"));
    assert_non_null(find_event(ev, "db_s1 moved to timeline 2 (was 1)"));

    /* a node that stops answering: its role is unknown, which is no role change */
    struct snapshot *f = make(1004, 0, 1);
    f->nodes[1].reach = REACH_UNREACHABLE;
    f->nodes[1].role = ROLE_UNKNOWN;
    int before = events_count(ev);
    events_diff(ev, d, f);
    assert_int_equal(events_count(ev), before);

    /* the ring keeps the newest */
    struct events *small = events_new(2);
    events_add(small, 1, EV_INFO, SEV_OK, "", "one");
    events_add(small, 2, EV_INFO, SEV_OK, "", "two");
    events_add(small, 3, EV_INFO, SEV_OK, "", "three");
    assert_int_equal(events_count(small), 2);
    assert_string_equal(events_get(small, 0)->text, "three");
    assert_string_equal(events_get(small, 1)->text, "two");
    assert_null(events_get(small, 2));
    events_free(small);

    snapshot_free(a);
    snapshot_free(b);
    snapshot_free(c);
    snapshot_free(d);
    snapshot_free(f);
    events_free(ev);
}

struct warnings {
    int n;
    char last[512];
};

static void collect(void *arg, const char *msg)
{
    struct warnings *w = arg;
    w->n++;
    str_copy(w->last, sizeof w->last, msg);
}

static void test_record_and_replay(void **state)
{
    (void)state;
    char path[] = "/tmp/repltop-rec-test.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    char err[512];
    struct recorder *r = recorder_open(path, err, sizeof err);
    assert_non_null(r);
    for (int i = 0; i < 3; i++) {
        struct snapshot *s = make(1700000000 + i, i * 1000, 5);
        assert_true(recorder_write(r, s, err, sizeof err));
        snapshot_free(s);
    }
    recorder_close(r);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* appending again adds lines; a torn or foreign line is skipped with FILE:LINE */
    FILE *f = fopen(path, "a");
    fputs("{\"not\": \"a snapshot\"}\n\n{broken\n", f);
    fclose(f);
    r = recorder_open(path, err, sizeof err);
    struct snapshot *s = make(1700000010, 7, 5);
    assert_true(recorder_write(r, s, err, sizeof err));
    snapshot_free(s);
    recorder_close(r);

    struct warnings w = {0, ""};
    struct recording *rec = recording_load(path, collect, &w, err, sizeof err);
    assert_non_null(rec);
    assert_int_equal(rec->nframes, 4);
    assert_int_equal(rec->skipped, 2);
    assert_int_equal(w.n, 2);
    char want[600];
    str_printf(want, sizeof want, "%s:6: not valid JSON", path);
    assert_true(strncmp(w.last, want, strlen(want)) == 0);
    assert_int_equal(rec->frames[3].line, 7);
    assert_true(rec->frames[1].t == 1700000001);
    s = recording_frame(rec, 3, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(s->nodes[1].lag_replay, 7);
    assert_true(isnan(s->nodes[1].tps)); /* unknown stays unknown through the file */
    snapshot_free(s);
    assert_null(recording_frame(rec, 4, err, sizeof err));
    recording_free(rec);

    /* a file with no snapshot at all is an error */
    f = fopen(path, "w");
    fputs("nothing here\n", f);
    fclose(f);
    assert_null(recording_load(path, NULL, NULL, err, sizeof err));
    assert_non_null(strstr(err, "no snapshot in this file"));
    unlink(path);
    assert_null(recording_load(path, NULL, NULL, err, sizeof err));
}

static void test_export(void **state)
{
    (void)state;
    char dir[] = "/tmp/repltop-export-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct snapshot *s = make(1700000000, 42, 5);
    char p1[4096], p2[4096], err[4200];
    assert_true(snapshot_export(s, dir, p1, sizeof p1, err, sizeof err));
    assert_true(snapshot_export(s, dir, p2, sizeof p2, err, sizeof err));
    assert_string_not_equal(p1, p2); /* never overwrites */
    assert_non_null(strstr(p1, "/repltop-"));
    assert_non_null(strstr(p2, "-2.json"));
    struct stat st;
    assert_int_equal(stat(p1, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *f = fopen(p1, "r");
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    struct snapshot *back = snapshot_from_json(buf, err, sizeof err);
    assert_non_null(back);
    assert_int_equal(back->nodes[1].lag_replay, 42);
    snapshot_free(back);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
    assert_false(snapshot_export(s, "/nonexistent/dir", p1, sizeof p1, err, sizeof err));
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_ring), cmocka_unit_test(test_history_missed_feeds),
        cmocka_unit_test(test_events_diff),  cmocka_unit_test(test_record_and_replay),
        cmocka_unit_test(test_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
