/* pgpass: libpq's password file rules, as the new-replica check applies them before the node
 * exists — wildcards, escapes, comments, defaults, and a file others may read being ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/pg/pgpass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[64];

static const char *passfile(const char *text, mode_t mode)
{
    strcpy(path, "/tmp/repltop-test-pgpass.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static void lines_and_wildcards(void **state)
{
    (void)state;
    const char *p = passfile("# host:port:database:user:password\n"
                             "127.0.0.1:5432:postgres:postgres:pw1\n"
                             "127.0.0.1:*:*:replication_user:pw2\r\n"
                             "db\\:1:5433:*:u\\\\x:pw3\n"
                             "localhost:5434:*:postgres:pw4",
                             0600);
    assert_true(pgpass_has_entry(p, "127.0.0.1", "5432", "postgres", "postgres"));
    /* the port of the primary's line only: a new node on another port has none */
    assert_false(pgpass_has_entry(p, "127.0.0.1", "5440", "postgres", "postgres"));
    assert_false(pgpass_has_entry(p, "127.0.0.2", "5432", "postgres", "postgres"));
    assert_false(pgpass_has_entry(p, "127.0.0.1", "5432", "demo", "postgres"));
    /* "*" matches any value; CRLF line ends */
    assert_true(pgpass_has_entry(p, "127.0.0.1", "5440", "demo", "replication_user"));
    /* "\" escapes ":" and "\" */
    assert_true(pgpass_has_entry(p, "db:1", "5433", "x", "u\\x"));
    assert_false(pgpass_has_entry(p, "db", "5433", "x", "u\\x"));
    /* no host: localhost, as for the default socket directory; the last line has no newline */
    assert_true(pgpass_has_entry(p, "", "5434", "x", "postgres"));
    assert_true(pgpass_has_entry(p, "/var/run/postgresql", "5434", "x", "postgres"));
    assert_false(pgpass_has_entry(p, "/srv/sockets", "5434", "x", "postgres"));
    /* a comment is not a line */
    assert_false(pgpass_has_entry(p, "# host", "port", "database", "user"));
    unlink(p);
}

static void defaults_and_refusals(void **state)
{
    (void)state;
    const char *p = passfile("localhost:5432:postgres:postgres:pw\nh:1:d:u\n", 0600);
    assert_true(pgpass_has_entry(p, NULL, NULL, "postgres", "postgres")); /* port 5432 */
    assert_false(pgpass_has_entry(p, NULL, NULL, "", "postgres"));
    assert_false(pgpass_has_entry(p, "h", "1", "d", "u")); /* no password field */
    /* libpq ignores a passfile that group or others may read */
    assert_int_equal(chmod(p, 0640), 0);
    assert_false(pgpass_has_entry(p, NULL, NULL, "postgres", "postgres"));
    unlink(p);
    assert_false(pgpass_has_entry(p, NULL, NULL, "postgres", "postgres"));
    assert_false(pgpass_has_entry(NULL, NULL, NULL, "postgres", "postgres"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_and_wildcards),
        cmocka_unit_test(defaults_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
