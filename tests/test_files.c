/* files: the one way repltop replaces a file (the config, a data directory's settings, the
 * cluster memory, the demo's files) — whole or not at all, with the mode asked for, never
 * through a link planted in its place, no temp file left behind — plus mkdir -p and the state
 * directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/base/files.h"
#include "model/base/util.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/repltop-test-files.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        str_printf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

static int drop_dir(void **state)
{
    (void)state;
    remove_tree(dir);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Entries of dir other than . and .. */
static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static void writes_whole_file_with_the_mode_asked_for(void **state)
{
    (void)state;
    char path[PATH_MAX], err[256] = "";
    str_printf(path, sizeof path, "%s/repltop.conf", dir);
    mode_t old = umask(077); /* the umask must not change the mode */
    assert_true(
        file_write_atomic(path, "[nodes]\na = port=1\n", 0644, FILE_OWNER_KEEP, err, sizeof err));
    umask(old);
    assert_string_equal(slurp(path), "[nodes]\na = port=1\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(entries(), 1); /* no temp file left beside it */
}

static void replaces_an_existing_file(void **state)
{
    (void)state;
    char path[PATH_MAX], err[256] = "";
    str_printf(path, sizeof path, "%s/postgresql.auto.conf", dir);
    assert_true(file_write_atomic(path, "old\n", 0600, FILE_OWNER_KEEP, err, sizeof err));
    assert_true(file_write_atomic(path, "new\n", 0600, FILE_OWNER_KEEP, err, sizeof err));
    assert_string_equal(slurp(path), "new\n");
    assert_int_equal(entries(), 1);
}

/* A link planted where the file goes is replaced, never written through: the file it points
 * to (someone else's) keeps what it had. */
static void never_writes_through_a_link(void **state)
{
    (void)state;
    char victim[PATH_MAX], path[PATH_MAX], err[256] = "";
    str_printf(victim, sizeof victim, "%s/victim", dir);
    str_printf(path, sizeof path, "%s/memory.conf", dir);
    assert_true(file_write_atomic(victim, "precious\n", 0600, FILE_OWNER_KEEP, err, sizeof err));
    assert_int_equal(symlink(victim, path), 0);
    assert_true(file_write_atomic(path, "ours\n", 0600, FILE_OWNER_KEEP, err, sizeof err));
    assert_string_equal(slurp(victim), "precious\n");
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_string_equal(slurp(path), "ours\n");
}

static void fails_with_the_reason_and_leaves_nothing(void **state)
{
    (void)state;
    char path[PATH_MAX], err[256] = "";
    str_printf(path, sizeof path, "%s/missing/repltop.conf", dir);
    assert_false(file_write_atomic(path, "x\n", 0600, FILE_OWNER_KEEP, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file or directory"));
    assert_int_equal(entries(), 0);
}

static void mkdir_p_makes_the_parents_and_says_what_is_in_the_way(void **state)
{
    (void)state;
    char path[PATH_MAX], file[PATH_MAX], err[256] = "";
    str_printf(path, sizeof path, "%s/a/b/c/", dir);
    assert_true(mkdir_p(path, 0700, err, sizeof err));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_true(mkdir_p(path, 0700, err, sizeof err)); /* already there: fine */

    str_printf(file, sizeof file, "%s/plain", dir);
    assert_true(file_write_atomic(file, "x", 0600, FILE_OWNER_KEEP, err, sizeof err));
    str_printf(path, sizeof path, "%s/plain/sub", dir);
    assert_false(mkdir_p(path, 0700, err, sizeof err));
    assert_non_null(strstr(err, file));
}

static void state_dir_follows_xdg_then_home(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    char *old_xdg = getenv("XDG_STATE_HOME") ? xstrdup(getenv("XDG_STATE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
    setenv("XDG_STATE_HOME", "/srv/state", 1);
    state_dir_path(buf, sizeof buf);
    assert_string_equal(buf, "/srv/state/repltop");
    unsetenv("XDG_STATE_HOME");
    setenv("HOME", "/home/op", 1);
    state_dir_path(buf, sizeof buf);
    assert_string_equal(buf, "/home/op/.local/state/repltop");
    if (old_xdg)
        setenv("XDG_STATE_HOME", old_xdg, 1);
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writes_whole_file_with_the_mode_asked_for, make_dir,
                                        drop_dir),
        cmocka_unit_test_setup_teardown(replaces_an_existing_file, make_dir, drop_dir),
        cmocka_unit_test_setup_teardown(never_writes_through_a_link, make_dir, drop_dir),
        cmocka_unit_test_setup_teardown(fails_with_the_reason_and_leaves_nothing, make_dir,
                                        drop_dir),
        cmocka_unit_test_setup_teardown(mkdir_p_makes_the_parents_and_says_what_is_in_the_way,
                                        make_dir, drop_dir),
        cmocka_unit_test(state_dir_follows_xdg_then_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
