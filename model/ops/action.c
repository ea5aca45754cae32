/* action: shared plumbing of the operator actions; the frame each command runs in is
 * action_main (cli/action_main.c). */
#include "model/local/host.h"
#include "model/ops/action.h"
#include "model/watch/cluster.h"
#include "model/pg/conninfo.h"
#include "model/base/files.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

void action_audit_path(char *buf, size_t n)
{
    char dir[4000];
    state_dir_path(dir, sizeof dir);
    str_printf(buf, n, "%s/actions.log", dir);
}

static FILE *open_audit(void)
{
    char path[4096];
    char dir[4000], why[256];
    state_dir_path(dir, sizeof dir);
    mkdir_p(dir, 0700, why, sizeof why); /* a failure shows in open's error below */
    action_audit_path(path, sizeof path);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        text_error("warning: cannot open the audit log %s: %s", path, strerror(errno));
        return NULL;
    }
    fchmod(fd, 0600); /* an older file may have been created with a looser mode */
    FILE *f = fdopen(fd, "a");
    if (f)
        setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

/* A field of the audit line as one word: escaped (text.h), blanks as %20, "-" when empty. */
static char *audit_word(const char *v)
{
    char *esc = text_escape_dup(str_empty(v) ? "-" : v);
    size_t blanks = 0;
    for (const char *p = esc; *p; p++)
        blanks += *p == ' ';
    char *out = xmalloc(strlen(esc) + 2 * blanks + 1), *o = out;
    for (const char *p = esc; *p; p++) {
        if (*p == ' ') {
            memcpy(o, "%20", 3);
            o += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    free(esc);
    return out;
}

/* The cluster the action is about: the system identifier most of its nodes share. */
static const char *audit_sysid(const struct action *a)
{
    for (int i = 0; a->snap && i < a->snap->nnodes; i++)
        if (a->snap->nodes[i].system_identifier[0] && !a->snap->nodes[i].other_cluster)
            return a->snap->nodes[i].system_identifier;
    return "-";
}

/* One audit line (docs/DESIGN.md "The audit log": its fields are a stable contract): to the
 * file, and to syslog (authpriv) with [repltop] audit = syslog. */
static void audit(struct action *a, const char *tag, const char *msg)
{
    bool to_syslog = a->cfg && a->cfg->audit_syslog;
    if (!a->audit && !to_syslog)
        return;
    char when[32], host[256] = "";
    time_iso8601(clock_wall(), when, sizeof when);
    gethostname(host, sizeof host - 1);
    struct passwd *pw = getpwuid(getuid());
    const char *sudo = getenv("SUDO_USER");
    /* msg is already escaped (say_text); the target (which may hold blanks: a sync list) comes
     * last before it, as it always did; the fields before it are one word each */
    char *target = text_escape_dup(a->target ? a->target : "-"),
         *cfg = audit_word(a->cfg ? a->cfg->path : NULL), *hostw = audit_word(host),
         *sudow = str_empty(sudo) ? NULL : audit_word(sudo),
         *primary = audit_word(a->snap ? a->snap->primary : NULL);
    char *line = xasprintf("pid=%ld user=%s%s%s host=%s config=%s sysid=%s primary=%s %s %s %s: %s",
                           (long)getpid(), pw ? pw->pw_name : "?", sudow ? " sudo_user=" : "",
                           sudow ? sudow : "", hostw, cfg, audit_sysid(a), primary, a->verb, target,
                           tag, msg);
    if (a->audit)
        fprintf(a->audit, "%s %s\n", when, line);
    if (to_syslog)
        syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", line);
    free(line);
    free(target);
    free(cfg);
    free(hostw);
    free(sudow);
    free(primary);
}

/* The fault matrix's hook (tests/it_promote_faults.sh, it_resync_faults.sh): with
 * REPLTOP_PAUSE_AT=TEXT and REPLTOP_PAUSE_FILE=PATH, the action stops after its first progress
 * line that contains TEXT, creates PATH, and goes on once PATH is gone (at most 120 s), so a
 * test can kill a server between two exact steps. It can delay an action, never change it. */
static void pause_if_asked(const char *msg)
{
    static bool paused;
    const char *at = getenv("REPLTOP_PAUSE_AT"), *path = getenv("REPLTOP_PAUSE_FILE");
    if (paused || str_empty(at) || str_empty(path) || !strstr(msg, at))
        return;
    paused = true;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    close(fd);
    for (int i = 0; i < 120 * 50 && access(path, F_OK) == 0; i++)
        usleep(20 * 1000);
}

/* One progress line on out and in the audit log, its text escaped (model/base/text.h): it may
 * hold a server's message, a program's output or a name from the config. */
static void say_text(struct action *a, FILE *out, const char *tag, const char *msg)
{
    char *safe = text_escape_dup(msg);
    fprintf(out, "%s: %s\n", tag, safe);
    fflush(out);
    audit(a, tag, safe);
    free(safe);
    pause_if_asked(msg);
}

static void say(struct action *a, FILE *out, const char *tag, const char *fmt, va_list ap)
{
    char msg[2600]; /* a refusal may list several GRANT statements */
    vsnprintf(msg, sizeof msg, fmt, ap);
    say_text(a, out, tag, msg);
}

/* a->progress: the lines of model/local, as the action's own */
static void progress_line(void *arg, const char *tag, const char *text)
{
    say_text(arg, strcmp(tag, "fail") == 0 ? stderr : stdout, tag, text);
}

void action_step(struct action *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(a, stdout, "step", fmt, ap);
    va_end(ap);
}

void action_ok(struct action *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(a, stdout, "ok", fmt, ap);
    va_end(ap);
}

void action_warn(struct action *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(a, stdout, "warn", fmt, ap);
    va_end(ap);
}

int action_fail(struct action *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(a, stderr, "fail", fmt, ap); /* the dashboard reads both streams from one pipe */
    va_end(ap);
    return 1;
}

void action_progress(struct action *a, long long done, long long total)
{
    (void)a;
    if (isatty(STDOUT_FILENO)) { /* a person reads it; the dashboard's pipe gets the numbers */
        char d[32], t[32];
        format_bytes(done * 1024, d, sizeof d);
        format_bytes(total * 1024, t, sizeof t);
        printf("progress: %s of %s (%lld %%)\n", d, t, total > 0 ? done * 100 / total : 0);
    } else {
        printf("progress: %lld %lld\n", done, total);
    }
    fflush(stdout);
}

void action_begin(struct action *a, const char *verb, const char *target, struct config *cfg,
                  const char *confirmed, bool force)
{
    memset(a, 0, sizeof *a);
    a->verb = verb;
    a->target = target;
    a->cfg = cfg;
    a->yes = confirmed != NULL;
    a->confirmed = confirmed;
    a->force = force;
    a->audit = open_audit();
    if (cfg->audit_syslog)
        openlog("repltop", LOG_PID, LOG_AUTHPRIV);
    a->progress = (struct progress){progress_line, a};
    action_refresh(a); /* first: the begin line names the cluster and its primary */
    audit(a, "begin", confirmed ? confirmed : "interactive");
}

void action_refresh(struct action *a)
{
    struct cluster *c = cluster_new(a->cfg);
    struct snapshot *s = cluster_sample_once(c);
    cluster_free(c);
    snapshot_free(a->snap);
    a->snap = s;
}

void action_end(struct action *a, bool ok)
{
    /* the ssh master connections this action opened end with it */
    for (int i = 0; a->cfg && i < a->cfg->nnodes; i++) {
        struct host h;
        host_init(&h, &a->cfg->nodes[i]);
        host_close(&h);
    }
    audit(a, "end", ok ? "success" : "failed or refused");
    if (a->audit)
        fclose(a->audit);
    a->audit = NULL;
    if (a->cfg->audit_syslog)
        closelog();
    snapshot_free(a->snap);
    a->snap = NULL;
}

bool action_confirm(struct action *a, const char *question, const char *expect)
{
    if (a->yes) {
        audit(a, "confirm", a->confirmed ? a->confirmed : "--yes");
        return true;
    }
    int answer = a->ask ? a->ask(a, question, expect) : -1;
    host_forget(NULL); /* what a remote host answered before the operator thought it over */
    if (answer >= 0)
        audit(a, "confirm", answer > 0 ? "typed on the terminal" : "declined");
    return answer > 0;
}

PGconn *action_connect(struct action *a, const struct node_conf *node, char *err, size_t errlen)
{
    char timeout[16];
    int secs = (a->cfg->connect_timeout_ms + 999) / 1000;
    str_printf(timeout, sizeof timeout, "%d", secs < 2 ? 2 : secs);
    char *conninfo = config_admin_conninfo(a->cfg, node);
    /* later keywords win over the expanded conninfo: our deadline and name, their options */
    const char *keys[] = {"dbname", "connect_timeout", "fallback_application_name", NULL};
    const char *vals[] = {conninfo ? conninfo : "", timeout, "repltop-action", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (conninfo)
        explicit_bzero(conninfo, strlen(conninfo));
    free(conninfo);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        str_printf(err, errlen, "%s: %s", node->name, c ? PQerrorMessage(c) : "out of memory");
        err[strcspn(err, "\n")] = '\0';
        PQfinish(c);
        return NULL;
    }
    char said[CONFIG_NAME_LEN + 3]; /* "\nNAME\n": no name matches inside another */
    str_printf(said, sizeof said, "\n%s\n", node->name);
    if (!strstr(a->roles_said, said)) {
        action_step(a, "%s: acting as role %s%s", node->name, PQuser(c),
                    node->admin          ? " ([node] admin)"
                    : a->cfg->admin_user ? " ([repltop] admin_user)"
                                         : " (the node's conninfo: no admin role configured)");
        if (strlen(a->roles_said) + strlen(said) < sizeof a->roles_said)
            strcat(a->roles_said, said);
    }
    /* no statement may hang an action forever; pg_promote's own wait is 60 s */
    char set[64];
    str_printf(set, sizeof set, "SET statement_timeout = %d",
               a->cfg->query_timeout_ms * 5 > 90000 ? a->cfg->query_timeout_ms * 5 : 90000);
    pg_exec(c, set, err, errlen);
    return c;
}

bool action_alter_system(PGconn *c, const char *name, const char *value, char *err, size_t errlen)
{
    char *lit = PQescapeLiteral(c, value, strlen(value));
    if (!lit) {
        str_copy(err, errlen, PQerrorMessage(c));
        return false;
    }
    char *sql = xasprintf("ALTER SYSTEM SET %s = %s", name, lit);
    PQfreemem(lit);
    bool ok = pg_exec(c, sql, err, errlen);
    free(sql);
    return ok;
}

char *action_value(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    char *v = NULL;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        str_copy(err, errlen,
                 PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(c));
        err[strcspn(err, "\n")] = '\0';
    } else if (PQntuples(r) < 1 || PQgetisnull(r, 0, 0)) {
        str_copy(err, errlen, "no value");
    } else {
        v = xstrdup(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return v;
}

struct node_conf *action_node_conf(struct action *a, const char *name)
{
    return config_find_node(a->cfg, name);
}

const struct node_snap *action_node_snap(const struct action *a, const char *name)
{
    return snapshot_find(a->snap, name);
}

const struct node_snap *action_primary(const struct action *a)
{
    return a->snap && a->snap->primary[0] ? snapshot_find(a->snap, a->snap->primary) : NULL;
}

struct node_conf *action_find_node(struct action *a, const char *name_or_app)
{
    struct node_conf *n = config_find_node(a->cfg, name_or_app);
    if (n)
        return n;
    for (int i = 0; a->snap && i < a->snap->nnodes; i++)
        if (str_eq_nocase(a->snap->nodes[i].application_name, name_or_app))
            return config_find_node(a->cfg, a->snap->nodes[i].name);
    return NULL;
}

char *action_follow_conninfo(const char *old_conninfo, const struct node_conf *new_primary,
                             const char *application_name)
{
    char host[256] = "", hostaddr[256] = "", port[16] = "";
    conninfo_get(new_primary->conninfo, "host", host, sizeof host);
    conninfo_get(new_primary->conninfo, "hostaddr", hostaddr, sizeof hostaddr);
    conninfo_get(new_primary->conninfo, "port", port, sizeof port);
    if (new_primary->port > 0 && !port[0])
        str_printf(port, sizeof port, "%d", new_primary->port);
    char *a = conninfo_with(old_conninfo ? old_conninfo : "", "host", host[0] ? host : NULL);
    char *b = a ? conninfo_with(a, "hostaddr", hostaddr[0] ? hostaddr : NULL) : NULL;
    char *c = b ? conninfo_with(b, "port", port[0] ? port : NULL) : NULL;
    char *d = c ? conninfo_with(c, "application_name", application_name) : NULL;
    free(a);
    free(b);
    free(c);
    return d;
}
