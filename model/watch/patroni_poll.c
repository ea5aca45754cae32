/* patroni_poll: Patroni's view at every refresh, never blocking (patroni_poll.h). */
#include "model/watch/patroni_poll.h"
#include "model/watch/patroni_members.h"
#include "model/base/util.h"
#include "model/patroni/http.h"

#include <stdlib.h>
#include <string.h>

#define SETTINGS_EVERY 10 /* refreshes between two reads of /config and /patroni */

struct patroni_poll {
    const struct config *cfg;
    int timeout_ms;
    struct http *http;
    struct http_req *cluster, *settings, *about;
    char url[256]; /* the API this refresh asks */
    int next_url;  /* which of patroni_urls() to ask */
    unsigned rounds;
    struct patroni_view view;
};

struct patroni_poll *patroni_poll_new(const struct config *c, int timeout_ms)
{
    char urls[PATRONI_MAX_URLS][256];
    if (patroni_urls(c, NULL, urls, PATRONI_MAX_URLS) == 0)
        return NULL;
    struct patroni_poll *p = xcalloc(1, sizeof *p);
    p->cfg = c;
    p->timeout_ms = timeout_ms;
    p->http = http_new();
    patroni_view_clear(&p->view);
    str_copy(p->view.error, sizeof p->view.error, "not read yet");
    return p;
}

void patroni_poll_free(struct patroni_poll *p)
{
    if (!p)
        return;
    http_free(p->http); /* frees the requests still attached */
    free(p);
}

static struct http_req *get(struct patroni_poll *p, const char *path)
{
    char url[300];
    str_printf(url, sizeof url, "%s%s", p->url, path);
    return http_start(p->http, "GET", url, NULL, p->timeout_ms);
}

void patroni_poll_start(struct patroni_poll *p)
{
    if (patroni_poll_pending(p))
        return;
    char urls[PATRONI_MAX_URLS][256];
    int n = patroni_urls(p->cfg, &p->view, urls, PATRONI_MAX_URLS);
    if (n == 0)
        return;
    str_copy(p->url, sizeof p->url, urls[p->next_url % n]);
    p->cluster = get(p, "/cluster");
    if (p->rounds++ % SETTINGS_EVERY == 0 || !p->view.settings_known) {
        p->settings = get(p, "/config");
        p->about = get(p, "/patroni");
    }
}

bool patroni_poll_pending(const struct patroni_poll *p)
{
    return p->cluster || p->settings || p->about;
}

int patroni_poll_fds(const struct patroni_poll *p, struct pollfd *pfds, int max)
{
    return http_pollfds(p->http, pfds, max);
}

int patroni_poll_timeout_ms(const struct patroni_poll *p, int64_t now)
{
    return http_timeout_ms(p->http, now);
}

/* The body of a finished 200 answer, else NULL (why in err). */
static const char *answer(const struct http_req *r, char *err, size_t n)
{
    if (http_req_status(r) == 200)
        return http_req_body(r);
    if (http_req_status(r))
        str_printf(err, n, "HTTP %ld", http_req_status(r));
    else
        str_copy(err, n, http_req_error(r));
    return NULL;
}

static void take_cluster(struct patroni_poll *p)
{
    char err[200] = "";
    const char *body = answer(p->cluster, err, sizeof err);
    struct patroni_view *v = &p->view;
    if (body && patroni_cluster_parse(body, v, err, sizeof err)) {
        str_copy(v->url, sizeof v->url, p->url);
    } else {
        /* the members stay as last read (to find another API); the view is not current */
        v->known = false;
        str_printf(v->error, sizeof v->error, "%s/cluster: %s", p->url, err);
        p->next_url++;
    }
}

void patroni_poll_handle(struct patroni_poll *p, const struct pollfd *pfds, int n, int64_t now)
{
    http_handle(p->http, pfds, n, now);
    char err[200];
    if (p->cluster && http_req_done(p->cluster)) {
        take_cluster(p);
        http_req_free(p->cluster);
        p->cluster = NULL;
    }
    if (p->settings && http_req_done(p->settings)) {
        const char *body = answer(p->settings, err, sizeof err);
        if (body && patroni_settings_parse(body, &p->view.settings, err, sizeof err))
            p->view.settings_known = true;
        http_req_free(p->settings);
        p->settings = NULL;
    }
    if (p->about && http_req_done(p->about)) {
        const char *body = answer(p->about, err, sizeof err);
        if (body)
            patroni_scope_parse(body, p->view.scope, sizeof p->view.scope);
        http_req_free(p->about);
        p->about = NULL;
    }
}

const struct patroni_view *patroni_poll_view(const struct patroni_poll *p)
{
    return &p->view;
}
