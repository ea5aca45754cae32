/* util: the few helpers every module needs. Allocation failure aborts here, once. */
#include "model/base/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void out_of_memory(void)
{
    fputs("repltop: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        out_of_memory();
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0)
        out_of_memory();
    char *buf = xmalloc((size_t)len + 1);
    if ((size_t)len < sizeof small) {
        memcpy(buf, small, (size_t)len + 1);
        return buf;
    }
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return buf;
}

void str_copy(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return;
    if (!src)
        src = "";
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

void str_printf(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

bool str_eq_nocase(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

bool str_empty(const char *s)
{
    return !s || !*s;
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double clock_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int timeout_min(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

int timeout_until(int64_t when_ms, int64_t now_ms)
{
    return when_ms <= now_ms ? 0 : when_ms - now_ms > 60000 ? 60000 : (int)(when_ms - now_ms);
}

void time_iso8601(double t, char *buf, size_t n)
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void format_bytes(int64_t bytes, char *buf, size_t n)
{
    static const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    const char *sign = bytes < 0 ? "-" : "";
    double v = bytes < 0 ? -(double)bytes : (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        str_printf(buf, n, "%s%.0f %s", sign, v, units[u]);
    else if (v < 10)
        str_printf(buf, n, "%s%.1f %s", sign, v, units[u]);
    else
        str_printf(buf, n, "%s%.0f %s", sign, v, units[u]);
}

bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}
