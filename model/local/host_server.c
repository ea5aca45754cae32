/* host_server: a server on a remote host — running or not, pg_ctl stop and start, its log —
 * for local_server's functions when the node's host is reached through a way (host.h). */
#include "model/local/host.h"
#include "model/local/local_node.h"
#include "model/local/local_run.h"
#include "model/base/proc.h"
#include "model/base/util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pid file's process exists and is no zombie (pg_ctl status takes a zombie for alive: a
 * SIGKILLed postmaster stays one until its parent reaps it). Exit 0: running. */
static const char running_script[] =
    "pid=$(head -n 1 -- \"$1/postmaster.pid\" 2>/dev/null) || exit 3\n"
    "case $pid in ''|*[!0-9]*) exit 3;; esac\n"
    "st=$(ps -o stat= -p \"$pid\" 2>/dev/null) || exit 3\n"
    "case $st in Z*|'') exit 3;; esac\n"
    "exit 0\n";

bool host_server_running(const struct local_node *ln)
{
    if (ln->host.way->running)
        return ln->host.way->running(ln);
    const char *argv[] = {"sh", "-c", running_script, "repltop", ln->datadir, NULL};
    char why[600];
    return host_exec(&ln->host, argv, NULL, 30, NULL, NULL, NULL, why, sizeof why) == 0;
}

bool host_server_stop(const struct local_node *ln, char *err, size_t errlen)
{
    if (ln->host.way->stop)
        return ln->host.way->stop(ln, err, errlen);
    char why[700];
    const char *argv[] = {"pg_ctl", "stop", "-D", ln->datadir, "-m",
                          "fast",   "-w",   "-t", "60",        NULL};
    int rc = local_run(ln, argv, NULL, 90, NULL, NULL, why, sizeof why);
    /* the backends of a killed postmaster may linger a moment after it */
    for (int i = 0; i < 150 && host_server_running(ln); i++)
        poll(NULL, 0, 100);
    if (host_server_running(ln)) {
        str_printf(err, errlen, "could not stop %s on %s: %s", ln->conf->name, ln->host.dest,
                   rc != 0 ? why : "it still runs");
        return false;
    }
    return true;
}

long host_log_size(const struct local_node *ln)
{
    if (ln->host.way->log) {
        char *text = ln->host.way->log(ln);
        long size = text ? (long)strlen(text) : 0;
        free(text);
        return size;
    }
    char *out = NULL, why[600];
    const char *argv[] = {
        "sh",      "-c",    "[ -f \"$1\" ] || { echo 0; exit 0; }; wc -c < \"$1\"",
        "repltop", ln->log, NULL};
    int rc = host_exec(&ln->host, argv, NULL, 30, NULL, NULL, &out, why, sizeof why);
    long size = rc == 0 && out ? atol(out) : 0;
    free(out);
    return size;
}

char *host_log_since(const struct local_node *ln, long offset)
{
    if (ln->host.way->log) {
        char *text = ln->host.way->log(ln);
        if (text && offset > 0 && (size_t)offset <= strlen(text))
            memmove(text, text + offset, strlen(text + offset) + 1);
        return text;
    }
    char *out = NULL, why[600], from[32];
    str_printf(from, sizeof from, "+%ld", offset + 1);
    const char *argv[] = {"tail", "-c", from, "--", ln->log, NULL};
    if (host_exec(&ln->host, argv, NULL, 30, NULL, NULL, &out, why, sizeof why) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

bool host_server_start(const struct local_node *ln, long log_offset, char *err, size_t errlen)
{
    if (ln->host.way->start)
        return ln->host.way->start(ln, err, errlen);
    /* a zombie postmaster keeps its pid file: pg_ctl would say "another server might be
     * running" until its parent reaps it */
    for (int i = 0; i < 100 && host_server_running(ln); i++)
        poll(NULL, 0, 100);
    char why[700];
    const char *argv[] = {"pg_ctl", "start", "-D", ln->datadir, "-l",
                          ln->log,  "-w",    "-t", "110",       NULL};
    if (local_run(ln, argv, NULL, 130, NULL, NULL, why, sizeof why) == 0)
        return true;
    if (host_server_running(ln)) /* still starting (a long recovery): the wait goes on later */
        return true;
    char *log = host_log_since(ln, log_offset);
    char cause[600] = "";
    FILE *f = log && log[0] ? fmemopen(log, strlen(log), "r") : NULL;
    bool found = f && pg_log_failure_in(f, cause, sizeof cause);
    if (f)
        fclose(f);
    free(log);
    str_printf(err, errlen, "%s did not start on %s: %s (see %s there)", ln->conf->name,
               ln->host.dest, found ? cause : why, ln->log);
    return false;
}
