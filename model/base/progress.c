/* progress: one formatted line to whoever listens. */
#include "model/base/progress.h"

#include <stdarg.h>
#include <stdio.h>

void progress_say(const struct progress *p, const char *tag, const char *fmt, ...)
{
    if (!p || !p->line)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    p->line(p->arg, tag, text);
}
