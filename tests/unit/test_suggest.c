/* test_suggest.c - "did you mean" distance and choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "suggest.h"

static void a_swap_of_neighbours_is_one_edit(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("wbe", "web"), 1);
    assert_int_equal(suggest_distance("comamnd", "command"), 1);
    assert_int_equal(suggest_distance("web", "web"), 0);
    assert_int_equal(suggest_distance("kitten", "sitting"), 3);
}

static void a_transposed_service_name_is_suggested(void **state)
{
    (void)state;
    const char *names[] = {"db", "web", "worker"};
    assert_string_equal(suggest_closest("wbe", names, 3), "web");
    assert_string_equal(suggest_closest("wokrer", names, 3), "worker");
}

static void an_unrelated_word_gets_no_suggestion(void **state)
{
    (void)state;
    const char *names[] = {"db", "web", "worker"};
    assert_null(suggest_closest("nginx", names, 3));
    assert_null(suggest_closest("x", names, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_swap_of_neighbours_is_one_edit),
        cmocka_unit_test(a_transposed_service_name_is_suggested),
        cmocka_unit_test(an_unrelated_word_gets_no_suggestion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
