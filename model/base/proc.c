/* proc: fork + execvp of PostgreSQL's programs with an argument vector, their output on a pipe,
 * optionally as another user. Everything that may allocate or read /etc (user and group lookup,
 * the environment) happens before fork; the child only makes system calls. */
#include "model/base/proc.h"
#include "model/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if __has_include(<linux/close_range.h>)
#include <linux/close_range.h>
#endif

extern char **environ;

/* Where a child failed before exec, sent back over a close-on-exec pipe. */
enum child_stage { STAGE_IO, STAGE_USER, STAGE_CHDIR, STAGE_EXEC };
struct child_error {
    int stage;
    int err;
};

/* Who the child becomes, looked up before fork. */
struct identity {
    bool active;
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    int ngroups;
    char *name, *home;
};

static bool identity_lookup(struct identity *id, const char *user, char *err, size_t errlen)
{
    memset(id, 0, sizeof *id);
    if (!user || geteuid() != 0)
        return true;
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        str_printf(err, errlen, "cannot run as user %s: %s", user,
                   errno ? strerror(errno) : "no such user");
        return false;
    }
    id->active = true;
    id->uid = pw->pw_uid;
    id->gid = pw->pw_gid;
    id->name = xstrdup(pw->pw_name);
    id->home = xstrdup(pw->pw_dir);
    int n = 32;
    id->groups = xmalloc(sizeof(gid_t) * (size_t)n);
    while (getgrouplist(id->name, id->gid, id->groups, &n) == -1) {
        n = n < 1024 ? n * 2 : n + 1024;
        id->groups = xrealloc(id->groups, sizeof(gid_t) * (size_t)n);
    }
    id->ngroups = n;
    return true;
}

static void identity_done(struct identity *id)
{
    free(id->groups);
    free(id->name);
    free(id->home);
}

/* Removes KEY (the part of entry before '=') from the vector. */
static void env_remove(char **env, int *n, const char *entry)
{
    size_t klen = strcspn(entry, "=");
    for (int i = 0; i < *n;) {
        if (strncmp(env[i], entry, klen) == 0 && env[i][klen] == '=') {
            free(env[i]);
            env[i] = env[--*n];
        } else {
            i++;
        }
    }
}

static void env_set(char ***env, int *n, int *cap, const char *entry)
{
    env_remove(*env, n, entry);
    if (!strchr(entry, '='))
        return;
    if (*n + 2 > *cap) {
        *cap = *cap * 2 + 8;
        *env = xrealloc(*env, sizeof(char *) * (size_t)*cap);
    }
    (*env)[(*n)++] = xstrdup(entry);
    (*env)[*n] = NULL;
}

/* The child's environment: ours, then the identity's HOME/USER/LOGNAME, then spec->env. */
static char **env_build(const struct proc_spec *spec, const struct identity *id)
{
    int n = 0, cap = 16;
    for (char **e = environ; e && *e; e++)
        cap++;
    char **env = xmalloc(sizeof(char *) * (size_t)cap);
    for (char **e = environ; e && *e; e++)
        if (strchr(*e, '='))
            env[n++] = xstrdup(*e);
    env[n] = NULL;
    if (id->active) {
        const char *keys[] = {"HOME", "USER", "LOGNAME"};
        const char *vals[] = {id->home, id->name, id->name};
        for (int i = 0; i < 3; i++) {
            char *entry = xasprintf("%s=%s", keys[i], vals[i]);
            env_set(&env, &n, &cap, entry);
            free(entry);
        }
    }
    for (const char *const *e = spec->env; e && *e; e++)
        env_set(&env, &n, &cap, *e);
    env[n] = NULL;
    return env;
}

static void env_free(char **env)
{
    for (char **e = env; e && *e; e++)
        free(*e);
    free(env);
}

static void child_fail(int errfd, int stage)
{
    struct child_error ce = {stage, errno};
    ssize_t r = write(errfd, &ce, sizeof ce);
    (void)r;
    _exit(127);
}

/* dup2 that also works when fd already is target (dup2 would keep its close-on-exec flag). */
static int move_fd(int fd, int target)
{
    if (fd == target)
        return fcntl(fd, F_SETFD, 0);
    return dup2(fd, target) < 0 ? -1 : 0;
}

static void mark_cloexec_from(int lowfd)
{
#ifdef CLOSE_RANGE_CLOEXEC
    if (close_range((unsigned)lowfd, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = lowfd; fd < max; fd++)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void child_exec(const struct proc_spec *spec, const struct identity *id, char **env,
                       int nullfd, int outfd, int errfd)
{
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        sigaction(s, &dfl, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, RT internals */

    if (move_fd(nullfd, 0) < 0 || move_fd(outfd, 1) < 0 || move_fd(outfd, 2) < 0)
        child_fail(errfd, STAGE_IO);
    mark_cloexec_from(3);

    if (id->active) {
        if (setgroups((size_t)id->ngroups, id->groups) < 0 || setgid(id->gid) < 0 ||
            setuid(id->uid) < 0)
            child_fail(errfd, STAGE_USER);
    }
    if (spec->cwd) {
        if (chdir(spec->cwd) < 0)
            child_fail(errfd, STAGE_CHDIR);
    } else if (id->active && access(".", X_OK) < 0) {
        /* PostgreSQL's programs fail when they cannot find their cwd (say, /root). */
        if (chdir("/") < 0)
            child_fail(errfd, STAGE_CHDIR);
    }
    environ = env;
    execvp(spec->argv[0], (char *const *)spec->argv);
    child_fail(errfd, STAGE_EXEC);
}

static void spawn_error(const struct proc_spec *spec, const struct child_error *ce, char *err,
                        size_t errlen)
{
    const char *why = strerror(ce->err);
    switch (ce->stage) {
    case STAGE_USER:
        str_printf(err, errlen, "cannot run %s as user %s: %s", spec->argv[0], spec->run_as, why);
        break;
    case STAGE_CHDIR:
        str_printf(err, errlen, "cannot run %s in %s: %s", spec->argv[0],
                   spec->cwd ? spec->cwd : "/", why);
        break;
    case STAGE_EXEC:
        str_printf(err, errlen, "cannot run %s: %s", spec->argv[0], why);
        break;
    default:
        str_printf(err, errlen, "cannot set up the output of %s: %s", spec->argv[0], why);
        break;
    }
}

/* An anonymous file in memory holding text, at offset 0: never on a disk, gone with its fd. */
static int stdin_memfd(const char *text, size_t len)
{
    int fd = memfd_create("repltop-stdin", MFD_CLOEXEC);
    size_t done = 0;
    while (fd >= 0 && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

pid_t proc_spawn(const struct proc_spec *spec, int *out_fd, char *err, size_t errlen)
{
    if (!spec || !spec->argv || !spec->argv[0]) {
        str_copy(err, errlen, "no program to run");
        return -1;
    }
    struct identity id;
    if (!identity_lookup(&id, spec->run_as, err, errlen))
        return -1;

    int out[2] = {-1, -1}, errp[2] = {-1, -1};
    int nullfd = spec->stdin_text ? stdin_memfd(spec->stdin_text, spec->stdin_len)
                                  : open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nullfd < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        str_printf(err, errlen, "cannot run %s: %s", spec->argv[0], strerror(errno));
        goto fail;
    }
    char **env = env_build(spec, &id);
    pid_t pid = fork();
    if (pid == 0)
        child_exec(spec, &id, env, nullfd, out[1], errp[1]);
    int fork_errno = errno;
    env_free(env);
    if (pid < 0) {
        str_printf(err, errlen, "cannot run %s: fork: %s", spec->argv[0], strerror(fork_errno));
        goto fail;
    }
    close(out[1]);
    close(errp[1]);
    close(nullfd);
    out[1] = errp[1] = nullfd = -1;

    /* EOF here means exec succeeded (the pipe is close-on-exec); a record means it did not. */
    struct child_error ce;
    size_t got = 0;
    while (got < sizeof ce) {
        ssize_t r = read(errp[0], (char *)&ce + got, sizeof ce - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(errp[0]);
    errp[0] = -1;
    if (got == sizeof ce) {
        spawn_error(spec, &ce, err, errlen);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        goto fail;
    }
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    *out_fd = out[0];
    identity_done(&id);
    return pid;

fail:
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    if (nullfd >= 0)
        close(nullfd);
    identity_done(&id);
    return -1;
}

void proc_status_text(int status, char *buf, size_t n)
{
    if (status > 128)
        str_printf(buf, n, "killed by signal %d", status - 128);
    else
        str_printf(buf, n, "exited with status %d", status);
}

bool proc_owner_of(const char *path, char *user, size_t n)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    struct passwd *pw = getpwuid(st.st_uid);
    if (!pw)
        return false;
    str_copy(user, n, pw->pw_name);
    return true;
}

bool proc_user_can_access(const char *user, const char *path, int mode)
{
    if (geteuid() != 0)
        return access(path, mode) == 0;
    struct identity id;
    char err[256];
    if (!identity_lookup(&id, user, err, sizeof err))
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups((size_t)id.ngroups, id.groups) < 0 || setgid(id.gid) < 0 ||
            setuid(id.uid) < 0)
            _exit(2);
        _exit(access(path, mode) == 0 ? 0 : 1);
    }
    identity_done(&id);
    if (pid < 0)
        return false;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool has_pg_ctl(const char *dir)
{
    char path[PATH_MAX];
    str_printf(path, sizeof path, "%s/pg_ctl", dir);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* "15" -> 15000, "9.6" -> 9006; -1 for names that are not versions. */
static long version_rank(const char *name)
{
    char *end;
    long major = strtol(name, &end, 10);
    if (end == name || major < 0)
        return -1;
    long minor = 0;
    if (*end == '.') {
        const char *m = end + 1;
        minor = strtol(m, &end, 10);
        if (end == m)
            return -1;
    }
    return *end ? -1 : major * 1000 + minor;
}

const char *proc_pg_bindir(const char *configured)
{
    static char found[PATH_MAX];
    if (!str_empty(configured))
        return configured;

    long best = -1;
    DIR *d = opendir("/usr/lib/postgresql");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            long rank = version_rank(e->d_name);
            char dir[PATH_MAX];
            str_printf(dir, sizeof dir, "/usr/lib/postgresql/%s/bin", e->d_name);
            if (rank > best && has_pg_ctl(dir)) {
                best = rank;
                str_copy(found, sizeof found, dir);
            }
        }
        closedir(d);
    }
    if (best >= 0)
        return found;

    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        if (len > 0 && len < sizeof found) {
            memcpy(found, path, len);
            found[len] = '\0';
            if (has_pg_ctl(found))
                return found;
        }
        path += len;
        if (*path == ':')
            path++;
    }
    return NULL;
}

/* Why a server did not start, from what it logged since offset: a failed bind (the port is
 * taken) explains more than the FATAL that follows it. */
bool pg_log_start_failure(const char *path, long offset, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    if (fseek(f, offset, SEEK_SET) != 0)
        rewind(f);
    bool found = pg_log_failure_in(f, buf, n);
    fclose(f);
    return found;
}

bool pg_log_failure_in(FILE *f, char *buf, size_t n)
{
    char line[1024], fatal[1024] = "", bind[1024] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        const char *m;
        if ((m = strstr(line, "FATAL:  ")) || (m = strstr(line, "PANIC:  ")))
            str_copy(fatal, sizeof fatal, m + 8);
        else if ((m = strstr(line, "LOG:  could not bind")))
            str_copy(bind, sizeof bind, m + 6);
    }
    str_copy(buf, n, bind[0] ? bind : fatal);
    return buf[0] != '\0';
}
