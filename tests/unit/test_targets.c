/* test_targets.c - which services "@GROUP" addresses and in which order:
 * members in start order (dependencies first) for start, signal and status,
 * the reverse for stop and restart, nothing listed twice, and no group at
 * all reported as such. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "targets.h"

/* Services in start order: db, php.1, php.2, nginx, cron; nginx and php in
 * "web", db and nginx in "edge"; php.N are the instances of php. */
static char *g_db[] = {"edge", NULL};
static char *g_php[] = {"web", "php", NULL};
static char *g_nginx[] = {"web", "edge", NULL};
static struct conf_service svcs[] = {
    {.name = "db", .member_of = g_db, .n_member_of = 1},
    {.name = "php.1", .member_of = g_php, .n_member_of = 2},
    {.name = "php.2", .member_of = g_php, .n_member_of = 2},
    {.name = "nginx", .member_of = g_nginx, .n_member_of = 2},
    {.name = "cron"},
};
static const struct conf_service *order[] = {&svcs[0], &svcs[1], &svcs[2], &svcs[3], &svcs[4]};
#define N 5

static void members_come_in_start_order(void **state)
{
    (void)state;
    size_t out[N], n = 0;
    assert_int_equal(targets_group(order, N, "@web", false, out, &n), 3);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 1); /* php.1 */
    assert_int_equal(out[1], 2); /* php.2 */
    assert_int_equal(out[2], 3); /* nginx, after what it depends on */
}

static void stops_come_dependents_first(void **state)
{
    (void)state;
    size_t out[N], n = 0;
    assert_int_equal(targets_group(order, N, "@web", true, out, &n), 3);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 1);
}

static void the_instances_of_a_file_are_a_group(void **state)
{
    (void)state;
    size_t out[N], n = 0;
    assert_int_equal(targets_group(order, N, "@php", false, out, &n), 2);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
}

static void a_service_in_two_groups_is_listed_once(void **state)
{
    (void)state;
    size_t out[N], n = 0;
    assert_int_equal(targets_group(order, N, "@web", false, out, &n), 3);
    assert_int_equal(targets_group(order, N, "@edge", false, out, &n), 2);
    assert_int_equal(n, 4); /* php.1 php.2 nginx db: nginx not again */
    assert_int_equal(out[3], 0);
}

static void an_unknown_group_has_no_members(void **state)
{
    (void)state;
    size_t out[N], n = 0;
    assert_int_equal(targets_group(order, N, "@nope", false, out, &n), 0);
    assert_int_equal(n, 0);
    /* A service's own name is not a group. */
    assert_int_equal(targets_group(order, N, "@cron", false, out, &n), 0);
    assert_true(targets_is_group("@web"));
    assert_false(targets_is_group("web"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(members_come_in_start_order),
        cmocka_unit_test(stops_come_dependents_first),
        cmocka_unit_test(the_instances_of_a_file_are_a_group),
        cmocka_unit_test(a_service_in_two_groups_is_listed_once),
        cmocka_unit_test(an_unknown_group_has_no_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
