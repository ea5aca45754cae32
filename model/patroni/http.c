/* http: libcurl's multi interface driven by the caller's poll() loop (http.h). libcurl tells us
 * which sockets to watch (the socket callback) and when to wake it (the timer callback); we
 * tell it what poll() saw with curl_multi_socket_action(). */
#include "model/patroni/http.h"
#include "model/base/util.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SOCKS 32
#define MAX_BODY  (1 << 20) /* Patroni's answers are a few kB; more is not Patroni */

struct watched {
    curl_socket_t fd;
    int what; /* CURL_POLL_IN, _OUT, _INOUT */
};

struct http {
    CURLM *multi;
    struct watched socks[MAX_SOCKS];
    int nsocks;
    int64_t timer_at; /* clock_mono_ms() when libcurl wants to be woken, -1 none */
    struct http_req *reqs;
};

struct http_req {
    struct http *h;
    struct http_req *next;
    CURL *easy;
    struct curl_slist *headers;
    char *send;
    char *body;
    size_t len;
    bool attached, done;
    long status;
    char error[CURL_ERROR_SIZE];
};

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    struct http *h = userp;
    int i = 0;
    while (i < h->nsocks && h->socks[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < h->nsocks)
            h->socks[i] = h->socks[--h->nsocks];
        return 0;
    }
    if (i == h->nsocks) {
        if (h->nsocks == MAX_SOCKS)
            return -1; /* libcurl fails that transfer: never more than a few are open */
        h->nsocks++;
    }
    h->socks[i].fd = fd;
    h->socks[i].what = what;
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct http *h = userp;
    h->timer_at = timeout_ms < 0 ? -1 : clock_mono_ms() + timeout_ms;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct http_req *r = userp;
    size_t n = size * nmemb;
    if (r->len + n > MAX_BODY)
        return 0; /* libcurl ends the transfer with CURLE_WRITE_ERROR */
    r->body = xrealloc(r->body, r->len + n + 1);
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

struct http *http_new(void)
{
    static bool global_done;
    if (!global_done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        global_done = true;
    }
    struct http *h = xcalloc(1, sizeof *h);
    h->multi = curl_multi_init();
    if (!h->multi)
        abort(); /* only on allocation failure, as xmalloc */
    h->timer_at = -1;
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    return h;
}

static void detach(struct http_req *r)
{
    if (r->attached) {
        curl_multi_remove_handle(r->h->multi, r->easy);
        r->attached = false;
    }
}

void http_req_free(struct http_req *r)
{
    if (!r)
        return;
    detach(r);
    if (r->h) {
        struct http_req **p = &r->h->reqs;
        while (*p && *p != r)
            p = &(*p)->next;
        if (*p)
            *p = r->next;
    }
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->send);
    free(r->body);
    free(r);
}

void http_free(struct http *h)
{
    if (!h)
        return;
    while (h->reqs)
        http_req_free(h->reqs);
    curl_multi_cleanup(h->multi);
    free(h);
}

struct http_req *http_start(struct http *h, const char *method, const char *url,
                            const char *json_body, int timeout_ms)
{
    struct http_req *r = xcalloc(1, sizeof *r);
    r->h = h;
    r->easy = curl_easy_init();
    if (!r->easy)
        abort();
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    /* Patroni's API is plain http or https: nothing else (no file://, no redirects away) */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    /* restapi.authentication: the user and password come from ~/.netrc, never the URL */
    curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    if (json_body) {
        r->send = xstrdup(json_body);
        r->headers = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->send);
    }
    r->body = xstrdup("");
    r->next = h->reqs;
    h->reqs = r;
    if (curl_multi_add_handle(h->multi, e) == CURLM_OK) {
        r->attached = true;
    } else {
        r->done = true;
        str_copy(r->error, sizeof r->error, "libcurl refused the request");
    }
    return r;
}

bool http_req_done(const struct http_req *r)
{
    return r->done;
}

long http_req_status(const struct http_req *r)
{
    return r->status;
}

const char *http_req_body(const struct http_req *r)
{
    return r->body;
}

const char *http_req_error(const struct http_req *r)
{
    return r->error[0] ? r->error : "no answer";
}

int http_pollfds(const struct http *h, struct pollfd *pfds, int max)
{
    int n = 0;
    for (int i = 0; i < h->nsocks && n < max; i++, n++) {
        pfds[n].fd = h->socks[i].fd;
        pfds[n].events = (short)((h->socks[i].what & CURL_POLL_IN ? POLLIN : 0) |
                                 (h->socks[i].what & CURL_POLL_OUT ? POLLOUT : 0));
        pfds[n].revents = 0;
    }
    return n;
}

int http_timeout_ms(const struct http *h, int64_t now)
{
    if (h->timer_at < 0)
        return -1;
    return h->timer_at <= now ? 0 : (int)(h->timer_at - now);
}

/* Marks the transfers libcurl finished, with their status or error. */
static void collect(struct http *h)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(h->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct http_req *r = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        if (!r)
            continue;
        if (m->data.result == CURLE_OK)
            curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
        else if (!r->error[0])
            str_copy(r->error, sizeof r->error, curl_easy_strerror(m->data.result));
        r->done = true;
        detach(r);
    }
}

void http_handle(struct http *h, const struct pollfd *pfds, int n, int64_t now)
{
    int running;
    for (int i = 0; i < n; i++) {
        if (!pfds[i].revents)
            continue;
        int flags = (pfds[i].revents & POLLIN ? CURL_CSELECT_IN : 0) |
                    (pfds[i].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
                    (pfds[i].revents & (POLLERR | POLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(h->multi, pfds[i].fd, flags, &running);
    }
    if (h->timer_at >= 0 && h->timer_at <= now) {
        h->timer_at = -1;
        curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    collect(h);
}

void http_wait(struct http *h, struct http_req *r)
{
    struct pollfd pfds[MAX_SOCKS];
    while (!r->done) {
        int n = http_pollfds(h, pfds, MAX_SOCKS);
        int timeout = http_timeout_ms(h, clock_mono_ms());
        if (timeout < 0 || timeout > 200)
            timeout = 200; /* libcurl's own timer bounds the request; this only re-checks */
        if (poll(pfds, (nfds_t)n, timeout) < 0 && errno != EINTR)
            break;
        http_handle(h, pfds, n, clock_mono_ms());
    }
}
