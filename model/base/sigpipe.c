/* sigpipe: the self-pipe for signals (see sigpipe.h). */
#include "model/base/sigpipe.h"
#include "model/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define MAX_CAUGHT 16

static int pipe_fds[2] = {-1, -1};
static int caught[MAX_CAUGHT];
static int ncaught;

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (write(pipe_fds[1], &b, 1) < 0) {
        /* the pipe is full: the loop has enough to wake up for */
    }
    errno = saved;
}

bool sigpipe_open(const int *sigs, int n, char *err, size_t errlen)
{
    if (pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        str_printf(err, errlen, "pipe: %s", strerror(errno));
        return false;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ncaught = n < MAX_CAUGHT ? n : MAX_CAUGHT;
    for (int i = 0; i < ncaught; i++) {
        caught[i] = sigs[i];
        sigaction(sigs[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    return true;
}

int sigpipe_fd(void)
{
    return pipe_fds[0];
}

int sigpipe_next(void)
{
    unsigned char b;
    if (pipe_fds[0] < 0 || read(pipe_fds[0], &b, 1) != 1)
        return 0;
    return b;
}

void sigpipe_close(void)
{
    for (int i = 0; i < ncaught; i++)
        signal(caught[i], SIG_DFL);
    ncaught = 0;
    for (int i = 0; i < 2; i++) {
        if (pipe_fds[i] >= 0)
            close(pipe_fds[i]);
        pipe_fds[i] = -1;
    }
}
