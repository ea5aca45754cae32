/* Config of a fleet (model/config/config_fleet.h): -c given several times, a directory of
 * *.conf files in name order, cluster names from `[repltop] cluster =` or the file name, and the
 * errors a user gets: duplicate names (both files named), a directory with no cluster file, a
 * bad file inside a directory (its FILE:LINE), a cluster name that cannot be one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/config/config_fleet.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/repltop-test-fleet.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS), 0);
    return 0;
}

static const char node[] = "[nodes]\na = host=127.0.0.1 port=5432\n";

static void directory_in_name_order(void **state)
{
    (void)state;
    put("prod.conf", node);
    put("alpha.conf", "[repltop]\ncluster = billing\nrefresh = 2s\n[nodes]\nx = host=h1\n");
    put(".hidden.conf", "not an ini line\n");
    put("notes.txt", "not an ini line\n");
    struct config_fleet f;
    config_fleet_init(&f);
    char err[1200] = "";
    const char *paths[] = {dir};
    assert_true(config_fleet_load(&f, paths, 1, err, sizeof err));
    assert_int_equal(f.n, 2);
    assert_string_equal(f.cfgs[0].cluster_name, "billing"); /* alpha.conf comes first */
    assert_string_equal(f.cfgs[1].cluster_name, "prod");    /* named by its file */
    assert_int_equal(f.cfgs[0].nnodes, 1);
    assert_string_equal(f.cfgs[0].nodes[0].name, "x");
    assert_true(f.cfgs[0].refresh_s == 2.0);
    assert_true(f.cfgs[1].refresh_s == 1.0); /* each file is its own config */
    assert_non_null(strstr(f.cfgs[1].path, "/prod.conf"));
    config_fleet_done(&f);
}

static void several_files_and_a_directory(void **state)
{
    (void)state;
    put("one.conf", node);
    char sub[128], two[160], three[160];
    snprintf(sub, sizeof sub, "%s/d", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(two, sizeof two, "%s/d/two.conf", dir);
    snprintf(three, sizeof three, "%s/d/three.conf", dir);
    FILE *f2 = fopen(two, "w"), *f3 = fopen(three, "w");
    fputs(node, f2);
    fputs(node, f3);
    fclose(f2);
    fclose(f3);
    char one[160];
    snprintf(one, sizeof one, "%s/one.conf", dir);
    const char *paths[] = {one, sub};
    struct config_fleet f;
    config_fleet_init(&f);
    char err[1200] = "";
    assert_true(config_fleet_load(&f, paths, 2, err, sizeof err));
    assert_int_equal(f.n, 3);
    assert_string_equal(f.cfgs[0].cluster_name, "one");
    assert_string_equal(f.cfgs[1].cluster_name, "three");
    assert_string_equal(f.cfgs[2].cluster_name, "two");
    config_fleet_done(&f);
}

static void duplicate_names(void **state)
{
    (void)state;
    put("a.conf", "[repltop]\ncluster = main\n[nodes]\nn = host=h\n");
    put("b.conf", "[repltop]\ncluster = main\n[nodes]\nn = host=h\n");
    struct config_fleet f;
    config_fleet_init(&f);
    char err[1200] = "";
    const char *paths[] = {dir};
    assert_false(config_fleet_load(&f, paths, 1, err, sizeof err));
    assert_non_null(strstr(err, "duplicate cluster name \"main\""));
    assert_non_null(strstr(err, "/a.conf and "));
    assert_non_null(strstr(err, "/b.conf"));
    assert_null(strchr(err, '\n'));
    config_fleet_done(&f);

    /* the same file twice is the same name twice */
    char a[160];
    snprintf(a, sizeof a, "%s/a.conf", dir);
    const char *twice[] = {a, a};
    config_fleet_init(&f);
    assert_false(config_fleet_load(&f, twice, 2, err, sizeof err));
    assert_non_null(strstr(err, "duplicate cluster name"));
    config_fleet_done(&f);
}

static void errors_name_the_file(void **state)
{
    (void)state;
    struct config_fleet f;
    char err[1200] = "";
    const char *paths[] = {dir};
    config_fleet_init(&f);
    assert_false(config_fleet_load(&f, paths, 1, err, sizeof err));
    assert_non_null(strstr(err, ": is a directory"));
    assert_non_null(strstr(err, "no *.conf file"));
    config_fleet_done(&f);

    put("bad.conf", "[nodes]\na = host=127.0.0.1 port=abc\n");
    config_fleet_init(&f);
    assert_false(config_fleet_load(&f, paths, 1, err, sizeof err));
    assert_non_null(strstr(err, "/bad.conf:2: "));
    assert_non_null(strstr(err, "port"));
    config_fleet_done(&f);

    put("bad.conf", "[repltop]\ncluster = a:b\n[nodes]\na = host=h\n");
    config_fleet_init(&f);
    assert_false(config_fleet_load(&f, paths, 1, err, sizeof err));
    assert_non_null(strstr(err, "/bad.conf:2: cluster must be a name"));
    config_fleet_done(&f);
}

static void default_name(void **state)
{
    (void)state;
    char buf[64];
    config_fleet_default_name("/etc/repltop/clusters.d/billing.conf", buf, sizeof buf);
    assert_string_equal(buf, "billing");
    config_fleet_default_name("plain", buf, sizeof buf);
    assert_string_equal(buf, "plain");
    config_fleet_default_name("x.ini", buf, sizeof buf);
    assert_string_equal(buf, "x.ini");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(directory_in_name_order, setup, teardown),
        cmocka_unit_test_setup_teardown(several_files_and_a_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicate_names, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_name_the_file, setup, teardown),
        cmocka_unit_test(default_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
