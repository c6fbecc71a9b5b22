/* test_conf_env.c - ${VAR} expansion (alone and in service files) and
 * env_file reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "envexpand.h"
#include "envfile.h"
#include "test_conf_fixture.h"

static char err[300];

static char *expand(const char *in)
{
    char *out = NULL;
    err[0] = '\0';
    struct envexpand_hooks h = {.lookup = fix_lookup};
    int rc = envexpand_string(in, &h, &out, err, sizeof err, NULL);
    if (rc < 0)
        return NULL;
    return out;
}

static void expands_to(const char *in, const char *want)
{
    char *got = expand(in);
    if (!got)
        fail_msg("%s: %s", in, err);
    assert_string_equal(got, want);
    free(got);
}

static void a_set_variable_is_replaced_by_its_value(void **state)
{
    (void)state;
    expands_to("--port=${PORT}", "--port=8080");
    expands_to("${HOME}/data:${PORT}", "/home/app/data:8080");
}

static void an_unset_variable_expands_to_nothing(void **state)
{
    (void)state;
    expands_to("a${NOPE}b", "ab");
}

static void a_default_is_used_when_the_variable_is_unset_or_empty(void **state)
{
    (void)state;
    expands_to("${NOPE:-6379}", "6379");
    expands_to("${EMPTY:-x}", "x");
    expands_to("${PORT:-6379}", "8080");
    expands_to("${NOPE:-}", "");
}

static void a_required_variable_that_is_set_expands(void **state)
{
    (void)state;
    expands_to("${PORT:?need a port}", "8080");
}

static void a_required_variable_that_is_unset_is_an_error_with_its_message(void **state)
{
    (void)state;
    assert_null(expand("${NOPE:?set NOPE please}"));
    assert_string_equal(err, "NOPE: set NOPE please");
    assert_null(expand("${EMPTY:?}"));
    assert_string_equal(err, "EMPTY: is not set");
}

static void dollar_without_brace_is_kept_for_the_shell(void **state)
{
    (void)state;
    expands_to("echo $HOME $$ $1 $", "echo $HOME $$ $1 $");
}

static void a_doubled_dollar_before_a_brace_is_a_literal(void **state)
{
    (void)state;
    expands_to("$${PORT}", "${PORT}");
}

static void an_unterminated_brace_is_an_error(void **state)
{
    (void)state;
    assert_null(expand("x${PORT"));
    assert_string_equal(err, "unterminated \"${\": expected a closing }");
}

static void unsupported_forms_are_errors(void **state)
{
    (void)state;
    assert_null(expand("${PORT-1}"));
    assert_string_equal(
        err, "bad substitution \"${PORT-1}\": expected ${VAR}, ${VAR:-default} or ${VAR:?message}");
    assert_null(expand("${}"));
    assert_null(expand("${PORT:+x}"));
}

static void a_service_file_expands_command_environment_and_directory(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load("command: [srv, \"--port=${PORT}\"]\n"
                                      "directory: \"${HOME}/srv\"\n"
                                      "environment: {PORT: \"${PORT:-1}\", X: \"${NOPE:-d}\"}\n",
                                      &rc);
    if (!s)
        fail_msg("%s", fix_text);
    assert_string_equal(s->argv[1], "--port=8080");
    assert_string_equal(s->directory, "/home/app/srv");
    assert_int_equal(s->n_environment, 2);
    assert_string_equal(s->environment[0].key, "PORT");
    assert_string_equal(s->environment[0].value, "8080");
    assert_string_equal(s->environment[1].key, "X");
    assert_string_equal(s->environment[1].value, "d");
    conf_service_free(s);
}

static void a_shell_command_string_is_expanded_before_sh_sees_it(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load("command: \"exec srv --port ${PORT} $1\"\n", &rc);
    assert_non_null(s);
    assert_string_equal(s->argv[2], "exec srv --port 8080 $1");
    conf_service_free(s);
}

/* The message of an unset ${name}, as conf_errors_format writes it. */
#define UNSET_NAME                                                                            \
    "warning: command: ${name} is not set, so it expands to nothing (write ${name:-} for an " \
    "empty default, or $${name} for a literal ${name})"

static void an_unset_variable_in_a_shell_command_is_a_warning_not_an_error(void **state)
{
    (void)state;
    int rc;
    /* The shell never sees ${name}: it is expanded (to nothing) at load. */
    struct conf_service *s = fix_load("command: echo \"hello ${name}\"\n", &rc);
    assert_int_equal(rc, 0);
    assert_non_null(s);
    assert_string_equal(s->argv[2], "echo \"hello \"");
    assert_string_equal(fix_text, "web.yaml:1:10: " UNSET_NAME);
    conf_service_free(s);
}

static void a_warning_inside_a_block_scalar_names_the_line_and_column_of_the_variable(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load("command: |\n"
                                      "  echo start\n"
                                      "  echo \"hello ${name}\"\n",
                                      &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(fix_text, "web.yaml:3:15: " UNSET_NAME);
    conf_service_free(s);
}

static void an_error_inside_a_block_scalar_names_the_line_of_the_variable(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: >\n"
                                 "  run\n"
                                 "  --port ${PORT}\n"
                                 "  --url ${DB_URL:?set it}\n"),
                        "web.yaml:4:9: command: DB_URL: set it");
    assert_string_equal(fix_fail("command: |\n  a\n  b ${1x}\n"),
                        "web.yaml:3:5: command: bad substitution \"${1x}\": expected ${VAR}, "
                        "${VAR:-default} or ${VAR:?message}");
}

static void each_unset_variable_of_a_value_is_placed_on_its_own_line(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load("command: |\n"
                                      "  echo ${name}\n"
                                      "  echo $${name} ${name:-} ${PORT}\n"
                                      "  echo ${name}\n",
                                      &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s->argv[2], "echo \necho ${name}  8080\necho \n");
    assert_string_equal(fix_text, "web.yaml:2:8: " UNSET_NAME "\n"
                                  "web.yaml:4:8: " UNSET_NAME);
    conf_service_free(s);
}

static void columns_count_characters_and_crlf_ends_a_line(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s =
        fix_load("command: |\r\n  echo h\xc3\xa9llo\r\n  echo \"h\xc3\xa9llo ${name}\"\r\n", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(fix_text, "web.yaml:3:15: " UNSET_NAME);
    conf_service_free(s);
}

static void a_variable_on_a_later_line_of_a_plain_or_quoted_value_is_placed_there(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load("command: echo one\n  two ${name}\n", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(fix_text, "web.yaml:2:7: " UNSET_NAME);
    conf_service_free(s);
    s = fix_load("environment:\n  A: \"x\n    y ${NOPE}\"\ncommand: [x]\n", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(fix_text,
                        "web.yaml:3:7: warning: environment.A: ${NOPE} is not set, so it expands "
                        "to nothing (write ${NOPE:-} for an empty default, or $${NOPE} for a "
                        "literal ${NOPE})");
    conf_service_free(s);
}

static void a_value_read_twice_through_an_alias_is_placed_alike_both_times(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s =
        fix_load("environment:\n  A: &v \"a\n    ${N1} ${N2}\"\n  B: *v\ncommand: [x]\n", &rc);
    assert_int_equal(rc, 0);
    const char *tail = " is not set, so it expands to nothing";
    char want[1024];
    snprintf(want, sizeof want,
             "web.yaml:3:5: warning: environment.A: ${N1}%s (write ${N1:-} for an empty default, "
             "or $${N1} for a literal ${N1})\n"
             "web.yaml:3:11: warning: environment.A: ${N2}%s (write ${N2:-} for an empty default, "
             "or $${N2} for a literal ${N2})\n"
             "web.yaml:3:5: warning: environment.B: ${N1}%s (write ${N1:-} for an empty default, "
             "or $${N1} for a literal ${N1})\n"
             "web.yaml:3:11: warning: environment.B: ${N2}%s (write ${N2:-} for an empty default, "
             "or $${N2} for a literal ${N2})",
             tail, tail, tail, tail);
    assert_string_equal(fix_text, want);
    conf_service_free(s);
}

static void a_variable_made_by_an_escape_is_placed_at_the_value(void **state)
{
    (void)state;
    int rc;
    /* "\x24{" is a "${" that the file does not show: the value's start. */
    struct conf_service *s = fix_load("command: \"a\\n\\x24{name}\"\n", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(fix_text, "web.yaml:1:10: " UNSET_NAME);
    conf_service_free(s);
}

static void a_default_or_a_doubled_dollar_is_no_warning(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load("command: echo \"${name:-} $${name} ${EMPTY}\"\n", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s->argv[2], "echo \" ${name} \"");
    assert_string_equal(fix_text, "");
    conf_service_free(s);
}

static void corral_yaml_warns_the_same_way(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_global g;
    const char *yaml = "socket: ${RUN_DIR}/c.sock\n";
    conf_errors_init(&e);
    conf_global_init(&g);
    assert_int_equal(conf_global_load_buffer("corral.yaml", yaml, strlen(yaml), &fix_env, &g, &e),
                     0);
    assert_string_equal(g.socket_path, "/c.sock");
    assert_string_equal(fix_errors_text(&e),
                        "corral.yaml:1:9: warning: socket: ${RUN_DIR} is not set, so it expands "
                        "to nothing (write ${RUN_DIR:-} for an empty default, or $${RUN_DIR} for "
                        "a literal ${RUN_DIR})");
    conf_global_close(&g);
    conf_errors_close(&e);
}

static void environment_values_that_yaml_reads_as_numbers_stay_text(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s =
        fix_load("command: [srv]\nenvironment: {N: 0010, B: true, E: }\n", &rc);
    assert_non_null(s);
    assert_string_equal(s->environment[0].value, "0010");
    assert_string_equal(s->environment[1].value, "true");
    assert_string_equal(s->environment[2].value, "");
    conf_service_free(s);
}

static void an_env_file_gives_its_pairs_in_order(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_kv *v;
    size_t n;
    const char *text = "# comment\n\nA=1\n  # indented comment\nB=two words\r\nC=\nD=x=y\nE=\"q\"";
    conf_errors_init(&e);
    assert_int_equal(envfile_parse("app.env", text, strlen(text), &v, &n, &e), 0);
    assert_int_equal(n, 5);
    assert_string_equal(v[0].key, "A");
    assert_string_equal(v[0].value, "1");
    assert_string_equal(v[1].value, "two words");
    assert_string_equal(v[2].key, "C");
    assert_string_equal(v[2].value, "");
    assert_string_equal(v[3].value, "x=y");
    assert_string_equal(v[4].value, "\"q\"");
    envfile_free(v, n);
    conf_errors_close(&e);
}

static void bad_env_file_lines_are_each_reported_with_file_and_line(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_kv *v = NULL;
    size_t n = 0;
    const char *text = "A=1\nexport B=2\n=3\nC 4\nD=ok\n9X=1\n";
    conf_errors_init(&e);
    assert_int_equal(envfile_parse("app.env", text, strlen(text), &v, &n, &e), -EINVAL);
    assert_string_equal(fix_errors_text(&e),
                        "app.env:2:7: expected KEY=VALUE\n"
                        "app.env:3:1: expected a variable name ([A-Za-z_][A-Za-z0-9_]*)\n"
                        "app.env:4:2: expected KEY=VALUE\n"
                        "app.env:6:1: expected a variable name ([A-Za-z_][A-Za-z0-9_]*)");
    conf_errors_close(&e);
}

static void a_service_env_file_is_read_at_load_relative_to_its_directory(void **state)
{
    (void)state;
    char dir[256];
    struct conf_errors e;
    struct conf_set *set = NULL;
    assert_non_null(fix_tmpdir(dir, sizeof dir));
    assert_int_equal(fix_write(dir, "web.env", "GREETING=hello\n"), 0);
    assert_int_equal(fix_write(dir, "web.yaml", "command: [srv]\nenv_file: web.env\n"), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_load_dir(dir, &fix_env, &set, &e), 0);
    struct conf_service *s = set->services[0];
    char want[300];
    snprintf(want, sizeof want, "%s/web.env", dir);
    assert_string_equal(s->env_file, want);
    assert_int_equal(s->n_env_file_vars, 1);
    assert_string_equal(s->env_file_vars[0].key, "GREETING");
    assert_string_equal(s->env_file_vars[0].value, "hello");
    conf_set_free(set);
    conf_errors_close(&e);
    fix_rmdir(dir);
}

static void a_bad_line_in_a_service_env_file_fails_the_load(void **state)
{
    (void)state;
    char dir[256], want[600];
    struct conf_errors e;
    struct conf_set *set = NULL;
    assert_non_null(fix_tmpdir(dir, sizeof dir));
    assert_int_equal(fix_write(dir, "web.env", "OK=1\nnot a pair\n"), 0);
    assert_int_equal(fix_write(dir, "web.yaml", "command: [srv]\nenv_file: web.env\n"), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_load_dir(dir, &fix_env, &set, &e), -EINVAL);
    assert_null(set);
    snprintf(want, sizeof want, "%s/web.env:2:4: expected KEY=VALUE", dir);
    assert_string_equal(fix_errors_text(&e), want);
    conf_errors_close(&e);
    fix_rmdir(dir);
}

static void a_missing_env_file_is_reported_at_the_key(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail("command: [srv]\nenv_file: /nonexistent/corral.env\n"),
        "web.yaml:2:11: env_file: cannot read /nonexistent/corral.env: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_set_variable_is_replaced_by_its_value),
        cmocka_unit_test(an_unset_variable_expands_to_nothing),
        cmocka_unit_test(a_default_is_used_when_the_variable_is_unset_or_empty),
        cmocka_unit_test(a_required_variable_that_is_set_expands),
        cmocka_unit_test(a_required_variable_that_is_unset_is_an_error_with_its_message),
        cmocka_unit_test(dollar_without_brace_is_kept_for_the_shell),
        cmocka_unit_test(a_doubled_dollar_before_a_brace_is_a_literal),
        cmocka_unit_test(an_unterminated_brace_is_an_error),
        cmocka_unit_test(unsupported_forms_are_errors),
        cmocka_unit_test(a_service_file_expands_command_environment_and_directory),
        cmocka_unit_test(a_shell_command_string_is_expanded_before_sh_sees_it),
        cmocka_unit_test(an_unset_variable_in_a_shell_command_is_a_warning_not_an_error),
        cmocka_unit_test(a_warning_inside_a_block_scalar_names_the_line_and_column_of_the_variable),
        cmocka_unit_test(an_error_inside_a_block_scalar_names_the_line_of_the_variable),
        cmocka_unit_test(each_unset_variable_of_a_value_is_placed_on_its_own_line),
        cmocka_unit_test(columns_count_characters_and_crlf_ends_a_line),
        cmocka_unit_test(a_variable_on_a_later_line_of_a_plain_or_quoted_value_is_placed_there),
        cmocka_unit_test(a_value_read_twice_through_an_alias_is_placed_alike_both_times),
        cmocka_unit_test(a_variable_made_by_an_escape_is_placed_at_the_value),
        cmocka_unit_test(a_default_or_a_doubled_dollar_is_no_warning),
        cmocka_unit_test(corral_yaml_warns_the_same_way),
        cmocka_unit_test(environment_values_that_yaml_reads_as_numbers_stay_text),
        cmocka_unit_test(an_env_file_gives_its_pairs_in_order),
        cmocka_unit_test(bad_env_file_lines_are_each_reported_with_file_and_line),
        cmocka_unit_test(a_service_env_file_is_read_at_load_relative_to_its_directory),
        cmocka_unit_test(a_bad_line_in_a_service_env_file_fails_the_load),
        cmocka_unit_test(a_missing_env_file_is_reported_at_the_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
