/* test_backoff.c - restart delay arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

static const struct backoff_policy policy = {
    .initial_ms = 100, .max_ms = 1000, .factor = 2, .reset_after_ms = 60000};

static void first_failure_restarts_at_once(void **state)
{
    (void)state;
    struct backoff b = {0};
    assert_int_equal(backoff_after_exit(&policy, &b, 5), 0);
}

static void consecutive_failures_double_from_initial(void **state)
{
    (void)state;
    struct backoff b = {0};
    uint64_t want[] = {0, 100, 200, 400, 800};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(backoff_after_exit(&policy, &b, 5), want[i]);
}

static void delay_is_capped_at_max(void **state)
{
    (void)state;
    struct backoff b = {0};
    uint64_t last = 0;
    for (int i = 0; i < 40; i++)
        last = backoff_after_exit(&policy, &b, 5);
    assert_int_equal(last, 1000);
}

static void a_long_run_forgets_past_failures(void **state)
{
    (void)state;
    struct backoff b = {0};
    for (int i = 0; i < 5; i++)
        backoff_after_exit(&policy, &b, 5);
    assert_int_equal(backoff_after_exit(&policy, &b, 60000), 0);
    assert_int_equal(backoff_after_exit(&policy, &b, 5), 100);
}

static void fork_errors_never_retry_at_once(void **state)
{
    (void)state;
    struct backoff b = {0};
    assert_int_equal(backoff_after_error(&policy, &b), 100);
    assert_int_equal(backoff_after_error(&policy, &b), 200);
    struct backoff_policy zero = policy;
    zero.initial_ms = 0;
    struct backoff z = {0};
    assert_int_equal(backoff_after_error(&zero, &z), 1);
}

static void fractional_factor_grows_slowly(void **state)
{
    (void)state;
    struct backoff_policy p = {.initial_ms = 1000, .max_ms = 100000, .factor = 1.5};
    assert_int_equal(backoff_delay_ms(&p, 1), 1000);
    assert_int_equal(backoff_delay_ms(&p, 2), 1500);
    assert_int_equal(backoff_delay_ms(&p, 3), 2250);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_failure_restarts_at_once),
        cmocka_unit_test(consecutive_failures_double_from_initial),
        cmocka_unit_test(delay_is_capped_at_max),
        cmocka_unit_test(a_long_run_forgets_past_failures),
        cmocka_unit_test(fork_errors_never_retry_at_once),
        cmocka_unit_test(fractional_factor_grows_slowly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
