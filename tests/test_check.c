/* `status --check` (the Nagios/Icinga plugin line) and the [severity] remapping of problems,
 * on the hand-made reference cluster: plain strings, no server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/report.h"
#include "model/config/config.h"
#include "model/watch/derive.h"
#include "model/base/util.h"

#include "tests/helpers/refcluster.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A config read from text (the nodes of the reference cluster, and what the test adds). */
static struct config *config_of(const char *extra)
{
    static struct config c;
    config_init(&c);
    char text[1024];
    str_printf(text, sizeof text, "[nodes]\ndb_m = host=a\ndb_s1 = host=b\ndb_s2 = host=c\n%s",
               extra);
    FILE *f = fmemopen(text, strlen(text), "r");
    char err[600] = "";
    bool ok = config_load_stream(&c, f, "test.conf", err, sizeof err);
    fclose(f);
    if (ok)
        ok = config_validate(&c, err, sizeof err);
    if (!ok)
        fail_msg("%s", err);
    return &c;
}

static const char *load_error(const char *text)
{
    static char err[600];
    struct config c;
    config_init(&c);
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    err[0] = '\0';
    if (config_load_stream(&c, f, "test.conf", err, sizeof err))
        config_validate(&c, err, sizeof err);
    fclose(f);
    config_done(&c);
    return err;
}

/* The snapshot derived with cfg's limits and severities, then its check line. */
static int check_line(struct snapshot *s, const struct config *cfg, char *out, size_t n)
{
    struct health_limits lim = ref_limits;
    lim.cfg = cfg;
    derive_snapshot(s, &lim);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = report_check(f, s, cfg);
    fclose(f);
    str_copy(out, n, buf);
    free(buf);
    return rc;
}

/* The plugin guidelines' perfdata: 'label'=value[UOM];[warn];[crit];[min];[max], value U when
 * it cannot be determined. */
static void assert_plugin_line(const char *line)
{
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^REPLTOP (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+ \\|"
                             "( '([^']|'')+'=(U|-?[0-9.]+(B|s)?)(;[0-9.]*){0,4})+\n$",
                             REG_EXTENDED),
                     0);
    int m = regexec(&re, line, 0, NULL, 0);
    regfree(&re);
    if (m != 0)
        fail_msg("not a plugin line: %s", line);
}

static void warning_line_and_perfdata(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    struct config *cfg = config_of("");
    char line[4096];
    /* the reference cluster: db_s1 19 MB behind, over the 16 MB warning */
    assert_int_equal(check_line(s, cfg, line, sizeof line), 1);
    assert_plugin_line(line);
    assert_true(strncmp(line, "REPLTOP WARNING - db_s1 replay is ", 34) == 0);
    assert_null(strstr(line, "more)"));
    /* the primary has no lag: no perfdata of its own */
    assert_null(strstr(line, "'db_m_"));
    assert_non_null(strstr(line, " 'db_s1_lag_bytes'=19922944B;16777216;268435456;0 "));
    /* a NULL interval with work left is unknown: U, never 0 */
    assert_non_null(strstr(line, " 'db_s1_lag_seconds'=U;10;60;0 "));
    assert_non_null(strstr(line, " 'db_s1_at_risk_bytes'=643304B "));
    assert_non_null(strstr(line, " 'db_s2_lag_seconds'=0.000s;10;60;0 "));
    assert_true(strstr(line, "'db_s2_at_risk_bytes'=0B\n") != NULL);
    snapshot_free(s);
    config_done(cfg);
}

static void critical_first_then_more(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    s->nodes[2].reach = REACH_UNREACHABLE;
    str_copy(s->nodes[2].error, sizeof s->nodes[2].error, "Connection | refused");
    struct config *cfg = config_of("");
    char line[4096];
    assert_int_equal(check_line(s, cfg, line, sizeof line), 2);
    assert_plugin_line(line);
    /* the worst problem's sentence names the node first; a '|' in it cannot start perfdata */
    assert_true(strncmp(line, "REPLTOP CRITICAL - db_s2 (", 26) == 0);
    assert_non_null(strstr(line, "(db_m shows it streaming, sync"));
    assert_non_null(strstr(line, ": second-hand): Connection / refused (+"));
    /* the lag db_m's row shows for it, second-hand */
    assert_non_null(strstr(line, "'db_s2_lag_bytes'=0B;"));
    snapshot_free(s);
    config_done(cfg);
}

static void nobody_answers_is_unknown(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    for (int i = 0; i < s->nnodes; i++)
        s->nodes[i].reach = REACH_TIMEOUT;
    struct config *cfg = config_of("");
    char line[4096];
    assert_int_equal(check_line(s, cfg, line, sizeof line), 3);
    assert_plugin_line(line);
    assert_true(strncmp(line, "REPLTOP UNKNOWN - ", 18) == 0);
    snapshot_free(s);
    config_done(cfg);
}

static void quoted_labels(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    str_copy(s->nodes[1].name, sizeof s->nodes[1].name, "it's b");
    struct config *cfg = config_of("");
    char line[4096];
    check_line(s, cfg, line, sizeof line);
    assert_plugin_line(line);
    assert_non_null(strstr(line, " 'it''s b_lag_bytes'="));
    snapshot_free(s);
    config_done(cfg);
}

static void severity_remapped_everywhere(void **state)
{
    (void)state;
    /* for every node: lag_warn is ok, so the cluster is OK, the problem still listed */
    struct snapshot *s = refcluster_new();
    struct config *cfg = config_of("[severity]\nlag_warn = ok\n");
    char line[4096];
    assert_int_equal(check_line(s, cfg, line, sizeof line), 0);
    assert_true(strncmp(line, "REPLTOP OK - 3 of 3 nodes answered, primary db_m |", 50) == 0);
    assert_int_equal(s->health, SEV_OK);
    assert_int_equal(s->nproblems, 1);
    assert_int_equal(s->problems[0].severity, SEV_OK);
    snapshot_free(s);
    config_done(cfg);

    /* one node's entry wins over the one for every node */
    s = refcluster_new();
    cfg = config_of("[severity]\nlag_warn = ok\nlag_warn db_s1 = critical\n");
    assert_int_equal(check_line(s, cfg, line, sizeof line), 2);
    assert_int_equal(s->health, SEV_CRITICAL);
    snapshot_free(s);
    config_done(cfg);

    /* an entry for another node leaves this one alone */
    s = refcluster_new();
    cfg = config_of("[severity]\nlag_warn db_s2 = critical\n");
    assert_int_equal(check_line(s, cfg, line, sizeof line), 1);
    snapshot_free(s);
    config_done(cfg);

    /* a stopped standby: critical by default, a warning when said so */
    s = refcluster_new();
    s->nodes[1].reach = REACH_UNREACHABLE;
    cfg = config_of("[severity]\nunreachable = warning\n");
    assert_int_equal(check_line(s, cfg, line, sizeof line), 1);
    assert_true(strncmp(line, "REPLTOP WARNING - db_s1 (", 25) == 0);
    snapshot_free(s);
    config_done(cfg);
}

static void severity_bad_input(void **state)
{
    (void)state;
    const char *nodes = "[nodes]\na = host=x\n";
    char text[512];
    str_printf(text, sizeof text, "%s[severity]\nlag_warn = loud\n", nodes);
    assert_string_equal(load_error(text),
                        "test.conf:4: [severity] lag_warn must be warning, critical or ok, not "
                        "\"loud\"");
    str_printf(text, sizeof text, "%s[severity]\nlag_wrn = ok\n", nodes);
    assert_non_null(strstr(load_error(text), "test.conf:4: unknown problem code \"lag_wrn\""));
    str_printf(text, sizeof text, "%s[severity]\nlag_warn zz = ok\n", nodes);
    assert_string_equal(load_error(text),
                        "test.conf:4: [severity] lag_warn zz names a node that is not in [nodes]");
    str_printf(text, sizeof text, "[repltop]\nactions = maybe\n%s", nodes);
    assert_string_equal(load_error(text), "test.conf:2: actions must be on or off, not \"maybe\"");
    str_printf(text, sizeof text, "[repltop]\nactions = off\n%s", nodes);
    assert_string_equal(load_error(text), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(warning_line_and_perfdata),    cmocka_unit_test(critical_first_then_more),
        cmocka_unit_test(nobody_answers_is_unknown),    cmocka_unit_test(quoted_labels),
        cmocka_unit_test(severity_remapped_everywhere), cmocka_unit_test(severity_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
