/* test_tps: TPS without our own monitoring transactions (node.c), which PostgreSQL's statistics
 * report late and in bursts: an idle node reads 0, real work is never hidden for long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/watch/node.h"

static void idle_node_reads_zero_through_bursts(void **state)
{
    (void)state;
    /* one own transaction per 1 s sample, flushed to the counter every other second */
    const int64_t seen[] = {0, 2, 0, 2, 1, 1, 0, 2};
    int64_t unseen = 0;
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        assert_true(node_tps_step(seen[i], 1000, &unseen) == 0.0);
}

static void real_work_is_counted(void **state)
{
    (void)state;
    int64_t unseen = 0;
    /* 101 transactions in 500 ms, one of them ours: 200 per second */
    assert_true(node_tps_step(101, 500, &unseen) == 200.0);
    assert_int_equal(unseen, 0);
}

static void a_lost_count_hides_little(void **state)
{
    (void)state;
    int64_t unseen = 0;
    for (int i = 0; i < 10; i++) /* our transactions never counted (say, a stats reset) */
        node_tps_step(0, 1000, &unseen);
    assert_int_equal(unseen, 3);                           /* carried at most 3 */
    assert_true(node_tps_step(50, 1000, &unseen) == 47.0); /* 50 - 3, this sample's included */
    assert_true(node_tps_step(50, 1000, &unseen) == 49.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idle_node_reads_zero_through_bursts),
        cmocka_unit_test(real_work_is_counted),
        cmocka_unit_test(a_lost_count_hides_little),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
