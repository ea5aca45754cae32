/* test_metrics: the Prometheus exposition of snapshots (model/store/metrics) — goldens from the
 * JSON fixtures, label values escaped, unknown values left out, families grouped across
 * clusters — and the cluster label `repltop serve` gives a config file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/helpers/fixture.h"
#include "tests/helpers/golden.h"
#include "model/serve/serve.h"
#include "model/store/metrics.h"
#include "model/base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *render(const struct metrics_cluster *mc, int n, double now)
{
    struct mtext t = {0};
    metrics_write(&t, mc, n, now);
    assert_non_null(t.p);
    assert_int_equal(strlen(t.p), t.len);
    return mtext_take(&t);
}

static char *render_one(const char *cluster, const struct snapshot *s)
{
    struct metrics_cluster mc = {cluster, s};
    return render(&mc, 1, s->taken_at + 2.5);
}

/* The sample lines (no comments) of the text that start with prefix, one per line. */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += strncmp(p, prefix, strlen(prefix)) == 0;
    return n;
}

static void golden_fixture(const char *fixture)
{
    struct snapshot *s = fixture_load(fixture);
    char *text = render_one("prod", s);
    char file[128];
    str_printf(file, sizeof file, "metrics-%s.txt", fixture);
    golden_check_file(text, file);
    free(text);
    snapshot_free(s);
}

static void golden_lagging(void **state)
{
    (void)state;
    golden_fixture("lagging");
}

static void golden_primary_down(void **state)
{
    (void)state;
    golden_fixture("primary-down");
}

static void lag_and_candidate_of_a_lagging_standby(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("lagging");
    char *text = render_one("prod", s);
    assert_non_null(strstr(text, "repltop_node_lag_bytes{cluster=\"prod\",node=\"db_s1\","
                                 "stage=\"replay\"} 19922944\n"));
    assert_non_null(strstr(text, "repltop_node_lag_seconds{cluster=\"prod\",node=\"db_s1\","
                                 "stage=\"replay\"} 1.87\n"));
    assert_non_null(strstr(text, "repltop_node_is_candidate{cluster=\"prod\",node=\"db_s2\"} 1\n"));
    assert_non_null(strstr(
        text, "repltop_node_sync_state{cluster=\"prod\",node=\"db_s2\",state=\"sync\"} 1\n"));
    assert_non_null(strstr(text, "repltop_snapshot_age_seconds{cluster=\"prod\"} 2.5\n"));
    assert_non_null(
        strstr(text, "repltop_cluster_problems{cluster=\"prod\",code=\"lag_warn\"} 1\n"));
    /* the primary is behind nobody: no lag of its own, not a zero */
    assert_int_equal(count_lines(text, "repltop_node_lag_bytes{cluster=\"prod\",node=\"db_m\""), 0);
    free(text);
    snapshot_free(s);
}

static void label_values_escaped(void **state)
{
    (void)state;
    struct snapshot *s = snapshot_new(1);
    s->taken_at = 1795936682;
    node_snap_clear(&s->nodes[0]);
    str_copy(s->nodes[0].name, sizeof s->nodes[0].name,
             "a\"b\\c\nd\xff"
             "e");
    s->nodes[0].reach = REACH_UNREACHABLE;
    char *text = render_one("x\"y", s);
    assert_non_null(strstr(text, "repltop_node_up{cluster=\"x\\\"y\",node=\"a\\\"b\\\\c\\nd"
                                 "\xef\xbf\xbd"
                                 "e\"} 0\n"));
    free(text);
    snapshot_free(s);
}

/* A node that answered but whose values are unknown, and one not yet tried: no sample for what
 * is not known, never a 0. */
static void unknown_left_out(void **state)
{
    (void)state;
    struct snapshot *s = snapshot_new(2);
    s->taken_at = 1795936682;
    for (int i = 0; i < 2; i++)
        node_snap_clear(&s->nodes[i]);
    str_copy(s->nodes[0].name, sizeof s->nodes[0].name, "blank");
    s->nodes[0].reach = REACH_OK;
    str_copy(s->nodes[1].name, sizeof s->nodes[1].name, "pending");
    s->nodes[1].reach = REACH_PENDING;
    char *text = render_one("c", s);
    static const char *const absent[] = {
        "repltop_node_role{", "repltop_node_timeline{", "repltop_node_lsn_bytes{",
        "repltop_node_lag_bytes{", "repltop_node_lag_seconds{", "repltop_node_sync_state{",
        "repltop_node_data_at_risk_bytes{", "repltop_node_replay_paused{",
        "repltop_node_server_info{", "repltop_node_up{cluster=\"c\",node=\"pending\"}",
        "repltop_node_needs_rewind{cluster=\"c\",node=\"pending\"}",
        /* no primary answered: whether writes are blocked is not known */
        "repltop_cluster_writes_blocked{"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        if (strstr(text, absent[i]))
            fail_msg("\"%s\" is in the text, for a value that is unknown:\n%s", absent[i], text);
    assert_non_null(strstr(text, "repltop_node_up{cluster=\"c\",node=\"blank\"} 1\n"));
    assert_null(strstr(text, "NaN"));
    free(text);
    snapshot_free(s);
}

static void writes_blocked_known_only_from_one_primary(void **state)
{
    (void)state;
    struct snapshot *s = fixture_load("lagging"); /* db_m answers, may read the views */
    char *text = render_one("c", s);
    assert_non_null(strstr(text, "repltop_cluster_writes_blocked{cluster=\"c\"} 0\n"));
    free(text);
    snapshot_add_problem(s, SEV_CRITICAL, "writes_blocked", "db_m", "commits hang");
    text = render_one("c", s);
    assert_non_null(strstr(text, "repltop_cluster_writes_blocked{cluster=\"c\"} 1\n"));
    free(text);
    snapshot_free(s);
}

/* Each family once, its samples together, with two clusters: the format wants it so. */
static void families_grouped_across_clusters(void **state)
{
    (void)state;
    struct snapshot *a = fixture_load("lagging"), *b = fixture_load("primary-down");
    struct metrics_cluster mc[] = {{"a", a}, {"b", b}};
    char *text = render(mc, 2, a->taken_at);
    assert_int_equal(count_lines(text, "# TYPE repltop_node_up "), 1);
    char last[128] = "", seen[8192] = " ";
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        if (*p != '#') {
            size_t len = strcspn(p, "{ ");
            char name[128];
            str_printf(name, sizeof name, "%.*s", (int)len, p);
            if (strcmp(name, last) != 0) {
                char key[132];
                str_printf(key, sizeof key, " %s ", name);
                if (strstr(seen, key))
                    fail_msg("%s's samples are not together", name);
                strncat(seen, key + 1, sizeof seen - strlen(seen) - 1);
                str_copy(last, sizeof last, name);
            }
        }
        p = nl + 1;
    }
    assert_int_equal(count_lines(text, "repltop_node_up{cluster=\"a\""), 3);
    assert_int_equal(count_lines(text, "repltop_node_up{cluster=\"b\""), 3);
    free(text);
    snapshot_free(a);
    snapshot_free(b);
}

/* The numbers are written without stdio where it can be done exactly: the same text as
 * "%.15g", for microsecond values, ages, timestamps, tiny, huge and negative ones. */
static void numbers_as_printf_writes_them(void **state)
{
    (void)state;
    double fixed[] = {0,
                      1,
                      -1,
                      1.87,
                      2.5,
                      0.000123,
                      0.0001,
                      0.00009,
                      1e-7,
                      123456.789,
                      999999999.999999,
                      1e9,
                      1e15,
                      -0.5,
                      1795936682.1234567,
                      0.1 + 0.2,
                      1.0 / 3,
                      12345678.9,
                      4096.000001,
                      1e300,
                      5e-324};
    srand(14);
    for (int i = 0; i < 20000; i++) {
        double v;
        if (i < (int)(sizeof fixed / sizeof fixed[0]))
            v = fixed[i];
        else if (i % 3 == 0) /* whole microseconds */
            v = (double)(rand() % 100000000) / (i % 2 ? 1e6 : 1e3);
        else /* anything */
            v = (double)rand() / RAND_MAX * pow(10, rand() % 24 - 12) * (rand() % 2 ? 1 : -1);
        char want[40];
        snprintf(want, sizeof want, "%.15g", v);
        struct mtext t = {0};
        mtext_dbl(&t, v);
        if (strcmp(t.p, want) != 0)
            fail_msg("%.17g: \"%s\", printf writes \"%s\"", v, t.p, want);
        mtext_free(&t);
    }
}

/* serve keeps a page while its snapshots last and writes only the ages at each request: the
 * page and the ages at time T are the whole page at T, and only the ages follow the clock. */
static void kept_page_and_ages_are_the_whole_page(void **state)
{
    (void)state;
    struct snapshot *a = fixture_load("lagging"), *b = fixture_load("primary-down");
    struct metrics_cluster mc[] = {{"a", a}, {"b", b}};
    struct mtext page = {0};
    struct metrics_dated dated = {0};
    metrics_write_page(&page, &dated, mc, 2);
    for (double later = 0; later < 100; later += 37.25) {
        struct mtext whole = {0}, kept = {0};
        metrics_write(&whole, mc, 2, a->taken_at + later);
        mtext_put(&kept, page.p, page.len);
        metrics_write_dated(&kept, &dated, a->taken_at + later);
        assert_string_equal(kept.p, whole.p);
        char line[96];
        str_printf(line, sizeof line, "repltop_snapshot_age_seconds{cluster=\"a\"} %g\n", later);
        assert_non_null(strstr(kept.p, line));
        mtext_free(&whole);
        mtext_free(&kept);
    }
    mtext_free(&page);
    metrics_dated_free(&dated);
    snapshot_free(a);
    snapshot_free(b);
}

static void cluster_name_from_the_config_file(void **state)
{
    (void)state;
    char name[64];
    serve_cluster_name("/etc/repltop/prod.conf", name, sizeof name);
    assert_string_equal(name, "prod");
    serve_cluster_name("staging", name, sizeof name);
    assert_string_equal(name, "staging");
    serve_cluster_name(NULL, name, sizeof name);
    assert_string_equal(name, "default");
    serve_cluster_name("/etc/.conf", name, sizeof name);
    assert_string_equal(name, "default");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_lagging),
        cmocka_unit_test(golden_primary_down),
        cmocka_unit_test(lag_and_candidate_of_a_lagging_standby),
        cmocka_unit_test(label_values_escaped),
        cmocka_unit_test(unknown_left_out),
        cmocka_unit_test(writes_blocked_known_only_from_one_primary),
        cmocka_unit_test(families_grouped_across_clusters),
        cmocka_unit_test(numbers_as_printf_writes_them),
        cmocka_unit_test(kept_page_and_ages_are_the_whole_page),
        cmocka_unit_test(cluster_name_from_the_config_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
