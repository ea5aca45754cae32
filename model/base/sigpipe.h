/* sigpipe: signals turned into bytes on a pipe, so that one poll() loop waits for them with
 * everything else (the dashboard's and serve's). The handler only writes a byte, which is
 * async-signal-safe; the loop reads them back with sigpipe_next() and acts outside the handler.
 * One per process: the handler has nowhere else to find the pipe. */
#ifndef REPLTOP_SIGPIPE_H
#define REPLTOP_SIGPIPE_H

#include <stdbool.h>
#include <stddef.h>

/* Catches the n signals of sigs (no SA_RESTART: a poll() under way returns) and ignores
 * SIGPIPE (a client or a child that went away is an error return, not a death). False with the
 * reason in err when the pipe cannot be made. */
bool sigpipe_open(const int *sigs, int n, char *err, size_t errlen);
/* The pipe's end to poll for POLLIN; -1 when not open. */
int sigpipe_fd(void);
/* The next signal that came, 0 when none is waiting. */
int sigpipe_next(void);
/* Gives the signals of sigpipe_open back their default handling and closes the pipe. */
void sigpipe_close(void);

#endif
