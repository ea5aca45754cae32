/* action_local: the node on this host — its owner, its programs, its server, its config files,
 * and the wait until it streams. Used by resync and rejoin. */
#include "action_local.h"
#include "cluster.h"
#include "conninfo.h"
#include "proc.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX         (4 * 1024 * 1024) /* config files we read back; bigger ones are not ours */
#define LEFTOVER_WAIT_MS 15000

const char *const local_conf_names[CONF_NFILES] = {"postgresql.conf", "pg_hba.conf",
                                                   "pg_ident.conf", "postgresql.auto.conf"};

/* ----- the node ----- */

static bool owner_of(const char *path, uid_t *uid, gid_t *gid)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    *uid = st.st_uid;
    *gid = st.st_gid;
    return true;
}

bool local_datadir_exists(const struct local_node *ln)
{
    struct stat st;
    return stat(ln->datadir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Who a new data directory belongs to: its parent's owner, else the owner of another local
 * node's data directory (the parent may be root's, like /srv). */
static bool new_dir_owner(struct local_node *ln, const struct config *cfg)
{
    char parent[PATH_MAX];
    str_copy(parent, sizeof parent, ln->datadir);
    if (owner_of(dirname(parent), &ln->uid, &ln->gid) && ln->uid != 0)
        return true;
    for (int i = 0; i < cfg->nnodes; i++) {
        const struct node_conf *n = &cfg->nodes[i];
        if (n != ln->conf && n->datadir && owner_of(n->datadir, &ln->uid, &ln->gid) && ln->uid != 0)
            return true;
    }
    return false;
}

bool local_node_init(struct local_node *ln, struct node_conf *conf, const struct config *cfg,
                     bool missing_ok, char *err, size_t errlen)
{
    memset(ln, 0, sizeof *ln);
    ln->conf = conf;
    if (str_empty(conf->datadir)) {
        str_printf(err, errlen,
                   "%s has no datadir in the config: only a node whose data directory is on "
                   "this host can be rebuilt (add [node %s] with datadir = ...)",
                   conf->name, conf->name);
        return false;
    }
    if (conf->datadir[0] != '/') {
        str_printf(err, errlen, "%s: datadir must be an absolute path, not %s", conf->name,
                   conf->datadir);
        return false;
    }
    str_copy(ln->datadir, sizeof ln->datadir, conf->datadir);
    for (size_t n = strlen(ln->datadir); n > 1 && ln->datadir[n - 1] == '/'; n--)
        ln->datadir[n - 1] = '\0';
    str_printf(ln->log, sizeof ln->log, "%s.log", ln->datadir);
    const char *bin = proc_pg_bindir(conf->bindir);
    if (!bin) {
        str_printf(err, errlen,
                   "%s: PostgreSQL's programs (pg_ctl) not found: set bindir in [node %s]",
                   conf->name, conf->name);
        return false;
    }
    str_copy(ln->bindir, sizeof ln->bindir, bin);
    /* without pg_ctl, "is it running?" has no answer: never guess that it is not */
    const char *progs[] = {"pg_ctl", "pg_basebackup", "pg_rewind", "pg_controldata"};
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", ln->bindir, progs[i]);
        if (access(path, X_OK) != 0) {
            str_printf(err, errlen, "%s: %s is missing (%s): set bindir in [node %s]", conf->name,
                       path, strerror(errno), conf->name);
            return false;
        }
    }

    struct stat st;
    if (stat(ln->datadir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            str_printf(err, errlen, "%s: %s is not a directory", conf->name, ln->datadir);
            return false;
        }
        ln->uid = st.st_uid;
        ln->gid = st.st_gid;
    } else if (errno == ENOENT && missing_ok) {
        if (!new_dir_owner(ln, cfg)) {
            str_printf(err, errlen,
                       "%s: cannot tell which user the new data directory %s should belong to "
                       "(its parent is root's and no other local node has a data directory): "
                       "create it empty, owned by the server's user",
                       conf->name, ln->datadir);
            return false;
        }
    } else {
        str_printf(err, errlen, "%s: no data directory at %s (%s)", conf->name, ln->datadir,
                   strerror(errno));
        return false;
    }
    if (ln->uid == 0) {
        str_printf(err, errlen,
                   "%s: %s belongs to root, and PostgreSQL refuses to run as root: it must "
                   "belong to the server's user",
                   conf->name, ln->datadir);
        return false;
    }
    struct passwd *pw = getpwuid(ln->uid);
    if (!pw) {
        str_printf(err, errlen, "%s: the owner (uid %ld) of %s has no user name", conf->name,
                   (long)ln->uid, ln->datadir);
        return false;
    }
    str_copy(ln->owner, sizeof ln->owner, pw->pw_name);
    if (geteuid() == 0) {
        ln->run_as = ln->owner;
    } else if (geteuid() != ln->uid) {
        str_printf(err, errlen, "%s: %s belongs to %s: run repltop as %s or as root", conf->name,
                   ln->datadir, ln->owner, ln->owner);
        return false;
    }
    return true;
}

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

/* ----- running programs ----- */

struct run_state {
    struct action *a;
    local_line_fn on_line;
    void *ctx;
    char partial[4096];
    size_t plen;
    char last_error[512], last_line[512];
    char first_fatal[512]; /* a server's FATAL/PANIC (pg_rewind's crash recovery) */
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
    if (strstr(line, "error:") || fatal)
        str_copy(rs->last_error, sizeof rs->last_error, line);
    str_copy(rs->last_line, sizeof rs->last_line, line);
    if (rs->on_line)
        rs->on_line(rs->a, rs->ctx, line);
}

static void feed(struct run_state *rs, const char *buf, size_t n)
{
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

int local_run(struct action *a, const struct local_node *ln, const char *const *argv,
              const char *const *env, int timeout_s, local_line_fn on_line, void *ctx, char *why,
              size_t whylen)
{
    char path[PATH_MAX + 64];
    str_printf(path, sizeof path, "%s/%s", ln->bindir, argv[0]);
    const char *args[40];
    int n = 0;
    args[n++] = path;
    for (int i = 1; argv[i] && n < 39; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    struct proc_spec spec = {args, env, ln->run_as, NULL};
    int signals_before = signal_count;
    int fd;
    pid_t pid = proc_spawn(&spec, &fd, why, whylen);
    if (pid < 0)
        return -1;

    struct run_state *rs = xcalloc(1, sizeof *rs);
    rs->a = a;
    rs->on_line = on_line;
    rs->ctx = ctx;
    int64_t deadline = timeout_s > 0 ? clock_mono_ms() + (int64_t)timeout_s * 1000 : 0;
    bool open_pipe = true;
    int status = 0, result = -1;
    for (;;) {
        if (signal_count != signals_before) {
            stop_child(pid);
            str_printf(why, whylen, "%s was interrupted (signal %d) and stopped", argv[0],
                       (int)got_signal);
            break;
        }
        if (deadline && clock_mono_ms() > deadline) {
            stop_child(pid);
            str_printf(why, whylen, "%s did not finish within %d s and was stopped", argv[0],
                       timeout_s);
            break;
        }
        if (open_pipe) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            if (poll(&p, 1, 200) > 0)
                open_pipe = drain(fd, rs);
        } else {
            poll(NULL, 0, 50);
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
    if (result > 0) {
        char st[64];
        proc_status_text(result, st, sizeof st);
        const char *said = rs->last_error[0] ? rs->last_error : rs->last_line;
        bool more = rs->first_fatal[0] && !strstr(said, rs->first_fatal);
        str_printf(why, whylen, "%s %s%s%s%s%s%s", argv[0], st, said[0] ? ": " : "", said,
                   more ? " (" : "", more ? rs->first_fatal : "", more ? ")" : "");
    }
    free(rs);
    return result;
}

/* ----- the server ----- */

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

bool local_running(const struct local_node *ln)
{
    char why[256];
    const char *argv[] = {"pg_ctl", "status", "-D", ln->datadir, NULL};
    return local_run(NULL, ln, argv, NULL, 20, NULL, NULL, why, sizeof why) == 0 &&
           !postmaster_is_zombie(ln->datadir);
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

bool local_stop(struct action *a, const struct local_node *ln, char *err, size_t errlen)
{
    int signals_before = signal_count;
    const char *name = ln->conf->name;
    if (local_running(ln)) {
        action_step(a, "stopping %s (pg_ctl stop -m fast)", name);
        char why[600];
        const char *argv[] = {"pg_ctl", "stop", "-D", ln->datadir, "-m",
                              "fast",   "-w",   "-t", "60",        NULL};
        if (local_run(a, ln, argv, NULL, 90, NULL, NULL, why, sizeof why) != 0 &&
            local_running(ln)) {
            str_printf(err, errlen, "could not stop %s: %s", name, why);
            return false;
        }
        action_ok(a, "%s is stopped", name);
    } else {
        action_ok(a, "%s is not running", name);
    }
    /* A killed postmaster that its parent has not reaped yet still owns postmaster.pid and
     * the socket lock (pg_rewind's single-user run and a new server refuse them). */
    char pids[256];
    int64_t until = clock_mono_ms() + LEFTOVER_WAIT_MS;
    while ((busy_pids(ln->datadir, pids, sizeof pids) > 0 || postmaster_is_zombie(ln->datadir)) &&
           clock_mono_ms() < until && signal_count == signals_before)
        poll(NULL, 0, 100);
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
    struct stat st;
    return stat(ln->log, &st) == 0 ? (long)st.st_size : 0;
}

/* The server's own reason, from what it logged since offset. */
static bool log_cause(const struct local_node *ln, long offset, char *buf, size_t n)
{
    FILE *f = fopen(ln->log, "r");
    if (!f)
        return false;
    if (fseek(f, offset, SEEK_SET) != 0)
        rewind(f);
    char line[1024], fatal[1024] = "", bind[1024] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        const char *m;
        if ((m = strstr(line, "FATAL:  ")) || (m = strstr(line, "PANIC:  ")))
            str_copy(fatal, sizeof fatal, m + 8);
        else if ((m = strstr(line, "LOG:  could not bind")))
            str_copy(bind, sizeof bind, m + 6);
    }
    fclose(f);
    str_copy(buf, n, bind[0] ? bind : fatal);
    return buf[0] != '\0';
}

bool local_log_says_diverged(const struct local_node *ln, long offset)
{
    FILE *f = fopen(ln->log, "r");
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
    return diverged;
}

/* The server log file, created by us with the owner's name on it when it is new. */
static void prepare_log(const struct local_node *ln)
{
    int fd = open(ln->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    struct stat st;
    /* on failure pg_ctl reports that it cannot write the log */
    if (ln->run_as && fstat(fd, &st) == 0 && st.st_uid == 0 && fchown(fd, ln->uid, ln->gid) < 0)
        st.st_uid = 0;
    close(fd);
}

bool local_start(struct action *a, const struct local_node *ln, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    action_step(a, "starting %s (pg_ctl start, server log %s)", name, ln->log);
    for (int64_t until = clock_mono_ms() + 10000;
         postmaster_is_zombie(ln->datadir) && clock_mono_ms() < until;)
        poll(NULL, 0, 100);
    prepare_log(ln);
    long offset = local_log_size(ln);
    char why[600];
    const char *argv[] = {"pg_ctl", "start", "-D", ln->datadir, "-l",
                          ln->log,  "-w",    "-t", "120",       NULL};
    if (local_run(a, ln, argv, NULL, 150, NULL, NULL, why, sizeof why) == 0) {
        action_ok(a, "%s started", name);
        return true;
    }
    if (local_running(ln)) { /* still starting (a long recovery): the wait goes on later */
        action_warn(a, "%s runs but is not ready yet: %s", name, why);
        return true;
    }
    char cause[600];
    if (log_cause(ln, offset, cause, sizeof cause))
        str_printf(err, errlen, "%s did not start: %s (see %s)", name, cause, ln->log);
    else
        str_printf(err, errlen, "%s did not start: %s (see %s)", name, why, ln->log);
    return false;
}

static char *read_text(const char *path, mode_t *mode)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
        close(fd);
        return NULL;
    }
    if (mode)
        *mode = st.st_mode & 07777;
    char *buf = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    return buf;
}

int local_old_port(const char *datadir)
{
    char path[PATH_MAX + 32], line[256];
    str_printf(path, sizeof path, "%s/postmaster.pid", datadir);
    FILE *f = fopen(path, "r");
    if (f) {
        int port = -1;
        for (int i = 1; fgets(line, sizeof line, f); i++)
            if (i == 4)
                port = atoi(line);
        fclose(f);
        if (port > 0)
            return port;
    }
    int port = -1;
    for (int i = 0; i < CONF_NFILES; i++) {
        if (i != CONF_MAIN && i != CONF_AUTO)
            continue;
        str_printf(path, sizeof path, "%s/%s", datadir, local_conf_names[i]);
        char *text = read_text(path, NULL);
        char *v = text ? local_guc_get(text, "port") : NULL;
        if (v && atoi(v) > 0)
            port = atoi(v); /* postgresql.auto.conf is read last and wins */
        free(v);
        free(text);
    }
    return port;
}

struct controldata {
    int tli;
    long seg;
};

static void on_controldata(struct action *a, void *ctx, const char *line)
{
    (void)a;
    struct controldata *cd = ctx;
    const char *v;
    if ((v = strstr(line, "Latest checkpoint's TimeLineID:")))
        cd->tli = atoi(v + strlen("Latest checkpoint's TimeLineID:"));
    else if ((v = strstr(line, "Bytes per WAL segment:")))
        cd->seg = atol(v + strlen("Bytes per WAL segment:"));
}

void local_controldata(struct action *a, const struct local_node *ln, int *tli, long *seg_size)
{
    struct controldata cd = {-1, -1};
    char why[256];
    const char *argv[] = {"pg_controldata", "-D", ln->datadir, NULL};
    local_run(a, ln, argv, NULL, 30, on_controldata, &cd, why, sizeof why);
    *tli = cd.tli > 0 ? cd.tli : -1;
    *seg_size = cd.seg > 0 ? cd.seg : -1;
}

/* ----- files ----- */

void local_conf_read(struct local_conf *c, const char *datadir)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < CONF_NFILES; i++) {
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", datadir, local_conf_names[i]);
        c->text[i] = read_text(path, &c->mode[i]);
    }
}

void local_conf_free(struct local_conf *c)
{
    for (int i = 0; i < CONF_NFILES; i++) {
        if (c->text[i])
            explicit_bzero(c->text[i], strlen(c->text[i])); /* auto.conf may hold a password */
        free(c->text[i]);
        c->text[i] = NULL;
    }
}

bool local_conf_write(const struct local_node *ln, const struct local_conf *c, const char *dir,
                      char *err, size_t errlen)
{
    for (int i = 0; i < CONF_NFILES; i++) {
        if (!c->text[i])
            continue;
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", dir, local_conf_names[i]);
        if (!local_write_file(ln, path, c->text[i], c->mode[i] ? c->mode[i] : 0600, err, errlen))
            return false;
    }
    return true;
}

bool local_write_file(const struct local_node *ln, const char *path, const char *text, mode_t mode,
                      char *err, size_t errlen)
{
    char tmp[PATH_MAX + 32];
    str_printf(tmp, sizeof tmp, "%s.repltop-tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
    if (fd < 0) {
        str_printf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return false;
    }
    size_t len = strlen(text), done = 0;
    bool ok = true;
    while (ok && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    ok = ok && fchmod(fd, mode & 0777) == 0 && (!ln->run_as || fchown(fd, ln->uid, ln->gid) == 0) &&
         fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0)
        return true;
    if (ok)
        saved = errno;
    unlink(tmp);
    str_printf(err, errlen, "cannot write %s: %s", path, strerror(saved));
    return false;
}

bool local_mkdir(const struct local_node *ln, const char *path, mode_t mode, char *err,
                 size_t errlen)
{
    if (mkdir(path, mode) < 0 || chmod(path, mode) < 0 ||
        (ln->run_as && chown(path, ln->uid, ln->gid) < 0)) {
        str_printf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

void local_aside_path(const struct local_node *ln, const char *what, char *out, size_t n)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", localtime_r(&now, &tm));
    str_printf(out, n, "%s.repltop-%s-%s", ln->datadir, what, stamp);
    for (int i = 2; access(out, F_OK) == 0 && i < 1000; i++)
        str_printf(out, n, "%s.repltop-%s-%s-%d", ln->datadir, what, stamp, i);
}

/* ----- postgresql.conf syntax: name [=] value [# comment] ----- */

/* The setting's name at the start of line, or false for comments and blank lines. */
static bool line_key(const char *line, char *key, size_t n, const char **rest)
{
    const char *p = line + strspn(line, " \t");
    size_t len = 0;
    while (isalnum((unsigned char)p[len]) || p[len] == '_' || p[len] == '.')
        len++;
    if (len == 0 || len >= n)
        return false;
    memcpy(key, p, len);
    key[len] = '\0';
    *rest = p + len;
    return true;
}

static char *parse_value(const char *p)
{
    p += strspn(p, " \t");
    if (*p == '=')
        p++;
    p += strspn(p, " \t");
    if (*p != '\'') {
        size_t len = strcspn(p, " \t\r\n#");
        char *v = xmalloc(len + 1);
        memcpy(v, p, len);
        v[len] = '\0';
        return v;
    }
    char *v = xmalloc(strlen(p) + 1);
    size_t n = 0;
    for (p++; *p && *p != '\n'; p++) {
        if (*p == '\'' && p[1] == '\'') {
            v[n++] = '\'';
            p++;
        } else if (*p == '\'') {
            break;
        } else if (*p == '\\' && p[1] && p[1] != '\n') {
            v[n++] = *++p;
        } else {
            v[n++] = *p;
        }
    }
    v[n] = '\0';
    return v;
}

char *local_guc_get(const char *text, const char *key)
{
    char *found = NULL;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        char k[128];
        const char *rest;
        if (line_key(line, k, sizeof k, &rest) && str_eq_nocase(k, key)) {
            free(found);
            found = parse_value(rest);
        }
        line = end ? end + 1 : NULL;
    }
    return found;
}

char *local_guc_set(const char *text, const char *key, const char *value)
{
    size_t cap = strlen(text ? text : "") + 2 * strlen(value ? value : "") + strlen(key) + 16;
    char *out = xmalloc(cap), *o = out;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        char k[128];
        const char *rest;
        if (!(line_key(line, k, sizeof k, &rest) && str_eq_nocase(k, key))) {
            memcpy(o, line, len);
            o += len;
            if (!end)
                *o++ = '\n';
        }
        line = end ? end + 1 : NULL;
    }
    if (value) {
        o += sprintf(o, "%s = '", key);
        for (const char *v = value; *v; v++) {
            if (*v == '\'' || *v == '\\')
                *o++ = *v; /* doubled, as ALTER SYSTEM writes them */
            *o++ = *v;
        }
        o += sprintf(o, "'\n");
    }
    *o = '\0';
    return out;
}

/* ----- becoming a standby ----- */

/* Frees a text that may hold a password. */
static void forget(char **text)
{
    if (*text)
        explicit_bzero(*text, strlen(*text));
    free(*text);
    *text = NULL;
}

static void set_guc(char **text, const char *key, const char *value)
{
    char *next = local_guc_set(*text, key, value);
    forget(text);
    *text = next;
}

static const char auto_header[] = "# Do not edit this file manually!\n"
                                  "# It will be overwritten by the ALTER SYSTEM command.\n";

bool local_make_standby(struct action *a, const struct local_node *ln, const struct local_conf *own,
                        const struct standby_conf *sc, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    char kept[128] = "";
    for (int i = CONF_MAIN; own && i <= CONF_IDENT; i++) {
        if (!own->text[i])
            continue;
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", ln->datadir, local_conf_names[i]);
        if (!local_write_file(ln, path, own->text[i], own->mode[i], err, errlen))
            return false;
        str_printf(kept + strlen(kept), sizeof kept - strlen(kept), "%s%s", kept[0] ? ", " : "",
                   local_conf_names[i]);
    }
    if (kept[0])
        action_ok(a, "%s keeps its own %s", name, kept);

    char path[PATH_MAX + 32];
    str_printf(path, sizeof path, "%s/%s", ln->datadir, local_conf_names[CONF_AUTO]);
    char *current = read_text(path, NULL);
    char *text = xstrdup(own && own->text[CONF_AUTO] ? own->text[CONF_AUTO]
                         : current                   ? current
                                                     : auto_header);
    forget(&current);
    set_guc(&text, "primary_conninfo", sc->primary_conninfo);
    set_guc(&text, "primary_slot_name", str_empty(sc->slot) ? NULL : sc->slot);
    /* never the primary's list: promoted, the node would wait for itself (DESIGN.md 7) */
    set_guc(&text, "synchronous_standby_names", "");
    if (sc->cluster_name)
        set_guc(&text, "cluster_name", sc->cluster_name);
    str_printf(path, sizeof path, "%s/%s", ln->datadir, local_conf_names[CONF_MAIN]);
    char *main_conf = read_text(path, NULL);
    char *p_auto = local_guc_get(text, "port");
    char *p_main = main_conf ? local_guc_get(main_conf, "port") : NULL;
    int port = p_auto ? atoi(p_auto) : p_main ? atoi(p_main) : -1;
    if (sc->port > 0 && port != sc->port) {
        char v[16];
        str_printf(v, sizeof v, "%d", sc->port);
        set_guc(&text, "port", v);
        if (port > 0)
            action_ok(a, "%s listens on its own port %d (the copy said %d)", name, sc->port, port);
        else
            action_ok(a, "%s listens on its own port %d", name, sc->port);
    }
    free(p_auto);
    free(p_main);
    free(main_conf);
    str_printf(path, sizeof path, "%s/%s", ln->datadir, local_conf_names[CONF_AUTO]);
    bool ok = local_write_file(ln, path, text, 0600, err, errlen);
    forget(&text);
    if (!ok)
        return false;
    char safe[1024];
    conninfo_scrub(sc->primary_conninfo, safe, sizeof safe);
    action_ok(a,
              "%s/postgresql.auto.conf: primary_conninfo \"%s\"%s%s, synchronous_standby_names "
              "''",
              ln->datadir, safe, str_empty(sc->slot) ? "" : ", primary_slot_name ",
              str_empty(sc->slot) ? "" : sc->slot);

    str_printf(path, sizeof path, "%s/recovery.signal", ln->datadir);
    unlink(path); /* an empty marker: it would make the node a primary at the end of recovery */
    str_printf(path, sizeof path, "%s/standby.signal", ln->datadir);
    return access(path, F_OK) == 0 || local_write_file(ln, path, "", 0600, err, errlen);
}

/* ----- the cluster ----- */

struct snapshot *local_snapshot(struct action *a)
{
    struct cluster *c = cluster_new(a->cfg);
    struct snapshot *s = cluster_sample_once(c);
    cluster_free(c);
    return s;
}

const struct node_snap *local_primary(const struct snapshot *s, const char *self, char *why,
                                      size_t whylen)
{
    const struct node_snap *found = NULL, *me = NULL;
    int others = 0;
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        if (n->reach != REACH_OK || n->role != ROLE_PRIMARY)
            continue;
        if (strcmp(n->name, self) == 0) {
            me = n;
            continue;
        }
        found = n;
        others++;
    }
    if (others == 1)
        return found;
    if (others > 1)
        str_printf(why, whylen,
                   "%d other nodes are primaries (split brain): it is not clear which one %s "
                   "should follow; stop or rejoin the wrong ones first",
                   others, self);
    else if (me)
        str_printf(why, whylen, "%s is the only primary: there is no other primary to follow",
                   self);
    else
        str_printf(why, whylen,
                   "no reachable primary: %s would have nothing to follow (is the primary down? "
                   "promote a standby first)",
                   self);
    return NULL;
}

char *local_standby_conninfo(struct action *a, const struct snapshot *s, const char *self)
{
    for (int i = 0; s && i < s->nnodes; i++) {
        const struct node_snap *n = &s->nodes[i];
        struct node_conf *nc = action_node_conf(a, n->name);
        if (!nc || n->reach != REACH_OK || n->role != ROLE_STANDBY || strcmp(n->name, self) == 0)
            continue;
        char err[600];
        PGconn *c = action_connect(a, nc, err, sizeof err);
        if (!c)
            continue;
        char *ci = action_value(c, "SELECT current_setting('primary_conninfo')", err, sizeof err);
        PQfinish(c);
        if (ci && ci[0])
            return ci;
        free(ci);
    }
    return NULL;
}

bool local_check_datadir(struct action *a, const struct local_node *ln, const struct node_snap *ns,
                         char *err, size_t errlen)
{
    if (!ns || ns->reach != REACH_OK)
        return true;
    char why[600];
    PGconn *c = action_connect(a, ln->conf, why, sizeof why);
    char *dir =
        c ? action_value(c, "SELECT current_setting('data_directory')", why, sizeof why) : NULL;
    PQfinish(c);
    if (!dir) {
        action_warn(a, "cannot check which directory %s runs from: %s", ln->conf->name, why);
        return true;
    }
    char a_real[PATH_MAX], b_real[PATH_MAX];
    bool same =
        realpath(dir, a_real) && realpath(ln->datadir, b_real) && strcmp(a_real, b_real) == 0;
    if (!same)
        str_printf(err, errlen,
                   "%s (%s) runs from %s, not from the configured datadir %s: fix the config "
                   "first",
                   ln->conf->name, ns->target, dir, ln->datadir);
    free(dir);
    return same;
}

/* One look at the node and at the primary; seen describes what they said. */
static bool streams_now(PGconn **node, PGconn **prim, struct action *a, const struct local_node *ln,
                        const struct node_conf *primary, const char *app, int tli, char *seen,
                        size_t n)
{
    char err[600];
    if (!*node && !(*node = action_connect(a, ln->conf, err, sizeof err))) {
        str_printf(seen, n, "not accepting connections yet (%s)", err);
        return false;
    }
    PGresult *r = PQexec(*node, "SELECT pg_is_in_recovery(), (SELECT status FROM "
                                "pg_stat_wal_receiver), (SELECT received_tli FROM "
                                "pg_stat_wal_receiver)");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        str_printf(seen, n, "no answer (%s)", PQerrorMessage(*node));
        seen[strcspn(seen, "\n")] = '\0';
        PQclear(r);
        PQfinish(*node);
        *node = NULL;
        return false;
    }
    bool recovery = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    char status[32];
    str_copy(status, sizeof status, PQgetisnull(r, 0, 1) ? "no WAL receiver" : PQgetvalue(r, 0, 1));
    int got_tli = PQgetisnull(r, 0, 2) ? -1 : atoi(PQgetvalue(r, 0, 2));
    PQclear(r);
    if (!recovery) {
        str_copy(seen, n, "it is not in recovery (a primary)");
        return false;
    }
    if (strcmp(status, "streaming") != 0 || (tli > 0 && got_tli > 0 && got_tli != tli)) {
        str_printf(seen, n, "WAL receiver: %s, timeline %d", status, got_tli);
        return false;
    }
    if (!*prim && !(*prim = action_connect(a, primary, err, sizeof err))) {
        str_printf(seen, n, "cannot check on %s: %s", primary->name, err);
        return false;
    }
    const char *params[] = {app};
    r = PQexecParams(*prim,
                     "SELECT state FROM pg_stat_replication WHERE application_name = $1 "
                     "ORDER BY state = 'streaming' DESC LIMIT 1",
                     1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              strcmp(PQgetvalue(r, 0, 0), "streaming") == 0;
    if (!ok)
        str_printf(seen, n, "%s does not list %s as streaming yet", primary->name, app);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQfinish(*prim);
        *prim = NULL;
    }
    PQclear(r);
    return ok;
}

bool local_wait_streaming(struct action *a, const struct local_node *ln,
                          const struct node_conf *primary, const char *application_name, int tli,
                          int timeout_s, char *err, size_t errlen)
{
    const char *name = ln->conf->name;
    if (tli > 0)
        action_step(a, "waiting until %s streams from %s on timeline %d (application_name %s)",
                    name, primary->name, tli, application_name);
    else
        action_step(a, "waiting until %s streams from %s (application_name %s)", name,
                    primary->name, application_name);
    int64_t start = clock_mono_ms(), deadline = start + (int64_t)timeout_s * 1000;
    int signals_before = signal_count;
    PGconn *node = NULL, *prim = NULL;
    char seen[700] = "";
    bool ok = false;
    while (!ok && signal_count == signals_before) {
        ok = streams_now(&node, &prim, a, ln, primary, application_name, tli, seen, sizeof seen);
        if (ok || clock_mono_ms() > deadline)
            break;
        poll(NULL, 0, 250);
    }
    PQfinish(node);
    PQfinish(prim);
    if (ok) {
        action_ok(a, "%s streams from %s (%.1f s after start)", name, primary->name,
                  (double)(clock_mono_ms() - start) / 1000.0);
        return true;
    }
    str_printf(err, errlen, "%s does not stream from %s after %d s: %s (see %s)", name,
               primary->name, timeout_s, signal_count != signals_before ? "interrupted" : seen,
               ln->log);
    return false;
}
