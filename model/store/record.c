/* record: recordings (NDJSON) and exports. */
#include "model/store/record.h"
#include "model/store/json.h"
#include "model/base/files.h"
#include "model/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct recorder {
    int fd;
    char *path;
};

/* Writes all of buf; false with errno set. */
static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

struct recorder *recorder_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct recorder *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->path = xstrdup(path);
    return r;
}

bool recorder_write(struct recorder *r, const struct snapshot *s, char *err, size_t errlen)
{
    char *json = snapshot_to_json(s, false);
    size_t len = strlen(json);
    json = xrealloc(json, len + 2);
    json[len++] = '\n';
    json[len] = '\0';
    /* one write() per line: an O_APPEND write lands whole, so a reader never sees half */
    bool ok = write_all(r->fd, json, len);
    if (!ok)
        str_printf(err, errlen, "%s: %s", r->path, strerror(errno));
    free(json);
    return ok;
}

bool recorder_rotate(struct recorder *r, long long max_bytes, char *err, size_t errlen)
{
    struct stat st;
    if (max_bytes <= 0 || fstat(r->fd, &st) != 0 || st.st_size < max_bytes)
        return true;
    char *old = xasprintf("%s.1", r->path);
    bool ok = rename(r->path, old) == 0;
    free(old);
    int fd = ok ? open(r->path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
    if (fd < 0) {
        str_printf(err, errlen, "%s: cannot rotate: %s", r->path, strerror(errno));
        return false;
    }
    close(r->fd);
    r->fd = fd;
    return true;
}

void recorder_close(struct recorder *r)
{
    if (!r)
        return;
    close(r->fd);
    free(r->path);
    free(r);
}

const char *recorder_path(const struct recorder *r)
{
    return r->path;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = file_open_read(path, err, errlen);
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = xmalloc(cap);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        str_printf(err, errlen, "%s: read error", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

struct recording *recording_load(const char *path, recording_warn_fn warn, void *arg, char *err,
                                 size_t errlen)
{
    size_t len;
    char *buf = read_file(path, &len, err, errlen);
    if (!buf)
        return NULL;
    struct recording *r = xcalloc(1, sizeof *r);
    r->path = xstrdup(path);
    r->buf = buf;
    r->len = len;
    int cap = 0, lineno = 0, first_bad = 0;
    char first_why[256] = "";
    char *p = buf;
    while (p < buf + len) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (nl)
            *nl = '\0';
        lineno++;
        char *line = p;
        p = nl ? nl + 1 : buf + len;
        while (*line == ' ' || *line == '\t' || *line == '\r')
            line++;
        if (!*line)
            continue;
        char why[256];
        struct snapshot *s = snapshot_from_json(line, why, sizeof why);
        if (!s) {
            if (r->skipped++ == 0) {
                first_bad = lineno;
                str_copy(first_why, sizeof first_why, why);
            }
            if (warn) {
                char msg[PATH_MAX + 300];
                str_printf(msg, sizeof msg, "%s:%d: %s (line skipped)", path, lineno, why);
                warn(arg, msg);
            }
            continue;
        }
        if (r->nframes == cap) {
            cap = cap ? cap * 2 : 256;
            r->frames = xrealloc(r->frames, (size_t)cap * sizeof *r->frames);
        }
        r->frames[r->nframes++] = (struct frame){(size_t)(line - buf), lineno, s->taken_at};
        snapshot_free(s);
    }
    if (r->nframes == 0) {
        if (r->skipped == 0)
            str_printf(err, errlen, "%s: no snapshot in this file (it is empty)", path);
        else
            str_printf(err, errlen,
                       "%s: no snapshot in this file (%d malformed line(s); the first, line %d: "
                       "%s)",
                       path, r->skipped, first_bad, first_why);
        recording_free(r);
        return NULL;
    }
    return r;
}

void recording_free(struct recording *r)
{
    if (!r)
        return;
    free(r->path);
    free(r->buf);
    free(r->frames);
    free(r);
}

struct snapshot *recording_frame(const struct recording *r, int i, char *err, size_t errlen)
{
    if (i < 0 || i >= r->nframes) {
        str_printf(err, errlen, "no frame %d", i + 1);
        return NULL;
    }
    char why[256];
    struct snapshot *s = snapshot_from_json(r->buf + r->frames[i].offset, why, sizeof why);
    if (!s)
        str_printf(err, errlen, "%s:%d: %s", r->path, r->frames[i].line, why);
    return s;
}

bool snapshot_export(const struct snapshot *s, const char *dir, char *path, size_t pathlen,
                     char *err, size_t errlen)
{
    char *json = snapshot_to_json(s, true);
    bool ok = json_export(json, s->taken_at, dir, path, pathlen, err, errlen);
    free(json);
    return ok;
}

bool json_export(const char *json, double taken_at, const char *dir, char *path, size_t pathlen,
                 char *err, size_t errlen)
{
    char absdir[PATH_MAX];
    if (!realpath(dir && *dir ? dir : ".", absdir)) {
        str_printf(err, errlen, "%s: %s", dir && *dir ? dir : ".", strerror(errno));
        return false;
    }
    time_t t = (time_t)(taken_at > 0 ? taken_at : (double)time(NULL));
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    int fd = -1;
    for (int n = 1; n < 100 && fd < 0; n++) {
        if (n == 1)
            str_printf(path, pathlen, "%s/repltop-%s.json", absdir, stamp);
        else
            str_printf(path, pathlen, "%s/repltop-%s-%d.json", absdir, stamp, n);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) {
            str_printf(err, errlen, "%s: %s", path, strerror(errno));
            return false;
        }
    }
    if (fd < 0) {
        str_printf(err, errlen, "%s: too many exports in one second", absdir);
        return false;
    }
    bool ok = write_all(fd, json, strlen(json)) && write_all(fd, "\n", 1);
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(path);
        return false;
    }
    return true;
}
