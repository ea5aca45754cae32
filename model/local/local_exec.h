/* local_exec: running a program (PostgreSQL's, or the ssh client) never through a shell, its
 * output read line by line (progress lines, the error worth quoting), stopped at a deadline;
 * and the signals that must not kill an action half-way. */
#ifndef REPLTOP_LOCAL_EXEC_H
#define REPLTOP_LOCAL_EXEC_H

#include "model/base/proc.h"

#include <stdbool.h>
#include <stddef.h>

/* Called for every line (split at \n and \r) a program prints. */
typedef void (*local_line_fn)(void *ctx, const char *line);

/* Everything a program printed, byte for byte (text NUL-terminated; free text). */
struct text_buf {
    char *text;
    size_t len, cap;
};
/* The loop under local_run, for any program (the ssh client too): spec as proc_spawn takes it,
 * name for the messages; raw, when not NULL, also gets every byte. */
int local_run_spec(const struct proc_spec *spec, const char *name, int timeout_s,
                   local_line_fn on_line, void *ctx, struct text_buf *raw, char *why,
                   size_t whylen);

/* Signals that would kill us mid-way (leaving a directory moved aside) only set a flag
 * while an action runs; a program that runs when one arrives is stopped and fails. Catch returns
 * false when they were caught already (then the outer caller restores them). */
bool local_signals_catch(void);
void local_signals_restore(void);
bool local_interrupted(void);
/* How many signals were caught so far: a wait that began at one count stops when it changes
 * (the clean-up after an interruption still runs, and only a further signal stops it). */
int local_signals_count(void);

#endif
