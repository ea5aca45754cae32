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

bool host_server_running(const struct local_node *ln)
{
    if (ln->host.way->running)
        return ln->host.way->running(ln);
    return host_query(&ln->host, HQ_RUNNING, ln->datadir, NULL, NULL) == 0;
}

/* The waits run on the host, every 10 ms (sleep 0.01, else a second where sleep takes whole
 * seconds only), as the local way waits: no round trip per look, no pg_ctl -w's 100 ms steps.
 * $1 pg_ctl, $2 the data directory, $3 the running query (HQ_RUNNING). */
static const char stop_script[] =
    "\"$1\" stop -D \"$2\" -m fast -W; rc=$?\n"
    "i=0\n"
    /* the pid file goes at the end of a shutdown; a killed postmaster's stays, so every 10th
     * look asks whether its process still runs (the builtin test costs no process) */
    "while [ -f \"$2/postmaster.pid\" ]; do\n"
    "  if [ $((i % 10)) = 9 ] && ! sh -c \"$3\" repltop \"$2\"; then break; fi\n"
    /* pg_ctl failed and it runs: that is the answer; else the backends of a killed
     * postmaster may linger a moment after it */
    "  if [ $rc != 0 ] && [ $i -ge 100 ]; then exit $rc; fi\n"
    "  if [ $i -ge 6000 ]; then echo 'it still runs after 60 s'; exit 1; fi\n"
    "  sleep 0.01 2>/dev/null || sleep 1; i=$((i+1))\n"
    "done\n";

bool host_server_stop(const struct local_node *ln, char *err, size_t errlen)
{
    if (ln->host.way->stop)
        return ln->host.way->stop(ln, err, errlen);
    char why[700], *pg_ctl = xasprintf("%s/pg_ctl", ln->bindir);
    const char *argv[] = {
        "sh", "-c", stop_script, "repltop-stop", pg_ctl, ln->datadir, host_query_script(HQ_RUNNING),
        NULL};
    int rc = host_exec(&ln->host, argv, NULL, 90, NULL, NULL, NULL, why, sizeof why);
    free(pg_ctl);
    if (rc != 0 && host_server_running(ln)) {
        str_printf(err, errlen, "could not stop %s on %s: %s", ln->conf->name, ln->host.dest,
                   why[0] ? why : "it still runs");
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
    char *out = NULL;
    int rc = host_query(&ln->host, HQ_SIZE, ln->log, NULL, &out);
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

/* $1 pg_ctl, $2 the data directory, $3 the server log, $4 the running query, $5 the log's size
 * before: ready (line 8 of postmaster.pid "ready" or "standby") exits 0, a server gone with a
 * FATAL or PANIC in its new log lines (or not there 10 s after) exits 4, still starting after
 * 110 s exits 0 (the caller waits on). */
static const char start_script[] =
    "i=0\n"
    /* a zombie postmaster keeps its pid file: pg_ctl would say "another server might be
     * running" until its parent reaps it */
    "while sh -c \"$4\" repltop \"$2\" && [ $i -lt 1000 ]; do\n"
    "  sleep 0.01 2>/dev/null || sleep 1; i=$((i+1)); done\n"
    "\"$1\" start -D \"$2\" -l \"$3\" -W || exit $?\n"
    "i=0\n"
    "while [ $i -lt 11000 ]; do\n"
    /* line 8 of the pid file with the shell's own read: no process per look (stderr first:
     * a pid file not there yet is no message) */
    "  s=; { read -r s; read -r s; read -r s; read -r s; read -r s; read -r s; read -r s; "
    "read -r s; } 2>/dev/null < \"$2/postmaster.pid\"\n"
    "  case $s in ready*|standby*) exit 0;; esac\n"
    "  if [ $((i % 10)) = 9 ] && ! sh -c \"$4\" repltop \"$2\"; then\n"
    "    if tail -c \"+$(($5 + 1))\" -- \"$3\" 2>/dev/null | grep -q -e 'FATAL:' -e 'PANIC:'; "
    "then exit 4; fi\n"
    "    [ $i -ge 1000 ] && exit 4\n"
    "  fi\n"
    "  sleep 0.01 2>/dev/null || sleep 1; i=$((i+1))\n"
    "done\n";

bool host_server_start(const struct local_node *ln, long log_offset, char *err, size_t errlen)
{
    if (ln->host.way->start)
        return ln->host.way->start(ln, err, errlen);
    char why[700], *pg_ctl = xasprintf("%s/pg_ctl", ln->bindir), offset[32];
    str_printf(offset, sizeof offset, "%ld", log_offset);
    const char *argv[] = {"sh",   "-c",        start_script, "repltop-start",
                          pg_ctl, ln->datadir, ln->log,      host_query_script(HQ_RUNNING),
                          offset, NULL};
    int rc = host_exec(&ln->host, argv, NULL, 130, NULL, NULL, NULL, why, sizeof why);
    free(pg_ctl);
    if (rc == 0)
        return true;
    if (rc > 0 && rc != 4 && host_server_running(ln)) /* still starting: the wait goes on */
        return true;
    char *log = host_log_since(ln, log_offset);
    char cause[600] = "";
    FILE *f = log && log[0] ? fmemopen(log, strlen(log), "r") : NULL;
    bool found = f && pg_log_failure_in(f, cause, sizeof cause);
    if (f)
        fclose(f);
    free(log);
    str_printf(err, errlen, "%s did not start on %s: %s (see %s there)", ln->conf->name,
               ln->host.dest,
               found    ? cause
               : why[0] ? why
                        : "the server exited",
               ln->log);
    return false;
}
