/* test_conf_global.c - corral.yaml: defaults, every key, and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

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

static void defaults_fit_in_docker_s_ten_seconds(void **state)
{
    (void)state;
    struct conf_global g;
    conf_global_init(&g);
    assert_null(g.services_dir);
    assert_null(g.socket_path);
    assert_int_equal(g.shutdown_timeout_ms, 9000);
    assert_int_equal(g.kill_grace_ms, 2000);
    assert_null(g.read_group);
    assert_null(g.admin_group);
    assert_int_equal(g.log_format, CONF_LOG_FORMAT_TEXT);
    assert_int_equal(g.log_level, CONF_LOG_LEVEL_INFO);
    assert_false(g.timestamps);
    conf_global_close(&g);
}

static void an_empty_file_keeps_every_default(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("", &g), 0);
    assert_int_equal(g.shutdown_timeout_ms, 9000);
    assert_int_equal(load_global("# nothing\n", &g), 0);
    conf_global_close(&g);
}

static void every_key_is_read_back(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("services: /srv/services.d\n"
                                 "socket: \"${HOME}/corral.sock\"\n"
                                 "shutdown_timeout: 25s\n"
                                 "kill_grace: 3s\n"
                                 "read_group: staff\n"
                                 "admin_group: 0\n"
                                 "log_format: json\n"
                                 "log_level: debug\n"
                                 "timestamps: true\n",
                                 &g),
                     0);
    assert_string_equal(g.services_dir, "/srv/services.d");
    assert_string_equal(g.socket_path, "/home/app/corral.sock");
    assert_int_equal(g.shutdown_timeout_ms, 25000);
    assert_int_equal(g.kill_grace_ms, 3000);
    assert_string_equal(g.read_group, "staff");
    assert_int_equal(g.read_gid, 50);
    assert_string_equal(g.admin_group, "0");
    assert_int_equal(g.admin_gid, 0);
    assert_int_equal(g.log_format, CONF_LOG_FORMAT_JSON);
    assert_int_equal(g.log_level, CONF_LOG_LEVEL_DEBUG);
    assert_true(g.timestamps);
    conf_global_close(&g);
}

static void errors_are_all_reported_and_leave_the_defaults(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("log_format: yaml\n"
                                 "read_group: wheel\n"
                                 "shutdown_timout: 5s\n"
                                 "timestamps: 1\n",
                                 &g),
                     -EINVAL);
    assert_string_equal(
        fix_text,
        "corral.yaml:1:13: log_format: expected text|json, got \"yaml\"\n"
        "corral.yaml:2:13: read_group: expected a group name or gid, got unknown group \"wheel\"\n"
        "corral.yaml:3:1: unknown key \"shutdown_timout\" (did you mean \"shutdown_timeout\"?)\n"
        "corral.yaml:4:13: timestamps: expected true or false, got \"1\"");
    assert_null(g.read_group);
    assert_int_equal(g.log_format, CONF_LOG_FORMAT_TEXT);
    conf_global_close(&g);
}

static void the_main_section_configures_the_command_line_s_main(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("main:\n"
                                 "  depends_on: {db: {condition: healthy}}\n"
                                 "  stop_signal: QUIT\n"
                                 "  stop_timeout: 20s\n"
                                 "  success_codes: [0, 143]\n",
                                 &g),
                     0);
    assert_non_null(g.main);
    assert_string_equal(g.main->name, "main");
    assert_string_equal(g.main->file, "corral.yaml");
    assert_true(g.main->main);
    assert_null(g.main->argv); /* the command is the one after corral -- */
    assert_int_equal(g.main->restart, CONF_RESTART_NEVER);
    assert_true(g.main->depends_on_given);
    assert_int_equal(g.main->n_deps, 1);
    assert_string_equal(g.main->deps[0].name, "db");
    assert_int_equal(g.main->deps[0].line, 2);
    assert_true(g.main->stop_timeout_given);
    assert_int_equal(g.main->stop_timeout_ms, 20000);
    assert_true(conf_is_success(g.main, 143));
    conf_global_close(&g);
    assert_null(g.main);
}

static void the_main_section_takes_no_command_type_or_main(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("main:\n"
                                 "  command: [x]\n"
                                 "  type: oneshot\n"
                                 "  main: false\n"
                                 "  restat: always\n",
                                 &g),
                     -EINVAL);
    assert_string_equal(
        fix_text,
        "corral.yaml:2:12: main.command: expected no command in corral.yaml's main: section (it "
        "configures the command given after corral --, which is the main long-running service)\n"
        "corral.yaml:3:9: main.type: expected no type in corral.yaml's main: section (it "
        "configures the command given after corral --, which is the main long-running service)\n"
        "corral.yaml:4:9: main.main: expected no main in corral.yaml's main: section (it "
        "configures the command given after corral --, which is the main long-running service)\n"
        "corral.yaml:5:3: main: unknown key \"restat\" (did you mean \"restart\"?)");
    assert_null(g.main);
    conf_global_close(&g);
}

static void a_kill_grace_longer_than_the_shutdown_timeout_is_refused(void **state)
{
    (void)state;
    struct conf_global g;
    assert_int_equal(load_global("shutdown_timeout: 5s\nkill_grace: 5s\n", &g), -EINVAL);
    assert_string_equal(
        fix_text, "corral.yaml:2:13: kill_grace: expected less than shutdown_timeout (5000ms)");
    conf_global_close(&g);
}

static void a_socket_path_too_long_for_sun_path_is_refused(void **state)
{
    (void)state;
    struct conf_global g;
    char yaml[300];
    snprintf(yaml, sizeof yaml, "socket: /%0120d\n", 0);
    assert_int_equal(load_global(yaml, &g), -EINVAL);
    assert_string_equal(
        fix_text,
        "corral.yaml:1:9: socket: expected a path of at most 107 bytes (unix(7) sun_path)");
    conf_global_close(&g);
}

static void a_relative_services_dir_is_taken_from_the_file_s_directory(void **state)
{
    (void)state;
    char dir[256], path[300], want[300];
    struct conf_global g;
    struct conf_errors e;
    assert_non_null(fix_tmpdir(dir, sizeof dir));
    assert_int_equal(fix_write(dir, "corral.yaml", "services: services.d\n"), 0);
    snprintf(path, sizeof path, "%s/corral.yaml", dir);
    snprintf(want, sizeof want, "%s/services.d", dir);
    conf_errors_init(&e);
    conf_global_init(&g);
    assert_int_equal(conf_global_load(path, false, &fix_env, &g, &e), 0);
    assert_string_equal(g.services_dir, want);
    conf_global_close(&g);
    conf_errors_close(&e);
    fix_rmdir(dir);
}

static void a_missing_file_is_fine_only_when_allowed(void **state)
{
    (void)state;
    struct conf_global g;
    struct conf_errors e;
    conf_errors_init(&e);
    conf_global_init(&g);
    assert_int_equal(conf_global_load("/nonexistent/corral.yaml", true, &fix_env, &g, &e), 0);
    assert_int_equal(e.n, 0);
    assert_int_equal(conf_global_load("/nonexistent/corral.yaml", false, &fix_env, &g, &e),
                     -ENOENT);
    assert_string_equal(fix_errors_text(&e),
                        "/nonexistent/corral.yaml: cannot read: No such file or directory");
    conf_global_close(&g);
    conf_errors_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_fit_in_docker_s_ten_seconds),
        cmocka_unit_test(an_empty_file_keeps_every_default),
        cmocka_unit_test(every_key_is_read_back),
        cmocka_unit_test(errors_are_all_reported_and_leave_the_defaults),
        cmocka_unit_test(the_main_section_configures_the_command_line_s_main),
        cmocka_unit_test(the_main_section_takes_no_command_type_or_main),
        cmocka_unit_test(a_kill_grace_longer_than_the_shutdown_timeout_is_refused),
        cmocka_unit_test(a_socket_path_too_long_for_sun_path_is_refused),
        cmocka_unit_test(a_relative_services_dir_is_taken_from_the_file_s_directory),
        cmocka_unit_test(a_missing_file_is_fine_only_when_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
