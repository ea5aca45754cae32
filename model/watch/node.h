/* node: one PostgreSQL server watched through one persistent, non-blocking libpq session.
 *
 * A small state machine — down → connecting → ready ⇄ busy — driven by the caller's poll()
 * loop: node_pollfd() says what to wait for, node_handle() reacts to readiness and deadlines.
 * No call here ever blocks on the network; every stage has a deadline the caller enforces by
 * calling node_handle() once node_timeout_ms() has passed. */
#ifndef REPLTOP_NODE_H
#define REPLTOP_NODE_H

#include "model/config/config.h"
#include "model/watch/queries.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct node;

struct node *node_new(const struct node_conf *conf, int connect_timeout_ms, int query_timeout_ms);
void node_free(struct node *n);
const char *node_name(const struct node *n);

/* Starts a refresh: sends the monitoring query (queued to connect first if needed). A node that is
 * late from before — its last query unanswered, or reconnecting after a failure — is waited
 * for only with wait_for_late (its socket must then be served between refreshes too). */
void node_round_start(struct node *n, int64_t now_ms, bool wait_for_late);
/* A node with no session is not connected by node_round_start: it is queued, and the cluster
 * starts the queued attempts a few at a time (node_connect), so that hundreds of handshakes
 * do not queue behind each other on the client's and servers' CPUs while their deadlines run.
 * node_connecting: an attempt (DNS lookup or handshake) is under way. */
bool node_connect_queued(const struct node *n);
bool node_connecting(const struct node *n);
void node_connect(struct node *n, int64_t now_ms);
/* True while this refresh still waits for this node (answer, error or deadline). */
bool node_round_pending(const struct node *n);
/* Fills pfd for poll(); false when the node has nothing to wait for. */
bool node_pollfd(const struct node *n, struct pollfd *pfd);
/* Changes whenever the socket behind node_pollfd's descriptor may have been replaced, perhaps by
 * one of the same number (a new attempt, and each step of one: libpq may move to the next
 * address): a caller that keeps its registration (an epoll set) registers it again. */
unsigned node_socket_epoch(const struct node *n);
/* Milliseconds until this node's next deadline, -1 for none. */
int64_t node_deadline_ms(const struct node *n);
/* Reacts to socket readiness (revents, 0 when none) and to passed deadlines. */
void node_handle(struct node *n, short revents, int64_t now_ms);

/* The node as of now, for a snapshot: the last sample if this refresh answered, otherwise
 * only its name, target, reach and error. The caller owns *out (node_snap arrays). */
void node_fill_snap(const struct node *n, struct node_snap *out);
/* Transactions per second from the last two samples, NAN when unknown. */
double node_tps(const struct node *n);
/* One interval's transactions per second: delta, the server's commit+rollback count over
 * interval_ms, minus our own monitoring query (one transaction per sample). A backend's counters
 * reach the server's statistics at most once a second, so ours show up in bursts (0, then 2):
 * those not seen yet are carried in own_unseen (at most 3, so that a lost count never hides real
 * work for long) and taken off when they appear. */
double node_tps_step(int64_t delta, int64_t interval_ms, int64_t *own_unseen);

#endif
