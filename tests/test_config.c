/* Config: INI files (good and bad, errors as FILE:LINE), command-line conninfos, naming, nodes
 * joining a running dashboard. Writing the file is test_config_write.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/config/config.h"
#include "model/pg/conninfo.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    expect_error("[nodes]\na = host=127.0.0.1\nweb:1 = host=127.0.0.1\n", 3,
                 "node names cannot contain ':' (it ends the name like '=', so this line names "
                 "\"web\"): invalid connection option \"1\"");
    expect_error("[nodes]\na = host=127.0.0.1\n[node a]\nport = 99999\n", 4, "port must be");
    expect_error("[nodes]\na = host=127.0.0.1\n[node a]\nflavour = x\n", 4, "unknown setting");
    expect_error("[repltop]\nlag_warn_bytes = lots\n", 2, "lag_warn_bytes must be a size");
    expect_error("[repltop]\nrefresh = 1\n", 0, "no nodes to watch");
    expect_error("[nodes]\na = host=127.0.0.1\n[node b]\ndatadir = /x\n", 0,
                 "[node b] names a node that is not in [nodes]");
    expect_error("[repltop]\nlag_warn_bytes = 1GB\nlag_crit_bytes = 1MB\n[nodes]\na = port=1\n", 0,
                 "must not exceed");
}

/* [repltop] sync: the declared sync policy, checked at load */
static void sync_policy_key(void **state)
{
    (void)state;
    struct config c;
    char err[600] = "";
    assert_true(load(&c, "[nodes]\na = host=127.0.0.1\n", err, sizeof err));
    assert_null(c.sync_policy);
    config_done(&c);
    const char *good[] = {"FIRST 1", "any 2", "FIRST 1 (db_s2, db_s1)", "ANY 1 (a, \"b-c\")",
                          "db_s1, db_s2"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char text[200];
        snprintf(text, sizeof text, "[repltop]\nsync = %s\n[nodes]\na = host=127.0.0.1\n", good[i]);
        if (!load(&c, text, err, sizeof err))
            fail_msg("%s: %s", good[i], err);
        assert_string_equal(c.sync_policy, good[i]);
        config_done(&c);
    }
    expect_error("[repltop]\nsync = FIRST\n[nodes]\na = host=127.0.0.1\n", 2,
                 "sync must be a policy like FIRST 1");
    expect_error("[repltop]\nsync = FIRST 0\n[nodes]\na = host=127.0.0.1\n", 2,
                 "must be at least 1");
    expect_error("[repltop]\nsync = FIRST 1 (a\n[nodes]\na = host=127.0.0.1\n", 2,
                 "sync must be a policy");
    expect_error("[repltop]\nsync =\n[nodes]\na = host=127.0.0.1\n", 2, "sync must be a policy");
    expect_error("[repltop]\nsync = FIRST 1 (a) x\n[nodes]\na = host=127.0.0.1\n", 2,
                 "sync must be a policy");
}

/* [node NAME] ssh and ssh_options, and how each node is reached for actions */
static void ssh_keys_and_actions_via(void **state)
{
    (void)state;
    struct config c;
    char err[256], via[160];
    assert_true(load(&c,
                     "[nodes]\nhere = host=a\nthere = host=b\nnone = host=c\n"
                     "[node here]\ndatadir = /srv/here\n"
                     "[node there]\ndatadir = /var/lib/postgresql/15/main\n"
                     "ssh = postgres@db2\nssh_options = -F /etc/lab/ssh_config -p 2222\n",
                     err, sizeof err));
    config_actions_via(config_find_node(&c, "here"), via, sizeof via);
    assert_string_equal(via, "local");
    config_actions_via(config_find_node(&c, "there"), via, sizeof via);
    assert_string_equal(via, "ssh postgres@db2");
    assert_string_equal(config_find_node(&c, "there")->ssh_options,
                        "-F /etc/lab/ssh_config -p 2222");
    config_actions_via(config_find_node(&c, "none"), via, sizeof via);
    assert_string_equal(via, "none");
    config_done(&c);
    /* a destination ssh would read as an option */
    expect_error("[nodes]\na = host=a\n[node a]\nssh = -oProxyCommand=x\n", 4,
                 "ssh must be a destination");
}

/* [node NAME] docker and docker_host; one way per node */
static void docker_keys_and_actions_via(void **state)
{
    (void)state;
    struct config c;
    char err[256], via[160];
    assert_true(load(&c,
                     "[nodes]\nbox = port=5432\n"
                     "[node box]\ndatadir = /var/lib/postgresql/data\ndocker = db_s1\n"
                     "docker_host = unix:///run/docker.sock\n",
                     err, sizeof err));
    const struct node_conf *n = config_find_node(&c, "box");
    config_actions_via(n, via, sizeof via);
    assert_string_equal(via, "docker db_s1");
    assert_string_equal(n->docker_host, "unix:///run/docker.sock");
    assert_true(config_node_remote(n));
    config_done(&c);
    expect_error("[nodes]\na = host=a\n[node a]\ndocker = --privileged\n", 4,
                 "docker must be a container's name");
    expect_error("[nodes]\na = host=a\n[node a]\nssh = postgres@db2\ndocker = db_s1\n", 5,
                 "has both ssh and docker");
}

static void long_line_is_an_error(void **state)
{
    (void)state;
    char text[600];
    snprintf(text, sizeof text, "[nodes]\na = host=127.0.0.1 application_name=%0300d\n", 7);
    expect_error(text, 2, "line longer than");
}

static void long_section_is_an_error(void **state)
{
    (void)state;
    /* inih would cut it to 49 bytes and so name another node: refuse with the line */
    char text[400];
    snprintf(text, sizeof text, "[nodes]\n%s = host=127.0.0.1\n[node %s]\nport = 5\n",
             "n123456789n123456789n123456789n123456789n123456789",
             "n123456789n123456789n123456789n123456789n123456789");
    expect_error(text, 3, "section name longer than 49 characters");
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
    /* found by tests/fuzz/fuzz_conninfo: an SSL key's passphrase is a secret too */
    conninfo_scrub("host=a sslkey=/k.pem sslpassword=k3yphrase password=s3cret", out, sizeof out);
    assert_null(strstr(out, "k3yphrase"));
    assert_null(strstr(out, "password"));
    assert_non_null(strstr(out, "sslkey='/k.pem'"));
    char *argv_ci = conninfo_without_secrets("host=a sslpassword=k3yphrase password=s3cret");
    assert_non_null(argv_ci);
    assert_string_equal(argv_ci, "host='a'");
    free(argv_ci);
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

static void add_new_nodes(void **state)
{
    (void)state;
    struct config c, from;
    char err[600];
    assert_true(load(&c, "[nodes]\ndb_m = host=a\n", err, sizeof err));
    c.refresh_s = 0.5; /* as -i 0.5 on the command line */
    assert_true(load(&from,
                     "[nodes]\ndb_m = host=other\ndb_s3 = host=b port=5\n[node db_s3]\n"
                     "datadir = /d\nport = 5\nbindir = /b\n",
                     err, sizeof err));
    assert_int_equal(config_add_new_nodes(&c, &from), 1);
    assert_int_equal(config_add_new_nodes(&c, &from), 0);
    assert_int_equal(c.nnodes, 2);
    assert_string_equal(c.nodes[0].conninfo, "host=a");
    assert_true(c.refresh_s == 0.5);
    struct node_conf *n = config_find_node(&c, "db_s3");
    assert_string_equal(n->conninfo, "host=b port=5");
    assert_string_equal(n->datadir, "/d");
    assert_string_equal(n->bindir, "/b");
    assert_int_equal(n->port, 5);
    config_done(&c);
    config_done(&from);
}

/* A new node's conninfo: the primary's, without its secrets, on another port (and host). */
static void conninfo_for_new_node(void **state)
{
    (void)state;
    char *ci = conninfo_for_node(
        "host=127.0.0.1 port=5432 user=postgres password=s3cret passfile=/p application_name=r",
        NULL, 5440);
    assert_non_null(ci);
    assert_null(strstr(ci, "s3cret"));
    assert_null(strstr(ci, "password"));
    assert_non_null(strstr(ci, "host='127.0.0.1'"));
    assert_non_null(strstr(ci, "port='5440'"));
    assert_non_null(strstr(ci, "passfile='/p'"));
    assert_non_null(strstr(ci, "application_name='r'"));
    free(ci);
    ci = conninfo_for_node("hostaddr=10.0.0.1 host=db1 sslpassword=k", "127.0.0.2", 5441);
    assert_string_equal(ci, "host='127.0.0.2' port='5441'");
    free(ci);
    ci = conninfo_for_node("postgresql://u:pw@h:5432/db", NULL, 5442);
    assert_string_equal(ci, "user='u' dbname='db' host='h' port='5442'");
    free(ci);
    /* one port for two hosts would not connect: the host must be given */
    assert_null(conninfo_for_node("host=a,b port=1,2", NULL, 5443));
    ci = conninfo_for_node("host=a,b port=1,2", "c", 5443);
    assert_string_equal(ci, "host='c' port='5443'");
    free(ci);
    assert_null(conninfo_for_node("host='unterminated", NULL, 5443));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file),
        cmocka_unit_test(defaults),
        cmocka_unit_test(bad_files),
        cmocka_unit_test(ssh_keys_and_actions_via),
        cmocka_unit_test(docker_keys_and_actions_via),
        cmocka_unit_test(long_line_is_an_error),
        cmocka_unit_test(long_section_is_an_error),
        cmocka_unit_test(missing_file),
        cmocka_unit_test(conninfo_arguments),
        cmocka_unit_test(units),
        cmocka_unit_test(scrub_passwords),
        cmocka_unit_test(add_new_nodes),
        cmocka_unit_test(sync_policy_key),
        cmocka_unit_test(conninfo_for_new_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
