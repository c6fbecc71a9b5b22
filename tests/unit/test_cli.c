/* test_cli.c - corral's command line. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cli.h"

static void the_command_after_double_dash_is_the_main(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "--", "nginx", "-g", "daemon off;", NULL};
    assert_int_equal(cli_parse(5, argv, &o, err, sizeof err), 0);
    assert_string_equal(o.main_argv[0], "nginx");
    assert_string_equal(o.main_argv[2], "daemon off;");
    assert_null(o.main_argv[3]);
}

static void skip_startup_scripts_has_my_init_s_name_too(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[256];
    char *a[] = {"corral", "--skip-startup-scripts", "--", "app", NULL};
    assert_int_equal(cli_parse(4, a, &o, err, sizeof err), 0);
    assert_true(o.skip_startup);
    char *b[] = {"corral", "--skip-startup-files", "app", NULL};
    assert_int_equal(cli_parse(3, b, &o, err, sizeof err), 0);
    assert_true(o.skip_startup);
    assert_string_equal(o.main_argv[0], "app");
    char *c[] = {"corral", "app", NULL};
    assert_int_equal(cli_parse(2, c, &o, err, sizeof err), 0);
    assert_false(o.skip_startup);
}

static void options_of_the_main_are_not_corrals(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "ls", "-l", "--verbose", NULL};
    assert_int_equal(cli_parse(4, argv, &o, err, sizeof err), 0);
    assert_string_equal(o.main_argv[0], "ls");
    assert_false(o.verbose);
}

static void defaults_fit_dockers_ten_seconds(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "true", NULL};
    assert_int_equal(cli_parse(2, argv, &o, err, sizeof err), 0);
    assert_int_equal(o.stop_timeout_ms, 7000);
    assert_int_equal(o.grace_ms, 2000);
    assert_true(o.stop_timeout_ms + o.grace_ms < 10000);
}

static void durations_are_parsed_with_units(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "--stop-timeout", "1.5s", "--grace=250ms", "-v", "true", NULL};
    assert_int_equal(cli_parse(6, argv, &o, err, sizeof err), 0);
    assert_int_equal(o.stop_timeout_ms, 1500);
    assert_int_equal(o.grace_ms, 250);
    assert_true(o.verbose);
}

static void a_bad_duration_names_the_option(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "--grace", "soon", "true", NULL};
    assert_int_equal(cli_parse(4, argv, &o, err, sizeof err), -EINVAL);
    assert_string_equal(err, "--grace: expected a duration like 500ms, 10s or 2m, got \"soon\"");
}

static void usage_errors_say_what_is_wrong(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *unknown[] = {"corral", "--frobnicate", "true", NULL};
    assert_int_equal(cli_parse(3, unknown, &o, err, sizeof err), -EINVAL);
    assert_string_equal(err, "unknown option --frobnicate");
    char *missing[] = {"corral", "--grace", NULL};
    assert_int_equal(cli_parse(2, missing, &o, err, sizeof err), -EINVAL);
    assert_string_equal(err, "option --grace needs a value");
}

static void help_and_version_need_no_command(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *help[] = {"corral", "--help", NULL};
    assert_int_equal(cli_parse(2, help, &o, err, sizeof err), 0);
    assert_true(o.help);
    char *version[] = {"corral", "-V", NULL};
    assert_int_equal(cli_parse(2, version, &o, err, sizeof err), 0);
    assert_true(o.version);
}

static void rewrites_map_signals_and_zero_drops_them(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "--rewrite-signal", "TERM:QUIT", "--rewrite-signal=usr1:0", "true",
                    NULL};
    assert_int_equal(cli_parse(5, argv, &o, err, sizeof err), 0);
    assert_int_equal(cli_rewrite_signal(&o, SIGTERM), SIGQUIT);
    assert_int_equal(cli_rewrite_signal(&o, SIGUSR1), 0);
    assert_int_equal(cli_rewrite_signal(&o, SIGHUP), SIGHUP);
}

static void a_bad_rewrite_is_a_usage_error(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[160];
    char *argv[] = {"corral", "--rewrite-signal", "TERM", "true", NULL};
    assert_int_equal(cli_parse(4, argv, &o, err, sizeof err), -EINVAL);
    assert_string_equal(err, "--rewrite-signal: expected FROM:TO like TERM:QUIT, got \"TERM\"");
    char *bad[] = {"corral", "--rewrite-signal", "TERM:BOGUS", "true", NULL};
    assert_int_equal(cli_parse(4, bad, &o, err, sizeof err), -EINVAL);
    assert_string_equal(
        err, "--rewrite-signal: expected a signal name or number like TERM or 15, got \"BOGUS\"");
}

static void success_codes_exit_zero_and_others_pass(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "--success-code", "143", "--success-code", "3", "true", NULL};
    assert_int_equal(cli_parse(6, argv, &o, err, sizeof err), 0);
    assert_int_equal(cli_exit_code(&o, 143), 0);
    assert_int_equal(cli_exit_code(&o, 3), 0);
    assert_int_equal(cli_exit_code(&o, 4), 4);
    char *bad[] = {"corral", "--success-code", "256", "true", NULL};
    assert_int_equal(cli_parse(4, bad, &o, err, sizeof err), -EINVAL);
}

static void every_exit_code_may_be_a_success_code(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[2 * 255 + 3];
    char codes[255][4];
    int argc = 0;
    argv[argc++] = "corral";
    for (int c = 1; c <= 255; c++) { /* tini's own test passes 255 of them */
        snprintf(codes[c - 1], sizeof codes[0], "%d", c);
        argv[argc++] = "--success-code";
        argv[argc++] = codes[c - 1];
    }
    argv[argc++] = "true";
    argv[argc] = NULL;
    assert_int_equal(cli_parse(argc, argv, &o, err, sizeof err), 0);
    for (int c = 0; c <= 255; c++)
        assert_int_equal(cli_exit_code(&o, c), 0);
}

static void a_rewrite_of_a_signal_corral_never_catches_is_refused(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[200];
    char *ttin[] = {"corral", "--rewrite-signal", "TTIN:TERM", "true", NULL};
    assert_int_equal(cli_parse(4, ttin, &o, err, sizeof err), -EINVAL);
    assert_string_equal(err, "--rewrite-signal: corral does not catch SIGTTIN (corral ignores it, "
                             "to hand its terminal to the main command), so it cannot rewrite it");
    const char *never[] = {"PIPE", "SYS", "TTOU", "32", "33", "CHLD", "SEGV"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        char arg[32];
        snprintf(arg, sizeof arg, "%s:TERM", never[i]);
        char *argv[] = {"corral", "--rewrite-signal", arg, "true", NULL};
        assert_int_equal(cli_parse(4, argv, &o, err, sizeof err), -EINVAL);
    }
    char *ok[] = {"corral", "--rewrite-signal", "RTMIN:TERM", "--rewrite-signal", "WINCH:0", "true",
                  NULL};
    assert_int_equal(cli_parse(6, ok, &o, err, sizeof err), 0);
    assert_int_equal(cli_rewrite_signal(&o, SIGRTMIN), SIGTERM);
    assert_int_equal(cli_rewrite_signal(&o, SIGWINCH), 0);
}

static void pdeathsig_and_single_child_are_parsed(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "--pdeathsig", "KILL", "true", NULL};
    assert_int_equal(cli_parse(4, argv, &o, err, sizeof err), -EINVAL);
    char *ok[] = {"corral", "--pdeathsig", "TERM", "--single-child", "true", NULL};
    assert_int_equal(cli_parse(5, ok, &o, err, sizeof err), 0);
    assert_int_equal(o.pdeathsig, SIGTERM);
    assert_true(o.single_child);
}

static void a_services_directory_needs_no_command(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *argv[] = {"corral", "--services", "svc.d", "--check", "--config=c.yaml", NULL};
    assert_int_equal(cli_parse(5, argv, &o, err, sizeof err), 0);
    assert_string_equal(o.services_dir, "svc.d");
    assert_string_equal(o.config_path, "c.yaml");
    assert_true(o.check);
    assert_null(o.main_argv);
}

static void log_format_is_text_or_json(void **state)
{
    (void)state;
    struct cli_opts o;
    char err[128];
    char *none[] = {"corral", "true", NULL};
    assert_int_equal(cli_parse(2, none, &o, err, sizeof err), 0);
    assert_int_equal(o.log_format, -1);
    char *json[] = {"corral", "--log-format", "json", "true", NULL};
    assert_int_equal(cli_parse(4, json, &o, err, sizeof err), 0);
    assert_int_equal(o.log_format, 1);
    char *bad[] = {"corral", "--log-format=yaml", "true", NULL};
    assert_int_equal(cli_parse(3, bad, &o, err, sizeof err), -EINVAL);
    assert_string_equal(err, "--log-format: expected text or json, got \"yaml\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_command_after_double_dash_is_the_main),
        cmocka_unit_test(options_of_the_main_are_not_corrals),
        cmocka_unit_test(skip_startup_scripts_has_my_init_s_name_too),
        cmocka_unit_test(defaults_fit_dockers_ten_seconds),
        cmocka_unit_test(durations_are_parsed_with_units),
        cmocka_unit_test(a_bad_duration_names_the_option),
        cmocka_unit_test(usage_errors_say_what_is_wrong),
        cmocka_unit_test(help_and_version_need_no_command),
        cmocka_unit_test(a_services_directory_needs_no_command),
        cmocka_unit_test(log_format_is_text_or_json),
        cmocka_unit_test(rewrites_map_signals_and_zero_drops_them),
        cmocka_unit_test(a_bad_rewrite_is_a_usage_error),
        cmocka_unit_test(success_codes_exit_zero_and_others_pass),
        cmocka_unit_test(every_exit_code_may_be_a_success_code),
        cmocka_unit_test(a_rewrite_of_a_signal_corral_never_catches_is_refused),
        cmocka_unit_test(pdeathsig_and_single_child_are_parsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
