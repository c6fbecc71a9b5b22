/* test_ctl_args.c - corralctl's command line: each command becomes the
 * request it should, options go anywhere after the command, and each usage
 * error is caught before anything is sent. The sources are compiled in, as
 * corralctl is a program and not a library. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../../ctl/args.c"
#include "../../ctl/help.c"

#define NOW_MS 1732480000000ULL

/* Parses a NULL-terminated command line into a; the caller closes it. */
static int parse(struct args *a, char *why, const char *first, ...)
{
    char *argv[32] = {"corralctl"};
    int argc = 1;
    va_list ap;

    va_start(ap, first);
    for (const char *s = first; s && argc < 31; s = va_arg(ap, const char *))
        argv[argc++] = (char *)s;
    va_end(ap);
    argv[argc] = NULL;
    why[0] = '\0';
    return args_parse(argc, argv, NOW_MS, a, why, 256);
}

static void assert_usage_error(const char *part, const char *first, ...)
{
    char *argv[32] = {"corralctl"};
    char why[256] = "";
    int argc = 1;
    struct args a;
    va_list ap;

    va_start(ap, first);
    for (const char *s = first; s && argc < 31; s = va_arg(ap, const char *))
        argv[argc++] = (char *)s;
    va_end(ap);
    assert_int_equal(args_parse(argc, argv, NOW_MS, &a, why, sizeof why), -EINVAL);
    if (!strstr(why, part))
        fail_msg("\"%s\" lacks \"%s\"", why, part);
    args_close(&a);
}

static void status_with_names_asks_for_them(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "status", "web", "db", NULL), 0);
    assert_int_equal(a.action, ARGS_REMOTE);
    assert_int_equal(a.req.cmd, PROTO_CMD_STATUS);
    assert_int_equal(a.req.n_names, 2);
    assert_string_equal(a.req.names[1], "db");
    assert_false(a.json);
    args_close(&a);
}

static void config_comes_before_or_after_the_command(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "status", NULL), 0);
    assert_null(a.config);
    args_close(&a);
    assert_int_equal(parse(&a, why, "--config", "/etc/c.yaml", "status", NULL), 0);
    assert_string_equal(a.config, "/etc/c.yaml");
    assert_null(a.socket);
    args_close(&a);
    assert_int_equal(parse(&a, why, "logs", "web", "--config", "/x.yaml", "-f", NULL), 0);
    assert_string_equal(a.config, "/x.yaml");
    assert_true(a.req.follow);
    args_close(&a);
    assert_usage_error("option --config needs a value", "status", "--config", NULL);
    assert_usage_error("check: option --config does not apply", "check", "d", "--config", "/x",
                       NULL);
}

static void global_options_come_before_or_after_the_command(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "--socket", "/x.sock", "--json", "status", NULL), 0);
    assert_string_equal(a.socket, "/x.sock");
    assert_true(a.json);
    args_close(&a);
    assert_int_equal(parse(&a, why, "status", "web", "-j", "-s", "/y.sock", NULL), 0);
    assert_string_equal(a.socket, "/y.sock");
    assert_true(a.json);
    assert_int_equal(a.req.n_names, 1);
    args_close(&a);
}

static void all_asks_for_every_service(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "restart", "all", NULL), 0);
    assert_int_equal(a.req.cmd, PROTO_CMD_RESTART);
    assert_true(a.req.all);
    assert_int_equal(a.req.n_names, 0);
    args_close(&a);
    assert_usage_error("'all' cannot be given with other names", "stop", "web", "all", NULL);
    assert_usage_error("start: missing NAME", "start", NULL);
}

static void signal_takes_a_name_a_number_or_a_dash_form(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "signal", "hup", "web", NULL), 0);
    assert_string_equal(a.req.signal_name, "hup");
    assert_string_equal(a.req.names[0], "web");
    args_close(&a);
    assert_int_equal(parse(&a, why, "signal", "9", "all", NULL), 0);
    assert_int_equal(a.req.signal_number, 9);
    assert_null(a.req.signal_name);
    assert_true(a.req.all);
    args_close(&a);
    assert_int_equal(parse(&a, why, "signal", "-USR1", "web", "db", NULL), 0);
    assert_string_equal(a.req.signal_name, "USR1");
    assert_int_equal(a.req.n_names, 2);
    args_close(&a);
    assert_int_equal(parse(&a, why, "signal", "-15", "web", NULL), 0);
    assert_int_equal(a.req.signal_number, 15);
    args_close(&a);
}

static void signal_refuses_an_unknown_signal_or_no_name(void **state)
{
    (void)state;
    assert_usage_error("unknown signal \"FOO\"", "signal", "FOO", "web", NULL);
    assert_usage_error("signal: missing SIGNAL and NAME", "signal", NULL);
    assert_usage_error("signal: missing NAME", "signal", "HUP", NULL);
}

static void pid_and_logs_take_one_name(void **state)
{
    (void)state;
    assert_usage_error("pid: expected one NAME, got 2", "pid", "a", "b", NULL);
    assert_usage_error("logs: expected one NAME, got 0", "logs", NULL);
}

static void wait_reads_timeout_and_condition_anywhere(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "wait", "db", "--timeout", "1m30s", "--for", "done", NULL), 0);
    assert_int_equal(a.req.cmd, PROTO_CMD_WAIT);
    assert_int_equal(a.req.timeout_ms, 90000);
    assert_int_equal(a.req.wait_for, PROTO_WAIT_DONE);
    assert_string_equal(a.req.names[0], "db");
    args_close(&a);
    assert_usage_error("--for: expected up, ready, done or down, got \"upp\"", "wait", "--for",
                       "upp", "db", NULL);
    assert_usage_error("--timeout: expected a duration", "wait", "-t", "soon", "db", NULL);
    assert_usage_error("wait: missing NAME", "wait", NULL);
}

static void logs_reads_lines_follow_and_since(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "logs", "-f", "web", "-n", "20", "--since", "10m", NULL), 0);
    assert_int_equal(a.req.cmd, PROTO_CMD_LOGS);
    assert_true(a.req.follow);
    assert_int_equal(a.req.lines, 20);
    assert_true(a.req.has_since);
    assert_true(a.req.since_ms == NOW_MS - 600000);
    args_close(&a);
    assert_usage_error("--lines: expected a number, got \"-3\"", "logs", "web", "--lines=-3", NULL);
    assert_usage_error("--lines: expected a number", "logs", "web", "-n", "x", NULL);
}

static void options_of_another_command_are_refused(void **state)
{
    (void)state;
    assert_usage_error("status: option -f does not apply", "status", "-f", NULL);
    assert_usage_error("pid: option --dry-run does not apply", "pid", "web", "--dry-run", NULL);
    assert_usage_error("unknown option --bogus", "status", "--bogus", NULL);
    assert_usage_error("unknown option -x", "-x", "status", NULL);
    assert_usage_error("option --socket needs a value", "--socket", NULL);
}

static void reload_reads_dry_run(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "reload", "--dry-run", NULL), 0);
    assert_int_equal(a.req.cmd, PROTO_CMD_RELOAD);
    assert_true(a.req.dry_run);
    args_close(&a);
}

static void scale_reads_a_name_and_a_count(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "scale", "worker", "4", "--dry-run", NULL), 0);
    assert_int_equal(a.req.cmd, PROTO_CMD_SCALE);
    assert_int_equal(a.req.n_names, 1);
    assert_string_equal(a.req.names[0], "worker");
    assert_int_equal(a.req.count, 4);
    assert_true(a.req.dry_run);
    args_close(&a);
    assert_usage_error("scale: expected NAME and a COUNT, got 1 arguments", "scale", "worker",
                       NULL);
    assert_usage_error("scale: expected a COUNT of 1 or more, got \"0\"", "scale", "worker", "0",
                       NULL);
    assert_usage_error("scale: expected a COUNT of 1 or more, got \"x2\"", "scale", "worker", "x2",
                       NULL);
}

static void group_names_go_to_the_daemon_as_written(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "restart", "@web", "db", NULL), 0);
    assert_int_equal(a.req.n_names, 2);
    assert_string_equal(a.req.names[0], "@web");
    args_close(&a);
}

static void commands_without_operands_refuse_them(void **state)
{
    (void)state;
    static const char *const cmds[] = {"events", "shutdown", "health", "version", "reload"};

    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        assert_usage_error("unexpected argument \"web\"", cmds[i], "web", NULL);
}

static void an_unknown_command_gets_a_suggestion(void **state)
{
    (void)state;
    assert_usage_error("unknown command \"stauts\" (did you mean \"status\"?)", "stauts", NULL);
    assert_usage_error("unknown command \"frobnicate\"", "frobnicate", NULL);
    assert_usage_error("missing COMMAND", NULL);
}

static void help_version_and_check_stay_offline(void **state)
{
    (void)state;
    struct args a;
    char why[256];

    assert_int_equal(parse(&a, why, "--help", NULL), 0);
    assert_int_equal(a.action, ARGS_HELP);
    assert_null(a.help_topic);
    args_close(&a);
    assert_int_equal(parse(&a, why, "help", "wait", NULL), 0);
    assert_int_equal(a.action, ARGS_HELP);
    assert_string_equal(a.help_topic, "wait");
    args_close(&a);
    assert_int_equal(parse(&a, why, "logs", "--help", NULL), 0);
    assert_int_equal(a.action, ARGS_HELP);
    assert_string_equal(a.help_topic, "logs");
    args_close(&a);
    assert_int_equal(parse(&a, why, "-V", NULL), 0);
    assert_int_equal(a.action, ARGS_VERSION);
    args_close(&a);
    assert_int_equal(parse(&a, why, "check", "services.d", NULL), 0);
    assert_int_equal(a.action, ARGS_CHECK);
    assert_string_equal(a.check_dir, "services.d");
    args_close(&a);
    assert_usage_error("check: expected one DIR", "check", NULL);
    assert_usage_error("help: unknown command \"nope\"", "help", "nope", NULL);
    /* check --no-resolve, before or after DIR; no other command takes it. */
    assert_int_equal(parse(&a, why, "check", "services.d", "--no-resolve", NULL), 0);
    assert_true(a.no_resolve);
    assert_string_equal(a.check_dir, "services.d");
    args_close(&a);
    assert_int_equal(parse(&a, why, "check", "--no-resolve", "--json", "d", NULL), 0);
    assert_true(a.no_resolve);
    assert_true(a.json);
    args_close(&a);
    assert_int_equal(parse(&a, why, "check", "d", NULL), 0);
    assert_false(a.no_resolve);
    args_close(&a);
    assert_usage_error("status: option --no-resolve does not apply", "status", "--no-resolve",
                       NULL);
    assert_usage_error("help: option --no-resolve does not apply", "help", "--no-resolve", NULL);
}

static void every_protocol_command_has_help(void **state)
{
    (void)state;
    for (int c = 0; c < PROTO_CMD_COUNT; c++)
        assert_non_null(help_find(proto_cmd_name((enum proto_cmd)c)));
    assert_non_null(help_find("check"));
    assert_non_null(help_find("help"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_with_names_asks_for_them),
        cmocka_unit_test(global_options_come_before_or_after_the_command),
        cmocka_unit_test(config_comes_before_or_after_the_command),
        cmocka_unit_test(all_asks_for_every_service),
        cmocka_unit_test(signal_takes_a_name_a_number_or_a_dash_form),
        cmocka_unit_test(signal_refuses_an_unknown_signal_or_no_name),
        cmocka_unit_test(pid_and_logs_take_one_name),
        cmocka_unit_test(wait_reads_timeout_and_condition_anywhere),
        cmocka_unit_test(logs_reads_lines_follow_and_since),
        cmocka_unit_test(options_of_another_command_are_refused),
        cmocka_unit_test(reload_reads_dry_run),
        cmocka_unit_test(scale_reads_a_name_and_a_count),
        cmocka_unit_test(group_names_go_to_the_daemon_as_written),
        cmocka_unit_test(commands_without_operands_refuse_them),
        cmocka_unit_test(an_unknown_command_gets_a_suggestion),
        cmocka_unit_test(help_version_and_check_stay_offline),
        cmocka_unit_test(every_protocol_command_has_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
