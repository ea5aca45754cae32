/* local_fs: file operations on a node's host — system calls here, host_files.c there. */
#include "model/local/local_fs.h"
#include "model/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FILE_MAX (4 * 1024 * 1024) /* config files and markers; bigger ones are not ours */

#define REMOTE(ln) host_remote(&(ln)->host)

char *local_read_file(const struct local_node *ln, const char *path, mode_t *mode)
{
    if (!REMOTE(ln))
        return local_read_here(path, mode);
    char *t = host_read(&ln->host, path, mode);
    if (t && strlen(t) > FILE_MAX) {
        free(t);
        return NULL;
    }
    return t;
}

char *local_read_here(const char *path, mode_t *mode)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
        close(fd);
        return NULL;
    }
    if (mode)
        *mode = st.st_mode & 07777;
    char *buf = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    return buf;
}

bool local_path_exists(const struct local_node *ln, const char *path)
{
    struct stat st;
    return REMOTE(ln) ? host_test(&ln->host, HOST_EXISTS, path) : lstat(path, &st) == 0;
}

bool local_is_link(const struct local_node *ln, const char *path)
{
    struct stat st;
    return REMOTE(ln) ? host_test(&ln->host, HOST_IS_LINK, path)
                      : lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

bool local_dir_empty(const struct local_node *ln, const char *path)
{
    return REMOTE(ln) ? host_test(&ln->host, HOST_DIR_EMPTY, path) : dir_is_empty(path);
}

bool local_remove_file(const struct local_node *ln, const char *path)
{
    return REMOTE(ln) ? host_remove(&ln->host, path, false) : unlink(path) == 0;
}

bool local_remove_dir(const struct local_node *ln, const char *path)
{
    return REMOTE(ln) ? host_remove(&ln->host, path, true) : rmdir(path) == 0;
}

bool local_rename(const struct local_node *ln, const char *from, const char *to, char *err,
                  size_t errlen)
{
    if (REMOTE(ln))
        return host_rename(&ln->host, from, to, err, errlen);
    if (rename(from, to) == 0)
        return true;
    str_copy(err, errlen, strerror(errno));
    return false;
}

char **local_list_dir(const struct local_node *ln, const char *dir, int *n)
{
    if (REMOTE(ln))
        return host_list(&ln->host, dir, n);
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    int cap = 16;
    char **names = xmalloc(sizeof *names * (size_t)cap);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (*n + 1 >= cap)
            names = xrealloc(names, sizeof *names * (size_t)(cap *= 2));
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    names[*n] = NULL;
    return names;
}

void local_names_free(char **names, int n)
{
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static bool copy_one(const struct local_node *ln, const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = in >= 0 && out >= 0;
    char buf[65536];
    ssize_t r;
    while (ok && (r = read(in, buf, sizeof buf)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        ok = r > 0 && write(out, buf, (size_t)r) == r;
    }
    if (out >= 0) {
        ok = ok && (!ln->run_as || fchown(out, ln->uid, ln->gid) == 0) && fsync(out) == 0;
        ok = close(out) == 0 && ok;
    }
    if (in >= 0)
        close(in);
    return ok;
}

int local_copy_files(const struct local_node *ln, const char *from, char *const *names, int n,
                     const char *to)
{
    if (REMOTE(ln))
        return host_copy(&ln->host, from, names, n, to);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        char a[PATH_MAX + 300], b[PATH_MAX + 300];
        str_printf(a, sizeof a, "%s/%s", from, names[i]);
        str_printf(b, sizeof b, "%s/%s", to, names[i]);
        failed += !copy_one(ln, a, b);
    }
    return failed;
}

bool local_free_bytes(const struct local_node *ln, const char *dir, long long *avail)
{
    if (REMOTE(ln))
        return host_disk(&ln->host, dir, avail, NULL, NULL);
    struct statvfs vfs;
    if (statvfs(dir, &vfs) != 0)
        return false;
    *avail = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
    return true;
}

bool local_is_mount_point(const struct local_node *ln, const char *path)
{
    char parent[PATH_MAX];
    str_copy(parent, sizeof parent, path);
    dirname(parent);
    if (REMOTE(ln)) {
        long long avail;
        bool mp = false;
        return host_disk(&ln->host, parent, &avail, path, &mp) && mp;
    }
    struct stat sd, sp;
    return stat(path, &sd) == 0 && stat(parent, &sp) == 0 && sd.st_dev != sp.st_dev;
}

bool local_realpath(const struct local_node *ln, const char *path, char *out, size_t n)
{
    if (REMOTE(ln))
        return host_realpath(&ln->host, path, out, n);
    char real[PATH_MAX];
    if (!realpath(path, real))
        return false;
    str_copy(out, n, real);
    return true;
}

mode_t local_mode(const struct local_node *ln, const char *path)
{
    struct stat st;
    if (REMOTE(ln))
        return host_mode(&ln->host, path);
    return stat(path, &st) == 0 ? st.st_mode & 07777 : 0;
}

void local_survey(const struct local_node *ln)
{
    if (REMOTE(ln))
        host_survey_copy(ln);
}

/* A process whose argv[0] is pg_basebackup and whose -D is datadir: /proc here. */
static bool copies_into(const char *args, size_t len, const char *datadir)
{
    const char *end = args + len, *prog = strrchr(args, '/');
    if (strcmp(prog ? prog + 1 : args, "pg_basebackup") != 0)
        return false;
    for (const char *w = args; w < end; w += strlen(w) + 1) {
        const char *next = w + strlen(w) + 1;
        if ((strcmp(w, "-D") == 0 && next < end && strcmp(next, datadir) == 0) ||
            (strncmp(w, "-D", 2) == 0 && strcmp(w + 2, datadir) == 0) ||
            (strncmp(w, "--pgdata=", 9) == 0 && strcmp(w + 9, datadir) == 0))
            return true;
    }
    return false;
}

int local_copy_running(const struct local_node *ln, char *pids, size_t n)
{
    if (REMOTE(ln))
        return host_copy_running(ln, pids, n);
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    pids[0] = '\0';
    char path[64], args[8192];
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        str_printf(path, sizeof path, "/proc/%.20s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, args, sizeof args - 1);
        close(fd);
        if (len <= 0)
            continue;
        args[len] = '\0';
        if (copies_into(args, (size_t)len, ln->datadir) && strlen(pids) + strlen(e->d_name) + 2 < n)
            strcat(strcat(pids, pids[0] ? " " : ""), e->d_name);
    }
    closedir(d);
    return pids[0] ? 1 : 0;
}
