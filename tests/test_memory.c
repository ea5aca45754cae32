/* test_memory: what repltop remembers of a cluster's primary on disk (memory.c) — its
 * synchronous_standby_names for a promote after it died, and, once another node became the
 * primary, the one before it, so that a promote that stopped part way can be finished. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/derive.h"
#include "model/watch/memory.h"
#include "model/base/intern.h"
#include "model/base/util.h"

#include "tests/helpers/refcluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OLD_LIST "FIRST 1 (walreceiversync, walreceiver)"
#define NEW_LIST "FIRST 1 (db_m, walreceiver)"

static char state_dir[64];

static int setup(void **state)
{
    (void)state;
    str_copy(state_dir, sizeof state_dir, "/tmp/repltop-memory.XXXXXX");
    if (!mkdtemp(state_dir))
        return -1;
    setenv("XDG_STATE_HOME", state_dir, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[160];
    str_printf(path, sizeof path, "%s/repltop/cluster-%s.conf", state_dir, REF_SYSID);
    unlink(path);
    str_printf(path, sizeof path, "%s/repltop", state_dir);
    rmdir(path);
    rmdir(state_dir);
    unsetenv("XDG_STATE_HOME");
    return 0;
}

/* The reference cluster after db_s2 was promoted: db_m down, db_s2 the primary with list. */
static struct snapshot *after_promote(const char *list)
{
    struct snapshot *s = refcluster_new();
    node_snap_clear(&s->nodes[0]);
    s->nodes[0].reach = REACH_UNREACHABLE;
    struct node_snap *p = &s->nodes[2];
    p->role = ROLE_PRIMARY;
    p->timeline = 2;
    p->current_lsn = p->receive_lsn;
    p->receive_lsn = p->replay_lsn = LSN_UNKNOWN;
    p->wr.present = false;
    p->application_name[0] = '\0';
    p->synchronous_standby_names = str_intern(list);
    derive_snapshot(s, &ref_limits);
    return s;
}

static void remembers_the_primary_and_its_list(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    derive_snapshot(s, &ref_limits);
    memory_save(s);
    struct cluster_memory m;
    assert_true(memory_load(REF_SYSID, &m));
    assert_string_equal(m.primary, "db_m");
    assert_string_equal(m.synchronous_standby_names, OLD_LIST);
    assert_string_equal(m.previous_primary, ""); /* none seen before it */
    snapshot_free(s);
}

static void a_new_primary_keeps_the_one_before(void **state)
{
    (void)state;
    struct snapshot *s = refcluster_new();
    derive_snapshot(s, &ref_limits);
    memory_save(s);
    snapshot_free(s);

    s = after_promote(OLD_LIST); /* promoted, its list not changed yet */
    assert_string_equal(s->primary, "db_s2");
    memory_save(s);
    struct cluster_memory m;
    assert_true(memory_load(REF_SYSID, &m));
    assert_string_equal(m.primary, "db_s2");
    assert_string_equal(m.previous_primary, "db_m");
    assert_string_equal(m.previous_synchronous_standby_names, OLD_LIST);
    snapshot_free(s);

    /* the same primary changes its list: the one before is still db_m, with db_m's list */
    s = after_promote(NEW_LIST);
    memory_save(s);
    assert_true(memory_load(REF_SYSID, &m));
    assert_string_equal(m.synchronous_standby_names, NEW_LIST);
    assert_string_equal(m.previous_primary, "db_m");
    assert_string_equal(m.previous_synchronous_standby_names, OLD_LIST);
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(remembers_the_primary_and_its_list, setup, teardown),
        cmocka_unit_test_setup_teardown(a_new_primary_keeps_the_one_before, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
