/* patroni_poll: Patroni's view, read at every refresh without blocking — GET /cluster (and
 * now and then /config and /patroni) through the HTTP client of model/patroni, in the
 * caller's poll() loop like the nodes (cluster.h). When the API asked does not answer, the
 * next refresh asks the next one: the configured URLs, then every member's own api_url (the
 * leader's REST API dies with it in a failover). */
#ifndef REPLTOP_PATRONI_POLL_H
#define REPLTOP_PATRONI_POLL_H

#include "model/config/config.h"
#include "model/patroni/patroni_view.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct patroni_poll;

/* NULL when the config names no Patroni REST API. timeout_ms bounds each request. */
struct patroni_poll *patroni_poll_new(const struct config *c, int timeout_ms);
void patroni_poll_free(struct patroni_poll *p);

/* Starts this refresh's requests (none when the last ones still run). */
void patroni_poll_start(struct patroni_poll *p);
/* True while a request of this refresh runs. */
bool patroni_poll_pending(const struct patroni_poll *p);
int patroni_poll_fds(const struct patroni_poll *p, struct pollfd *pfds, int max);
int patroni_poll_timeout_ms(const struct patroni_poll *p, int64_t now_ms);
/* pfds: only the entries patroni_poll_fds filled. */
void patroni_poll_handle(struct patroni_poll *p, const struct pollfd *pfds, int n, int64_t now_ms);
/* The latest view (members and settings as last read; known false after a failed read). */
const struct patroni_view *patroni_poll_view(const struct patroni_poll *p);

#endif
