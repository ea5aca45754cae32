/* util: allocation that aborts on failure, bounded string copies, clocks. */
#ifndef REPLTOP_UTIL_H
#define REPLTOP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copies src into dst (size n), always NUL-terminated; NULL src gives "". */
void str_copy(char *dst, size_t n, const char *src);
/* Like snprintf but never warns about truncation. */
void str_printf(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool str_eq_nocase(const char *a, const char *b);
bool str_empty(const char *s);
/* Whether a directory exists and has no entry but . and .. (false when it cannot be read). */
bool dir_is_empty(const char *path);

/* Monotonic milliseconds, for deadlines. */
int64_t clock_mono_ms(void);
/* Wall-clock seconds since the epoch with sub-second precision. */
double clock_wall(void);
/* The smaller of two poll() timeouts in milliseconds, -1 meaning none. */
int timeout_min(int a, int b);
/* A poll() timeout until a monotonic time: 0 when past, at most 60 s. */
int timeout_until(int64_t when_ms, int64_t now_ms);
/* ISO 8601 UTC ("2026-11-29T07:18:02Z") of a wall-clock time. */
void time_iso8601(double t, char *buf, size_t n);

/* Human-readable byte count ("19 MB", "643 kB", "12 B"). */
void format_bytes(int64_t bytes, char *buf, size_t n);

#endif
