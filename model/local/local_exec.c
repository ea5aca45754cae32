/* local_exec: a program run with its output read line by line, stopped at a deadline or a
 * signal; and the signals caught while an action runs. */
#include "model/local/local_exec.h"
#include "model/base/proc.h"
#include "model/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ----- signals ----- */

/* A count, so that the clean-up after an interruption (moving a directory back, restarting
 * the server) still runs its programs, and only a further signal stops those too. */
static volatile sig_atomic_t got_signal, signal_count;
static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NCAUGHT (int)(sizeof caught_signals / sizeof caught_signals[0])
static struct sigaction saved_actions[NCAUGHT];
static bool signals_caught;

static void on_signal(int sig)
{
    got_signal = sig;
    signal_count++;
}

bool local_signals_catch(void)
{
    if (signals_caught)
        return false;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a wait returns early */
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NCAUGHT; i++)
        sigaction(caught_signals[i], &sa, &saved_actions[i]);
    signals_caught = true;
    return true;
}

void local_signals_restore(void)
{
    if (!signals_caught)
        return;
    for (int i = 0; i < NCAUGHT; i++)
        sigaction(caught_signals[i], &saved_actions[i], NULL);
    signals_caught = false;
}

bool local_interrupted(void)
{
    return signal_count != 0;
}

int local_signals_count(void)
{
    return signal_count;
}

/* ----- running programs ----- */

struct run_state {
    local_line_fn on_line;
    void *ctx;
    char partial[4096];
    size_t plen;
    char first_error[512], last_error[512], last_line[512];
    char first_fatal[512]; /* a server's FATAL/PANIC (pg_rewind's crash recovery) */
    struct text_buf *raw;  /* every byte as it came, when the caller wants them */
};

static void take_line(struct run_state *rs, const char *line)
{
    if (!line[0])
        return;
    /* a server's own FATAL or PANIC (pg_rewind runs one for crash recovery) says more than
     * the program's last words about it */
    const char *fatal = strstr(line, "FATAL:");
    if (!fatal)
        fatal = strstr(line, "PANIC:");
    if (fatal && !rs->first_fatal[0])
        str_copy(rs->first_fatal, sizeof rs->first_fatal, fatal);
    if (strstr(line, "error:") || fatal) {
        if (!rs->first_error[0])
            str_copy(rs->first_error, sizeof rs->first_error, line);
        str_copy(rs->last_error, sizeof rs->last_error, line);
    }
    str_copy(rs->last_line, sizeof rs->last_line, line);
    if (rs->on_line)
        rs->on_line(rs->ctx, line);
}

static void feed(struct run_state *rs, const char *buf, size_t n)
{
    if (rs->raw) {
        if (rs->raw->len + n + 1 > rs->raw->cap) {
            rs->raw->cap = (rs->raw->len + n + 1) * 2;
            rs->raw->text = xrealloc(rs->raw->text, rs->raw->cap);
        }
        memcpy(rs->raw->text + rs->raw->len, buf, n);
        rs->raw->len += n;
        rs->raw->text[rs->raw->len] = '\0';
    }
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c == '\n' || c == '\r' || rs->plen + 1 >= sizeof rs->partial) {
            if (c != '\n' && c != '\r')
                rs->partial[rs->plen++] = c;
            rs->partial[rs->plen] = '\0';
            take_line(rs, rs->partial);
            rs->plen = 0;
        } else {
            rs->partial[rs->plen++] = c;
        }
    }
}

/* Reads what is there; false at EOF or on a hard error. */
static bool drain(int fd, struct run_state *rs)
{
    char chunk[8192];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        if (r == 0)
            return false;
        feed(rs, chunk, (size_t)r);
    }
}

/* A descriptor that polls readable once pid exits (Linux 5.3); -1 where there is none. */
static int child_fd(pid_t pid)
{
#ifdef SYS_pidfd_open
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#else
    (void)pid;
    return -1;
#endif
}

static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int64_t until = clock_mono_ms() + 5000; clock_mono_ms() < until;) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        poll(NULL, 0, 50);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

int local_run_spec(const struct proc_spec *spec, const char *name, int timeout_s,
                   local_line_fn on_line, void *ctx, struct text_buf *raw, char *why, size_t whylen)
{
    int signals_before = signal_count;
    int fd;
    pid_t pid = proc_spawn(spec, &fd, why, whylen);
    if (pid < 0)
        return -1;

    struct run_state *rs = xcalloc(1, sizeof *rs);
    rs->on_line = on_line;
    rs->ctx = ctx;
    rs->raw = raw;
    int64_t deadline = timeout_s > 0 ? clock_mono_ms() + (int64_t)timeout_s * 1000 : 0;
    bool open_pipe = true;
    int status = 0, result = -1, idle_ms = 1;
    /* its exit wakes the poll below: without it, the pipe's EOF came a moment before the child
     * could be reaped, and every short program (each command over ssh) waited 50 ms more */
    int pidfd = child_fd(pid);
    for (;;) {
        if (signal_count != signals_before) {
            stop_child(pid);
            str_printf(why, whylen, "%s was interrupted (signal %d) and stopped", name,
                       (int)got_signal);
            break;
        }
        if (deadline && clock_mono_ms() > deadline) {
            stop_child(pid);
            str_printf(why, whylen, "%s did not finish within %d s and was stopped", name,
                       timeout_s);
            break;
        }
        struct pollfd p[2] = {{.fd = open_pipe ? fd : -1, .events = POLLIN},
                              {.fd = pidfd, .events = POLLIN}};
        if (open_pipe || pidfd >= 0) {
            if (poll(p, 2, 200) > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                open_pipe = drain(fd, rs);
        } else {
            poll(NULL, 0, idle_ms); /* no pidfd: short looks first, then every 50 ms */
            idle_ms = idle_ms < 50 ? idle_ms * 2 : 50;
        }
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) {
            if (open_pipe)
                drain(fd, rs); /* a server it started may keep the pipe: no wait for EOF */
            rs->partial[rs->plen] = '\0';
            take_line(rs, rs->partial);
            if (r < 0)
                result = 255;
            else
                result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
    }
    close(fd);
    if (pidfd >= 0)
        close(pidfd);
    if (result > 0) {
        char st[64];
        proc_status_text(result, st, sizeof st);
        /* the first error is the cause (pg_basebackup: "No space left on device"); a later
         * one is often its consequence ("background process terminated unexpectedly") */
        const char *said = rs->first_error[0] ? rs->first_error : rs->last_line;
        bool then = rs->last_error[0] && strcmp(rs->last_error, said) != 0;
        bool more = rs->first_fatal[0] && !strstr(said, rs->first_fatal) &&
                    !(then && strstr(rs->last_error, rs->first_fatal));
        char tail[1100];
        str_printf(tail, sizeof tail, "%s%s%s%s%s%s", then ? " (then: " : "",
                   then ? rs->last_error : "", then ? ")" : "", more ? " (" : "",
                   more ? rs->first_fatal : "", more ? ")" : "");
        str_printf(why, whylen, "%s %s%s%s%s", name, st, said[0] ? ": " : "", said, tail);
    }
    free(rs);
    return result;
}
