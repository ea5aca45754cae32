/* serve: the headless loop and its two routes (serve.h). */
#include "model/serve/serve.h"
#include "model/serve/httpd.h"
#include "model/config/config_fleet.h"
#include "model/store/json_fleet.h"
#include "model/store/metrics.h"
#include "model/watch/fleet.h"
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

/* A page made from the snapshots of one generation, kept for every request until a snapshot
 * changes, and counted: an answer still being sent keeps the one it was made from. */
struct page {
    int refs;
    char *text;
    size_t len;
    struct metrics_dated dated; /* /metrics: the ages, written for each request */
};

/* One answer's hold on a page, and the text made for it alone (the ages). */
struct sent {
    struct page *page;
    char *own;
};

struct serve {
    struct config *cfgs; /* one per cluster */
    int n;
    char (*names)[NAME_LEN]; /* each cluster's label */
    struct fleet *fleet;
    struct schedule sched;
    bool *rebuild; /* cluster i has new members (Patroni): rebuilt at the top of a pass */
    uint64_t gen;  /* new snapshots so far */
    struct page *metrics, *json; /* NULL until asked for */
    uint64_t metrics_gen, json_gen;
    size_t metrics_len; /* the last page's size: the next one's room, made at once */
};

static void page_drop(struct page *p)
{
    if (p && --p->refs == 0) {
        free(p->text);
        metrics_dated_free(&p->dated);
        free(p);
    }
}

static void sent_release(void *cls)
{
    struct sent *s = cls;
    page_drop(s->page);
    free(s->own);
    free(s);
}

/* The page for the current generation: *cache if it is of it, else made (and kept). */
static struct page *page_for(struct page **cache, uint64_t *cache_gen, uint64_t gen,
                             void (*make)(struct serve *, struct page *), struct serve *sv)
{
    if (!*cache || *cache_gen != gen) {
        page_drop(*cache);
        *cache = xcalloc(1, sizeof **cache);
        (*cache)->refs = 1;
        make(sv, *cache);
        *cache_gen = gen;
    }
    return *cache;
}

/* The body: the page, then own (may be NULL), held until sent. */
static void body_of(struct httpd_body *b, struct page *p, char *own, size_t own_len)
{
    struct sent *s = xcalloc(1, sizeof *s);
    p->refs++;
    *s = (struct sent){p, own};
    *b = (struct httpd_body){{p->text, own}, {p->len, own ? own_len : 0}, sent_release, s};
}

static void make_metrics(struct serve *sv, struct page *p)
{
    struct mtext t = {0};
    mtext_reserve(&t, sv->metrics_len + sv->metrics_len / 16); /* not grown by copies */
    struct metrics_cluster *mc = xcalloc((size_t)sv->n, sizeof *mc);
    for (int i = 0; i < sv->n; i++)
        mc[i] = (struct metrics_cluster){sv->names[i], fleet_snapshot(sv->fleet, i)};
    metrics_write_page(&t, &p->dated, mc, sv->n);
    free(mc);
    p->len = sv->metrics_len = t.len;
    p->text = mtext_take(&t);
}

static void make_json(struct serve *sv, struct page *p)
{
    char *json = fleet_to_json(sv->fleet, true); /* a fleet of one: status --json's object */
    p->text = xasprintf("%s\n", json);           /* as status --json prints it */
    p->len = strlen(p->text);
    free(json);
}

/* Every cluster has answered once: until then a page would leave some out. */
static bool all_sampled(const struct serve *sv)
{
    for (int i = 0; i < sv->n; i++)
        if (!fleet_snapshot(sv->fleet, i))
            return false;
    return true;
}

static const char no_snapshot[] = "no snapshot yet: the first refresh is under way\n";

/* Both pages are made once per generation of snapshots, whatever the number of requests; only
 * the ages, counted to the request's time, are written for each (metrics_write_dated). */
static int route(void *arg, const char *path, const char **type, struct httpd_body *body)
{
    struct serve *sv = arg;
    bool metrics = strcmp(path, "/metrics") == 0;
    if (!metrics && strcmp(path, "/snapshot.json") != 0) {
        httpd_body_string(body, xstrdup("not found: GET /metrics or /snapshot.json\n"));
        return 404;
    }
    if (!all_sampled(sv)) {
        httpd_body_string(body, xstrdup(no_snapshot)); /* unknown is not a made-up value */
        return 503;
    }
    if (!metrics) {
        *type = "application/json";
        body_of(body, page_for(&sv->json, &sv->json_gen, sv->gen, make_json, sv), NULL, 0);
        return 200;
    }
    struct page *p = page_for(&sv->metrics, &sv->metrics_gen, sv->gen, make_metrics, sv);
    struct mtext ages = {0};
    metrics_write_dated(&ages, &p->dated, clock_wall());
    size_t len = ages.len;
    body_of(body, p, mtext_take(&ages), len);
    *type = "text/plain; version=0.0.4; charset=utf-8";
    return 200;
}

/* A cluster's refresh completed: it is what requests get from now on. Members Patroni added
 * join, as in the dashboard (its DCS is the source of truth for membership); the cluster is
 * rebuilt at the top of the next pass, after the poll results naming its sockets were handled. */
static void on_snapshot(void *arg, int i, const struct snapshot *prev, const struct snapshot *s)
{
    (void)prev;
    struct serve *sv = arg;
    sv->gen++; /* the pages made so far are of older snapshots */
    struct config *cfg = &sv->cfgs[i];
    int before = cfg->nnodes;
    if (!s->patroni || !s->patroni->known || patroni_add_members(cfg, s->patroni) == 0)
        return;
    for (int k = before; k < cfg->nnodes; k++)
        fprintf(stderr, "repltop: %s joins %s (a new member in Patroni's cluster)\n",
                cfg->nodes[k].name, sv->names[i]);
    sv->rebuild[i] = true;
}

/* Until a signal (true), or a poll() that fails (false, said on stderr). */
static bool loop(struct serve *sv, struct httpd *h)
{
    struct pollfd *pfds = NULL;
    int *owner = NULL, cap = 0;
    bool quit = false, failed = false;
    bool nodes_only = false; /* the last wake-up was for node answers only */
    while (!quit) {
        for (int i = 0; i < sv->n; i++) {
            if (sv->rebuild[i]) {
                fleet_rebuild(sv->fleet, i);
                schedule_rebuilt(&sv->sched, sv->fleet, clock_mono_ms());
            }
            sv->rebuild[i] = false;
        }
        int need = 2 + fleet_pollfds_max(sv->fleet);
        if (need > cap) {
            pfds = xrealloc(pfds, (size_t)need * sizeof *pfds);
            owner = xrealloc(owner, (size_t)need * sizeof *owner);
            cap = need;
        }
        int64_t now = clock_mono_ms();
        bool sending =
            schedule_send(&sv->sched, sv->fleet, sv->cfgs[0].refresh_s, false, now, SEND_SLICE_MS);
        now = clock_mono_ms();
        pfds[0] = (struct pollfd){sigpipe_fd(), POLLIN, 0};
        pfds[1] = (struct pollfd){httpd_fd(h), POLLIN, 0};
        int ncl = fleet_pollfds(sv->fleet, pfds + 2, owner, cap - 2);
        int timeout =
            timeout_min(fleet_timeout_ms(sv->fleet, now), schedule_due_ms(&sv->sched, false, now));
        timeout = timeout_min(timeout, httpd_timeout_ms(h));
        if (sending)
            timeout = 0; /* only a look at signals, requests and answers before the next slice */
        if (nodes_only && timeout != 0) {
            schedule_gather(pfds, 2, timeout); /* a scrape or a signal is answered at once */
            timeout = 0;
        }
        int r = poll(pfds, (nfds_t)(2 + ncl), timeout);
        nodes_only = r > 0 && !pfds[0].revents && !pfds[1].revents;
        if (r < 0 && errno != EINTR) {
            text_error("poll: %s", strerror(errno));
            failed = true;
            break;
        }
        now = clock_mono_ms();
        while (r > 0 && pfds[0].revents && sigpipe_next() != 0)
            quit = true; /* SIGINT, SIGTERM, SIGHUP */
        fleet_handle(sv->fleet, pfds + 2, owner, r > 0 ? ncl : 0, now);
        schedule_collect(&sv->sched, sv->fleet, on_snapshot, sv);
        httpd_run(h); /* after every poll(), as libmicrohttpd's timeout asks */
    }
    free(pfds);
    free(owner);
    return !failed;
}

int serve_run(struct config *cfgs, int n, const struct httpd_addr *listen)
{
    static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
    char err[600];
    struct serve sv = {.cfgs = cfgs, .n = n};
    sv.names = xcalloc((size_t)n, sizeof *sv.names);
    sv.rebuild = xcalloc((size_t)n, sizeof *sv.rebuild);
    int nodes = 0;
    for (int i = 0; i < n; i++) {
        nodes += cfgs[i].nnodes;
        if (!str_empty(cfgs[i].cluster_name))
            str_copy(sv.names[i], NAME_LEN, cfgs[i].cluster_name);
        else
            serve_cluster_name(cfgs[i].path, sv.names[i], NAME_LEN);
    }
    struct httpd *h = httpd_open(listen, route, &sv, err, sizeof err);
    if (!h) {
        text_error("%s", err);
        free(sv.names);
        free(sv.rebuild);
        return 3;
    }
    if (!sigpipe_open(caught, (int)(sizeof caught / sizeof caught[0]), err, sizeof err)) {
        text_error("%s", err);
        httpd_close(h);
        free(sv.names);
        free(sv.rebuild);
        return 1;
    }
    fprintf(stderr,
            "repltop: serving %s%s (%d node(s), refreshed every %.1f s) at http://%s/metrics "
            "and /snapshot.json (SIGINT or SIGTERM stops)\n",
            n == 1 ? "cluster " : "a fleet of clusters", n == 1 ? sv.names[0] : "", nodes,
            cfgs[0].refresh_s, listen->text);
    struct config **list = xcalloc((size_t)n, sizeof *list);
    for (int i = 0; i < n; i++)
        list[i] = &cfgs[i];
    sv.fleet = fleet_new(list, n);
    fleet_set_always_polled(sv.fleet); /* a refresh never waits for a hung node */
    schedule_init(&sv.sched, clock_mono_ms());
    int rc = loop(&sv, h) ? 0 : 1;
    httpd_close(h);
    sigpipe_close();
    fleet_free(sv.fleet);
    page_drop(sv.metrics);
    page_drop(sv.json);
    free(list);
    free(sv.names);
    free(sv.rebuild);
    fprintf(stderr, "repltop: serve stopped\n");
    return rc;
}

void serve_cluster_name(const char *path, char *buf, size_t n)
{
    /* the fleet's rule (config_fleet), and a name where it gives none */
    if (path && *path)
        config_fleet_default_name(path, buf, n);
    if (!path || !*path || !*buf || strcmp(buf, ".conf") == 0)
        str_copy(buf, n, "default");
}
