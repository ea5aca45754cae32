/* cmd_record: `repltop record FILE` — the dashboard's recording without a screen (a service, a
 * cron job, a CI run): one snapshot per refresh appended to FILE until SIGINT or SIGTERM, rotated
 * by size. The same NDJSON as --record; --replay plays it. A fleet is recorded into a directory,
 * one such file per cluster (DIR/NAME.ndjson), so that each plays back as today. */
#include "cli/cli.h"
#include "model/base/text.h"
#include "model/base/util.h"
#include "model/store/record.h"
#include "model/watch/fleet.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* Records the n clusters of cfgs, cluster i to paths[i], every refresh until a signal. */
static int record_loop(struct config *const *cfgs, int n, char **paths, long long max_bytes,
                       const char *where)
{
    char err[600];
    struct recorder **rec = xcalloc((size_t)n, sizeof *rec);
    double every = cfgs[0]->refresh_s;
    int nodes = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        if (!(rec[i] = recorder_open(paths[i], err, sizeof err))) {
            text_error("record: %s", err);
            rc = 3;
        }
        every = cfgs[i]->refresh_s < every ? cfgs[i]->refresh_s : every;
        nodes += cfgs[i]->nnodes;
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_stop; /* no SA_RESTART: the wait between refreshes ends at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (rc == 0)
        fprintf(stderr,
                "repltop: recording %d node(s)%s every %.1f s to %s (SIGINT or SIGTERM stops)\n",
                nodes, n > 1 ? " of every cluster" : "", every, where);
    struct fleet *f = fleet_new(cfgs, n);
    long long frames = 0;
    while (rc == 0 && !stop_signal) {
        int64_t start = clock_mono_ms();
        fleet_sample_once(f);
        for (int i = 0; i < n && rc == 0; i++) {
            const struct snapshot *s = fleet_snapshot(f, i);
            if (s && !(recorder_write(rec[i], s, err, sizeof err) &&
                       recorder_rotate(rec[i], max_bytes, err, sizeof err))) {
                text_error("recording stopped: %s", err);
                rc = 1;
            }
        }
        if (rc)
            break;
        frames++;
        int64_t next = start + (int64_t)(every * 1000);
        while (!stop_signal && clock_mono_ms() < next)
            poll(NULL, 0, (int)(next - clock_mono_ms()));
    }
    fleet_free(f);
    for (int i = 0; i < n; i++)
        if (rec[i])
            recorder_close(rec[i]);
    free(rec);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rc != 3)
        fprintf(stderr, "repltop: %lld snapshot(s)%s recorded to %s\n", frames,
                n > 1 ? " of every cluster" : "", where);
    return rc;
}

int cmd_record_run(struct config *cfg, const char *path, long long max_bytes)
{
    char *paths[] = {(char *)path};
    return record_loop(&cfg, 1, paths, max_bytes, path);
}

/* The file of a cluster in DIR: its name, a '/' or a leading '.' made '_' (a name is any
 * text); "-2", "-3"... when two names give one file. */
static char *cluster_file(const char *dir, const char *name, char **taken, int ntaken)
{
    char base[256];
    str_copy(base, sizeof base, name);
    for (char *p = base; *p; p++)
        if (*p == '/' || (p == base && *p == '.'))
            *p = '_';
    char path[4096];
    for (int k = 1;; k++) {
        if (k == 1)
            str_printf(path, sizeof path, "%s/%s.ndjson", dir, base);
        else
            str_printf(path, sizeof path, "%s/%s-%d.ndjson", dir, base, k);
        bool used = false;
        for (int i = 0; i < ntaken && !used; i++)
            used = strcmp(taken[i], path) == 0;
        if (!used)
            return xstrdup(path);
    }
}

int cmd_record_fleet(struct config *const *cfgs, int n, const char *dir, long long max_bytes)
{
    struct stat st;
    if (stat(dir, &st) != 0 && (errno != ENOENT || mkdir(dir, 0700) != 0)) {
        text_error("record: %s: %s", dir, strerror(errno));
        return 3;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        text_error("record: %s is not a directory: a fleet of %d clusters is recorded into a "
                   "directory, one file per cluster (repltop record DIR -c ...)",
                   dir, n);
        return 3;
    }
    char **paths = xcalloc((size_t)n, sizeof *paths);
    for (int i = 0; i < n; i++)
        paths[i] =
            cluster_file(dir, cfgs[i]->cluster_name ? cfgs[i]->cluster_name : "cluster", paths, i);
    char where[4200];
    str_printf(where, sizeof where, "%s/NAME.ndjson (%d clusters)", dir, n);
    int rc = record_loop(cfgs, n, paths, max_bytes, where);
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return rc;
}
