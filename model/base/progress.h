/* progress: where a long job (stopping a server, rebuilding a node's files) tells what it does,
 * one line at a time, without knowing who listens. An action prints "step: ..." lines and logs
 * them; the demo prints its own lines. */
#ifndef REPLTOP_PROGRESS_H
#define REPLTOP_PROGRESS_H

#include <stdarg.h>

/* tag: "step" (what starts now), "ok" (what was done), "warn" (what went wrong but not
 * fatally); text without a newline. */
struct progress {
    void (*line)(void *arg, const char *tag, const char *text);
    void *arg;
};

/* Formats one line and hands it to p (nothing when p or p->line is NULL). */
void progress_say(const struct progress *p, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void progress_vsay(const struct progress *p, const char *tag, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
