/* test_conf_schema.c - every kind of error in a service file, each reported
 * as file:line:col with what was expected, and all of them at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

#define CMD "command: [\"srv\"]\n"

static void a_bad_enum_value_names_the_choices(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "restart: allways\n"),
        "web.yaml:2:10: restart: expected always|on-failure|never, got \"allways\"");
}

static void an_unknown_key_suggests_the_closest_one(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "restat: always\n"),
                        "web.yaml:2:1: unknown key \"restat\" (did you mean \"restart\"?)");
}

static void an_unknown_key_far_from_any_other_gets_no_suggestion(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "frobnicate: 1\n"),
                        "web.yaml:2:1: unknown key \"frobnicate\"");
}

static void an_unknown_nested_key_names_its_path(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "backoff: {inital: 1s}\n"),
        "web.yaml:2:11: backoff: unknown key \"inital\" (did you mean \"initial\"?)");
}

static void a_duplicate_key_names_the_first_one(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "type: longrun\ntype: oneshot\n"),
                        "web.yaml:3:1: type: duplicate key (first at line 2)");
}

static void a_list_where_a_string_belongs_is_a_type_error(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "directory: [/a]\n"),
                        "web.yaml:2:12: directory: expected a string, got a list");
}

static void a_map_where_a_list_belongs_is_a_type_error(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "success_codes: {a: 1}\n"),
        "web.yaml:2:16: success_codes: expected a list of exit codes 0-255, got a map");
}

static void a_scalar_where_a_map_belongs_is_a_type_error(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "backoff: 1s\n"),
                        "web.yaml:2:10: backoff: expected a map, got a string");
}

static void a_top_level_list_is_a_type_error(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("- a\n- b\n"), "web.yaml:1:1: expected a map, got a list");
}

static void a_bool_must_be_true_or_false(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "critical: yes\n"),
                        "web.yaml:2:11: critical: expected true or false, got \"yes\"");
}

static void a_bad_duration_shows_the_accepted_forms(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "stop_timeout: 10 s\n"),
        "web.yaml:2:15: stop_timeout: expected a duration like 100ms, 1.5s, 2m or 1m30s, got \"10 s\"");
}

static void a_huge_duration_is_too_large(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "stop_timeout: 99999999999999999999s\n"),
        "web.yaml:2:15: stop_timeout: duration \"99999999999999999999s\" is too large");
}

static void a_bad_size_shows_the_accepted_forms(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "logs: {max_size: 10 MiB}\n"),
        "web.yaml:2:18: logs.max_size: expected a size like 4096, 512K, 10MiB or 1GB, got \"10 MiB\"");
}

static void a_bad_signal_name_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "stop_signal: TREM\n"),
        "web.yaml:2:14: stop_signal: expected a signal name like TERM, SIGINT or QUIT, got \"TREM\"");
}

static void a_missing_command_is_reported_at_the_top(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail("type: longrun\n"),
        "web.yaml:1:1: missing command: expected command: [\"program\", \"arg\", ...] or command: \"shell line\"");
}

static void an_empty_file_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(""),
                        "web.yaml: expected a map with at least a command, got an empty file");
}

static void an_empty_command_list_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: []\n"),
                        "web.yaml:1:10: command: expected a non-empty list of strings, got []");
}

static void an_empty_command_string_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: \"  \"\n"),
                        "web.yaml:1:10: command: expected a command, got an empty string");
}

static void an_empty_program_name_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: [\"\", x]\n"),
                        "web.yaml:1:10: command: expected a program as the first item, got \"\"");
}

static void a_nested_list_in_a_command_is_reported_at_the_item(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: [a, [b]]\n"),
                        "web.yaml:1:14: command[1]: expected a string, got a list");
}

static void an_unknown_user_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "user: nobody\n"),
        "web.yaml:2:7: user: expected a user name or uid, got unknown user \"nobody\"");
}

static void an_unknown_group_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "user: app\ngroup: wheel\n"),
        "web.yaml:3:8: group: expected a group name or gid, got unknown group \"wheel\"");
}

static void a_dependency_on_a_missing_service_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "depends_on: [db]\n"),
        "web.yaml:2:14: depends_on: expected the name of a service, got \"db\", which does not exist");
}

static void a_service_depending_on_itself_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "depends_on:\n  web: {condition: started}\n"),
                        "web.yaml:3:3: depends_on: web depends on itself");
}

static void a_dependency_listed_twice_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "depends_on: [db, db]\n"),
                        "web.yaml:2:18: depends_on: db is listed twice");
}

static void a_bad_dependency_condition_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "depends_on: {db: {condition: up}}\n"),
        "web.yaml:2:30: depends_on.db.condition: expected started|ready|healthy|completed|finished, got \"up\"");
}

static void an_unset_required_variable_is_reported_with_its_message(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "environment: {DB: \"${DB_URL:?set DB_URL to the database}\"}\n"),
        "web.yaml:2:19: environment.DB: DB_URL: set DB_URL to the database");
}

static void a_malformed_substitution_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail("command: \"run ${1x}\"\n"),
        "web.yaml:1:10: command: bad substitution \"${1x}\": expected ${VAR}, ${VAR:-default} or ${VAR:?message}");
}

static void two_readiness_mechanisms_are_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "readiness: {tcp: \"127.0.0.1:80\", notify: fd}\n"),
        "web.yaml:2:42: readiness: expected exactly one of notify, exec, tcp, http, log, got both tcp and notify");
}

static void readiness_without_a_mechanism_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "readiness: {interval: 1s}\n"),
                        "web.yaml:2:12: readiness: expected one of notify, exec, tcp, http or log");
}

static void an_invalid_regex_is_reported_at_its_node(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "readiness:\n  log: \"listening on (port\"\n"),
        "web.yaml:3:8: readiness.log: expected an extended regular expression: Unmatched ( or \\(");
}

static void a_bad_tcp_address_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "health: {tcp: \"localhost\"}\n"),
        "web.yaml:2:15: health.tcp: expected \"host:port\" like \"127.0.0.1:5432\" or \"[::1]:80\", got \"localhost\"");
}

static void an_https_url_is_refused(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "health: {http: \"https://x/\"}\n"),
        "web.yaml:2:16: health.http: expected an URL like \"http://127.0.0.1:8080/healthz\" (a port from 1 to 65535), got \"https://x/\"");
}

static void a_notify_mechanism_is_refused_for_health(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "health: {notify: fd}\n"),
                        "web.yaml:2:10: health: unknown key \"notify\"");
}

static void an_exit_code_out_of_range_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "success_codes: [0, 256]\n"),
        "web.yaml:2:20: success_codes: expected an integer from 0 to 255, got \"256\"");
}

static void a_bad_umask_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "umask: \"0999\"\n"),
        "web.yaml:2:8: umask: expected an octal mode from \"0000\" to \"0777\", got \"0999\"");
}

static void a_relative_directory_is_refused(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "directory: srv\n"),
                        "web.yaml:2:12: directory: expected an absolute path, got \"srv\"");
}

static void a_bad_variable_name_in_environment_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "environment: {1X: a}\n"),
        "web.yaml:2:15: environment: expected a variable name ([A-Za-z_][A-Za-z0-9_]*), got \"1X\"");
}

static void a_backoff_whose_initial_exceeds_max_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "backoff: {initial: 2s, max: 1s}\n"),
        "web.yaml:2:10: backoff: expected initial (2000ms) to be at most max (1000ms)");
}

static void a_backoff_factor_below_one_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "backoff: {factor: 0.5}\n"),
        "web.yaml:2:19: backoff.factor: expected a number from 1 to 10, got \"0.5\"");
}

static void a_zero_start_limit_burst_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "start_limit: {burst: 0}\n"),
        "web.yaml:2:22: start_limit.burst: expected an integer from 1 to 1000000, got \"0\"");
}

static void restart_always_is_refused_for_a_oneshot(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "type: oneshot\nrestart: always\n"),
        "web.yaml:3:10: restart: expected on-failure|never for a oneshot service, got \"always\"");
}

static void checks_that_would_never_run_are_refused(void **state)
{
    (void)state;
    /* A oneshot is never up: its readiness and health checks would never run. */
    assert_string_equal(fix_fail(CMD "type: oneshot\nreadiness: {tcp: \"127.0.0.1:80\"}\n"),
                        "web.yaml:3:12: readiness: expected no readiness check on a oneshot "
                        "service, remove it (it is ready once it exits successfully: dependents "
                        "use condition: completed)");
    assert_string_equal(fix_fail(CMD "type: oneshot\nhealth: {exec: [check]}\n"),
                        "web.yaml:3:9: health: expected no health check on a oneshot service, "
                        "remove it (checks run only while a longrun service is up)");
    /* Raw output never passes through corral: no line could match. */
    assert_string_equal(fix_fail(CMD "logs: {raw: true}\nreadiness: {log: ready}\n"),
                        "web.yaml:3:12: readiness.log: expected another kind of check with "
                        "logs.raw: true (raw output bypasses corral, so no line would ever match)");
}

static void an_unknown_rlimit_suggests_the_closest_one(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "rlimits: {nofiles: 10}\n"),
        "web.yaml:2:11: rlimits: unknown key \"nofiles\" (did you mean \"nofile\"?)");
}

static void an_rlimit_whose_soft_exceeds_hard_is_reported(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "rlimits: {nofile: {soft: 10, hard: 5}}\n"),
                        "web.yaml:2:19: rlimits.nofile: expected soft to be at most hard");
}

static void a_log_file_sink_without_a_file_is_reported(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "logs: {stdout: both}\n"),
        "web.yaml:2:16: logs.stdout: writes to a file, expected logs.file to name it");
}

static void raw_output_with_a_file_sink_is_refused(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "logs: {raw: true, file: /tmp/web.log}\n"),
                        "web.yaml:2:13: logs.raw: bypasses corral, so logs.file would stay empty "
                        "(expected raw or a file, not both)");
}

static void prefix_and_json_together_are_refused(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "logs: {stdout: [prefix, json]}\n"),
                        "web.yaml:2:16: logs.stdout: expected prefix or json, not both");
}

static void a_yaml_syntax_error_carries_libyaml_s_problem_and_mark(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "restart: [always\n"),
        "web.yaml:3:1: invalid YAML: while parsing a flow sequence did not find expected ',' or ']' (line 2)");
}

static void a_second_document_is_refused(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "---\n" CMD),
                        "web.yaml:3:1: expected a single YAML document, got a second one");
}

static void every_error_of_a_file_is_reported_not_only_the_first(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail("restart: allways\n"
                 "stop_signal: TREM\n"
                 "stop_timeout: soon\n"
                 "user: nobody\n"),
        "web.yaml:1:10: restart: expected always|on-failure|never, got \"allways\"\n"
        "web.yaml:2:14: stop_signal: expected a signal name like TERM, SIGINT or QUIT, got \"TREM\"\n"
        "web.yaml:3:15: stop_timeout: expected a duration like 100ms, 1.5s, 2m or 1m30s, got \"soon\"\n"
        "web.yaml:1:1: missing command: expected command: [\"program\", \"arg\", ...] or command: \"shell line\"\n"
        "web.yaml:4:7: user: expected a user name or uid, got unknown user \"nobody\"");
}

static void control_characters_in_a_value_are_escaped_in_the_message(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail(CMD "restart: \"a\\tb\"\n"),
        "web.yaml:2:10: restart: expected always|on-failure|never, got \"a\\x09b\"");
}

static void a_command_that_cannot_run_here_is_an_error_or_a_warning(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: [/usr/sbin/missing-httpd, -D]\n"),
                        "web.yaml:1:11: command: expected an executable, got "
                        "\"/usr/sbin/missing-httpd\", which does not exist");
    assert_string_equal(fix_fail("command: [/app/noexec.sh]\n"),
                        "web.yaml:1:11: command: expected an executable, got \"/app/noexec.sh\", "
                        "which is not an executable file");
    /* A bare name depends on the PATH it runs with: a warning. */
    int rc;
    struct conf_service *s =
        fix_load("command: [missing-nginx]\nenvironment: {PATH: /opt/bin}\n", &rc);
    assert_non_null(s);
    assert_string_equal(fix_text,
                        "web.yaml:1:11: warning: command: \"missing-nginx\" is not found on PATH "
                        "(/opt/bin): it will fail with exit 127 unless the service's PATH differs "
                        "when it runs");
    conf_service_free(s);
    s = fix_load("command: [nginx]\n", &rc);
    assert_non_null(s);
    assert_string_equal(fix_text, "");
    conf_service_free(s);
}

static void no_resolve_looks_nothing_up(void **state)
{
    (void)state;
    struct conf_env env = fix_env;
    env.no_resolve = true;
    struct conf_errors e;
    struct conf_service *s = NULL;
    const char *yaml = "command: [/usr/sbin/missing-httpd]\nuser: only-in-the-image\n"
                       "env_file: /nonexistent/env\n";
    conf_errors_init(&e);
    assert_int_equal(conf_load_buffer("web", "web.yaml", yaml, strlen(yaml), &env, true, &s, &e),
                     0);
    assert_int_equal(e.n, 0);
    assert_false(s->set_ids);
    conf_service_free(s);
    conf_errors_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_bad_enum_value_names_the_choices),
        cmocka_unit_test(an_unknown_key_suggests_the_closest_one),
        cmocka_unit_test(an_unknown_key_far_from_any_other_gets_no_suggestion),
        cmocka_unit_test(an_unknown_nested_key_names_its_path),
        cmocka_unit_test(a_duplicate_key_names_the_first_one),
        cmocka_unit_test(a_list_where_a_string_belongs_is_a_type_error),
        cmocka_unit_test(a_map_where_a_list_belongs_is_a_type_error),
        cmocka_unit_test(a_scalar_where_a_map_belongs_is_a_type_error),
        cmocka_unit_test(a_top_level_list_is_a_type_error),
        cmocka_unit_test(a_bool_must_be_true_or_false),
        cmocka_unit_test(a_bad_duration_shows_the_accepted_forms),
        cmocka_unit_test(a_huge_duration_is_too_large),
        cmocka_unit_test(a_bad_size_shows_the_accepted_forms),
        cmocka_unit_test(a_bad_signal_name_is_reported),
        cmocka_unit_test(a_missing_command_is_reported_at_the_top),
        cmocka_unit_test(an_empty_file_is_reported),
        cmocka_unit_test(an_empty_command_list_is_reported),
        cmocka_unit_test(an_empty_command_string_is_reported),
        cmocka_unit_test(an_empty_program_name_is_reported),
        cmocka_unit_test(a_nested_list_in_a_command_is_reported_at_the_item),
        cmocka_unit_test(an_unknown_user_is_reported),
        cmocka_unit_test(an_unknown_group_is_reported),
        cmocka_unit_test(a_dependency_on_a_missing_service_is_reported),
        cmocka_unit_test(a_service_depending_on_itself_is_reported),
        cmocka_unit_test(a_dependency_listed_twice_is_reported),
        cmocka_unit_test(a_bad_dependency_condition_is_reported),
        cmocka_unit_test(an_unset_required_variable_is_reported_with_its_message),
        cmocka_unit_test(a_malformed_substitution_is_reported),
        cmocka_unit_test(two_readiness_mechanisms_are_reported),
        cmocka_unit_test(readiness_without_a_mechanism_is_reported),
        cmocka_unit_test(an_invalid_regex_is_reported_at_its_node),
        cmocka_unit_test(a_bad_tcp_address_is_reported),
        cmocka_unit_test(an_https_url_is_refused),
        cmocka_unit_test(a_notify_mechanism_is_refused_for_health),
        cmocka_unit_test(an_exit_code_out_of_range_is_reported),
        cmocka_unit_test(a_bad_umask_is_reported),
        cmocka_unit_test(a_relative_directory_is_refused),
        cmocka_unit_test(a_bad_variable_name_in_environment_is_reported),
        cmocka_unit_test(a_backoff_whose_initial_exceeds_max_is_reported),
        cmocka_unit_test(a_backoff_factor_below_one_is_reported),
        cmocka_unit_test(a_zero_start_limit_burst_is_reported),
        cmocka_unit_test(restart_always_is_refused_for_a_oneshot),
        cmocka_unit_test(checks_that_would_never_run_are_refused),
        cmocka_unit_test(an_unknown_rlimit_suggests_the_closest_one),
        cmocka_unit_test(an_rlimit_whose_soft_exceeds_hard_is_reported),
        cmocka_unit_test(a_log_file_sink_without_a_file_is_reported),
        cmocka_unit_test(raw_output_with_a_file_sink_is_refused),
        cmocka_unit_test(prefix_and_json_together_are_refused),
        cmocka_unit_test(a_yaml_syntax_error_carries_libyaml_s_problem_and_mark),
        cmocka_unit_test(a_second_document_is_refused),
        cmocka_unit_test(every_error_of_a_file_is_reported_not_only_the_first),
        cmocka_unit_test(control_characters_in_a_value_are_escaped_in_the_message),
        cmocka_unit_test(a_command_that_cannot_run_here_is_an_error_or_a_warning),
        cmocka_unit_test(no_resolve_looks_nothing_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
