/* sockset: the nodes' sockets in one epoll set (sockset.h). */
#include "model/watch/sockset.h"
#include "model/base/util.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct slot {
    bool used;
    int group, index;
    int fd;         /* registered, -1 for none */
    short events;   /* poll bits registered */
    unsigned epoch; /* the node's socket epoch when registered */
    uint32_t gen;   /* of the registration: an event carries it (stale ones are dropped) */
    int next_free;  /* the free list, while !used */
};

struct sockset {
    int epfd;
    struct slot *slots;
    int nslots, cap, free_head;
    int *fd_slot; /* per descriptor number: the slot whose registration holds it, -1 none */
    int nfd;
    uint32_t gen;
};

struct sockset *sockset_new(void)
{
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        return NULL;
    struct sockset *s = xcalloc(1, sizeof *s);
    s->epfd = epfd;
    s->free_head = -1;
    return s;
}

void sockset_free(struct sockset *s)
{
    if (!s)
        return;
    close(s->epfd);
    free(s->slots);
    free(s->fd_slot);
    free(s);
}

int sockset_fd(const struct sockset *s)
{
    return s->epfd;
}

int sockset_slot_new(struct sockset *s, int group, int index)
{
    int id = s->free_head;
    if (id >= 0) {
        s->free_head = s->slots[id].next_free;
    } else {
        if (s->nslots == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->slots = xrealloc(s->slots, (size_t)s->cap * sizeof *s->slots);
        }
        id = s->nslots++;
    }
    s->slots[id] = (struct slot){.used = true, .group = group, .index = index, .fd = -1};
    return id;
}

/* The registration of sl, if it still holds its number: removed from the set. A number whose
 * socket was closed is out of the set already (the kernel removes it) or another slot's now. */
static void forget(struct sockset *s, int id)
{
    struct slot *sl = &s->slots[id];
    if (sl->fd < 0)
        return;
    if (s->fd_slot[sl->fd] == id) {
        (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, sl->fd, NULL); /* EBADF, ENOENT: closed */
        s->fd_slot[sl->fd] = -1;
    }
    sl->fd = -1;
}

void sockset_slot_free(struct sockset *s, int id)
{
    forget(s, id);
    s->slots[id].used = false;
    s->slots[id].next_free = s->free_head;
    s->free_head = id;
}

static uint32_t to_epoll(short events)
{
    return ((events & POLLIN) ? EPOLLIN : 0) | ((events & POLLOUT) ? EPOLLOUT : 0);
}

static short to_poll(uint32_t events)
{
    return (short)(((events & EPOLLIN) ? POLLIN : 0) | ((events & EPOLLOUT) ? POLLOUT : 0) |
                   ((events & EPOLLERR) ? POLLERR : 0) | ((events & EPOLLHUP) ? POLLHUP : 0));
}

static void fd_room(struct sockset *s, int fd)
{
    if (fd < s->nfd)
        return;
    int n = s->nfd ? s->nfd : 64;
    while (n <= fd)
        n *= 2;
    s->fd_slot = xrealloc(s->fd_slot, (size_t)n * sizeof *s->fd_slot);
    for (int i = s->nfd; i < n; i++)
        s->fd_slot[i] = -1;
    s->nfd = n;
}

void sockset_want(struct sockset *s, int id, int fd, short events, unsigned epoch)
{
    struct slot *sl = &s->slots[id];
    if (sl->fd >= 0 && sl->fd != fd)
        forget(s, id);
    if (fd < 0 || (sl->fd == fd && sl->events == events && sl->epoch == epoch))
        return;
    struct epoll_event ev = {.events = to_epoll(events)};
    if (sl->fd == fd) {
        ev.data.u64 = (uint64_t)sl->gen << 32 | (uint32_t)id;
        /* ENOENT: the socket was replaced by another of the same number; it is added below */
        if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) == 0) {
            sl->events = events;
            sl->epoch = epoch;
            return;
        }
    }
    fd_room(s, fd);
    int other = s->fd_slot[fd];
    if (other >= 0 && other != id)
        s->slots[other].fd = -1; /* its socket was closed and the number given to this one */
    sl->gen = ++s->gen;
    ev.data.u64 = (uint64_t)sl->gen << 32 | (uint32_t)id;
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 &&
        (errno != EEXIST || epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)) {
        sl->fd = -1; /* not watched (the kernel's limit): the node's deadline still holds */
        s->fd_slot[fd] = -1;
        return;
    }
    sl->fd = fd;
    sl->events = events;
    sl->epoch = epoch;
    s->fd_slot[fd] = id;
}

int sockset_ready(struct sockset *s, struct sockset_ready *out, int max)
{
    /* one epoll_wait: a socket is level-triggered, so a second one before the first's were
     * served would report them again */
    struct epoll_event ev[SOCKSET_READY_MAX];
    int n = epoll_wait(s->epfd, ev, max < SOCKSET_READY_MAX ? max : SOCKSET_READY_MAX, 0);
    int got = 0;
    for (int i = 0; i < n; i++) {
        uint32_t id = (uint32_t)ev[i].data.u64, gen = (uint32_t)(ev[i].data.u64 >> 32);
        const struct slot *sl = id < (uint32_t)s->nslots ? &s->slots[id] : NULL;
        if (!sl || !sl->used || sl->gen != gen || sl->fd < 0)
            continue; /* a registration no slot holds any more */
        out[got++] = (struct sockset_ready){sl->group, sl->index, to_poll(ev[i].events)};
    }
    return got;
}
