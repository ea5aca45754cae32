/* host_files: files on a remote host, each operation one command of POSIX tools (test, cat, mv,
 * mkdir, ls, cp, df) with the paths as separate quoted words. A file's text travels on stdin,
 * never in an argv (postgresql.auto.conf may hold a password). */
#include "model/local/host.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OP_TIMEOUT_S 60

/* changes: NULL for anything (every kept answer of the host is forgotten), else the one path
 * it creates, replaces or removes (host_forget_path) */
static int run(const struct host *h, const char *const *argv, const char *in, char **out, char *why,
               size_t whylen, const char *changes)
{
    char local_why[700];
    if (!why) {
        why = local_why;
        whylen = sizeof local_why;
    }
    if (!changes)
        return host_exec(h, argv, in, OP_TIMEOUT_S, NULL, NULL, out, why, whylen);
    int rc = host_exec_read(h, argv, in, OP_TIMEOUT_S, NULL, NULL, out, why, whylen);
    host_forget_path(h, changes);
    return rc;
}

/* sh -c SCRIPT NAME ARGS...: the script is a constant, the paths its positional words. */
static int script(const struct host *h, const char *body, const char *a1, const char *a2,
                  const char *in, char **out, const char *changes)
{
    const char *argv[] = {"sh", "-c", body, "repltop", a1, a2, NULL};
    if (!a1)
        argv[4] = NULL;
    return run(h, argv, in, out, NULL, 0, changes);
}

bool host_test(const struct host *h, enum host_test t, const char *path)
{
    static const enum host_query asks[] = {[HOST_EXISTS] = HQ_EXISTS,
                                           [HOST_IS_DIR] = HQ_IS_DIR,
                                           [HOST_IS_LINK] = HQ_IS_LINK,
                                           [HOST_DIR_EMPTY] = HQ_DIR_EMPTY,
                                           [HOST_WRITABLE] = HQ_WRITABLE};
    return host_query(h, asks[t], path, NULL, NULL) == 0;
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
    char *out = NULL;
    int rc = host_query(h, HQ_READ, path, NULL, &out);
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
                    path, m, text, &out, path);
    if (rc != 0) {
        str_printf(err, errlen, "cannot write %s on %s: %s", path, h->dest,
                   out && out[0] ? strtok(out, "\n") : "failed");
    }
    free(out);
    return rc == 0;
}

/* Per file: path, mode ("-": remove it), its number of lines and whether it ends with a
 * newline; the texts follow one another on stdin, each ending with one. */
static const char write_files_script[] =
    "umask 077\n"
    "while [ $# -ge 4 ]; do\n"
    "  f=$1; m=$2; n=$3; e=$4; shift 4\n"
    "  if [ \"$m\" = - ]; then rm -f -- \"$f\" || exit 1; continue; fi\n"
    "  t=\"$f.repltop-tmp.$$\"; i=0\n"
    "  while [ $i -lt $n ] && IFS= read -r l; do i=$((i+1))\n"
    "    if [ $i -lt $n ] || [ $e = 1 ]; then printf '%s\\n' \"$l\"; "
    "else printf '%s' \"$l\"; fi\n"
    "  done > \"$t\" && [ $i = $n ] && chmod \"$m\" \"$t\" && mv -f -- \"$t\" \"$f\" && continue\n"
    "  rm -f -- \"$t\"; echo \"cannot write $f\"; exit 1\n"
    "done\n";

bool host_write_files(const struct host *h, const struct host_file *files, int n, char *err,
                      size_t errlen)
{
    const char **argv = xcalloc((size_t)n * 4 + 6, sizeof *argv);
    char(*nums)[3][24] = xcalloc((size_t)n, sizeof *nums);
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += files[i].text ? strlen(files[i].text) + 1 : 0;
    char *in = xmalloc(len), *o = in;
    int k = 0;
    argv[k++] = "sh";
    argv[k++] = "-c";
    argv[k++] = write_files_script;
    argv[k++] = "repltop";
    for (int i = 0; i < n; i++) {
        const char *t = files[i].text;
        size_t tl = t ? strlen(t) : 0;
        int lines = 0;
        for (size_t j = 0; j < tl; j++)
            lines += t[j] == '\n';
        bool ends = tl == 0 || t[tl - 1] == '\n';
        if (t) {
            memcpy(o, t, tl);
            o += tl;
            if (!ends)
                *o++ = '\n', lines++;
        }
        str_printf(nums[i][0], sizeof nums[i][0], "%o", (unsigned)(files[i].mode & 0777));
        str_printf(nums[i][1], sizeof nums[i][1], "%d", lines);
        str_printf(nums[i][2], sizeof nums[i][2], "%d", ends ? 1 : 0);
        argv[k++] = files[i].path;
        argv[k++] = t ? nums[i][0] : "-";
        argv[k++] = nums[i][1];
        argv[k++] = nums[i][2];
    }
    *o = '\0';
    argv[k] = NULL;
    char *out = NULL, why[700];
    /* it changes these files only: the other answers kept (the server log's size) stay */
    int rc = host_exec_read(h, argv, in, OP_TIMEOUT_S, NULL, NULL, &out, why, sizeof why);
    for (int i = 0; i < n; i++)
        host_forget_path(h, files[i].path);
    if (rc != 0)
        str_printf(err, errlen, "%s on %s",
                   rc < 0          ? why
                   : out && out[0] ? strtok(out, "\n")
                                   : "cannot write",
                   h->dest);
    explicit_bzero(in, len); /* postgresql.auto.conf may hold a password */
    free(in);
    free(out);
    free(nums);
    free(argv);
    return rc == 0;
}

bool host_mkdir(const struct host *h, const char *path, mode_t mode, char *err, size_t errlen)
{
    char m[8], *out = NULL;
    str_printf(m, sizeof m, "%o", (unsigned)(mode & 0777));
    const char *argv[] = {"mkdir", "-m", m, "--", path, NULL};
    int rc = run(h, argv, NULL, &out, NULL, 0, path);
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
                    from, to, NULL, &out, NULL);
    if (rc != 0)
        str_printf(err, errlen, "%s", out && out[0] ? strtok(out, "\n") : "mv failed");
    free(out);
    return rc == 0;
}

bool host_remove(const struct host *h, const char *path, bool dir)
{
    const char *argv[] = {dir ? "rmdir" : "rm", dir ? "--" : "-f", dir ? path : "--",
                          dir ? NULL : path, NULL};
    return run(h, argv, NULL, NULL, NULL, 0, path) == 0;
}

char **host_list(const struct host *h, const char *dir, int *n)
{
    char *out = NULL;
    *n = 0;
    if (host_query(h, HQ_LIST, dir, NULL, &out) != 0) {
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
    int rc = run(h, argv, NULL, &out, NULL, 0, NULL);
    const char *f = out ? strstr(out, "failed=") : NULL;
    int failed = rc == 0 && f ? atoi(f + 7) : -1;
    free(out);
    free(argv);
    return failed;
}

bool host_disk(const struct host *h, const char *dir, long long *avail, const char *path,
               bool *mount_point)
{
    char *out = NULL;
    int rc = host_query(h, HQ_FREE, dir, NULL, &out);
    const char *a = out ? strstr(out, "avail=") : NULL;
    bool ok = rc == 0 && a && a[6] >= '0' && a[6] <= '9';
    if (ok)
        *avail = atoll(a + 6) * 1024;
    free(out);
    if (mount_point)
        *mount_point = ok && path && host_query(h, HQ_MOUNT_POINT, path, NULL, NULL) == 0;
    return ok;
}

bool host_realpath(const struct host *h, const char *path, char *out, size_t n)
{
    char *text = NULL;
    int rc = host_query(h, HQ_REALPATH, path, NULL, &text);
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
    int rc = host_query(h, HQ_MODE, path, NULL, &out);
    mode_t m = rc == 0 && out ? parse_mode(out) : 0;
    free(out);
    return m;
}

/* $1 the data directory, $2 the aside name's stem ("": not moved), $3 mkdir's mode ("": none
 * made), $4 the marker. Says each step done on a line of its own, so that the caller knows
 * what to undo when one fails (its exit status) or the session drops (the lines it got). The
 * aside name is the stem, else STEM-2, STEM-3...: only its suffix is said, so that a name with
 * a newline cannot be mistaken for a step. */
static const char aside_script[] =
    "d=$1; o=$2; m=$3; k=$4; a=\n"
    "if [ -n \"$o\" ]; then a=$o; i=2\n"
    "  while { [ -e \"$a\" ] || [ -L \"$a\" ]; } && [ $i -lt 1000 ]; do a=$o-$i; i=$((i+1)); done\n"
    "  echo \"aside=${a#\"$o\"}\"\n"
    "  if [ -e \"$a\" ] || [ -L \"$a\" ]; then echo \"$a exists\"; exit 11; fi\n"
    "  mv -- \"$d\" \"$a\" 2>&1 || exit 11\n"
    "  echo moved\n"
    "fi\n"
    "if [ -n \"$m\" ]; then mkdir -m \"$m\" -- \"$d\" 2>&1 || exit 12; echo made; fi\n"
    "umask 077; t=\"$k.repltop-tmp.$$\"\n"
    "if printf '%s\\n' \"$a\" > \"$t\" && chmod 600 \"$t\" && mv -f -- \"$t\" \"$k\"; then\n"
    "  echo marked; exit 0; fi\n"
    "rm -f -- \"$t\"; exit 13\n";

int host_move_aside(const struct host *h, const char *datadir, const char *stem, mode_t mode,
                    const char *marker, char *old, size_t n, char *err, size_t errlen)
{
    char m[8] = "";
    if (mode)
        str_printf(m, sizeof m, "%o", (unsigned)(mode & 0777));
    const char *argv[] = {"sh", "-c",   aside_script, "repltop", datadir, stem ? stem : "",
                          m,    marker, NULL};
    char *out = NULL, why[700] = "", said[600] = "";
    int rc = host_exec(h, argv, NULL, OP_TIMEOUT_S, NULL, NULL, &out, why, sizeof why);
    bool moved = false, made = false, marked = false;
    old[0] = '\0';
    for (char *save, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, "aside=", 6) == 0 && !old[0] && stem)
            str_printf(old, n, "%s%s", stem, l + 6);
        else if (strcmp(l, "moved") == 0)
            moved = true;
        else if (strcmp(l, "made") == 0)
            made = true;
        else if (strcmp(l, "marked") == 0)
            marked = true;
        else if (!said[0])
            str_copy(said, sizeof said, l);
    }
    free(out);
    if (rc < 0) /* the way failed (a dropped session): the first step not said done failed */
        str_copy(said, sizeof said, why);
    else if (!said[0])
        str_printf(said, sizeof said, "exit status %d", rc);
    enum host_aside_step failed = stem && !moved  ? HOST_ASIDE_MOVE
                                  : m[0] && !made ? HOST_ASIDE_MKDIR
                                  : !marked       ? HOST_ASIDE_MARKER
                                                  : HOST_ASIDE_DONE;
    if (failed == HOST_ASIDE_MOVE) {
        if (!old[0])
            str_copy(old, n, stem);
        str_printf(err, errlen, "cannot move %s aside to %s: %s", datadir, old, said);
    } else if (failed == HOST_ASIDE_MKDIR) {
        str_printf(err, errlen, "cannot create %s on %s: %s", datadir, h->dest, said);
    } else if (failed == HOST_ASIDE_MARKER) {
        str_printf(err, errlen, "cannot write %s on %s: %s", marker, h->dest, said);
    }
    return failed;
}
