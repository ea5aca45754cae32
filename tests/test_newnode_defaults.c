/* test_newnode_defaults: what the new-replica form offers (model/config/newnode_defaults.h) —
 * a name no node has, a port no node of the config uses and nothing on this host holds, a
 * data directory beside the others that does not exist or is empty; a configured node whose
 * data directory is still empty is offered as it is configured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/base/localport.h"
#include "model/base/util.h"
#include "model/config/newnode_defaults.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    str_copy(tmp, sizeof tmp, "/tmp/repltop-newnode-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *argv[] = {"rm", "-rf", tmp, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return 0;
}

/* A data directory that holds something. */
static void make_filled(const char *name)
{
    char path[512];
    str_printf(path, sizeof path, "%s/%s", tmp, name);
    assert_int_equal(mkdir(path, 0700), 0);
    str_printf(path, sizeof path, "%s/%s/PG_VERSION", tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("16\n", f);
    fclose(f);
}

/* Loads INI text, "@" standing for the temporary directory. */
static void load(struct config *c, const char *ini)
{
    char text[4096] = "";
    for (const char *p = ini; *p; p++) {
        size_t len = strlen(text);
        if (*p == '@')
            str_printf(text + len, sizeof text - len, "%s", tmp);
        else
            str_printf(text + len, sizeof text - len, "%c", *p);
    }
    config_init(c);
    FILE *f = fmemopen(text, strlen(text), "r");
    assert_non_null(f);
    char err[600] = "";
    bool ok = config_load_stream(c, f, "test.ini", err, sizeof err) &&
              config_validate(c, err, sizeof err);
    fclose(f);
    if (!ok)
        fail_msg("%s", err);
}

/* Listens on a port of the loopback the kernel picks: taken on this host until closed. */
static int listen_somewhere(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 1), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static bool exists_filled(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !dir_is_empty(path);
}

static void assert_unused(const struct config *c, const struct newnode_defaults *d)
{
    char why[300];
    for (int i = 0; i < c->nnodes; i++) {
        assert_string_not_equal(c->nodes[i].name, d->name);
        assert_int_not_equal(newnode_conf_port(&c->nodes[i]), d->port);
        if (c->nodes[i].datadir)
            assert_string_not_equal(c->nodes[i].datadir, d->datadir);
    }
    assert_true(d->port >= 1 && d->port <= 65535);
    assert_false(localport_taken(d->port, why, sizeof why));
    assert_false(exists_filled(d->datadir));
}

/* The next name, a free port after the highest (one held on this host skipped), a directory
 * beside the others. */
static void next_of_the_family(void **state)
{
    (void)state;
    int held;
    int fd = listen_somewhere(&held);
    make_filled("db_m");
    make_filled("db_s1");
    make_filled("db_s2");
    char ini[2048];
    /* the highest configured port is just below the held one; db_s2's is in its conninfo */
    str_printf(ini, sizeof ini,
               "[nodes]\n"
               "db_m = host=127.0.0.1 port=%d\n"
               "db_s1 = host=127.0.0.1\n"
               "db_s2 = host=127.0.0.1 port=%d\n"
               "[node db_m]\ndatadir = @/db_m\n"
               "[node db_s1]\ndatadir = @/db_s1\nport = %d\n"
               "[node db_s2]\ndatadir = @/db_s2\n",
               held - 3, held - 1, held - 2);
    struct config c;
    load(&c, ini);
    struct newnode_defaults d;
    newnode_defaults_fill(&c, &d);
    assert_string_equal(d.name, "db_s3");
    assert_true(d.port > held); /* held - 1 is the highest; held is taken on this host */
    char want[512];
    str_printf(want, sizeof want, "%s/db_s3", tmp);
    assert_string_equal(d.datadir, want);
    assert_string_equal(d.dir_of, tmp);
    assert_unused(&c, &d);
    char why[300];
    assert_true(localport_taken(held, why, sizeof why));
    close(fd);
    config_done(&c);
}

/* A port of a configured node is never offered, even when nothing listens on it. */
static void configured_ports_are_skipped(void **state)
{
    (void)state;
    int held;
    int fd = listen_somewhere(&held);
    close(fd); /* free now: held - 1 is the highest, held and held + 1 are configured */
    char ini[1024];
    str_printf(ini, sizeof ini,
               "[nodes]\n"
               "a = host=127.0.0.1 port=%d\n"
               "b = host=127.0.0.1 port=%d\n"
               "c = host=127.0.0.1 port=%d\n",
               held - 1, held, held + 1);
    struct config c;
    load(&c, ini);
    struct newnode_defaults d;
    newnode_defaults_fill(&c, &d);
    assert_string_equal(d.name, "replica1"); /* no name ends in a number */
    assert_true(d.port > held + 1);
    assert_string_equal(d.datadir, ""); /* no node has a data directory */
    assert_string_equal(d.dir_of, "");
    assert_unused(&c, &d);
    config_done(&c);
}

/* A configured node whose data directory is missing or empty is built as configured. */
static void configured_not_built(void **state)
{
    (void)state;
    make_filled("db_m");
    char empty[512];
    str_printf(empty, sizeof empty, "%s/db_s4", tmp);
    assert_int_equal(mkdir(empty, 0700), 0);
    /* with trailing slashes, as an operator may write it */
    const char *ini = "[nodes]\n"
                      "db_m = host=127.0.0.1 port=5432\n"
                      "db_s4 = host=127.0.0.1 port=5436\n"
                      "[node db_m]\ndatadir = @/db_m\n"
                      "[node db_s4]\ndatadir = @/db_s4//\n";
    struct config c;
    load(&c, ini);
    struct newnode_defaults d;
    newnode_defaults_fill(&c, &d);
    assert_string_equal(d.name, "db_s4");
    assert_int_equal(d.port, 5436);
    assert_string_equal(d.datadir, empty); /* without the trailing slashes */
    assert_false(exists_filled(d.datadir));
    config_done(&c);

    /* once it holds data, the next name is offered */
    make_filled("db_s4/base");
    load(&c, ini);
    newnode_defaults_fill(&c, &d);
    assert_string_equal(d.name, "db_s5");
    assert_unused(&c, &d);
    config_done(&c);
}

/* The name follows the node with the highest number, and is never a configured one. */
static void name_not_taken(void **state)
{
    (void)state;
    const char *names[] = {"pg9", "db_s10", "db_s11x", "pg11", "pg12"};
    struct config c;
    config_init(&c);
    char err[300];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_true(config_add_node(&c, names[i], "host=127.0.0.1", "test", err, sizeof err));
    struct newnode_defaults d;
    newnode_defaults_fill(&c, &d);
    assert_string_equal(d.name, "pg13"); /* pg12 has the highest number */
    for (int i = 0; i < c.nnodes; i++)
        assert_string_not_equal(c.nodes[i].name, d.name);
    config_done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(next_of_the_family, setup, teardown),
        cmocka_unit_test_setup_teardown(configured_ports_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(configured_not_built, setup, teardown),
        cmocka_unit_test_setup_teardown(name_not_taken, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
