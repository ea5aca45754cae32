/* proc: running PostgreSQL's programs (pg_ctl, initdb, pg_basebackup, pg_rewind) safely.
 *
 * Never a shell: fork + execvp with an argument vector. The child's stdout and stderr share one
 * pipe whose read end is non-blocking (for the dashboard's poll() loop), stdin is /dev/null (or
 * a given text), and
 * no other descriptor of ours leaks into it. When we run as root, the child becomes the owner of
 * the data directory first: PostgreSQL refuses to run as root. */
#ifndef REPLTOP_PROC_H
#define REPLTOP_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct proc_spec {
    const char *const *argv; /* argv[0] is looked up in PATH unless it holds a '/' */
    /* NULL-terminated; "K=V" adds or replaces K in the inherited environment, a bare "K"
     * removes it (e.g. "PGPASSWORD", so that a PGPASSFILE is used). May be NULL. */
    const char *const *env;
    /* OS user to become after fork when we are root (HOME, USER and LOGNAME follow);
     * NULL, or not root: stay who we are. */
    const char *run_as;
    /* Working directory of the child; NULL keeps ours, or "/" when run_as cannot enter it. */
    const char *cwd;
    /* What the child reads on stdin (stdin_len bytes, from an anonymous memory file: a file
     * for a remote host goes this way, never in an argv); NULL: /dev/null. */
    const char *stdin_text;
    size_t stdin_len;
};

/* Starts the program. Returns its pid and, in *out_fd, the read end (non-blocking,
 * close-on-exec) of the pipe carrying its stdout and stderr; the caller reads it until EOF,
 * closes it and reaps the child (waitpid). Returns -1 with a message in err when the program
 * could not be started at all: unknown user, missing program, unusable cwd. */
pid_t proc_spawn(const struct proc_spec *spec, int *out_fd, char *err, size_t errlen);

/* Describes an exit status (128 + N: killed by signal N): "exited with status 1", "killed by signal
 * 9". */
void proc_status_text(int status, char *buf, size_t n);

/* The name of the user owning path (to run pg_ctl as the owner of a data directory). */
bool proc_owner_of(const char *path, char *user, size_t n);

/* Whether user may access path with mode (access(2) bits) — checked as that user, so every
 * directory on the way counts. Without root it can only answer for ourselves. */
bool proc_user_can_access(const char *user, const char *path, int mode);

/* The directory holding PostgreSQL's programs: configured when given; else the highest
 * /usr/lib/postgresql/<version>/bin with a pg_ctl; else the PATH entry holding pg_ctl.
 * NULL when none is found. The result lives in a static buffer (or is configured itself). */
const char *proc_pg_bindir(const char *configured);

/* Why a PostgreSQL server did not start, from what its log says after offset: a failed bind
 * (the port is taken) explains more than the FATAL that follows it. */
bool pg_log_start_failure(const char *path, long offset, char *buf, size_t n);
/* The same from a stream (a log read from another host). */
bool pg_log_failure_in(FILE *f, char *buf, size_t n);

#endif
