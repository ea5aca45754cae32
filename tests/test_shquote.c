/* shquote and the remote host's operations: every word of a remote command survives a real
 * POSIX shell exactly — blanks, quotes, $, backticks, ;, newlines, a leading dash — and the file
 * operations of a remote host (host_files.c, host_remote.c, host_exec.c) work on hostile paths and
 * texts, one by one and many in one command. The "remote"
 * here is `sh -c COMMAND` on this machine, which is what sshd runs for a command; no ssh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/base/shquote.h"
#include "model/base/util.h"
#include "model/local/host.h"
#include "model/local/local_node.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const hostile[] = {
    "plain",
    "two words",
    "it's",
    "'",
    "''",
    "\"double\"",
    "$HOME and ${PATH}",
    "`id`",
    "$(touch /tmp/repltop-shquote-pwned)",
    "a;b&&c||d|e",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "-n",
    "*",
    "~",
    "#comment",
    "",
    "\xc3\xa9t\xc3\xa9",
    NULL,
};

/* "remote" = the words through sh -c, as sshd hands a command to the login shell */
static char **sh_way_command(const struct host *h, const char *const *argv)
{
    (void)h;
    char **out = calloc(4, sizeof *out);
    out[0] = strdup("sh");
    out[1] = strdup("-c");
    out[2] = sh_join(argv);
    return out;
}

static bool sh_way_failed(const struct host *h, int status, const char *said, char *why, size_t n)
{
    (void)h, (void)status, (void)said, (void)why, (void)n;
    return false;
}

static const struct host_way sh_way = {
    .kind = "sh", .command = sh_way_command, .failed = sh_way_failed};
static const struct host sh_host = {&sh_way, "test-host", NULL};

static void quote_is_single_quoted(void **state)
{
    (void)state;
    char *q = sh_quote("it's");
    assert_string_equal(q, "'it'\\''s'");
    free(q);
    q = sh_quote("");
    assert_string_equal(q, "''");
    free(q);
}

/* printf '%s\0' WORD... through the shell gives back every word, byte for byte */
static void every_word_survives_the_shell(void **state)
{
    (void)state;
    const char *argv[64] = {"printf", "%s\\0"};
    int n = 2;
    for (int i = 0; hostile[i]; i++)
        argv[n++] = hostile[i];
    argv[n] = NULL;
    char *out = NULL, why[300];
    unlink("/tmp/repltop-shquote-pwned");
    int rc = host_exec(&sh_host, argv, NULL, 30, NULL, NULL, &out, why, sizeof why);
    assert_int_equal(rc, 0);
    const char *p = out;
    for (int i = 0; hostile[i]; i++) {
        assert_string_equal(p, hostile[i]);
        p += strlen(p) + 1;
    }
    assert_int_not_equal(access("/tmp/repltop-shquote-pwned", F_OK), 0); /* nothing ran */
    free(out);
}

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/repltop-test-host.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int drop_dir(void **state)
{
    (void)state;
    const char *argv[] = {"rm", "-rf", "--", dir, NULL};
    char why[200];
    return host_exec(&sh_host, argv, NULL, 30, NULL, NULL, NULL, why, sizeof why) == 0 ? 0 : -1;
}

/* write, read, rename, list, copy, test and remove on paths with every hostile character */
static void file_operations_keep_hostile_paths_whole(void **state)
{
    (void)state;
    char err[300];
    for (int i = 0; hostile[i]; i++) {
        if (!hostile[i][0] || strchr(hostile[i], '/'))
            continue; /* not a file name */
        char sub[PATH_MAX], path[PATH_MAX + 32], moved[PATH_MAX + 32];
        str_printf(sub, sizeof sub, "%s/d %s", dir, hostile[i]);
        if (!host_mkdir(&sh_host, sub, 0700, err, sizeof err))
            fail_msg("mkdir %s: %s", sub, err);
        assert_true(host_test(&sh_host, HOST_IS_DIR, sub));
        assert_true(host_test(&sh_host, HOST_DIR_EMPTY, sub));
        str_printf(path, sizeof path, "%s/f %s", sub, hostile[i]);
        const char *text = "primary_conninfo = 'password=it''s $secret'\n\nlast line";
        assert_true(host_write(&sh_host, path, text, 0640, err, sizeof err));
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        mode_t mode = 0;
        char *back = host_read(&sh_host, path, &mode);
        assert_non_null(back);
        assert_string_equal(back, text);
        assert_int_equal(mode, 0640);
        free(back);
        assert_false(host_test(&sh_host, HOST_DIR_EMPTY, sub));
        int n = 0;
        char **names = host_list(&sh_host, sub, &n);
        if (!strchr(hostile[i], '\n')) { /* ls prints one name a line */
            assert_int_equal(n, 1);
            assert_true(strncmp(names[0], "f ", 2) == 0);
            assert_string_equal(names[0] + 2, hostile[i]);
        }
        for (int k = 0; k < n; k++)
            free(names[k]);
        free(names);
        str_printf(moved, sizeof moved, "%s.aside", sub);
        assert_true(host_rename(&sh_host, sub, moved, err, sizeof err));
        assert_false(host_test(&sh_host, HOST_EXISTS, sub));
        /* never into an existing directory */
        assert_true(host_mkdir(&sh_host, sub, 0700, err, sizeof err));
        assert_false(host_rename(&sh_host, moved, sub, err, sizeof err));
        assert_true(host_remove(&sh_host, sub, true));
        char *copy_name = xasprintf("f %s", hostile[i]);
        char *names1[] = {copy_name, NULL};
        assert_true(host_mkdir(&sh_host, sub, 0700, err, sizeof err));
        assert_int_equal(host_copy(&sh_host, moved, names1, 1, sub), 0);
        str_printf(path, sizeof path, "%s/%s", sub, copy_name);
        back = host_read(&sh_host, path, NULL);
        assert_non_null(back);
        assert_string_equal(back, text);
        free(back);
        free(copy_name);
        assert_true(host_remove(&sh_host, path, false));
        assert_false(host_test(&sh_host, HOST_EXISTS, path));
        char real[PATH_MAX];
        assert_true(host_realpath(&sh_host, sub, real, sizeof real));
        assert_string_equal(real, sub); /* /tmp is no link here */
    }
    assert_null(host_read(&sh_host, "/nonexistent/file", NULL));
}

static const char *const texts[] = {
    "no newline at the end",
    "",
    "\n",
    "one line\n",
    "  leading blanks\n\ttab\\backslash\\\n-n\n%s %d\n\\\n",
    "primary_conninfo = 'password=it''s $secret'\n\nlast line",
    "\n\n\nthree empty lines first",
    NULL,
};

/* Several files written in one command (host_write_files), then read back in one batch
 * (host_batch): every text byte for byte, none ended early by another's, one removed. */
static void files_written_and_read_many_at_once(void **state)
{
    (void)state;
    char paths[16][PATH_MAX], err[300];
    struct host_file files[16];
    struct host_op ops[16];
    int n = 0;
    for (int i = 0; texts[i]; i++, n++) {
        str_printf(paths[i], sizeof paths[i], "%s/f%d $x 'q'", dir, i);
        files[i] = (struct host_file){paths[i], texts[i], i % 2 ? 0600 : 0640};
        ops[i] = (struct host_op){HQ_READ, NULL, paths[i], NULL};
    }
    str_printf(paths[n], sizeof paths[n], "%s/gone", dir);
    assert_true(host_write(&sh_host, paths[n], "x", 0600, err, sizeof err));
    files[n] = (struct host_file){paths[n], NULL, 0}; /* removed */
    ops[n] = (struct host_op){HQ_EXISTS, NULL, paths[n], NULL};
    assert_true(host_write_files(&sh_host, files, n + 1, err, sizeof err));
    char *outs[16];
    int rcs[16];
    char why[300];
    assert_int_equal(host_batch(&sh_host, ops, n + 1, outs, rcs, why, sizeof why), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(rcs[i], 0);
        const char *nl = strchr(outs[i], '\n'); /* after ls's mode field */
        assert_non_null(nl);
        assert_string_equal(nl + 1, texts[i]);
        free(outs[i]);
        mode_t mode = 0;
        char *back = host_read(&sh_host, paths[i], &mode); /* the kept answer */
        assert_string_equal(back, texts[i]);
        assert_int_equal(mode, i % 2 ? 0600 : 0640);
        free(back);
    }
    assert_int_not_equal(rcs[n], 0);
    free(outs[n]);
    /* a write forgets what was kept of that file */
    assert_true(host_write(&sh_host, paths[0], "changed", 0600, err, sizeof err));
    char *back = host_read(&sh_host, paths[0], NULL);
    assert_string_equal(back, "changed");
    free(back);
}

struct lines {
    char got[512];
};

static void take(void *ctx, const char *line)
{
    struct lines *l = ctx;
    str_copy(l->got, sizeof l->got, line);
}

/* K=V entries reach the program through stdin and the remote shell, never an argv */
static void a_password_travels_on_stdin(void **state)
{
    (void)state;
    struct local_node ln;
    memset(&ln, 0, sizeof ln);
    ln.host = sh_host;
    str_copy(ln.bindir, sizeof ln.bindir, "/usr/bin");
    const char *argv[] = {"printenv", "RT_SECRET", NULL};
    const char *env[] = {"RT_SECRET=it's $a `b` \"c\"", NULL};
    struct lines l = {""};
    char why[300];
    assert_int_equal(host_run_program(&ln, argv, env, 30, take, &l, why, sizeof why), 0);
    assert_string_equal(l.got, "it's $a `b` \"c\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quote_is_single_quoted),
        cmocka_unit_test(every_word_survives_the_shell),
        cmocka_unit_test_setup_teardown(file_operations_keep_hostile_paths_whole, make_dir,
                                        drop_dir),
        cmocka_unit_test_setup_teardown(files_written_and_read_many_at_once, make_dir, drop_dir),
        cmocka_unit_test(a_password_travels_on_stdin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
