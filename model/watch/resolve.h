/* resolve: host names looked up without blocking (glibc's getaddrinfo_a), because libpq's
 * PQconnectStart resolves a host name synchronously — with a slow DNS server that would
 * freeze the dashboard for seconds. We resolve first, then connect with hostaddr=IP (libpq
 * still uses host for TLS verification and .pgpass). */
#ifndef REPLTOP_RESOLVE_H
#define REPLTOP_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

struct resolve;

/* The conninfo's host when it is a single DNS name that needs a lookup (not an address, a
 * socket directory, a list, or a host with hostaddr already given). */
bool resolve_needed(const char *conninfo, char *host, size_t n);
struct resolve *resolve_start(const char *host);
/* N > 0: done, N addresses comma-separated in addr; 0: still running; -1: failed (err). */
int resolve_poll(struct resolve *r, char *addr, size_t n, char *err, size_t errlen);
/* Cancels a running lookup (waiting briefly for one glibc cannot cancel) and frees it. */
void resolve_free(struct resolve *r);

#endif
