/* The nodes' sockets in one epoll set (model/watch/sockset.h), on real sockets (socketpair):
 * a ready socket is reported under its node's name, write interest is honoured, and the cases
 * the loop meets when sessions come and go — a socket replaced by another of the same number
 * (libpq's next address), a number closed by one node and reused by another, and a registration
 * the kernel still holds for a closed socket (a forked child's copy) — never lose a node's
 * socket nor hand an event to the wrong node. */
#include "model/watch/sockset.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

/* A connected pair: [0] is the node's socket, [1] the server's end. */
static void pair(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

/* The pair again, its node's end moved to descriptor number fd (as a reused number). */
static void pair_at(int sv[2], int fd)
{
    pair(sv);
    if (sv[1] == fd) { /* the number came free and the pair took it: the other end moves */
        sv[1] = dup(fd);
        close(fd);
    }
    if (sv[0] != fd) {
        assert_int_equal(dup2(sv[0], fd), fd);
        close(sv[0]);
        sv[0] = fd;
    }
}

static void say(int fd)
{
    assert_int_equal(write(fd, "x", 1), 1);
}

static int ready(struct sockset *s, struct sockset_ready *r)
{
    return sockset_ready(s, r, SOCKSET_READY_MAX);
}

static void reported_under_its_name(void **state)
{
    (void)state;
    struct sockset *s = sockset_new();
    assert_non_null(s);
    int a[2], b[2];
    pair(a);
    pair(b);
    int sa = sockset_slot_new(s, 3, 1), sb = sockset_slot_new(s, 7, 2);
    sockset_want(s, sa, a[0], POLLIN, 0);
    sockset_want(s, sb, b[0], POLLIN, 0);
    struct sockset_ready r[SOCKSET_READY_MAX];
    assert_int_equal(ready(s, r), 0);
    struct pollfd p = {sockset_fd(s), POLLIN, 0};
    assert_int_equal(poll(&p, 1, 0), 0); /* the one descriptor says nothing is ready */
    say(b[1]);
    assert_int_equal(poll(&p, 1, 0), 1);
    assert_int_equal(ready(s, r), 1);
    assert_int_equal(r[0].group, 7);
    assert_int_equal(r[0].index, 2);
    assert_true(r[0].revents & POLLIN);
    /* write interest while a query is not flushed, then only reading again */
    sockset_want(s, sa, a[0], POLLIN | POLLOUT, 0);
    char c;
    assert_int_equal(read(b[0], &c, 1), 1);
    assert_int_equal(ready(s, r), 1);
    assert_int_equal(r[0].group, 3);
    assert_true(r[0].revents & POLLOUT);
    sockset_want(s, sa, a[0], POLLIN, 0);
    assert_int_equal(ready(s, r), 0);
    /* a slot that stops watching (its session dropped) is not reported */
    say(a[1]);
    sockset_want(s, sa, -1, 0, 0);
    assert_int_equal(ready(s, r), 0);
    sockset_free(s);
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
    }
}

/* libpq closes the socket and opens another, which gets the same number: the node's new epoch
 * makes the set register it again. */
static void replaced_under_the_same_number(void **state)
{
    (void)state;
    struct sockset *s = sockset_new();
    int a[2], b[2];
    pair(a);
    int fd = a[0];
    int id = sockset_slot_new(s, 0, 0);
    sockset_want(s, id, fd, POLLIN, 1);
    close(a[0]); /* the kernel drops its registration */
    close(a[1]);
    pair_at(b, fd);
    sockset_want(s, id, fd, POLLIN, 2); /* the same number and events: only the epoch says it */
    struct sockset_ready r[SOCKSET_READY_MAX];
    assert_int_equal(ready(s, r), 0);
    say(b[1]);
    assert_int_equal(ready(s, r), 1);
    assert_int_equal(r[0].index, 0);
    sockset_free(s);
    close(b[0]);
    close(b[1]);
}

/* Node A's session is closed and its number given to node B's new one before A says it has
 * none: A's leaving must not take B's registration with it, in either order. */
static void number_reused_by_another_node(void **state)
{
    (void)state;
    for (int order = 0; order < 2; order++) {
        struct sockset *s = sockset_new();
        int a[2], b[2];
        pair(a);
        int fd = a[0];
        int sa = sockset_slot_new(s, 0, 0), sb = sockset_slot_new(s, 0, 1);
        sockset_want(s, sa, fd, POLLIN, 1);
        close(a[0]);
        close(a[1]);
        pair_at(b, fd);
        if (order == 0) {
            sockset_want(s, sb, fd, POLLIN, 1);
            sockset_want(s, sa, -1, 0, 2);
        } else {
            sockset_want(s, sa, -1, 0, 2);
            sockset_want(s, sb, fd, POLLIN, 1);
        }
        say(b[1]);
        struct sockset_ready r[SOCKSET_READY_MAX];
        assert_int_equal(ready(s, r), 1);
        assert_int_equal(r[0].index, 1);
        sockset_free(s);
        close(b[0]);
        close(b[1]);
    }
}

/* A closed socket whose file lives on elsewhere (a child between fork and exec holds a copy)
 * stays in the set: its events carry a registration no slot holds and are dropped, and the
 * node now on its number gets only its own. A freed slot's events are dropped too. */
static void stale_registration_dropped(void **state)
{
    (void)state;
    struct sockset *s = sockset_new();
    int a[2], b[2];
    pair(a);
    int fd = a[0];
    int sa = sockset_slot_new(s, 0, 0), sb = sockset_slot_new(s, 0, 1);
    sockset_want(s, sa, fd, POLLIN, 1);
    int copy = dup(fd); /* the child's copy */
    pair_at(b, fd);     /* closes fd (the copy keeps the file, and the registration) */
    sockset_want(s, sb, fd, POLLIN, 1);
    sockset_want(s, sa, -1, 0, 2);
    say(a[1]); /* the old socket is readable: its registration fires */
    struct sockset_ready r[SOCKSET_READY_MAX];
    assert_int_equal(ready(s, r), 0);
    say(b[1]);
    assert_int_equal(ready(s, r), 1);
    assert_int_equal(r[0].index, 1);
    close(copy);
    close(a[1]);
    char c;
    assert_int_equal(read(b[0], &c, 1), 1);
    sockset_slot_free(s, sb);
    say(b[1]);
    assert_int_equal(ready(s, r), 0);
    sockset_free(s);
    close(b[0]);
    close(b[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reported_under_its_name),
        cmocka_unit_test(replaced_under_the_same_number),
        cmocka_unit_test(number_reused_by_another_node),
        cmocka_unit_test(stale_registration_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
