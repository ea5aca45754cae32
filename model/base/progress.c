/* progress: one formatted line to whoever listens. */
#include "model/base/progress.h"

#include <stdarg.h>
#include <stdio.h>

void progress_vsay(const struct progress *p, const char *tag, const char *fmt, va_list ap)
{
    if (!p || !p->line)
        return;
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    p->line(p->arg, tag, text);
}

void progress_say(const struct progress *p, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    progress_vsay(p, tag, fmt, ap);
    va_end(ap);
}
