/* httpd: libmicrohttpd in external epoll mode (httpd.h). */
#include "model/serve/httpd.h"
#include "model/base/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONN_LIMIT   64 /* clients at once; more wait in the kernel's backlog */
#define CONN_TIMEOUT 10 /* seconds an idle client keeps its connection */

struct httpd {
    struct MHD_Daemon *d;
    int epoll_fd;
    httpd_route *route;
    void *arg;
};

static bool parse_port(const char *s, in_port_t *port)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 1 || v > 65535 || s[0] == '+' || s[0] == '-')
        return false;
    *port = htons((uint16_t)v);
    return true;
}

bool httpd_parse_listen(const char *arg, struct httpd_addr *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    char host[64];
    const char *colon = strrchr(arg, ':');
    const char *host_start = arg;
    size_t host_len = colon ? (size_t)(colon - arg) : 0;
    if (host_len >= 2 && arg[0] == '[' && arg[host_len - 1] == ']') {
        host_start = arg + 1; /* [v6]:port */
        host_len -= 2;
    }
    in_port_t port = 0;
    bool ok = colon && host_len > 0 && host_len < sizeof host && parse_port(colon + 1, &port);
    if (ok) {
        memcpy(host, host_start, host_len);
        host[host_len] = '\0';
        struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
        if (host_start == arg && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = port;
            a->len = sizeof *v4;
        } else if (host_start != arg && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = port;
            a->len = sizeof *v6;
        } else {
            ok = false;
        }
    }
    if (!ok) {
        str_printf(err, errlen,
                   "--listen takes ADDRESS:PORT with a numeric address and a port from 1 to "
                   "65535 (127.0.0.1:9187, [::1]:9187, 0.0.0.0:9187 for every interface), not "
                   "\"%s\"",
                   arg);
        return false;
    }
    str_copy(a->text, sizeof a->text, arg);
    return true;
}

/* Bound here rather than by libmicrohttpd: its failure then has an errno to say. An IPv6
 * socket is IPv6 only: it listens where it was told, not on IPv4 too. */
static int listen_socket(const struct httpd_addr *a, char *err, size_t errlen)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        str_printf(err, errlen, "cannot listen on %s: socket: %s", a->text, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a->ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0 || listen(fd, 64) != 0) {
        str_printf(err, errlen, "cannot listen on %s: %s", a->text, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void httpd_body_string(struct httpd_body *b, char *text)
{
    *b = (struct httpd_body){{text}, {text ? strlen(text) : 0}, free, text};
}

static enum MHD_Result answer(struct MHD_Connection *conn, int status, const char *type,
                              struct httpd_body *b, const char *allow)
{
    struct MHD_IoVec iov[2];
    unsigned n = 0;
    for (int i = 0; i < 2; i++)
        if (b->len[i])
            iov[n++] = (struct MHD_IoVec){b->part[i], b->len[i]};
    struct MHD_Response *r = MHD_create_response_from_iovec(iov, n, b->release, b->cls);
    if (!r) {
        if (b->release)
            b->release(b->cls);
        return MHD_NO;
    }
    if (type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r); /* freed, and released, once sent */
    return ok;
}

/* libmicrohttpd's access handler: answered from what the route has now (it never waits for
 * anything). The first call only marks the request seen: a response queued then, before
 * libmicrohttpd has looked for a body, closes the connection, and Prometheus keeps its
 * connection between scrapes. A request body, which no route takes, is skipped. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version, (void)upload_data;
    static int seen;
    if (!*con_cls) {
        *con_cls = &seen;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct httpd *h = cls;
    struct httpd_body body = {0};
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        httpd_body_string(&body, xstrdup("only GET and HEAD\n"));
        return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", &body,
                      "GET, HEAD");
    }
    const char *type = "text/plain; charset=utf-8";
    int status = h->route(h->arg, url, &type, &body); /* HEAD: libmicrohttpd sends no body */
    return answer(conn, status, type, &body, NULL);
}

struct httpd *httpd_open(const struct httpd_addr *a, httpd_route *route, void *arg, char *err,
                         size_t errlen)
{
    int fd = listen_socket(a, err, errlen);
    if (fd < 0)
        return NULL;
    struct httpd *h = xcalloc(1, sizeof *h);
    h->route = route;
    h->arg = arg;
    /* no MHD_USE_INTERNAL_POLLING_THREAD: our loop drives it; no MHD_USE_ERROR_LOG: a client's
     * mistakes are not the operator's business */
    h->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET,
                            fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
                            MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        h->d ? MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info) {
        str_printf(err, errlen, "cannot listen on %s: libmicrohttpd did not start", a->text);
        if (h->d)
            MHD_stop_daemon(h->d);
        else
            close(fd);
        free(h);
        return NULL;
    }
    h->epoll_fd = info->epoll_fd;
    return h;
}

void httpd_close(struct httpd *h)
{
    if (!h)
        return;
    if (h->d)
        MHD_stop_daemon(h->d); /* closes the listening socket and every connection */
    free(h);
}

int httpd_fd(const struct httpd *h)
{
    return h->epoll_fd;
}

int httpd_timeout_ms(struct httpd *h)
{
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(h->d, &ms) != MHD_YES)
        return -1;
    return ms > 60000 ? 60000 : (int)ms;
}

void httpd_run(struct httpd *h)
{
    MHD_run(h->d);
}
