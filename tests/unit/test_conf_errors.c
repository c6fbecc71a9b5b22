/* test_conf_errors.c - the error list as its users read it: errors and
 * warnings in the order found, a warning marked as one and formatted with
 * "warning:", each kind capped on its own, and a load that succeeds with
 * warnings only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

static void a_warning_is_marked_and_formatted_as_one(void **state)
{
    (void)state;
    struct conf_errors e;
    char line[200];
    conf_errors_init(&e);
    assert_int_equal(conf_errors_add(&e, "a.yaml", 2, 3, "bad %s", "thing"), 0);
    assert_int_equal(conf_errors_warn(&e, "a.yaml", 4, 5, "odd %d", 7), 0);
    assert_int_equal(conf_errors_warn(&e, "a.yaml", 0, 0, "odd file"), 0);
    assert_int_equal(e.n, 3);
    assert_int_equal(e.warnings, 2);
    assert_false(e.v[0].warning);
    assert_true(e.v[1].warning);
    assert_string_equal(conf_errors_format(&e.v[0], line, sizeof line), "a.yaml:2:3: bad thing");
    assert_string_equal(conf_errors_format(&e.v[1], line, sizeof line),
                        "a.yaml:4:5: warning: odd 7");
    assert_string_equal(conf_errors_format(&e.v[2], line, sizeof line),
                        "a.yaml: warning: odd file");
    conf_errors_close(&e);
}

static void warnings_never_crowd_errors_out(void **state)
{
    (void)state;
    struct conf_errors e;
    conf_errors_init(&e);
    for (int i = 0; i < CONF_WARNINGS_MAX + 5; i++)
        assert_int_equal(conf_errors_warn(&e, "a.yaml", 1, 1, "w%d", i), 0);
    assert_false(conf_errors_full(&e));
    for (int i = 0; i < CONF_ERRORS_MAX + 3; i++)
        assert_int_equal(conf_errors_add(&e, "a.yaml", 1, 1, "e%d", i), 0);
    assert_true(conf_errors_full(&e));
    assert_int_equal(e.warnings, CONF_WARNINGS_MAX);
    assert_int_equal(e.dropped_warnings, 5);
    assert_int_equal(e.n - e.warnings, CONF_ERRORS_MAX);
    assert_int_equal(e.dropped, 3);
    conf_errors_close(&e);
}

static void a_directory_with_warnings_only_loads(void **state)
{
    (void)state;
    char dir[256];
    struct conf_errors e;
    struct conf_set *set = NULL;
    assert_non_null(fix_tmpdir(dir, sizeof dir));
    assert_int_equal(fix_write(dir, "web.yaml", "command: |\n  echo ${GREETING}\n"), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_load_dir(dir, &fix_env, &set, &e), 0);
    assert_non_null(set);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.warnings, 1);
    assert_true(e.v[0].warning);
    assert_int_equal(e.v[0].line, 2);
    assert_int_equal(e.v[0].col, 8);
    conf_set_free(set);
    conf_errors_close(&e);
    fix_rmdir(dir);
}

static void a_refused_load_keeps_its_warnings_beside_its_errors(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail("command: [\"${A}\"]\nrestart: sometimes\n"),
        "web.yaml:1:11: warning: command[0]: ${A} is not set, so it expands to nothing (write "
        "${A:-} for an empty default, or $${A} for a literal ${A})\n"
        "web.yaml:1:10: command: expected a program as the first item, got \"\"\n"
        "web.yaml:2:10: restart: expected always|on-failure|never, got \"sometimes\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_warning_is_marked_and_formatted_as_one),
        cmocka_unit_test(warnings_never_crowd_errors_out),
        cmocka_unit_test(a_directory_with_warnings_only_loads),
        cmocka_unit_test(a_refused_load_keeps_its_warnings_beside_its_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
