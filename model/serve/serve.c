/* serve: the headless loop and its two routes (serve.h). */
#include "model/serve/serve.h"
#include "model/serve/httpd.h"
#include "model/store/json.h"
#include "model/store/metrics.h"
#include "model/watch/cluster.h"
#include "model/watch/patroni_members.h"
#include "model/watch/schedule.h"
#include "model/base/sigpipe.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEND_SLICE_MS 2 /* a refresh's sends in one pass, before a scrape is looked at again */

struct serve {
    struct config *cfg;
    const char *name;
    struct cluster *cluster;
    struct schedule sched;
    struct snapshot *snap; /* the last complete refresh; NULL before the first */
};

static const char no_snapshot[] = "no snapshot yet: the first refresh is under way\n";

static int route(void *arg, const char *path, const char **type, char **body)
{
    struct serve *sv = arg;
    bool metrics = strcmp(path, "/metrics") == 0;
    if (!metrics && strcmp(path, "/snapshot.json") != 0) {
        *body = xstrdup("not found: GET /metrics or /snapshot.json\n");
        return 404;
    }
    if (!sv->snap) {
        *body = xstrdup(no_snapshot); /* unknown is not a made-up value: no page at all */
        return 503;
    }
    if (!metrics) {
        *type = "application/json";
        char *json = snapshot_to_json(sv->snap, true);
        *body = xasprintf("%s\n", json); /* as status --json prints it */
        free(json);
        return 200;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return 500;
    struct metrics_cluster mc = {sv->name, sv->snap};
    metrics_write(f, &mc, 1, clock_wall());
    fclose(f);
    *type = "text/plain; version=0.0.4; charset=utf-8";
    *body = text;
    return 200;
}

static void watch_start(struct serve *sv)
{
    cluster_free(sv->cluster);
    sv->cluster = cluster_new(sv->cfg);
    cluster_set_always_polled(sv->cluster); /* a refresh never waits for a hung node */
    schedule_init(&sv->sched, clock_mono_ms());
}

/* A refresh completed: it is what requests get from now on. Members Patroni added join, as in
 * the dashboard (its DCS is the source of truth for membership); the cluster is rebuilt after
 * the poll results naming its sockets were handled. */
static bool take_snapshot(struct serve *sv, struct snapshot *s)
{
    snapshot_free(sv->snap);
    sv->snap = s;
    int before = sv->cfg->nnodes;
    if (!s->patroni || !s->patroni->known || patroni_add_members(sv->cfg, s->patroni) == 0)
        return false;
    for (int i = before; i < sv->cfg->nnodes; i++)
        fprintf(stderr, "repltop: %s joins (a new member in Patroni's cluster)\n",
                sv->cfg->nodes[i].name);
    return true;
}

/* Until a signal (true), or a poll() that fails (false, said on stderr). */
static bool loop(struct serve *sv, struct httpd *h)
{
    struct pollfd *pfds = NULL;
    int *owner = NULL, cap = 0;
    bool quit = false, rebuild = false, failed = false;
    while (!quit) {
        if (rebuild)
            watch_start(sv);
        rebuild = false;
        int need = 2 + cluster_size(sv->cluster) + CLUSTER_POLLFDS_EXTRA;
        if (need > cap) {
            pfds = xrealloc(pfds, (size_t)need * sizeof *pfds);
            owner = xrealloc(owner, (size_t)need * sizeof *owner);
            cap = need;
        }
        int64_t now = clock_mono_ms();
        bool sending =
            schedule_send(&sv->sched, sv->cluster, sv->cfg->refresh_s, false, now, SEND_SLICE_MS);
        now = clock_mono_ms();
        pfds[0] = (struct pollfd){sigpipe_fd(), POLLIN, 0};
        pfds[1] = (struct pollfd){httpd_fd(h), POLLIN, 0};
        int ncl = cluster_pollfds(sv->cluster, pfds + 2, owner, cap - 2);
        int timeout = timeout_min(cluster_timeout_ms(sv->cluster, now),
                                  schedule_due_ms(&sv->sched, false, now));
        timeout = timeout_min(timeout, httpd_timeout_ms(h));
        if (sending)
            timeout = 0; /* only a look at signals, requests and answers before the next slice */
        int r = poll(pfds, (nfds_t)(2 + ncl), timeout);
        if (r < 0 && errno != EINTR) {
            text_error("poll: %s", strerror(errno));
            failed = true;
            break;
        }
        now = clock_mono_ms();
        while (r > 0 && pfds[0].revents && sigpipe_next() != 0)
            quit = true; /* SIGINT, SIGTERM, SIGHUP */
        cluster_handle(sv->cluster, pfds + 2, owner, r > 0 ? ncl : 0, now);
        struct snapshot *fresh = schedule_collect(&sv->sched, sv->cluster);
        if (fresh)
            rebuild = take_snapshot(sv, fresh);
        httpd_run(h); /* after every poll(), as libmicrohttpd's timeout asks */
    }
    free(pfds);
    free(owner);
    return !failed;
}

int serve_run(struct config *cfg, const char *name, const struct httpd_addr *listen)
{
    static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
    char err[600];
    struct serve sv = {.cfg = cfg, .name = name};
    struct httpd *h = httpd_open(listen, route, &sv, err, sizeof err);
    if (!h) {
        text_error("%s", err);
        return 3;
    }
    if (!sigpipe_open(caught, (int)(sizeof caught / sizeof caught[0]), err, sizeof err)) {
        text_error("%s", err);
        httpd_close(h);
        return 1;
    }
    fprintf(stderr,
            "repltop: serving cluster %s (%d node(s), refreshed every %.1f s) at http://%s/metrics "
            "and /snapshot.json (SIGINT or SIGTERM stops)\n",
            name, cfg->nnodes, cfg->refresh_s, listen->text);
    watch_start(&sv);
    int rc = loop(&sv, h) ? 0 : 1;
    httpd_close(h);
    sigpipe_close();
    cluster_free(sv.cluster);
    snapshot_free(sv.snap);
    fprintf(stderr, "repltop: serve stopped\n");
    return rc;
}

void serve_cluster_name(const char *path, char *buf, size_t n)
{
    if (!path || !*path) {
        str_copy(buf, n, "default");
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len >= 5 && strcmp(base + len - 5, ".conf") == 0)
        len -= 5;
    if (len == 0) {
        str_copy(buf, n, "default");
        return;
    }
    str_printf(buf, n, "%.*s", (int)len, base);
}
