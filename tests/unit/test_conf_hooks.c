/* test_conf_hooks.c - the keys of issue #18 in a service file (autostart,
 * finish, finish_timeout, stop_command) and corral.yaml (the script
 * directories, container_environment), a script directory as oneshots in
 * lexical order, and a container_environment directory read as variables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

#define CMD "command: [\"srv\"]\n"

static void hooks_default_to_none_and_autostart_to_true(void **state)
{
    (void)state;
    struct conf_service *s = fix_load(CMD, NULL);
    assert_non_null(s);
    assert_true(s->autostart);
    assert_null(s->finish_argv);
    assert_null(s->stop_argv);
    assert_int_equal(s->finish_timeout_ms, 5000);
    conf_service_free(s);
}

static void finish_and_stop_command_take_a_list_or_a_shell_string(void **state)
{
    (void)state;
    struct conf_service *s =
        fix_load(CMD "finish: [/bin/cleanup, \"${PORT}\"]\nstop_command: nginx -s quit\n"
                     "finish_timeout: 2s\nautostart: false\n",
                 NULL);
    assert_non_null(s);
    assert_string_equal(s->finish_argv[0], "/bin/cleanup");
    assert_string_equal(s->finish_argv[1], "8080");
    assert_null(s->finish_argv[2]);
    assert_string_equal(s->stop_argv[0], "/bin/sh");
    assert_string_equal(s->stop_argv[1], "-c");
    assert_string_equal(s->stop_argv[2], "nginx -s quit");
    assert_int_equal(s->finish_timeout_ms, 2000);
    assert_false(s->autostart);
    assert_false(s->shell); /* the command itself is still a list */
    conf_service_free(s);
}

static void bad_hook_values_are_errors_at_their_place(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "finish: {a: 1}\n"),
                        "web.yaml:2:9: finish: expected a list (exec'd as is) or a string (run "
                        "by /bin/sh -c), got a map");
    assert_string_equal(fix_fail(CMD "stop_command: \"  \"\n"),
                        "web.yaml:2:15: stop_command: expected a command, got an empty string");
    assert_string_equal(fix_fail(CMD "finish_timeout: 0\n"),
                        "web.yaml:2:17: finish_timeout: expected a duration greater than 0");
    assert_string_equal(fix_fail(CMD "autostart: no\n"),
                        "web.yaml:2:12: autostart: expected true or false, got \"no\"");
}

static void the_main_service_cannot_be_autostart_false(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "main: true\nautostart: false\n"),
                        "web.yaml:3:12: autostart: expected true for the main service (its "
                        "exit ends the container, so it must start)");
}

static int load_global(const char *yaml, struct conf_global *g)
{
    struct conf_errors e;
    conf_errors_init(&e);
    conf_global_init(g);
    int rc = conf_global_load_buffer("corral.yaml", yaml, strlen(yaml), &fix_env, g, &e);
    fix_errors_text(&e);
    conf_errors_close(&e);
    return rc;
}

static void corral_yaml_takes_the_script_directories_and_the_environment(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("startup_scripts: /etc/my_init.d\n"
                                 "pre_shutdown_scripts: /etc/my_init.pre_shutdown.d\n"
                                 "post_shutdown_scripts: /etc/my_init.post_shutdown.d\n"
                                 "container_environment: /etc/container_environment\n"
                                 "write_container_environment: true\n",
                                 &g),
                     0);
    assert_string_equal(g.startup_scripts, "/etc/my_init.d");
    assert_string_equal(g.pre_shutdown_scripts, "/etc/my_init.pre_shutdown.d");
    assert_string_equal(g.post_shutdown_scripts, "/etc/my_init.post_shutdown.d");
    assert_string_equal(g.container_environment, "/etc/container_environment");
    assert_true(g.write_container_environment);
    conf_global_close(&g);
    assert_null(g.startup_scripts);
    assert_false(g.write_container_environment);
}

static void writing_the_environment_needs_a_directory(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("write_container_environment: true\n", &g), -EINVAL);
    assert_string_equal(fix_text, "corral.yaml:1:30: write_container_environment: expected "
                                  "container_environment: DIR beside it (where to write)");
}

static void a_script_directory_is_its_executable_files_in_lexical_order(void **state)
{
    (void)state;
    char dir[256], path[600];
    struct conf_errors e;
    struct conf_set *set;
    assert_non_null(fix_tmpdir(dir, sizeof dir));
    const char *names[] = {"20-b", "10-a", "3-c", "README", ".hidden"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(fix_write(dir, names[i], "#!/bin/sh\n"), 0);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        chmod(path, strcmp(names[i], "README") == 0 ? 0644 : 0755);
    }
    conf_errors_init(&e);
    assert_int_equal(conf_scripts_load(dir, &set, &e), 0);
    assert_int_equal(e.n, 0);
    assert_int_equal(set->n, 3);
    assert_string_equal(set->services[set->start_order[0]]->name, "10-a");
    assert_string_equal(set->services[set->start_order[1]]->name, "20-b");
    assert_string_equal(set->services[set->start_order[2]]->name, "3-c");
    const struct conf_service *s = set->services[0];
    snprintf(path, sizeof path, "%s/10-a", dir);
    assert_string_equal(s->argv[0], path);
    assert_null(s->argv[1]);
    assert_int_equal(s->type, CONF_TYPE_ONESHOT);
    assert_int_equal(s->restart, CONF_RESTART_NEVER);
    assert_int_equal(set->n_ignored, 1);
    assert_string_equal(set->ignored[0], "README");
    conf_set_free(set);
    conf_errors_close(&e);
    fix_rmdir(dir);
}

static void a_missing_script_directory_is_empty_with_a_warning(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_set *set;
    conf_errors_init(&e);
    assert_int_equal(conf_scripts_load("/nonexistent/my_init.d", &set, &e), 0);
    assert_int_equal(set->n, 0);
    assert_string_equal(fix_errors_text(&e),
                        "/nonexistent/my_init.d: warning: no such directory: no script to run");
    conf_set_free(set);
    conf_errors_close(&e);
}

static void an_environment_directory_is_its_files_less_one_newline(void **state)
{
    (void)state;
    char dir[256];
    struct conf_errors e;
    struct conf_kv *v;
    size_t n;
    assert_non_null(fix_tmpdir(dir, sizeof dir));
    assert_int_equal(fix_write(dir, "B", "two lines\n\n"), 0);
    assert_int_equal(fix_write(dir, "A", "plain"), 0);
    assert_int_equal(fix_write(dir, "bad-name", "x"), 0);
    assert_int_equal(fix_write(dir, ".dot", "x"), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_envdir_read(dir, &v, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].key, "A");
    assert_string_equal(v[0].value, "plain");
    assert_string_equal(v[1].key, "B");
    assert_string_equal(v[1].value, "two lines\n");
    assert_int_equal(e.warnings, 1);
    assert_non_null(strstr(fix_errors_text(&e), "bad-name: not a variable name"));
    conf_envdir_free(v, n);
    conf_errors_close(&e);
    fix_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hooks_default_to_none_and_autostart_to_true),
        cmocka_unit_test(finish_and_stop_command_take_a_list_or_a_shell_string),
        cmocka_unit_test(bad_hook_values_are_errors_at_their_place),
        cmocka_unit_test(the_main_service_cannot_be_autostart_false),
        cmocka_unit_test(corral_yaml_takes_the_script_directories_and_the_environment),
        cmocka_unit_test(writing_the_environment_needs_a_directory),
        cmocka_unit_test(a_script_directory_is_its_executable_files_in_lexical_order),
        cmocka_unit_test(a_missing_script_directory_is_empty_with_a_warning),
        cmocka_unit_test(an_environment_directory_is_its_files_less_one_newline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
