/* refcluster: shared by the derivation tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "refcluster.h"
#include "model/base/intern.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

const struct health_limits ref_limits = {16 << 20, 256 << 20, 10, 60, NULL};

lsn_t lsn_of(const char *s)
{
    lsn_t v = 0;
    assert_true(lsn_parse(s, &v));
    return v;
}

bool has_problem(const struct snapshot *s, const char *code, const char *node)
{
    for (int i = 0; i < s->nproblems; i++)
        if (strcmp(s->problems[i].code, code) == 0 &&
            (!node || strcmp(s->problems[i].node, node) == 0))
            return true;
    return false;
}

static void set_node(struct node_snap *n, const char *name, const char *target)
{
    str_copy(n->name, sizeof n->name, name);
    str_copy(n->target, sizeof n->target, target);
    node_snap_clear(n);
    n->reach = REACH_OK;
    str_copy(n->system_identifier, sizeof n->system_identifier, REF_SYSID);
    n->timeline = 1;
}

static void add_row(struct node_snap *p, const char *app, const char *state, const char *sent,
                    const char *write, const char *flush, const char *replay, const char *sync,
                    int prio)
{
    p->repl = realloc(p->repl, (size_t)(p->nrepl + 1) * sizeof *p->repl);
    struct repl_row *r = &p->repl[p->nrepl++];
    memset(r, 0, sizeof *r);
    str_copy(r->application_name, sizeof r->application_name, app);
    str_copy(r->state, sizeof r->state, state);
    r->sent_lsn = lsn_of(sent);
    r->write_lsn = lsn_of(write);
    r->flush_lsn = lsn_of(flush);
    r->replay_lsn = lsn_of(replay);
    r->write_lag = r->flush_lag = r->replay_lag = r->reply_age = NAN;
    str_copy(r->sync_state, sizeof r->sync_state, sync);
    r->sync_priority = prio;
}

static void standby(struct node_snap *n, const char *app, const char *recv, const char *replay)
{
    n->role = ROLE_STANDBY;
    str_copy(n->application_name, sizeof n->application_name, app);
    n->receive_lsn = lsn_of(recv);
    n->replay_lsn = lsn_of(replay);
    n->replay_paused = 0;
    n->wr.present = true;
    str_copy(n->wr.status, sizeof n->wr.status, "streaming");
    str_copy(n->upstream_addr, sizeof n->upstream_addr, "127.0.0.1:5432");
}

struct snapshot *refcluster_new(void)
{
    struct snapshot *s = snapshot_new(3);
    set_node(&s->nodes[0], "db_m", "127.0.0.1:5432");
    set_node(&s->nodes[1], "db_s1", "127.0.0.1:5433");
    set_node(&s->nodes[2], "db_s2", "localhost:5434");
    struct node_snap *m = &s->nodes[0];
    m->role = ROLE_PRIMARY;
    m->current_lsn = lsn_of("0/409D0E8");
    m->synchronous_standby_names = str_intern("FIRST 1 (walreceiversync, walreceiver)");
    str_copy(m->synchronous_commit, sizeof m->synchronous_commit, "on");
    add_row(m, "walreceiver", "streaming", "0/409D0E8", "0/4000000", "0/4000000", "0/2D9D0E8",
            "potential", 2);
    add_row(m, "walreceiversync", "streaming", "0/409D0E8", "0/409D0E8", "0/409D0E8", "0/409D0E8",
            "sync", 1);
    standby(&s->nodes[1], "walreceiver", "0/4000000", "0/2D9D0E8");
    standby(&s->nodes[2], "walreceiversync", "0/409D0E8", "0/409D0E8");
    return s;
}
