/* local_run: PostgreSQL's programs (pg_ctl, pg_basebackup, pg_rewind, pg_controldata) run from
 * the node's bindir as the owner of its data directory (when we are root), never through a
 * shell, with their output read line by line (progress lines, the error worth quoting); and the
 * signals that must not kill an action half-way. */
#ifndef REPLTOP_LOCAL_RUN_H
#define REPLTOP_LOCAL_RUN_H

#include "model/local/local_node.h"

#include <stdbool.h>
#include <stddef.h>

/* Called for every line (split at \n and \r) a program prints. */
typedef void (*local_line_fn)(void *ctx, const char *line);

/* Runs BINDIR/argv[0] argv[1..] (NULL-terminated) as the owner, env as in proc_spec. Returns
 * its exit status; -1 when it could not run, ran past timeout_s (0: no limit), or we were
 * interrupted (SIGINT/SIGTERM/SIGHUP: the program is stopped first). On any failure why says
 * what happened, quoting the program's last error line. */
int local_run(const struct local_node *ln, const char *const *argv, const char *const *env,
              int timeout_s, local_line_fn on_line, void *ctx, char *why, size_t whylen);

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
