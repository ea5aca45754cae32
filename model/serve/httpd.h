/* httpd: a small HTTP server for `repltop serve`, on libmicrohttpd, driven from the caller's
 * poll() loop as the nodes are (model/watch/cluster.h).
 *
 * libmicrohttpd runs in its "external" mode with epoll: one descriptor (httpd_fd) to poll,
 * a timeout (httpd_timeout_ms) and httpd_run() after each poll(). It never blocks: a slow or
 * idle client is one more socket in its epoll set, with its own deadline. Only GET and HEAD are
 * answered (405 otherwise); the caller's route function gives the status, type and body. */
#ifndef REPLTOP_HTTPD_H
#define REPLTOP_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Where to listen: a numeric address and a port ("127.0.0.1:9187", "[::1]:9187",
 * "0.0.0.0:9187" for every interface). */
struct httpd_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[64]; /* as given, for messages */
};

/* Parses ADDRESS:PORT; false with a one-line reason in err. No name is looked up: the server
 * binds only where it is told. */
bool httpd_parse_listen(const char *arg, struct httpd_addr *a, char *err, size_t errlen);

/* An answer's body: up to two parts sent one after the other as they are (not copied), and
 * release(cls), when not NULL, called once the server is done with them — the answer may be
 * sent over several httpd_run() calls, so a part kept for other requests is counted, not
 * freed (serve's pages). */
struct httpd_body {
    const char *part[2];
    size_t len[2];
    void (*release)(void *cls);
    void *cls;
};

/* A heap string as the whole body, freed once sent. */
void httpd_body_string(struct httpd_body *b, char *text);

/* The answer to GET path: an HTTP status; *type the Content-Type (a constant), *body what to
 * send (all zero: an empty body). */
typedef int httpd_route(void *arg, const char *path, const char **type, struct httpd_body *body);

struct httpd;

/* Binds and listens at a, answering through route(arg, ...); NULL with a one-line reason in
 * err (the address in use, not on this host, a port that needs privileges). */
struct httpd *httpd_open(const struct httpd_addr *a, httpd_route *route, void *arg, char *err,
                         size_t errlen);
void httpd_close(struct httpd *h);

/* The descriptor to poll for POLLIN. */
int httpd_fd(const struct httpd *h);
/* Milliseconds until the server must run even without activity (a connection's deadline), -1
 * when never. */
int httpd_timeout_ms(struct httpd *h);
/* Accepts, reads and answers what is ready; never blocks. Call after every poll(). */
void httpd_run(struct httpd *h);

#endif
