/* cmd_record: `repltop record FILE` — the dashboard's recording without a screen (a service, a
 * cron job, a CI run): one snapshot per refresh appended to FILE until SIGINT or SIGTERM, rotated
 * by size. The same NDJSON as --record; --replay plays it. */
#include "cli/cli.h"
#include "model/base/text.h"
#include "model/base/util.h"
#include "model/store/record.h"
#include "model/watch/cluster.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

int cmd_record_run(const struct config *cfg, const char *path, long long max_bytes)
{
    char err[600];
    struct recorder *rec = recorder_open(path, err, sizeof err);
    if (!rec) {
        text_error("record: %s", err);
        return 3;
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_stop; /* no SA_RESTART: the wait between refreshes ends at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    fprintf(stderr, "repltop: recording %d node(s) every %.1f s to %s (SIGINT or SIGTERM stops)\n",
            cfg->nnodes, cfg->refresh_s, path);
    struct cluster *c = cluster_new(cfg);
    int rc = 0;
    long long frames = 0;
    while (!stop_signal) {
        int64_t start = clock_mono_ms();
        struct snapshot *s = cluster_sample_once(c);
        bool ok = recorder_write(rec, s, err, sizeof err) &&
                  recorder_rotate(rec, max_bytes, err, sizeof err);
        snapshot_free(s);
        if (!ok) {
            text_error("recording stopped: %s", err);
            rc = 1;
            break;
        }
        frames++;
        int64_t next = start + (int64_t)(cfg->refresh_s * 1000);
        while (!stop_signal && clock_mono_ms() < next)
            poll(NULL, 0, (int)(next - clock_mono_ms()));
    }
    cluster_free(c);
    recorder_close(rec);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    fprintf(stderr, "repltop: %lld snapshot(s) recorded to %s\n", frames, path);
    return rc;
}
