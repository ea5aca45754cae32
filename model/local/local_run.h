/* local_run: PostgreSQL's programs (pg_ctl, pg_basebackup, pg_rewind, pg_controldata) run from
 * the node's bindir as the owner of its data directory (when we are root), never through a
 * shell, with their output read line by line (progress lines, the error worth quoting) — on
 * this host, or on the node's host through its way (host.h). The loop and the signals are
 * local_exec's. */
#ifndef REPLTOP_LOCAL_RUN_H
#define REPLTOP_LOCAL_RUN_H

#include "model/local/local_exec.h"
#include "model/local/local_node.h"

#include <stdbool.h>
#include <stddef.h>

/* Runs BINDIR/argv[0] argv[1..] (NULL-terminated) as the owner, env as in proc_spec. Returns
 * its exit status; -1 when it could not run, ran past timeout_s (0: no limit), or we were
 * interrupted (SIGINT/SIGTERM/SIGHUP: the program is stopped first). On any failure why says
 * what happened, quoting the program's last error line. */
int local_run(const struct local_node *ln, const char *const *argv, const char *const *env,
              int timeout_s, local_line_fn on_line, void *ctx, char *why, size_t whylen);

#endif
