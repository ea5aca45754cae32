/* host_ssh: the ssh way to a node's host — the user's own OpenSSH client, BatchMode (it never
 * asks for anything, so an unknown or changed host key is refused, never accepted), its own
 * config, keys and known_hosts untouched; one master connection per host under
 * $XDG_RUNTIME_DIR/repltop, so an action pays for one handshake. The command is one string of
 * single-quoted words (shquote.h) that the remote login shell splits back into argv. */
#include "model/local/host.h"
#include "model/base/files.h"
#include "model/base/proc.h"
#include "model/base/shquote.h"
#include "model/base/util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SSH_MAX_ARGS 64

/* $XDG_RUNTIME_DIR/repltop (0700), where the master connections' sockets live, made when
 * create; false: none. */
static bool control_dir(char *out, size_t n, bool create)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (!rt || rt[0] != '/')
        return false;
    str_printf(out, n, "%s/repltop", rt);
    char err[300];
    struct stat st;
    if ((create && !mkdir_p(out, 0700, err, sizeof err)) || lstat(out, &st) != 0 ||
        !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
        return false; /* not ours alone: no sockets there */
    return true;
}

/* ssh's options: ours that must hold first (the first value of an option wins in ssh), the
 * user's, then our defaults the user may have set otherwise. */
static int base_args(const struct host *h, char **args, char *opts_copy)
{
    int n = 0;
    args[n++] = xstrdup("ssh");
    args[n++] = xstrdup("-o");
    args[n++] = xstrdup("BatchMode=yes"); /* never a prompt: a password, a new host key */
    args[n++] = xstrdup("-T");
    for (char *save, *w = opts_copy ? strtok_r(opts_copy, " \t", &save) : NULL;
         w && n < SSH_MAX_ARGS - 16; w = strtok_r(NULL, " \t", &save))
        args[n++] = xstrdup(w);
    args[n++] = xstrdup("-o");
    args[n++] = xstrdup("ConnectTimeout=10");
    args[n++] = xstrdup("-o");
    args[n++] = xstrdup("ServerAliveInterval=5"); /* a cut link ends the command in ~15 s */
    args[n++] = xstrdup("-o");
    args[n++] = xstrdup("ServerAliveCountMax=3");
    char dir[PATH_MAX];
    if (control_dir(dir, sizeof dir - 8, true)) {
        args[n++] = xstrdup("-o");
        args[n++] = xstrdup("ControlMaster=auto");
        args[n++] = xstrdup("-o");
        args[n++] = xasprintf("ControlPath=%s/%%C", dir);
        args[n++] = xstrdup("-o");
        args[n++] = xstrdup("ControlPersist=30");
    }
    (void)h;
    return n;
}

/* The destinations this process ran commands on: only their masters are ended (an `ssh -O
 * exit` for each other node would cost a process each at the end of every action). */
static char *used[64];
static int nused;

static bool was_used(const char *dest)
{
    for (int i = 0; i < nused; i++)
        if (strcmp(used[i], dest) == 0)
            return true;
    return false;
}

static char **ssh_command(const struct host *h, const char *const *argv)
{
    if (!was_used(h->dest) && nused < (int)(sizeof used / sizeof used[0]))
        used[nused++] = xstrdup(h->dest);
    char **args = xcalloc(SSH_MAX_ARGS + 4, sizeof *args);
    char *opts = h->options ? xstrdup(h->options) : NULL;
    int n = base_args(h, args, opts);
    free(opts);
    args[n++] = xstrdup("--");
    args[n++] = xstrdup(h->dest);
    args[n++] = sh_join(argv);
    args[n] = NULL;
    return args;
}

static bool ssh_failed(const struct host *h, int status, const char *said, char *why, size_t n)
{
    if (status != 255)
        return false;
    const char *forward = "";
    if (strstr(said, "Host key verification failed") || strstr(said, "HOST IDENTIFICATION") ||
        strstr(said, "host key"))
        forward = ": repltop never accepts a host key by itself; check the host's key, then "
                  "add it to known_hosts (ssh-keyscan, ssh-keygen -R) or fix ssh_options";
    else if (strstr(said, "Permission denied"))
        forward = ": ssh must log in without asking (a key or an agent, BatchMode)";
    str_printf(why, n, "ssh %s failed: %s%s", h->dest, said[0] ? said : "exit status 255", forward);
    return true;
}

static void ssh_close(const struct host *h)
{
    char dir[PATH_MAX];
    if (nused == (int)(sizeof used / sizeof used[0]))
        nused = 0; /* more than it remembers: every one is ended */
    else if (!was_used(h->dest))
        return;
    if (!control_dir(dir, sizeof dir - 8, false)) /* gone: no master to end, none to make */
        return;
    char **args = xcalloc(SSH_MAX_ARGS + 4, sizeof *args);
    char *opts = h->options ? xstrdup(h->options) : NULL;
    int n = base_args(h, args, opts);
    free(opts);
    args[n++] = xstrdup("-O");
    args[n++] = xstrdup("exit");
    args[n++] = xstrdup("--");
    args[n++] = xstrdup(h->dest);
    args[n] = NULL;
    struct proc_spec spec = {(const char *const *)args, NULL, NULL, NULL, NULL, 0};
    char err[200];
    int fd;
    pid_t pid = proc_spawn(&spec, &fd, err, sizeof err);
    if (pid > 0) {
        close(fd);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    host_argv_free(args);
}

static const struct host_way ssh_way = {
    .kind = "ssh", .command = ssh_command, .failed = ssh_failed, .close = ssh_close};

const struct host_way *host_ssh_way(void)
{
    return &ssh_way;
}

bool host_remote(const struct host *h)
{
    return h && h->way;
}

void host_close(const struct host *h)
{
    if (host_remote(h) && h->way->close)
        h->way->close(h);
}

void host_argv_free(char **argv)
{
    for (int i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}
