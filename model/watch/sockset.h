/* sockset: the nodes' sockets of a fleet in one epoll set (Linux), so that the caller's loop
 * polls one descriptor instead of a thousand and a turn of it costs what is ready, not what is
 * watched (bench/RESULTS.md section 12: a poll() of every socket per turn was half the CPU).
 *
 * Each watched socket has a slot, named by (group, index) — the fleet's cluster and its node.
 * After anything that may change what a node waits for, sockset_want() says it again; the set
 * makes a system call only when that changed. libpq replaces a socket while it connects (the
 * next address, a refused SSL) and a closed descriptor's number is soon another socket's, so a
 * slot's registration is checked by its number, its events and an epoch the node bumps whenever
 * its socket may have been replaced; an event from a registration the slot no longer holds is
 * dropped, never handed to the node that has the number now. */
#ifndef REPLTOP_SOCKSET_H
#define REPLTOP_SOCKSET_H

#include <stdbool.h>

struct sockset;

/* NULL when the kernel refuses an epoll set (out of descriptors or memory). */
struct sockset *sockset_new(void);
void sockset_free(struct sockset *s);
/* Readable (poll POLLIN) while some watched socket is ready. */
int sockset_fd(const struct sockset *s);

/* A new slot, watching nothing yet; its id. */
int sockset_slot_new(struct sockset *s, int group, int index);
/* Forgets the slot and its registration; call it before its socket is closed. */
void sockset_slot_free(struct sockset *s, int id);
/* What the slot waits for now: descriptor fd (-1 for nothing) and poll events (POLLIN,
 * POLLOUT); epoch changes whenever the socket behind fd may have been replaced by another. */
void sockset_want(struct sockset *s, int id, int fd, short events, unsigned epoch);

struct sockset_ready {
    int group, index;
    short revents; /* poll bits: POLLIN, POLLOUT, POLLERR, POLLHUP */
};
/* The slots whose sockets are ready, without waiting: at most max (and SOCKSET_READY_MAX) into
 * out; how many. Serve them before asking again: a socket still ready is reported again. */
#define SOCKSET_READY_MAX 256
int sockset_ready(struct sockset *s, struct sockset_ready *out, int max);

#endif
