/* localport: whether a TCP port is free on this host, for a server about to be started here (a
 * new replica): something that listens on it, on 127.0.0.1 or [::1], makes it taken. */
#ifndef REPLTOP_LOCALPORT_H
#define REPLTOP_LOCALPORT_H

#include <stdbool.h>
#include <stddef.h>

/* True when binding the port on 127.0.0.1 or [::1] fails because it is in use (or reserved
 * for root); why says which address and what bind() said. */
bool localport_taken(int port, char *why, size_t whylen);

#endif
