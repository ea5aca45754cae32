/* host_files: files on a remote host, each operation one command of POSIX tools (test, cat, mv,
 * mkdir, ls, cp, df) with the paths as separate quoted words. A file's text travels on stdin,
 * never in an argv (postgresql.auto.conf may hold a password). */
#include "model/local/host.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OP_TIMEOUT_S 60

static int run(const struct host *h, const char *const *argv, const char *in, char **out, char *why,
               size_t whylen)
{
    char local_why[700];
    if (!why) {
        why = local_why;
        whylen = sizeof local_why;
    }
    return host_exec(h, argv, in, OP_TIMEOUT_S, NULL, NULL, out, why, whylen);
}

/* sh -c SCRIPT NAME ARGS...: the script is a constant, the paths its positional words. */
static int script(const struct host *h, const char *body, const char *a1, const char *a2,
                  const char *in, char **out, char *why, size_t whylen)
{
    const char *argv[] = {"sh", "-c", body, "repltop", a1, a2, NULL};
    if (!a1)
        argv[4] = NULL;
    return run(h, argv, in, out, why, whylen);
}

bool host_test(const struct host *h, enum host_test t, const char *path)
{
    static const char *const bodies[] = {
        [HOST_EXISTS] = "[ -e \"$1\" ] || [ -L \"$1\" ]",
        [HOST_IS_DIR] = "[ -d \"$1\" ]",
        [HOST_IS_LINK] = "[ -L \"$1\" ]",
        [HOST_DIR_EMPTY] = "[ -d \"$1\" ] && [ -z \"$(ls -A -- \"$1\")\" ]",
        [HOST_WRITABLE] = "[ -w \"$1\" ]",
    };
    return script(h, bodies[t], path, NULL, NULL, NULL, NULL, 0) == 0;
}

static mode_t parse_mode(const char *s)
{
    static const char bits[] = "rwxrwxrwx";
    mode_t m = 0;
    if (strlen(s) < 10)
        return 0;
    for (int i = 0; i < 9; i++)
        if (s[1 + i] == bits[i] || (i % 3 == 2 && (s[1 + i] == 's' || s[1 + i] == 't')))
            m |= (mode_t)1 << (8 - i);
    return m;
}

char *host_read(const struct host *h, const char *path, mode_t *mode)
{
    /* the first line is ls's mode field, the rest the file as it is */
    char *out = NULL;
    int rc = script(h,
                    "set -f; [ -f \"$1\" ] || exit 3; set -- \"$1\" $(ls -ln -- \"$1\"); "
                    "printf '%s\\n' \"$2\"; exec cat -- \"$1\"",
                    path, NULL, NULL, &out, NULL, 0);
    char *nl = out ? strchr(out, '\n') : NULL;
    if (rc != 0 || !nl) {
        free(out);
        return NULL;
    }
    *nl = '\0';
    if (mode)
        *mode = parse_mode(out);
    char *text = xstrdup(nl + 1);
    explicit_bzero(out, strlen(nl + 1) + (size_t)(nl - out));
    free(out);
    return text;
}

bool host_write(const struct host *h, const char *path, const char *text, mode_t mode, char *err,
                size_t errlen)
{
    char m[8], *out = NULL;
    str_printf(m, sizeof m, "%o", (unsigned)(mode & 0777));
    int rc = script(h,
                    "umask 077; t=\"$1.repltop-tmp.$$\"; if cat > \"$t\" && chmod \"$2\" \"$t\" "
                    "&& mv -f -- \"$t\" \"$1\"; then exit 0; fi; rm -f -- \"$t\"; exit 1",
                    path, m, text, &out, NULL, 0);
    if (rc != 0) {
        str_printf(err, errlen, "cannot write %s on %s: %s", path, h->dest,
                   out && out[0] ? strtok(out, "\n") : "failed");
    }
    free(out);
    return rc == 0;
}

bool host_mkdir(const struct host *h, const char *path, mode_t mode, char *err, size_t errlen)
{
    char m[8], *out = NULL;
    str_printf(m, sizeof m, "%o", (unsigned)(mode & 0777));
    const char *argv[] = {"mkdir", "-m", m, "--", path, NULL};
    int rc = run(h, argv, NULL, &out, NULL, 0);
    if (rc != 0)
        str_printf(err, errlen, "cannot create %s on %s: %s", path, h->dest,
                   out && out[0] ? strtok(out, "\n") : "failed");
    free(out);
    return rc == 0;
}

bool host_rename(const struct host *h, const char *from, const char *to, char *err, size_t errlen)
{
    char *out = NULL;
    /* mv into an existing directory would move from inside it: refuse that */
    int rc = script(h, "if [ -e \"$2\" ]; then echo \"$2 exists\"; exit 1; fi; mv -- \"$1\" \"$2\"",
                    from, to, NULL, &out, NULL, 0);
    if (rc != 0)
        str_printf(err, errlen, "%s", out && out[0] ? strtok(out, "\n") : "mv failed");
    free(out);
    return rc == 0;
}

bool host_remove(const struct host *h, const char *path, bool dir)
{
    const char *argv[] = {dir ? "rmdir" : "rm", dir ? "--" : "-f", dir ? path : "--",
                          dir ? NULL : path, NULL};
    return run(h, argv, NULL, NULL, NULL, 0) == 0;
}

char **host_list(const struct host *h, const char *dir, int *n)
{
    char *out = NULL;
    *n = 0;
    const char *argv[] = {"ls", "-A", "--", dir, NULL};
    if (run(h, argv, NULL, &out, NULL, 0) != 0) {
        free(out);
        return NULL;
    }
    int cap = 16;
    char **names = xmalloc(sizeof *names * (size_t)cap);
    for (char *save, *w = strtok_r(out, "\n", &save); w; w = strtok_r(NULL, "\n", &save)) {
        if (*n + 1 >= cap)
            names = xrealloc(names, sizeof *names * (size_t)(cap *= 2));
        names[(*n)++] = xstrdup(w);
    }
    names[*n] = NULL;
    free(out);
    return names;
}

int host_copy(const struct host *h, const char *from, char *const *names, int n, const char *to)
{
    if (n == 0)
        return 0;
    const char **argv = xcalloc((size_t)n + 8, sizeof *argv);
    int k = 0;
    argv[k++] = "sh";
    argv[k++] = "-c";
    /* each file on its own, so one that fails does not stop the others; how many failed */
    argv[k++] = "f=$1; t=$2; shift 2; bad=0; for x in \"$@\"; do "
                "cp -p -- \"$f/$x\" \"$t/$x\" || bad=$((bad+1)); done; echo \"failed=$bad\"";
    argv[k++] = "repltop";
    argv[k++] = from;
    argv[k++] = to;
    for (int i = 0; i < n; i++)
        argv[k++] = names[i];
    argv[k] = NULL;
    char *out = NULL;
    int rc = run(h, argv, NULL, &out, NULL, 0);
    const char *f = out ? strstr(out, "failed=") : NULL;
    int failed = rc == 0 && f ? atoi(f + 7) : -1;
    free(out);
    free(argv);
    return failed;
}

bool host_disk(const struct host *h, const char *dir, long long *avail, const char *path,
               bool *mount_point)
{
    /* df -P: "fs blocks used available capacity mounted-on", in 1024-byte blocks with -k */
    char *out = NULL;
    int rc = script(h, "set -f; set -- $(df -Pk -- \"$1\" | tail -n 1); echo \"avail=$4\"", dir,
                    NULL, NULL, &out, NULL, 0);
    const char *a = out ? strstr(out, "avail=") : NULL;
    bool ok = rc == 0 && a && a[6] >= '0' && a[6] <= '9';
    if (ok)
        *avail = atoll(a + 6) * 1024;
    if (mount_point)
        *mount_point = false;
    free(out);
    if (ok && path && mount_point) {
        /* a mount point is its own file system's mount directory */
        out = NULL;
        int r2 = script(h,
                        "set -f; p=$(cd -P -- \"$1\" && pwd -P) || exit 1; "
                        "set -- $(df -Pk -- \"$p\" | tail -n 1); [ \"$6\" = \"$p\" ]",
                        path, NULL, NULL, &out, NULL, 0);
        *mount_point = r2 == 0;
        free(out);
    }
    return ok;
}

bool host_realpath(const struct host *h, const char *path, char *out, size_t n)
{
    char *text = NULL;
    int rc = script(h, "cd -P -- \"$1\" && pwd -P", path, NULL, NULL, &text, NULL, 0);
    bool ok = rc == 0 && text && text[0] == '/';
    if (ok) {
        size_t len = strlen(text);
        if (len && text[len - 1] == '\n')
            text[len - 1] = '\0'; /* pwd's own; a name may hold others */
        str_copy(out, n, text);
    }
    free(text);
    return ok;
}

mode_t host_mode(const struct host *h, const char *path)
{
    char *out = NULL;
    int rc = script(h, "set -f; set -- $(ls -ldn -- \"$1\"); printf '%s\\n' \"$1\"", path, NULL,
                    NULL, &out, NULL, 0);
    mode_t m = rc == 0 && out ? parse_mode(out) : 0;
    free(out);
    return m;
}
