/* test_pidtab.c - the pid -> owner table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pidtab.h"

static struct pidtab_owner a, b;

static void an_added_pid_is_found_and_taken_once(void **state)
{
    (void)state;
    struct pidtab t;
    assert_int_equal(pidtab_init(&t, 8), 0);
    assert_int_equal(pidtab_add(&t, 42, &a), 0);
    assert_ptr_equal(pidtab_find(&t, 42), &a);
    assert_ptr_equal(pidtab_take(&t, 42), &a);
    assert_null(pidtab_take(&t, 42));
    assert_int_equal(t.count, 0);
    pidtab_close(&t);
}

static void an_unknown_pid_is_an_orphan(void **state)
{
    (void)state;
    struct pidtab t;
    assert_int_equal(pidtab_init(&t, 8), 0);
    assert_int_equal(pidtab_add(&t, 7, &a), 0);
    assert_null(pidtab_take(&t, 8));
    assert_null(pidtab_find(&t, 0));
    assert_null(pidtab_find(&t, -1));
    pidtab_close(&t);
}

static void adding_a_pid_twice_is_refused(void **state)
{
    (void)state;
    struct pidtab t;
    assert_int_equal(pidtab_init(&t, 8), 0);
    assert_int_equal(pidtab_add(&t, 9, &a), 0);
    assert_int_equal(pidtab_add(&t, 9, &b), -EEXIST);
    assert_ptr_equal(pidtab_find(&t, 9), &a);
    pidtab_close(&t);
}

static void a_forked_child_claims_a_pid_still_listed_for_a_process_reaped_elsewhere(void **state)
{
    (void)state;
    struct pidtab t;
    struct pidtab_owner *was = &b;
    assert_int_equal(pidtab_init(&t, 8), 0);
    /* A leftover corral never reaped (its own parent did) left 9 listed... */
    assert_int_equal(pidtab_add(&t, 9, &a), 0);
    /* ... and a child corral forks is given 9 again: it is the child's. */
    assert_int_equal(pidtab_claim(&t, 9, &b, &was), 0);
    assert_ptr_equal(was, &a);
    assert_ptr_equal(pidtab_find(&t, 9), &b);
    assert_int_equal(t.count, 1);
    /* The leftover's owner lets go of it, or forgets it: not the child's. */
    pidtab_abandon(&t, 9, &a);
    assert_false(pidtab_drop(&t, 9, &a));
    assert_ptr_equal(pidtab_find(&t, 9), &b);
    assert_true(pidtab_drop(&t, 9, &b));
    assert_null(pidtab_find(&t, 9));
    /* A pid nobody holds is simply added. */
    assert_int_equal(pidtab_claim(&t, 10, &a, &was), 0);
    assert_null(was);
    assert_ptr_equal(pidtab_find(&t, 10), &a);
    pidtab_abandon(&t, 10, &a);
    assert_ptr_not_equal(pidtab_find(&t, 10), &a);
    assert_non_null(pidtab_find(&t, 10));
    pidtab_close(&t);
}

static void a_full_table_refuses_instead_of_growing(void **state)
{
    (void)state;
    struct pidtab t;
    assert_int_equal(pidtab_init(&t, 4), 0);
    size_t cap = (t.mask + 1) / 2;
    for (size_t i = 0; i < cap; i++)
        assert_int_equal(pidtab_add(&t, (pid_t)(100 + i), &a), 0);
    assert_int_equal(pidtab_add(&t, 99999, &a), -ENOSPC);
    pidtab_close(&t);
}

static void removals_keep_every_other_entry_reachable(void **state)
{
    (void)state;
    struct pidtab t;
    assert_int_equal(pidtab_init(&t, 512), 0);
    /* Many adds and removes in a pattern that makes long probe runs. */
    for (pid_t p = 1; p <= 500; p++)
        assert_int_equal(pidtab_add(&t, p * 16, p % 2 ? &a : &b), 0);
    for (pid_t p = 1; p <= 500; p += 3)
        assert_non_null(pidtab_take(&t, p * 16));
    for (pid_t p = 1; p <= 500; p++) {
        struct pidtab_owner *want = (p - 1) % 3 == 0 ? NULL : (p % 2 ? &a : &b);
        assert_ptr_equal(pidtab_find(&t, p * 16), want);
    }
    pidtab_close(&t);
}

static void churn_over_many_pids_never_fills_the_table(void **state)
{
    (void)state;
    struct pidtab t;
    assert_int_equal(pidtab_init(&t, 16), 0);
    for (pid_t p = 1; p < 200000; p++) {
        assert_int_equal(pidtab_add(&t, p, &a), 0);
        if (p > 10)
            assert_ptr_equal(pidtab_take(&t, p - 10), &a);
    }
    assert_int_equal(t.count, 10);
    pidtab_close(&t);
}

/* 50 services started in a row get neighbouring pids: their slots must sit
 * together, not one page of the table each. */
static void neighbouring_pids_share_a_page(void **state)
{
    (void)state;
    struct pidtab t;
    uintptr_t pages[64];
    size_t npages = 0;
    assert_int_equal(pidtab_init(&t, 8192), 0);
    for (pid_t p = 2; p < 52; p++)
        assert_int_equal(pidtab_add(&t, p, &a), 0);
    for (size_t i = 0; i <= t.mask; i++) {
        if (t.slots[i].pid == 0)
            continue;
        uintptr_t page = (uintptr_t)&t.slots[i] / 4096;
        size_t j = 0;
        while (j < npages && pages[j] != page)
            j++;
        if (j == npages && npages < 64)
            pages[npages++] = page;
    }
    assert_in_range(npages, 1, 2);
    pidtab_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_added_pid_is_found_and_taken_once),
        cmocka_unit_test(an_unknown_pid_is_an_orphan),
        cmocka_unit_test(adding_a_pid_twice_is_refused),
        cmocka_unit_test(a_forked_child_claims_a_pid_still_listed_for_a_process_reaped_elsewhere),
        cmocka_unit_test(a_full_table_refuses_instead_of_growing),
        cmocka_unit_test(removals_keep_every_other_entry_reachable),
        cmocka_unit_test(churn_over_many_pids_never_fills_the_table),
        cmocka_unit_test(neighbouring_pids_share_a_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
