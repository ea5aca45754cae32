/* actions: the operator actions from the dashboard.
 *
 * A key opens a dialog (panels/dialog.h). On confirmation the dashboard runs the SAME
 * command-line action as a child process — its own binary, `repltop -c CONFIG promote
 * --confirmed=dashboard -- NODE` — with an argument vector (never a shell; the config's path
 * is the only thing of the cluster's in argv, passwords stay in the config and passfiles).
 * Its output pipe is one more descriptor of the poll() loop: every line goes to the events
 * panel and the running dialog, "progress:" lines drive a progress bar, and the exit is
 * collected after SIGCHLD with waitpid on that pid only. One action at a time; the keys and the
 * clock keep working while it runs. The child writes the audit log itself. A new replica's command
 * adds the node to the config file: the dashboard then reads the file again and watches it too. */
#include "app.h"
#include "model/watch/manager.h"
#include "model/config/newnode_defaults.h"
#include "model/pg/conninfo.h"
#include "model/base/proc.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Our own binary: the same version of the actions as the dashboard, even when the file was
 * replaced since it started (/proc/self/exe still names the running one). */
static const char *self_exe(void)
{
    if (access("/proc/self/exe", X_OK) == 0)
        return "/proc/self/exe";
    return program_invocation_name;
}

/* What the new-replica form starts with (model/config/newnode_defaults.h). */
static void add_defaults(const struct config *cfg, struct dialog_ctx *c)
{
    struct newnode_defaults nd;
    newnode_defaults_fill(cfg, &nd);
    str_copy(c->add_name, sizeof c->add_name, nd.name);
    c->add_port = nd.port;
    str_copy(c->add_dir, sizeof c->add_dir, nd.datadir);
    str_copy(c->add_dir_of, sizeof c->add_dir_of, nd.dir_of);
}

/* The config's nodes as the local actions see them; the disk may have changed since. */
static void fill_local(struct app *a)
{
    struct dialog_ctx *c = &a->dlg.ctx;
    const struct config *cfg = a->cfg;
    c->nlocal = 0;
    for (int i = 0; cfg && i < cfg->nnodes && c->nlocal < DLG_MAX_LOCAL; i++) {
        const struct node_conf *n = &cfg->nodes[i];
        struct dlg_local *l = &c->local[c->nlocal++];
        memset(l, 0, sizeof *l);
        str_copy(l->name, sizeof l->name, n->name);
        str_copy(l->datadir, sizeof l->datadir, n->datadir);
        for (size_t len = strlen(l->datadir); len > 1 && l->datadir[len - 1] == '/'; len--)
            l->datadir[len - 1] = '\0';
        config_actions_via(n, l->via, sizeof l->via);
        /* another host's disk is not looked at from here (that would block the screen): a
         * node that answers has its data; one that does not may be unbuilt, and the action
         * checks it there (resync --new refuses a directory that holds data) */
        bool remote = config_node_remote(n);
        const struct node_snap *ns = remote && a->snap ? snapshot_find(a->snap, n->name) : NULL;
        l->filled =
            remote ? n->datadir && ns && ns->reach == REACH_OK : newnode_dir_filled(n->datadir);
        l->port = newnode_conf_port(n);
        char *ci = conninfo_without_secrets(n->conninfo);
        str_copy(l->conninfo, sizeof l->conninfo, ci);
        free(ci);
        str_copy(l->bindir, sizeof l->bindir, n->bindir);
    }
    if (cfg)
        add_defaults(cfg, c);
}

/* The dialogs act on the cluster on screen: its config, handed to the action by its path. */
static void point_at_cluster(struct app *a)
{
    const struct config *cfg = a->cfg;
    a->conf_path[0] = '\0';
    if (!a->rec && cfg && cfg->path) {
        char *abs = realpath(cfg->path, NULL);
        str_copy(a->conf_path, sizeof a->conf_path, abs ? abs : cfg->path);
        free(abs);
    }
    a->dlg.ctx.can_run = a->conf_path[0] != '\0';
    a->dlg.ctx.config = a->conf_path;
    a->dlg.ctx.cfg = a->rec ? NULL : cfg;
}

void actions_init(struct app *a)
{
    a->run_fd = -1;
    a->view.dialog = &a->dlg;
    a->view.run = &a->run;
    a->run_events = a->events;
    point_at_cluster(a);
}

void actions_note_snapshot(struct app *a, const struct snapshot *s)
{
    struct dialog_ctx *c = &a->dlg.ctx;
    const struct node_snap *p = s->primary[0] ? snapshot_find(s, s->primary) : NULL;
    if (!p || p->reach != REACH_OK)
        return;
    c->have_last = true;
    str_copy(c->last_primary, sizeof c->last_primary, p->name);
    str_copy(c->last_sync, sizeof c->last_sync, s->synchronous_standby_names);
}

bool actions_running(const struct app *a)
{
    return a->run_pid > 0;
}

int actions_fd(const struct app *a)
{
    return a->run_fd;
}

/* An HA manager runs the cluster: the action is refused at its key, in the message line and
 * the events, with the manager's own way (model/watch/manager.h; the child would refuse too). */
static bool refuse_managed(struct app *a, enum key_cmd cmd, const char *node)
{
    const char *verb = cmd == CMD_PROMOTE  ? "promote"
                       : cmd == CMD_SYNC   ? "sync set"
                       : cmd == CMD_RESYNC ? "resync"
                       : cmd == CMD_ADD    ? "new replica"
                       : cmd == CMD_REJOIN ? "rejoin"
                                           : NULL;
    bool on_node = cmd == CMD_PROMOTE || cmd == CMD_RESYNC || cmd == CMD_REJOIN;
    char why[700];
    /* Patroni's REST API is known: promote, resync, switchover and Patroni's sync settings go
     * through it (the child routes them: model/ops/action_patroni.h; the sync and switchover
     * keys open panels/patroni_sync.c and patroni_switchover.c) */
    if (a->snap->patroni &&
        (cmd == CMD_PROMOTE || cmd == CMD_RESYNC || cmd == CMD_SYNC || cmd == CMD_SWITCHOVER))
        return false;
    if (!verb || !manager_refusal(a->snap, verb, on_node ? node : NULL, why, sizeof why))
        return false;
    app_say(a, SEV_WARNING, "%s refused: %s", cmd_name(cmd), why);
    events_add(a->events, clock_wall(), EV_ACTION, SEV_WARNING, on_node ? node : "",
               "%s refused: %s", cmd_name(cmd), why);
    return true;
}

void actions_open(struct app *a, enum key_cmd cmd)
{
    if (actions_running(a)) {
        a->dlg.cls = &running_dialog;
        app_say(a, SEV_WARNING, "one action at a time: %s is still running", a->run.title);
        return;
    }
    if (a->rec) {
        app_say(a, SEV_WARNING, "%s: a recording plays back, there is no cluster to act on",
                cmd_name(cmd));
        return;
    }
    if (a->view.read_only) {
        app_say(a, SEV_WARNING, "%s refused: read-only (%s), no action runs from here",
                cmd_name(cmd),
                a->o->read_only ? "--read-only" : "[repltop] actions = off in the config");
        return;
    }
    if (!a->snap) { /* the fleet screen */
        app_say(a, SEV_WARNING, "%s: open a cluster first (Enter)", cmd_name(cmd));
        return;
    }
    if (a->view.connecting) {
        app_say(a, SEV_WARNING, "%s: wait for the first refresh", cmd_name(cmd));
        return;
    }
    point_at_cluster(a);
    const char *node = a->view.selected >= 0 && a->view.selected < a->snap->nnodes
                           ? a->snap->nodes[a->view.selected].name
                           : "";
    if (refuse_managed(a, cmd, node))
        return;
    fill_local(a);
    dialog_open(&a->dlg, cmd, a->snap, node);
    a->dirty = true;
}

/* ---- the child ---- */

static enum severity line_severity(const char *line)
{
    if (strncmp(line, "fail: ", 6) == 0)
        return SEV_CRITICAL;
    if (strncmp(line, "warn: ", 6) == 0 || strncmp(line, "repltop: warning", 16) == 0)
        return SEV_WARNING;
    if (strncmp(line, "repltop: ", 9) == 0)
        return SEV_CRITICAL; /* the command refused its input */
    return SEV_OK;           /* step:, ok:, done:, and the lines of `sync set` tables */
}

static void on_line(struct app *a, char *line)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
        line[--len] = '\0';
    if (!len)
        return;
    struct run_state *r = &a->run;
    long long done, total;
    if (sscanf(line, "progress: %lld %lld", &done, &total) == 2) {
        if (r->total_kb <= 0 || total != r->total_kb) {
            r->rate_t0 = clock_wall();
            r->rate_kb0 = done;
        }
        r->done_kb = done;
        r->total_kb = total;
        a->dirty = true;
        return;
    }
    enum severity sev = line_severity(line);
    struct run_line *l;
    if (r->nlines < RUN_LINES) {
        l = &r->lines[(r->start + r->nlines++) % RUN_LINES];
    } else {
        l = &r->lines[r->start];
        r->start = (r->start + 1) % RUN_LINES;
    }
    l->sev = sev;
    text_escape(l->text, sizeof l->text, line); /* the child escapes its lines; in case not */
    if (a->run_echo) {
        fprintf(a->run_echo, "%s\n", line);
        fflush(a->run_echo);
    }
    char verb[32];
    str_copy(verb, sizeof verb, r->title);
    verb[strcspn(verb, " ")] = '\0';
    events_add(a->run_events, clock_wall(), EV_ACTION, sev, r->node, "%s: %s", verb, line);
    a->dirty = true;
}

/* Reads what the child wrote; false at EOF or on an error, with the pipe closed. */
static bool drain(struct app *a)
{
    for (;;) {
        size_t room = sizeof a->run_buf - 1 - a->run_len;
        ssize_t n = read(a->run_fd, a->run_buf + a->run_len, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (n <= 0) {
            if (a->run_len) {
                a->run_buf[a->run_len] = '\0';
                on_line(a, a->run_buf);
                a->run_len = 0;
            }
            close(a->run_fd);
            a->run_fd = -1;
            return false;
        }
        a->run_len += (size_t)n;
        a->run_buf[a->run_len] = '\0';
        char *start = a->run_buf, *nl;
        while ((nl = strchr(start, '\n'))) {
            *nl = '\0';
            on_line(a, start);
            start = nl + 1;
        }
        a->run_len -= (size_t)(start - a->run_buf);
        memmove(a->run_buf, start, a->run_len);
        if (a->run_len == sizeof a->run_buf - 1) { /* a line longer than the buffer */
            a->run_buf[a->run_len] = '\0';
            on_line(a, a->run_buf);
            a->run_len = 0;
        }
    }
}

void actions_read(struct app *a)
{
    if (a->run_fd >= 0 && !drain(a))
        actions_reap(a);
}

/* After an action, what it may have changed in the config file joins the dashboard: the sync
 * policy (sync set --save), and, after a new replica's command (nodes true), the nodes it added,
 * with the settings of its command line kept (the cluster is rebuilt; history and events stay).
 * Also after a failure, which may come after the file was written. */
static void reread_config(struct app *a, bool nodes)
{
    if (!a->conf_path[0])
        return;
    struct config fresh;
    config_init(&fresh);
    char err[600];
    if (!config_load_file(&fresh, a->conf_path, err, sizeof err)) {
        events_add(a->run_events, clock_wall(), EV_ACTION, SEV_WARNING, a->run.node,
                   "cannot read the config again: %s", err);
        config_done(&fresh);
        return;
    }
    struct config *cfg = a->fleet ? fleet_config(a->fleet, a->run_cluster) : a->cfg;
    const char *was = cfg->sync_policy ? cfg->sync_policy : "";
    const char *now = fresh.sync_policy ? fresh.sync_policy : "";
    if (strcmp(was, now) != 0) {
        free(cfg->sync_policy);
        cfg->sync_policy = now[0] ? xstrdup(now) : NULL;
        events_add(a->run_events, clock_wall(), EV_ACTION, SEV_OK, "",
                   "the sync policy is now %s (%s)", now[0] ? now : "none", a->conf_path);
    }
    int before = cfg->nnodes;
    int added = nodes ? config_add_new_nodes(cfg, &fresh) : 0;
    config_done(&fresh);
    if (!added)
        return;
    app_rebuild_cluster(a, a->run_cluster);
    for (int i = before; i < cfg->nnodes; i++)
        events_add(a->run_events, clock_wall(), EV_ACTION, SEV_OK, cfg->nodes[i].name,
                   "%s joins the dashboard (added to %s)", cfg->nodes[i].name, a->conf_path);
}

static void ended(struct app *a, int status)
{
    struct run_state *r = &a->run;
    if (a->run_fd >= 0 && drain(a)) {
        /* a program the action started may still hold the pipe: what the action wrote
         * itself is all there, since it exited */
        if (a->run_len) {
            a->run_buf[a->run_len] = '\0';
            on_line(a, a->run_buf);
            a->run_len = 0;
        }
        close(a->run_fd);
        a->run_fd = -1;
    }
    a->run_pid = 0;
    r->active = false;
    r->ended = true;
    r->finished = clock_wall();
    r->status = status;
    r->ok = status == 0;
    char how[64];
    proc_status_text(status, how, sizeof how);
    double took = r->finished - r->started;
    events_add(a->run_events, r->finished, EV_ACTION, r->ok ? SEV_OK : SEV_CRITICAL, r->node,
               "%s %s after %.1f s%s%s%s", r->title, r->ok ? "succeeded" : "FAILED", took,
               r->ok ? "" : " (", r->ok ? "" : how, r->ok ? "" : ")");
    app_say(a, r->ok ? SEV_OK : SEV_CRITICAL, "%s %s after %.1f s%s", r->title,
            r->ok ? "succeeded" : "failed", took, r->ok ? "" : ": see the events panel");
    if (a->term)
        term_catch_ctrl_c(a->term, false);
    a->quit_armed = false;
    reread_config(a, a->run_adds);
    a->run_adds = false;
    /* show the cluster as the action left it without waiting for the next refresh */
    if (a->fleet && !a->sched.refreshing)
        a->sched.next = clock_mono_ms();
    a->dirty = true;
}

static int decode(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

void actions_reap(struct app *a)
{
    if (a->run_pid <= 0)
        return;
    int status;
    pid_t r = waitpid(a->run_pid, &status, WNOHANG);
    if (r == a->run_pid)
        ended(a, decode(status));
    else if (r < 0 && errno == ECHILD)
        ended(a, 255); /* reaped elsewhere: the status is lost */
}

static void start(struct app *a)
{
    const char *args[DLG_ARGV_MAX];
    char title[sizeof a->run.title];
    int n = dialog_argv(&a->dlg, args, title, sizeof title);
    /* read-only never gets here; should it, the child refuses too */
    const char *argv[DLG_ARGV_MAX + 5] = {self_exe(), "-c", a->conf_path};
    int k = 3;
    if (a->view.read_only)
        argv[k++] = "--read-only";
    for (int i = 0; i <= n; i++)
        argv[k + i] = args[i];
    char cmd[512] = "repltop";
    for (int i = 0; i < n; i++) {
        size_t len = strlen(cmd);
        bool quote = strchr(args[i], ' ') != NULL;
        str_printf(cmd + len, sizeof cmd - len, quote ? " '%s'" : " %s", args[i]);
    }
    struct proc_spec spec = {.argv = argv};
    char err[600];
    int fd = -1;
    pid_t pid = proc_spawn(&spec, &fd, err, sizeof err);
    if (pid < 0) {
        app_say(a, SEV_CRITICAL, "%s: %s", title, err);
        events_add(a->events, clock_wall(), EV_ACTION, SEV_CRITICAL, a->dlg.node,
                   "%s could not start: %s", title, err);
        return;
    }
    memset(&a->run, 0, sizeof a->run);
    struct run_state *r = &a->run;
    str_copy(r->title, sizeof r->title, title);
    str_copy(r->node, sizeof r->node, dialog_run_node(&a->dlg));
    r->active = true;
    r->started = clock_wall();
    a->run_pid = pid;
    a->run_fd = fd;
    a->run_adds = dialog_adds_nodes(&a->dlg);
    a->run_len = 0;
    a->run_cluster = a->cur;
    a->run_events = a->events;
    events_add(a->run_events, r->started, EV_ACTION, SEV_OK, r->node, "%s started: %s", title, cmd);
    a->dlg.cls = &running_dialog;
    /* the child shares our process group: a Ctrl-C must not reach it as SIGINT */
    term_catch_ctrl_c(a->term, true);
    a->dirty = true;
}

void actions_dialog_key(struct app *a, int key)
{
    unsigned in = dialog_key(&a->dlg, a->snap, &a->run, key);
    if (in & INTENT_RUN)
        start(a);
    if (in)
        a->dirty = true;
}

void actions_finish(struct app *a)
{
    if (!actions_running(a))
        return;
    text_error("waiting for %s to finish; its output follows (Ctrl-C stops it)", a->run.title);
    for (int i = 0; i < a->run.nlines; i++) /* what it printed so far (the last RUN_LINES) */
        printf("%s\n", a->run.lines[(a->run.start + i) % RUN_LINES].text);
    fflush(stdout);
    a->run_echo = stdout;
    while (actions_running(a)) {
        if (a->run_fd >= 0) {
            struct pollfd p = {a->run_fd, POLLIN, 0};
            poll(&p, 1, 1000);
            actions_read(a);
        } else {
            poll(NULL, 0, 100);
        }
        actions_reap(a);
    }
    text_error("%s", a->view.message);
}
