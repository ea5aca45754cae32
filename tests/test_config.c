/* Config: INI files (good and bad, errors as FILE:LINE), command-line conninfos, naming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/config.h"
#include "model/conninfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static const char *write_file(const char *text)
{
    strcpy(path, "/tmp/repltop-test-config.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* Loads text as a config; returns whether it loaded and validated; err gets the message. */
static bool load(struct config *c, const char *text, char *err, size_t n)
{
    config_init(c);
    const char *p = write_file(text);
    bool ok = config_load_file(c, p, err, n) && config_validate(c, err, n);
    unlink(p);
    return ok;
}

static void good_file(void **state)
{
    (void)state;
    struct config c;
    char err[600] = "";
    bool ok = load(&c,
                   "# the reference cluster\n"
                   "[repltop]\n"
                   "refresh = 500ms\n"
                   "theme = dark\n"
                   "lag_warn_bytes = 8MB\n"
                   "lag_crit_bytes = 1GB\n"
                   "lag_warn_seconds = 5s\n"
                   "lag_crit_seconds = 2min\n"
                   "connect_timeout = 3\n"
                   "query_timeout = 1500ms\n"
                   "\n"
                   "[nodes]\n"
                   "db_m = host=127.0.0.1 port=5432 user=postgres\n"
                   "db_s1 = postgresql://postgres@127.0.0.1:5433/postgres\n"
                   "db_s2 = service=replica2\n"
                   "\n"
                   "[node db_s1]\n"
                   "datadir = /var/lib/postgresql/15/s1\n"
                   "port = 5433\n"
                   "bindir = /usr/lib/postgresql/15/bin\n",
                   err, sizeof err);
    assert_true(ok);
    assert_string_equal(err, "");
    assert_true(c.refresh_s > 0.49 && c.refresh_s < 0.51);
    assert_string_equal(c.theme, "dark");
    assert_int_equal(c.lag_warn_bytes, 8 << 20);
    assert_int_equal(c.lag_crit_bytes, 1LL << 30);
    assert_true(c.lag_warn_s == 5 && c.lag_crit_s == 120);
    assert_int_equal(c.connect_timeout_ms, 3000);
    assert_int_equal(c.query_timeout_ms, 1500);
    assert_int_equal(c.nnodes, 3);
    assert_string_equal(c.nodes[0].name, "db_m");
    assert_string_equal(c.nodes[1].conninfo, "postgresql://postgres@127.0.0.1:5433/postgres");
    struct node_conf *s1 = config_find_node(&c, "db_s1");
    assert_non_null(s1);
    assert_string_equal(s1->datadir, "/var/lib/postgresql/15/s1");
    assert_int_equal(s1->port, 5433);
    assert_string_equal(s1->bindir, "/usr/lib/postgresql/15/bin");
    assert_null(config_find_node(&c, "db_m")->datadir);
    assert_int_equal(config_find_node(&c, "db_m")->port, -1);
    config_done(&c);
}

static void defaults(void **state)
{
    (void)state;
    struct config c;
    char err[600];
    assert_true(load(&c, "[nodes]\na = host=127.0.0.1\n", err, sizeof err));
    assert_true(c.refresh_s == 1.0);
    assert_int_equal(c.connect_timeout_ms, 2000);
    assert_int_equal(c.query_timeout_ms, 2000);
    assert_int_equal(c.lag_warn_bytes, 16 << 20);
    config_done(&c);
}

/* Each bad file must fail with the right FILE:LINE and a message containing `want`. */
static void expect_error(const char *text, int line, const char *want)
{
    struct config c;
    char err[600] = "";
    assert_false(load(&c, text, err, sizeof err));
    char where[96];
    snprintf(where, sizeof where, "%s:%d: ", path, line);
    if (line > 0 && strncmp(err, where, strlen(where)) != 0)
        fail_msg("expected \"%s\" at the start of \"%s\"", where, err);
    if (!strstr(err, want))
        fail_msg("expected \"%s\" in \"%s\"", want, err);
    config_done(&c);
}

static void bad_files(void **state)
{
    (void)state;
    expect_error("[repltop]\nrefresh = fast\n", 2, "refresh must be a time");
    expect_error("[repltop]\nrefresh = 0\n", 2, "refresh must be a time");
    expect_error("[repltop]\ncolour = red\n", 2, "unknown setting \"colour\"");
    expect_error("[nodes]\na = host=127.0.0.1\n\n[wat]\nx = 1\n", 5, "unknown section [wat]");
    expect_error("x = 1\n", 1, "outside any section");
    expect_error("[nodes]\na = host=127.0.0.1\nthis is not ini\n", 3, "not an INI line");
    expect_error("[nodes]\na = host=127.0.0.1\na = host=127.0.0.2\n", 3,
                 "duplicate node name \"a\" (first at");
    expect_error("[nodes]\na = host='unterminated\n", 2, "unterminated quoted string");
    expect_error("[nodes]\na = nosuchkey=1\n", 2, "invalid connection option \"nosuchkey\"");
    expect_error("[nodes]\na = host=127.0.0.1\n[node a]\nport = 99999\n", 4, "port must be");
    expect_error("[nodes]\na = host=127.0.0.1\n[node a]\nflavour = x\n", 4, "unknown setting");
    expect_error("[repltop]\nlag_warn_bytes = lots\n", 2, "lag_warn_bytes must be a size");
    expect_error("[repltop]\nrefresh = 1\n", 0, "no nodes to watch");
    expect_error("[nodes]\na = host=127.0.0.1\n[node b]\ndatadir = /x\n", 0,
                 "[node b] names a node that is not in [nodes]");
    expect_error("[repltop]\nlag_warn_bytes = 1GB\nlag_crit_bytes = 1MB\n[nodes]\na = port=1\n", 0,
                 "must not exceed");
}

static void long_line_is_an_error(void **state)
{
    (void)state;
    char text[600];
    snprintf(text, sizeof text, "[nodes]\na = host=127.0.0.1 application_name=%0300d\n", 7);
    expect_error(text, 2, "line longer than");
}

static void missing_file(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    char err[600];
    assert_false(config_load_file(&c, "/nonexistent/repltop.conf", err, sizeof err));
    assert_string_equal(err, "/nonexistent/repltop.conf: No such file or directory");
    config_done(&c);
}

static void conninfo_arguments(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    char err[600];
    assert_true(config_add_conninfo(&c, "host=127.0.0.1 port=5433", "argument 1", err, sizeof err));
    assert_true(config_add_conninfo(&c, "host=127.0.0.1 port=5434 application_name=db_s2",
                                    "argument 2", err, sizeof err));
    assert_true(
        config_add_conninfo(&c, "postgresql://u@[::1]:5435/db", "argument 3", err, sizeof err));
    assert_string_equal(c.nodes[0].name, "127.0.0.1:5433");
    assert_string_equal(c.nodes[1].name, "db_s2");
    assert_string_equal(c.nodes[2].name, "::1:5435");
    /* the same server twice is a duplicate name */
    assert_false(
        config_add_conninfo(&c, "port=5433 host=127.0.0.1", "argument 4", err, sizeof err));
    assert_non_null(strstr(err, "duplicate node name \"127.0.0.1:5433\" (first at argument 1)"));
    /* libpq's own message for what it rejects */
    assert_false(config_add_conninfo(&c, "hots=x", "argument 5", err, sizeof err));
    assert_string_equal(err, "invalid connection option \"hots\"");
    assert_false(config_add_conninfo(&c, "postgresql://[::1", "argument 6", err, sizeof err));
    assert_non_null(strstr(err, "IPv6"));
    config_done(&c);
}

static void units(void **state)
{
    (void)state;
    int64_t b;
    double s;
    assert_true(config_parse_bytes("16MB", &b) && b == 16 << 20);
    assert_true(config_parse_bytes("512 kB", &b) && b == 512 << 10);
    assert_true(config_parse_bytes("123", &b) && b == 123);
    assert_false(config_parse_bytes("-1MB", &b));
    assert_false(config_parse_bytes("12 parsecs", &b));
    assert_true(config_parse_seconds("2s", &s) && s == 2);
    assert_true(config_parse_seconds("250ms", &s) && s == 0.25);
    assert_true(config_parse_seconds("1.5", &s) && s == 1.5);
    assert_false(config_parse_seconds("soon", &s));
}

static void scrub_passwords(void **state)
{
    (void)state;
    char out[256];
    conninfo_scrub("host=a port=5432 user=replication_user password=s3cret application_name=w", out,
                   sizeof out);
    assert_null(strstr(out, "s3cret"));
    assert_null(strstr(out, "password"));
    assert_non_null(strstr(out, "application_name='w'"));
    conninfo_scrub("postgresql://u:s3cret@h:5/db", out, sizeof out);
    assert_null(strstr(out, "s3cret"));
    conninfo_scrub("password='unterminated", out, sizeof out);
    assert_string_equal(out, "(hidden: not a valid conninfo)");
    char app[64];
    assert_true(conninfo_get("user=x application_name='wal receiver'", "application_name", app,
                             sizeof app));
    assert_string_equal(app, "wal receiver");
    char *with = conninfo_with("host=a password=p", "host", "b");
    assert_non_null(strstr(with, "host='b'"));
    assert_non_null(strstr(with, "password='p'")); /* kept: it is for the server */
    free(with);
    with = conninfo_with("host=a", "application_name", "it's");
    assert_non_null(strstr(with, "application_name='it\\'s'"));
    free(with);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file),    cmocka_unit_test(defaults),
        cmocka_unit_test(bad_files),    cmocka_unit_test(long_line_is_an_error),
        cmocka_unit_test(missing_file), cmocka_unit_test(conninfo_arguments),
        cmocka_unit_test(units),        cmocka_unit_test(scrub_passwords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
