/* local_server: a local node's server — pg_ctl status, stop and start, pg_controldata, and what
 * the server log says. */
#include "model/local/local_server.h"
#include "model/local/local_run.h"
#include "model/base/proc.h"
#include "model/base/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LEFTOVER_WAIT_MS 15000

static long pid_file_pid(const char *datadir)
{
    char path[PATH_MAX + 32];
    str_printf(path, sizeof path, "%s/postmaster.pid", datadir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

/* A SIGKILLed postmaster stays a zombie until its parent reaps it; pg_ctl takes it for alive. */
static bool postmaster_is_zombie(const char *datadir)
{
    long pid = pid_file_pid(datadir);
    char path[64], buf[512];
    str_printf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = pid > 0 ? fopen(path, "r") : NULL;
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* What pg_ctl status checks (the pid file's process exists), without starting a process:
 * as root that is runuser and PAM, about 50 ms a call. */
bool local_running(const struct local_node *ln)
{
    if (host_remote(&ln->host))
        return host_server_running(ln);
    long pid = pid_file_pid(ln->datadir);
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM) &&
           !postmaster_is_zombie(ln->datadir);
}

/* Line 8 of postmaster.pid: "starting", "ready", "standby" or "stopping" ("" when absent). */
static void pid_file_status(const char *datadir, char *out, size_t n)
{
    char path[PATH_MAX + 32], line[64];
    str_printf(path, sizeof path, "%s/postmaster.pid", datadir);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    for (int i = 1; f && fgets(line, sizeof line, f); i++)
        if (i == 8) {
            line[strcspn(line, " \n")] = '\0';
            str_copy(out, n, line);
            break;
        }
    if (f)
        fclose(f);
}

/* Processes whose working directory is the data directory: a postmaster's children. */
static int busy_pids(const char *datadir, char *list, size_t n)
{
    char real[PATH_MAX];
    if (!realpath(datadir, real))
        return 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int count = 0;
    size_t used = 0;
    list[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char link[300], cwd[PATH_MAX];
        str_printf(link, sizeof link, "/proc/%s/cwd", e->d_name);
        ssize_t r = readlink(link, cwd, sizeof cwd - 1);
        if (r <= 0)
            continue;
        cwd[r] = '\0';
        if (strcmp(cwd, real) != 0)
            continue;
        count++;
        if (used + strlen(e->d_name) + 2 < n) {
            used += (size_t)snprintf(list + used, n - used, "%s%s", used ? " " : "", e->d_name);
        }
    }
    closedir(d);
    return count;
}

/* The command that starts or stops the server, NULL-terminated in args (pg_ctlcluster and
 * systemctl by absolute path), and its text for the progress line. */
static void service_argv(const struct local_node *ln, bool start, const char **args, size_t nargs,
                         char *text, size_t textlen)
{
    const struct local_service *svc = &ln->svc;
    size_t n = 0;
    if (nargs < 9)
        return;
    if (svc->kind == SVC_SYSTEMD) {
        args[n++] = "/usr/bin/systemctl"; /* PATH is not searched: no shell, no surprise */
        args[n++] = start ? "start" : "stop";
        args[n++] = svc->unit;
        str_printf(text, textlen, "systemctl %s %s", args[1], svc->unit);
    } else if (svc->kind == SVC_PG_CTLCLUSTER) {
        args[n++] = "/usr/bin/pg_ctlcluster";
        args[n++] = svc->version;
        args[n++] = svc->cluster;
        args[n++] = start ? "start" : "stop";
        if (!start) {
            args[n++] = "-m";
            args[n++] = "fast";
        }
        str_printf(text, textlen, "pg_ctlcluster %s %s %s", svc->version, svc->cluster,
                   start ? "start" : "stop -m fast");
    } else {
        args[n++] = "pg_ctl"; /* from the node's bindir */
        args[n++] = start ? "start" : "stop";
        args[n++] = "-D";
        args[n++] = ln->datadir;
        args[n++] = start ? "-l" : "-m";
        args[n++] = start ? ln->log : "fast";
        args[n++] = "-W"; /* and our own wait: pg_ctl -w looks only every 100 ms */
        str_printf(text, textlen, "pg_ctl %s", start ? "start" : "stop -m fast");
    }
    args[n] = NULL;
}

/* The start or stop command: systemctl as root (the unit's own user is systemd's business),
 * pg_ctl and pg_ctlcluster as the data directory's owner. */
static int run_service(const struct local_node *ln, const char *const *argv, char *why,
                       size_t whylen)
{
    struct local_node as_root = *ln;
    if (ln->svc.kind == SVC_SYSTEMD)
        as_root.run_as = NULL;
    return local_run(&as_root, argv, NULL, 60, NULL, NULL, why, whylen);
}

bool local_stop(const struct progress *pr, const struct local_node *ln, char *err, size_t errlen)
{
    int signals_before = local_signals_count();
    const char *name = ln->conf->name;
    if (host_remote(&ln->host)) {
        bool was = local_running(ln);
        if (was && ln->host.way->stop)
            progress_say(pr, "step", "stopping %s (%s stop %s)", name, ln->host.way->kind,
                         ln->host.dest);
        else if (was)
            progress_say(pr, "step", "stopping %s on %s (pg_ctl stop -m fast)", name,
                         ln->host.dest);
        if (!host_server_stop(ln, err, errlen))
            return false;
        progress_say(pr, "ok", was ? "%s is stopped" : "%s is not running", name);
        return true;
    }
    if (local_running(ln)) {
        const char *argv[10];
        char how[300], why[600];
        service_argv(ln, false, argv, 10, how, sizeof how);
        progress_say(pr, "step", "stopping %s (%s)", name, how);
        if (run_service(ln, argv, why, sizeof why) != 0 && local_running(ln)) {
            str_printf(err, errlen, "could not stop %s: %s", name, why);
            return false;
        }
        for (int64_t until = clock_mono_ms() + 60000; local_running(ln) &&
                                                      clock_mono_ms() < until &&
                                                      local_signals_count() == signals_before;)
            poll(NULL, 0, 10);
        if (local_running(ln)) {
            str_printf(err, errlen, "%s did not stop within 60 s (%s)", name, how);
            return false;
        }
        progress_say(pr, "ok", "%s is stopped", name);
    } else {
        progress_say(pr, "ok", "%s is not running", name);
    }
    /* A killed postmaster that its parent has not reaped yet still owns postmaster.pid and
     * the socket lock (pg_rewind's single-user run and a new server refuse them). */
    char pids[256];
    int64_t until = clock_mono_ms() + LEFTOVER_WAIT_MS;
    while ((busy_pids(ln->datadir, pids, sizeof pids) > 0 || postmaster_is_zombie(ln->datadir)) &&
           clock_mono_ms() < until && local_signals_count() == signals_before)
        poll(NULL, 0, 10);
    if (postmaster_is_zombie(ln->datadir)) {
        str_printf(err, errlen,
                   "the postmaster of %s (pid %ld) died but its parent has not reaped it after "
                   "%d s: its lock files block every new start",
                   name, pid_file_pid(ln->datadir), LEFTOVER_WAIT_MS / 1000);
        return false;
    }
    if (busy_pids(ln->datadir, pids, sizeof pids) > 0) {
        str_printf(err, errlen,
                   "processes still work in %s after %d s (pid %s): a server of %s is still "
                   "running there; stop it first",
                   ln->datadir, LEFTOVER_WAIT_MS / 1000, pids, name);
        return false;
    }
    return true;
}

long local_log_size(const struct local_node *ln)
{
    if (host_remote(&ln->host))
        return host_log_size(ln);
    struct stat st;
    return stat(ln->log, &st) == 0 ? (long)st.st_size : 0;
}

bool local_log_says_diverged(const struct local_node *ln, long offset)
{
    bool remote = host_remote(&ln->host);
    char *text = remote ? host_log_since(ln, offset) : NULL;
    if (remote && !text)
        return false;
    FILE *f = remote ? fmemopen(text, strlen(text) + 1, "r") : fopen(ln->log, "r");
    if (remote)
        offset = 0;
    if (!f)
        return false;
    if (fseek(f, offset, SEEK_SET) != 0)
        rewind(f);
    char line[1024];
    bool diverged = false;
    while (fgets(line, sizeof line, f))
        diverged |= strstr(line, "is not a child of this server's history") ||
                    strstr(line, "before current recovery point") ||
                    strstr(line, "forked off current database system timeline");
    fclose(f);
    free(text);
    return diverged;
}

/* The server log file, created by us with the owner's name on it when it is new. */
static void prepare_log(const struct local_node *ln)
{
    int fd = open(ln->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    struct stat st;
    /* on failure pg_ctl reports that it cannot write the log; one link only: never hand over
     * a hard link to some other file of root's */
    if (ln->run_as && fstat(fd, &st) == 0 && st.st_uid == 0 && st.st_nlink == 1 &&
        fchown(fd, ln->uid, ln->gid) < 0)
        st.st_uid = 0;
    close(fd);
}

bool local_start(const struct progress *pr, const struct local_node *ln, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    if (host_remote(&ln->host)) {
        if (ln->host.way->start)
            progress_say(pr, "step", "starting %s (%s start %s, server log: %s logs %s)", name,
                         ln->host.way->kind, ln->host.dest, ln->host.way->kind, ln->host.dest);
        else
            progress_say(pr, "step", "starting %s on %s (pg_ctl start, server log %s there)", name,
                         ln->host.dest, ln->log);
        if (!host_server_start(ln, host_log_size(ln), err, errlen))
            return false;
        progress_say(pr, "ok", "%s started", name);
        return true;
    }
    const char *argv[10];
    char how[300];
    service_argv(ln, true, argv, 10, how, sizeof how);
    progress_say(pr, "step", "starting %s (%s, server log %s)", name, how, ln->log);
    for (int64_t until = clock_mono_ms() + 10000;
         postmaster_is_zombie(ln->datadir) && clock_mono_ms() < until;)
        poll(NULL, 0, 100);
    prepare_log(ln);
    long offset = local_log_size(ln);
    char why[600] = "";
    /* pg_ctl -W and our own wait, as pg_ctl -w does it (the pid file's status line) but every
     * 10 ms */
    bool forked = run_service(ln, argv, why, sizeof why) == 0;
    char status[16] = "", cause[600];
    int64_t start = clock_mono_ms();
    for (int i = 0; forked && clock_mono_ms() < start + 120000; i++) {
        pid_file_status(ln->datadir, status, sizeof status);
        if (strcmp(status, "ready") == 0 || strcmp(status, "standby") == 0) {
            progress_say(pr, "ok", "%s started", name);
            return true;
        }
        /* gone: it wrote its failure to the log (or never started within 10 s) */
        if (i % 10 == 9 && !local_running(ln) &&
            (pg_log_start_failure(ln->log, offset, cause, sizeof cause) ||
             clock_mono_ms() > start + 10000))
            break;
        poll(NULL, 0, 10);
    }
    if (local_running(ln)) { /* still starting (a long recovery): the wait goes on later */
        progress_say(pr, "warn", "%s runs but is not ready after 120 s (%s)", name,
                     status[0] ? status : "no status yet");
        return true;
    }
    if (pg_log_start_failure(ln->log, offset, cause, sizeof cause))
        str_printf(err, errlen, "%s did not start: %s (see %s)", name, cause, ln->log);
    else
        str_printf(err, errlen, "%s did not start: %s (see %s)", name,
                   why[0] ? why : "the server exited", ln->log);
    return false;
}

static void on_controldata(void *ctx, const char *line)
{
    struct local_control *cd = ctx;
    const char *v;
    if ((v = strstr(line, "Latest checkpoint's TimeLineID:")))
        cd->tli = atoi(v + strlen("Latest checkpoint's TimeLineID:"));
    else if ((v = strstr(line, "Bytes per WAL segment:")))
        cd->seg_size = atol(v + strlen("Bytes per WAL segment:"));
    else if ((v = strstr(line, "Latest checkpoint location:")))
        lsn_parse(v + strlen("Latest checkpoint location:") +
                      strspn(v + strlen("Latest checkpoint location:"), " "),
                  &cd->checkpoint);
    else if ((v = strstr(line, "Database cluster state:"))) {
        v += strlen("Database cluster state:");
        str_copy(cd->state, sizeof cd->state, v + strspn(v, " "));
        cd->state[strcspn(cd->state, "\n")] = '\0';
    }
}

bool local_control_read(const struct local_node *ln, struct local_control *out)
{
    *out = (struct local_control){.tli = -1, .seg_size = -1, .checkpoint = LSN_UNKNOWN};
    char why[256];
    const char *argv[] = {"pg_controldata", "-D", ln->datadir, NULL};
    local_run(ln, argv, NULL, 30, on_controldata, out, why, sizeof why);
    if (out->tli <= 0)
        out->tli = -1;
    if (out->seg_size <= 0)
        out->seg_size = -1;
    return out->state[0] && out->tli > 0 && out->checkpoint != LSN_UNKNOWN;
}

void local_controldata(const struct local_node *ln, int *tli, long *seg_size)
{
    struct local_control cd;
    local_control_read(ln, &cd);
    *tli = cd.tli;
    *seg_size = cd.seg_size;
}
