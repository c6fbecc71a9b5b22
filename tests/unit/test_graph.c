/* test_graph.c - start order, cycles and dependents over indexes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph.h"

static char cycles_text[256];

static void record_cycle(void *arg, const size_t *nodes, size_t len)
{
    (void)arg;
    size_t used = strlen(cycles_text);
    used += (size_t)snprintf(cycles_text + used, sizeof cycles_text - used, "%s", used ? ";" : "");
    for (size_t i = 0; i < len; i++)
        used += (size_t)snprintf(cycles_text + used, sizeof cycles_text - used, "%s%zu",
                                 i ? "," : "", nodes[i]);
}

static void independent_nodes_start_in_index_order(void **state)
{
    (void)state;
    struct graph g;
    size_t order[3];
    assert_int_equal(graph_init(&g, 3), 0);
    assert_int_equal(graph_order(&g, order), 0);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
    graph_close(&g);
}

static void a_node_starts_after_what_it_depends_on(void **state)
{
    (void)state;
    struct graph g;
    size_t order[4];
    /* 0 depends on 2, 2 depends on 3, 1 alone. */
    assert_int_equal(graph_init(&g, 4), 0);
    assert_int_equal(graph_add_edge(&g, 0, 2), 0);
    assert_int_equal(graph_add_edge(&g, 2, 3), 0);
    assert_int_equal(graph_order(&g, order), 0);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 3);
    assert_int_equal(order[2], 2);
    assert_int_equal(order[3], 0);
    graph_close(&g);
}

static void ties_are_broken_by_the_smallest_index(void **state)
{
    (void)state;
    struct graph g;
    size_t order[4];
    /* 3 depends on 0: once 0 is placed, 1 still comes before 3. */
    assert_int_equal(graph_init(&g, 4), 0);
    assert_int_equal(graph_add_edge(&g, 3, 0), 0);
    assert_int_equal(graph_add_edge(&g, 1, 2), 0);
    assert_int_equal(graph_order(&g, order), 0);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 1);
    assert_int_equal(order[3], 3);
    graph_close(&g);
}

static void an_edge_to_itself_or_out_of_range_is_refused(void **state)
{
    (void)state;
    struct graph g;
    assert_int_equal(graph_init(&g, 2), 0);
    assert_int_equal(graph_add_edge(&g, 1, 1), -EINVAL);
    assert_int_equal(graph_add_edge(&g, 0, 2), -EINVAL);
    graph_close(&g);
}

static void a_repeated_edge_is_kept_once(void **state)
{
    (void)state;
    struct graph g;
    assert_int_equal(graph_init(&g, 2), 0);
    assert_int_equal(graph_add_edge(&g, 0, 1), 0);
    assert_int_equal(graph_add_edge(&g, 0, 1), 0);
    assert_int_equal(g.ndeps[0], 1);
    graph_close(&g);
}

static void a_cycle_has_no_order_and_is_named_node_by_node(void **state)
{
    (void)state;
    struct graph g;
    size_t order[3];
    /* 0 -> 1 -> 2 -> 0 */
    assert_int_equal(graph_init(&g, 3), 0);
    assert_int_equal(graph_add_edge(&g, 0, 1), 0);
    assert_int_equal(graph_add_edge(&g, 1, 2), 0);
    assert_int_equal(graph_add_edge(&g, 2, 0), 0);
    assert_int_equal(graph_order(&g, order), -ELOOP);
    cycles_text[0] = '\0';
    assert_int_equal(graph_cycles(&g, record_cycle, NULL), 1);
    assert_string_equal(cycles_text, "0,1,2");
    graph_close(&g);
}

static void two_separate_cycles_are_both_reported(void **state)
{
    (void)state;
    struct graph g;
    /* 0 <-> 1 and 2 <-> 3 */
    assert_int_equal(graph_init(&g, 4), 0);
    assert_int_equal(graph_add_edge(&g, 0, 1), 0);
    assert_int_equal(graph_add_edge(&g, 1, 0), 0);
    assert_int_equal(graph_add_edge(&g, 2, 3), 0);
    assert_int_equal(graph_add_edge(&g, 3, 2), 0);
    cycles_text[0] = '\0';
    assert_int_equal(graph_cycles(&g, record_cycle, NULL), 2);
    assert_string_equal(cycles_text, "0,1;2,3");
    graph_close(&g);
}

static void a_cycle_below_an_acyclic_root_starts_at_its_first_node(void **state)
{
    (void)state;
    struct graph g;
    /* 0 -> 1 -> 2 -> 1 */
    assert_int_equal(graph_init(&g, 3), 0);
    assert_int_equal(graph_add_edge(&g, 0, 1), 0);
    assert_int_equal(graph_add_edge(&g, 1, 2), 0);
    assert_int_equal(graph_add_edge(&g, 2, 1), 0);
    cycles_text[0] = '\0';
    assert_int_equal(graph_cycles(&g, record_cycle, NULL), 1);
    assert_string_equal(cycles_text, "1,2");
    graph_close(&g);
}

static void an_acyclic_graph_has_no_cycles(void **state)
{
    (void)state;
    struct graph g;
    /* a diamond: 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3 */
    assert_int_equal(graph_init(&g, 4), 0);
    assert_int_equal(graph_add_edge(&g, 0, 1), 0);
    assert_int_equal(graph_add_edge(&g, 0, 2), 0);
    assert_int_equal(graph_add_edge(&g, 1, 3), 0);
    assert_int_equal(graph_add_edge(&g, 2, 3), 0);
    assert_int_equal(graph_cycles(&g, NULL, NULL), 0);
    graph_close(&g);
}

static void dependents_are_listed_in_increasing_order(void **state)
{
    (void)state;
    struct graph g;
    size_t *deps, n;
    assert_int_equal(graph_init(&g, 4), 0);
    assert_int_equal(graph_add_edge(&g, 3, 0), 0);
    assert_int_equal(graph_add_edge(&g, 1, 0), 0);
    assert_int_equal(graph_dependents(&g, 0, &deps, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(deps[0], 1);
    assert_int_equal(deps[1], 3);
    free(deps);
    assert_int_equal(graph_dependents(&g, 2, &deps, &n), 0);
    assert_int_equal(n, 0);
    assert_null(deps);
    graph_close(&g);
}

static void an_empty_graph_orders_nothing(void **state)
{
    (void)state;
    struct graph g;
    assert_int_equal(graph_init(&g, 0), 0);
    assert_int_equal(graph_order(&g, NULL), 0);
    assert_int_equal(graph_cycles(&g, NULL, NULL), 0);
    graph_close(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(independent_nodes_start_in_index_order),
        cmocka_unit_test(a_node_starts_after_what_it_depends_on),
        cmocka_unit_test(ties_are_broken_by_the_smallest_index),
        cmocka_unit_test(an_edge_to_itself_or_out_of_range_is_refused),
        cmocka_unit_test(a_repeated_edge_is_kept_once),
        cmocka_unit_test(a_cycle_has_no_order_and_is_named_node_by_node),
        cmocka_unit_test(two_separate_cycles_are_both_reported),
        cmocka_unit_test(a_cycle_below_an_acyclic_root_starts_at_its_first_node),
        cmocka_unit_test(an_acyclic_graph_has_no_cycles),
        cmocka_unit_test(dependents_are_listed_in_increasing_order),
        cmocka_unit_test(an_empty_graph_orders_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
