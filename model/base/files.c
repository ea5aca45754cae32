/* files: atomic file replacement, mkdir -p, the state directory. */
#include "model/base/files.h"
#include "model/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory of path ("." when it has none), and its last component. */
static const char *split_path(const char *path, char *dir, size_t n)
{
    str_copy(dir, n, path);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        str_copy(dir, n, ".");
        return path;
    }
    if (slash == dir)
        slash[1] = '\0'; /* "/name": the directory is "/" */
    else
        *slash = '\0';
    return strrchr(path, '/') + 1;
}

bool file_write_temp(const char *path, const char *text, size_t len, mode_t mode,
                     struct file_owner owner, char *tmp, size_t tmplen, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    const char *base = split_path(path, dir, sizeof dir);
    /* O_EXCL | O_NOFOLLOW: a new file, never one planted there (a link to a file of root's that
     * we would chown); 0600 until it has its own mode */
    static unsigned counter;
    int fd = -1;
    errno = EEXIST;
    for (int i = 0; i < 100 && fd < 0 && errno == EEXIST; i++) {
        str_printf(tmp, tmplen, "%s%s.%s.repltop-%ld-%u-%lld", dir,
                   strcmp(dir, "/") == 0 ? "" : "/", base, (long)getpid(), counter++,
                   (long long)(clock_mono_ms() % 1000000));
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        str_printf(err, errlen, "cannot create a temporary file beside %s: %s", path,
                   strerror(errno));
        return false;
    }
    bool ok = true;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    struct stat now;
    bool same_owner = (owner.uid == (uid_t)-1 && owner.gid == (gid_t)-1) ||
                      (fstat(fd, &now) == 0 && now.st_uid == owner.uid && now.st_gid == owner.gid);
    ok = ok && (same_owner || fchown(fd, owner.uid, owner.gid) == 0) &&
         fchmod(fd, mode & 07777) == 0 && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        str_printf(err, errlen, "cannot write %s: %s", path, strerror(saved));
        unlink(tmp);
    }
    return ok;
}

bool file_commit(const char *tmp, const char *path, char *err, size_t errlen)
{
    if (rename(tmp, path) != 0) {
        str_printf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    char dir[PATH_MAX];
    split_path(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the rename itself survives a crash */
        close(dfd);
    }
    return true;
}

bool file_write_atomic(const char *path, const char *text, mode_t mode, struct file_owner owner,
                       char *err, size_t errlen)
{
    char tmp[PATH_MAX + 32];
    return file_write_temp(path, text, strlen(text), mode, owner, tmp, sizeof tmp, err, errlen) &&
           file_commit(tmp, path, err, errlen);
}

FILE *file_open_read(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    struct stat st;
    if (!f) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        str_printf(err, errlen, "%s: is a directory", path);
        fclose(f);
        return NULL;
    }
    return f;
}

bool mkdir_p(const char *path, mode_t mode, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    str_copy(tmp, sizeof tmp, path);
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(tmp, mode) < 0 && errno != EEXIST) {
            str_printf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
            return false;
        }
        if (stat(tmp, &st) < 0 || !S_ISDIR(st.st_mode)) {
            str_printf(err, errlen, "%s is not a directory", tmp);
            return false;
        }
        *p = c;
        if (c == '\0' || p[1] == '\0')
            return true;
    }
}

void state_dir_path(char *buf, size_t n)
{
    const char *state = getenv("XDG_STATE_HOME");
    if (!str_empty(state)) {
        str_printf(buf, n, "%s/repltop", state);
        return;
    }
    const char *home = getenv("HOME");
    if (str_empty(home)) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/tmp";
    }
    str_printf(buf, n, "%s/.local/state/repltop", home);
}
