/* patroni_members: Patroni's members as repltop's nodes (patroni_members.h). */
#include "model/watch/patroni_members.h"
#include "model/base/util.h"
#include "model/patroni/http.h"
#include "model/pg/conninfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_url(char urls[][256], int n, int max, const char *url)
{
    if (!url || !url[0] || n >= max)
        return n;
    char base[256];
    patroni_api_base(url, base, sizeof base);
    for (int i = 0; i < n; i++)
        if (strcmp(urls[i], base) == 0)
            return n;
    str_copy(urls[n], 256, base);
    return n + 1;
}

int patroni_urls(const struct config *c, const struct patroni_view *v, char urls[][256], int max)
{
    int n = add_url(urls, 0, max, c->patroni);
    for (int i = 0; i < c->nnodes; i++)
        n = add_url(urls, n, max, c->nodes[i].patroni);
    if (n == 0)
        return 0; /* Patroni not configured: the members' URLs are never asked on a guess */
    for (int i = 0; v && i < v->nmembers; i++)
        n = add_url(urls, n, max, v->members[i].api_url);
    return n;
}

/* GET base+path; the body (heap) on a 200, else NULL with why in err. */
static char *get(struct http *h, const char *base, const char *path, int timeout_ms, char *err,
                 size_t errlen)
{
    char url[300];
    str_printf(url, sizeof url, "%s%s", base, path);
    struct http_req *r = http_start(h, "GET", url, NULL, timeout_ms);
    http_wait(h, r);
    char *body = NULL;
    if (http_req_status(r) == 200)
        body = xstrdup(http_req_body(r));
    else if (http_req_status(r))
        str_printf(err, errlen, "%s answered HTTP %ld", url, http_req_status(r));
    else
        str_printf(err, errlen, "%s: %s", url, http_req_error(r));
    http_req_free(r);
    return body;
}

/* The first API that answers /cluster fills v (its url with it); with settings, also /config
 * and /patroni from that one. */
static bool fetch(const struct config *c, struct patroni_view *v, int timeout_ms, bool settings)
{
    char urls[PATRONI_MAX_URLS][256];
    int n = patroni_urls(c, NULL, urls, PATRONI_MAX_URLS);
    patroni_view_clear(v);
    if (n == 0) {
        str_copy(v->error, sizeof v->error, "no Patroni REST API configured");
        return false;
    }
    struct http *h = http_new();
    char err[256] = "";
    for (int i = 0; i < n && !v->known; i++) {
        char *body = get(h, urls[i], "/cluster", timeout_ms, err, sizeof err);
        if (body && patroni_cluster_parse(body, v, err, sizeof err))
            str_copy(v->url, sizeof v->url, urls[i]);
        free(body);
    }
    if (v->known && settings) {
        char *body = get(h, v->url, "/config", timeout_ms, err, sizeof err);
        v->settings_known = body && patroni_settings_parse(body, &v->settings, err, sizeof err);
        free(body);
        body = get(h, v->url, "/patroni", timeout_ms, err, sizeof err);
        if (body)
            patroni_scope_parse(body, v->scope, sizeof v->scope);
        free(body);
    } else if (!v->known) {
        str_copy(v->error, sizeof v->error, err);
    }
    http_free(h);
    return v->known;
}

bool patroni_fetch(const struct config *c, struct patroni_view *v, int timeout_ms)
{
    return fetch(c, v, timeout_ms, true);
}

const struct patroni_member *patroni_member_of(const struct patroni_view *v,
                                               const struct node_conf *n)
{
    const struct patroni_member *m = patroni_member_find(v, n->name);
    if (m || !n->conninfo)
        return m;
    char host[128] = "", port[16] = "5432";
    if (!conninfo_get(n->conninfo, "host", host, sizeof host) &&
        !conninfo_get(n->conninfo, "hostaddr", host, sizeof host))
        return NULL;
    conninfo_get(n->conninfo, "port", port, sizeof port);
    for (int i = 0; i < v->nmembers; i++)
        if (strcmp(v->members[i].host, host) == 0 && v->members[i].port == atoi(port))
            return &v->members[i];
    return NULL;
}

static bool is_a_node(const struct config *c, const struct patroni_member *m)
{
    struct patroni_view one;
    patroni_view_clear(&one);
    one.members[0] = *m;
    one.nmembers = 1;
    for (int i = 0; i < c->nnodes; i++)
        if (patroni_member_of(&one, &c->nodes[i]))
            return true;
    return false;
}

int patroni_add_members(struct config *c, const struct patroni_view *v)
{
    int added = 0;
    for (int i = 0; i < v->nmembers; i++) {
        const struct patroni_member *m = &v->members[i];
        if (!m->name[0] || !m->host[0] || m->port <= 0 || is_a_node(c, m))
            continue;
        const char *base = c->nnodes && c->nodes[0].conninfo ? c->nodes[0].conninfo : "";
        char *conninfo = conninfo_for_node(base, m->host, m->port);
        char err[400], origin[128];
        str_printf(origin, sizeof origin, "Patroni member %s", m->name);
        if (conninfo && config_add_node(c, m->name, conninfo, origin, err, sizeof err)) {
            struct node_conf *n = config_find_node(c, m->name);
            char api[256];
            patroni_api_base(m->api_url, api, sizeof api);
            n->patroni = api[0] ? xstrdup(api) : NULL;
            added++;
        }
        free(conninfo);
    }
    return added;
}

bool patroni_load_members(struct config *c, char *err, size_t errlen)
{
    char urls[PATRONI_MAX_URLS][256];
    if (patroni_urls(c, NULL, urls, PATRONI_MAX_URLS) == 0)
        return true;
    struct patroni_view *v = xmalloc(sizeof *v);
    bool ok = true;
    /* the members alone: the watch reads the settings and the scope with its first refresh */
    if (fetch(c, v, c->connect_timeout_ms, false))
        patroni_add_members(c, v);
    else if (c->nnodes == 0) {
        str_printf(err, errlen, "cannot read the members from Patroni: %s", v->error);
        ok = false;
    }
    free(v);
    return ok;
}
