/* test_diagwarn.c - the PID budget's levels and the zombie warnings
 * (core/diagwarn.c), and which service's tree a process belongs to
 * (core/treeowner.c), against a naive walk on seeded random forests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "diagwarn.h"
#include "treeowner.h"

static void budget_rises_at_80_and_95_exactly(void **state)
{
    (void)state;
    assert_int_equal(diagwarn_budget(DIAGWARN_OK, 1638, 2048), DIAGWARN_OK);
    assert_int_equal(diagwarn_budget(DIAGWARN_OK, 1639, 2048), DIAGWARN_HIGH); /* 80.03% */
    assert_int_equal(diagwarn_budget(DIAGWARN_HIGH, 1945, 2048), DIAGWARN_HIGH);
    assert_int_equal(diagwarn_budget(DIAGWARN_HIGH, 1946, 2048), DIAGWARN_CRITICAL);
    assert_int_equal(diagwarn_budget(DIAGWARN_OK, 2048, 2048), DIAGWARN_CRITICAL);
    assert_int_equal(diagwarn_percent(1640, 2048), 80);
}

static void budget_falls_back_only_past_the_margin(void **state)
{
    (void)state;
    /* 95% -> 92%: still critical; below 90%: high; below 75%: ok. */
    assert_int_equal(diagwarn_budget(DIAGWARN_CRITICAL, 92, 100), DIAGWARN_CRITICAL);
    assert_int_equal(diagwarn_budget(DIAGWARN_CRITICAL, 89, 100), DIAGWARN_HIGH);
    assert_int_equal(diagwarn_budget(DIAGWARN_HIGH, 76, 100), DIAGWARN_HIGH);
    assert_int_equal(diagwarn_budget(DIAGWARN_HIGH, 74, 100), DIAGWARN_OK);
    assert_int_equal(diagwarn_budget(DIAGWARN_CRITICAL, 10, 100), DIAGWARN_OK);
    /* The same figure from below does not rise. */
    assert_int_equal(diagwarn_budget(DIAGWARN_OK, 76, 100), DIAGWARN_OK);
}

static void no_limit_is_never_a_warning(void **state)
{
    (void)state;
    assert_int_equal(diagwarn_budget(DIAGWARN_OK, 100000, -1), DIAGWARN_OK);
    assert_int_equal(diagwarn_budget(DIAGWARN_CRITICAL, 5, 0), DIAGWARN_OK);
    assert_int_equal(diagwarn_percent(5, -1), 0);
}

static void zombies_warn_at_threshold_then_at_each_doubling(void **state)
{
    (void)state;
    uint32_t w = 0;
    assert_false(diagwarn_zombies(&w, 3));
    assert_false(diagwarn_zombies(&w, DIAGWARN_ZOMBIES - 1));
    assert_true(diagwarn_zombies(&w, DIAGWARN_ZOMBIES));
    assert_false(diagwarn_zombies(&w, DIAGWARN_ZOMBIES)); /* once */
    assert_false(diagwarn_zombies(&w, 2 * DIAGWARN_ZOMBIES - 1));
    assert_true(diagwarn_zombies(&w, 312));
    assert_false(diagwarn_zombies(&w, 400));
    assert_true(diagwarn_zombies(&w, 624));
    /* Waited for at last: the next pile is news again. */
    assert_false(diagwarn_zombies(&w, 0));
    assert_int_equal(w, 0);
    assert_true(diagwarn_zombies(&w, DIAGWARN_ZOMBIES));
}

static void treeowner_simple_forest(void **state)
{
    (void)state;
    /* 1 -> 10 (root a) -> 11 -> 12; 1 -> 20 (root b) -> 21; 1 -> 30 */
    pid_t pid[] = {12, 1, 10, 11, 20, 21, 30};
    pid_t ppid[] = {11, 0, 1, 10, 1, 20, 1};
    pid_t roots[] = {20, 10};
    int out[7];
    assert_int_equal(treeowner_assign(pid, ppid, 7, roots, 2, out), 0);
    int want[] = {1, -1, 1, 1, 0, 0, -1};
    for (int i = 0; i < 7; i++)
        assert_int_equal(out[i], want[i]);
}

/* The nearest root above pid (pid itself included), by walking up naively. */
static int naive_owner(const pid_t *pid, const pid_t *ppid, size_t n, const pid_t *roots, size_t m,
                       size_t i)
{
    for (size_t steps = 0; steps <= n; steps++) {
        for (size_t j = 0; j < m; j++)
            if (roots[j] == pid[i])
                return (int)j;
        size_t up = n;
        for (size_t k = 0; k < n; k++)
            if (pid[k] == ppid[i])
                up = k;
        if (up == n)
            return -1;
        i = up;
    }
    return -1;
}

static void treeowner_matches_a_naive_walk_on_random_forests(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    if (getenv("CORRAL_SEED"))
        seed = (unsigned)strtoul(getenv("CORRAL_SEED"), NULL, 10);
    printf("treeowner seed %u (CORRAL_SEED=%u to replay)\n", seed, seed);
    srand(seed);
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)rand() % 300, m = (size_t)rand() % 8;
        pid_t pid[300], ppid[300], roots[8];
        int out[300];
        /* Distinct pids in random order; each parent an earlier one, or none. */
        for (size_t i = 0; i < n; i++)
            pid[i] = (pid_t)(2 + i * 3);
        for (size_t i = n - 1; i > 0; i--) {
            size_t k = (size_t)rand() % (i + 1);
            pid_t t = pid[i];
            pid[i] = pid[k];
            pid[k] = t;
        }
        for (size_t i = 0; i < n; i++)
            ppid[i] = i == 0 || rand() % 10 == 0 ? 1 : pid[(size_t)rand() % i];
        for (size_t j = 0; j < m; j++)
            roots[j] = pid[(size_t)rand() % n];
        /* Distinct roots. */
        size_t mm = 0;
        for (size_t j = 0; j < m; j++) {
            size_t k = 0;
            while (k < mm && roots[k] != roots[j])
                k++;
            if (k == mm)
                roots[mm++] = roots[j];
        }
        assert_int_equal(treeowner_assign(pid, ppid, n, roots, mm, out), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(out[i], naive_owner(pid, ppid, n, roots, mm, i));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(budget_rises_at_80_and_95_exactly),
        cmocka_unit_test(budget_falls_back_only_past_the_margin),
        cmocka_unit_test(no_limit_is_never_a_warning),
        cmocka_unit_test(zombies_warn_at_threshold_then_at_each_doubling),
        cmocka_unit_test(treeowner_simple_forest),
        cmocka_unit_test(treeowner_matches_a_naive_walk_on_random_forests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
