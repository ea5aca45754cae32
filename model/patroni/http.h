/* http: HTTP requests to Patroni's REST API over libcurl's multi interface, never blocking.
 *
 * The caller owns the poll() loop, as with the nodes (model/watch/cluster.h): http_pollfds()
 * lists the sockets libcurl wants watched, http_timeout_ms() its next timer, http_handle()
 * drives the transfers. Every request has its own deadline (CURLOPT_TIMEOUT_MS), so a hung REST
 * API ends as an error, never as a frozen screen. http_wait() runs that loop alone, for the
 * one-shot commands and the actions. */
#ifndef REPLTOP_HTTP_H
#define REPLTOP_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct http;
struct http_req;

struct http *http_new(void);
/* Frees the client and every request still attached to it. */
void http_free(struct http *h);

/* Starts METHOD url with an optional JSON body (NULL: none), ending at the latest after
 * timeout_ms. The request belongs to the caller (http_req_free), and is driven by the loop. */
struct http_req *http_start(struct http *h, const char *method, const char *url,
                            const char *json_body, int timeout_ms);
void http_req_free(struct http_req *r);

bool http_req_done(const struct http_req *r);
/* The HTTP status once done, 0 when no answer came (then http_req_error says why). */
long http_req_status(const struct http_req *r);
/* The answer's body ("" when none), and libcurl's message for a failed transfer. */
const char *http_req_body(const struct http_req *r);
const char *http_req_error(const struct http_req *r);

/* Fills up to max pollfds; returns how many. */
int http_pollfds(const struct http *h, struct pollfd *pfds, int max);
/* Milliseconds until libcurl's next timer, -1 when none. */
int http_timeout_ms(const struct http *h, int64_t now_ms);
/* Serves the sockets poll() reported (pfds as filled by http_pollfds) and expired timers. */
void http_handle(struct http *h, const struct pollfd *pfds, int n, int64_t now_ms);

/* Runs the loop until r is done (its own deadline bounds the wait). */
void http_wait(struct http *h, struct http_req *r);

#endif
