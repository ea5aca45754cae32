/* One cluster configured twice in a fleet (model/watch/fleet_twins.h): two snapshots are one
 * cluster when a system identifier or an address meets in both; the copy gets duplicate_cluster
 * (warning, or what [severity] says) naming the other cluster and its file. Two clusters that
 * share nothing, or an address whose servers answered with different system identifiers (an
 * address seen from two places), are left alone. */
#include "model/config/config.h"
#include "model/watch/fleet_twins.h"
#include "model/watch/snapshot.h"
#include "model/base/util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/helpers/fixture.h"

static int count(const struct snapshot *s, const char *code)
{
    int n = 0;
    for (int i = 0; i < s->nproblems; i++)
        n += strcmp(s->problems[i].code, code) == 0;
    return n;
}

static bool meet(const struct snapshot *a, const struct snapshot *b)
{
    int na, nb;
    uint64_t *ka = twin_keys(a, &na), *kb = twin_keys(b, &nb);
    bool m = twin_keys_meet(ka, na, kb, nb);
    free(ka);
    free(kb);
    return m;
}

/* Another cluster: its own system identifier and ports. */
static void elsewhere(struct snapshot *s, int port)
{
    for (int i = 0; i < s->nnodes; i++) {
        str_copy(s->nodes[i].system_identifier, sizeof s->nodes[i].system_identifier,
                 "7000000000000000001");
        str_printf(s->nodes[i].target, sizeof s->nodes[i].target, "db.example:%d", port + i);
    }
}

static void same_system_identifier(void **state)
{
    (void)state;
    struct snapshot *a = fixture_load("healthy"), *b = fixture_load("healthy");
    struct config cfg;
    config_init(&cfg);
    cfg.path = xstrdup("/etc/repltop/prod.conf");
    enum severity before = a->health;
    assert_true(meet(a, b));
    assert_true(twin_check(a, &cfg, b, "billing", "/etc/repltop/billing.conf"));
    assert_int_equal(count(a, "duplicate_cluster"), 1);
    const struct problem *p = &a->problems[a->nproblems - 1];
    assert_int_equal(p->severity, SEV_WARNING);
    assert_string_equal(p->node, "");
    assert_non_null(strstr(p->message, "one cluster in two files: /etc/repltop/prod.conf and "
                                       "/etc/repltop/billing.conf (cluster billing)"));
    assert_non_null(strstr(p->message, b->nodes[0].system_identifier));
    assert_true(a->health >= SEV_WARNING && a->health >= before);
    config_done(&cfg);
    snapshot_free(a);
    snapshot_free(b);
}

static void nothing_shared(void **state)
{
    (void)state;
    struct snapshot *a = fixture_load("healthy"), *b = fixture_load("healthy");
    elsewhere(b, 6000);
    struct config cfg;
    config_init(&cfg);
    int n = a->nproblems;
    assert_false(meet(a, b));
    assert_false(twin_check(a, &cfg, b, "billing", "billing.conf"));
    assert_int_equal(a->nproblems, n);
    config_done(&cfg);
    snapshot_free(a);
    snapshot_free(b);
}

/* A server down in both files: no system identifier, but the same address (localhost and
 * 127.0.0.1 are one) — still one server in two files. */
static void same_address_of_a_down_node(void **state)
{
    (void)state;
    struct snapshot *a = fixture_load("primary-down"), *b = fixture_load("healthy");
    elsewhere(b, 6000);
    int down = -1;
    for (int i = 0; i < a->nnodes; i++)
        if (a->nodes[i].reach != REACH_OK)
            down = i;
    assert_true(down >= 0);
    for (int i = 0; i < a->nnodes; i++)
        if (i != down)
            a->nodes[i].reach = REACH_TIMEOUT; /* nothing known but the addresses */
    const char *port = strrchr(a->nodes[down].target, ':');
    assert_non_null(port);
    str_printf(b->nodes[1].target, sizeof b->nodes[1].target, "localhost%s", port);
    b->nodes[1].reach = REACH_UNREACHABLE;
    struct config cfg;
    config_init(&cfg);
    assert_true(meet(a, b));
    assert_true(twin_check(a, &cfg, b, "old", "old.conf"));
    const struct problem *p = &a->problems[a->nproblems - 1];
    assert_string_equal(p->code, "duplicate_cluster");
    assert_non_null(strstr(p->message, a->nodes[down].name));
    assert_non_null(strstr(p->message, b->nodes[1].name));
    assert_non_null(strstr(p->message, "one server in two files: "));
    assert_non_null(strstr(p->message, "of cluster old in old.conf"));
    config_done(&cfg);
    snapshot_free(a);
    snapshot_free(b);
}

/* One address, two servers that say they are different clusters: not a copy. */
static void same_address_other_server(void **state)
{
    (void)state;
    struct snapshot *a = fixture_load("healthy"), *b = fixture_load("healthy");
    for (int i = 0; i < b->nnodes; i++)
        str_copy(b->nodes[i].system_identifier, sizeof b->nodes[i].system_identifier,
                 "7000000000000000001");
    struct config cfg;
    config_init(&cfg);
    int n = a->nproblems;
    assert_false(twin_check(a, &cfg, b, "tunnel", "tunnel.conf"));
    assert_int_equal(a->nproblems, n);
    config_done(&cfg);
    snapshot_free(a);
    snapshot_free(b);
}

static void severity_remapped(void **state)
{
    (void)state;
    struct snapshot *a = fixture_load("healthy"), *b = fixture_load("healthy");
    struct config cfg;
    config_init(&cfg);
    char err[256];
    FILE *f = fmemopen((char *)"[severity]\nduplicate_cluster = critical\n", 39, "r");
    assert_non_null(f);
    assert_true(config_load_stream(&cfg, f, "mem.conf", err, sizeof err));
    fclose(f);
    assert_true(twin_check(a, &cfg, b, "b", "b.conf"));
    assert_int_equal(a->problems[a->nproblems - 1].severity, SEV_CRITICAL);
    assert_int_equal(a->health, SEV_CRITICAL);
    config_done(&cfg);
    snapshot_free(a);
    snapshot_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_system_identifier),      cmocka_unit_test(nothing_shared),
        cmocka_unit_test(same_address_of_a_down_node), cmocka_unit_test(same_address_other_server),
        cmocka_unit_test(severity_remapped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
