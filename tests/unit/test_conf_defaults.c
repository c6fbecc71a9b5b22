/* test_conf_defaults.c - every key's default, and every key read back with
 * the value written. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

static struct conf_service *load_ok(const char *yaml)
{
    int rc;
    struct conf_service *s = fix_load(yaml, &rc);
    if (!s)
        fail_msg("load failed (%d): %s", rc, fix_text);
    return s;
}

static void a_minimal_longrun_gets_every_default(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [\"srv\", \"-v\"]\n");
    assert_string_equal(s->name, "web");
    assert_string_equal(s->file, "web.yaml");
    assert_int_equal(s->argc, 2);
    assert_string_equal(s->argv[0], "srv");
    assert_string_equal(s->argv[1], "-v");
    assert_null(s->argv[2]);
    assert_false(s->shell);
    assert_int_equal(s->type, CONF_TYPE_LONGRUN);
    assert_false(s->main);
    assert_false(s->critical);
    assert_null(s->directory);
    assert_null(s->user);
    assert_null(s->group);
    assert_false(s->set_ids);
    assert_false(s->set_umask);
    assert_int_equal(s->n_environment, 0);
    assert_false(s->clear_env);
    assert_null(s->env_file);
    assert_int_equal(s->n_deps, 0);
    assert_int_equal(s->restart, CONF_RESTART_ALWAYS);
    assert_true(conf_is_success(s, 0));
    assert_false(conf_is_success(s, 1));
    assert_int_equal(s->backoff.initial_ms, 100);
    assert_int_equal(s->backoff.max_ms, 30000);
    assert_true(s->backoff.factor == 2.0);
    assert_int_equal(s->backoff.reset_after_ms, 60000);
    assert_int_equal(s->start_limit.burst, 10);
    assert_int_equal(s->start_limit.interval_ms, 60000);
    assert_int_equal(s->stop_signal, SIGTERM);
    assert_int_equal(s->stop_timeout_ms, 7000);
    assert_int_equal(s->n_rlimits, 0);
    conf_service_free(s);
}

static void readiness_and_health_default_to_none_with_their_timings(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\n");
    assert_int_equal(s->readiness.kind, CONF_PROBE_NONE);
    assert_int_equal(s->readiness.interval_ms, 1000);
    assert_int_equal(s->readiness.timeout_ms, 30000);
    assert_int_equal(s->health.kind, CONF_PROBE_NONE);
    assert_int_equal(s->health.interval_ms, 10000);
    assert_int_equal(s->health.timeout_ms, 2000);
    assert_int_equal(s->health.retries, 3);
    assert_int_equal(s->health.start_period_ms, 0);
    conf_service_free(s);
}

static void logs_default_to_prefixed_lines_on_stdout(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\n");
    assert_int_equal(s->logs.sinks, CONF_LOG_PREFIX);
    assert_null(s->logs.file);
    assert_int_equal(s->logs.max_size, 10 * 1024 * 1024);
    assert_int_equal(s->logs.keep, 5);
    assert_false(s->logs.raw);
    assert_int_equal(s->logs.overflow, CONF_OVERFLOW_BLOCK);
    assert_int_equal(s->logs.ring_size, 64 * 1024);
    conf_service_free(s);
}

static void a_oneshot_defaults_to_restart_never(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [prep]\ntype: oneshot\n");
    assert_int_equal(s->type, CONF_TYPE_ONESHOT);
    assert_int_equal(s->restart, CONF_RESTART_NEVER);
    conf_service_free(s);
}

static void a_oneshot_may_restart_on_failure(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [prep]\ntype: oneshot\nrestart: on-failure\n");
    assert_int_equal(s->restart, CONF_RESTART_ON_FAILURE);
    conf_service_free(s);
}

static void a_string_command_runs_under_sh_c(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: \"exec nginx -g 'daemon off;'\"\n");
    assert_true(s->shell);
    assert_int_equal(s->argc, 3);
    assert_string_equal(s->argv[0], "/bin/sh");
    assert_string_equal(s->argv[1], "-c");
    assert_string_equal(s->argv[2], "exec nginx -g 'daemon off;'");
    assert_null(s->argv[3]);
    conf_service_free(s);
}

static void a_main_service_runs_once_unless_told_otherwise(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nmain: true\n");
    assert_int_equal(s->restart, CONF_RESTART_NEVER);
    conf_service_free(s);
    s = load_ok("command: [srv]\nmain: true\nrestart: always\n");
    assert_int_equal(s->restart, CONF_RESTART_ALWAYS);
    conf_service_free(s);
    s = load_ok("command: [srv]\n");
    assert_int_equal(s->restart, CONF_RESTART_ALWAYS);
    conf_service_free(s);
}

static void every_scalar_key_is_read_back(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\n"
                                     "main: true\n"
                                     "critical: true\n"
                                     "directory: /var/lib/srv\n"
                                     "umask: \"0027\"\n"
                                     "clear_env: true\n"
                                     "restart: on-failure\n"
                                     "success_codes: [0, 3, 255]\n"
                                     "stop_signal: SIGQUIT\n"
                                     "stop_timeout: 1m30s\n");
    assert_true(s->main);
    assert_true(s->critical);
    assert_string_equal(s->directory, "/var/lib/srv");
    assert_true(s->set_umask);
    assert_int_equal(s->umask, 027);
    assert_true(s->clear_env);
    assert_int_equal(s->restart, CONF_RESTART_ON_FAILURE);
    assert_true(conf_is_success(s, 0));
    assert_true(conf_is_success(s, 3));
    assert_true(conf_is_success(s, 255));
    assert_false(conf_is_success(s, 1));
    assert_false(conf_is_success(s, 256));
    assert_false(conf_is_success(s, -1));
    assert_int_equal(s->stop_signal, SIGQUIT);
    assert_int_equal(s->stop_timeout_ms, 90000);
    conf_service_free(s);
}

static void success_codes_replace_the_default_zero(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nsuccess_codes: [2]\n");
    assert_false(conf_is_success(s, 0));
    assert_true(conf_is_success(s, 2));
    conf_service_free(s);
}

static void backoff_and_start_limit_are_read_back(void **state)
{
    (void)state;
    struct conf_service *s =
        load_ok("command: [srv]\n"
                "backoff: {initial: 250ms, max: 1m, factor: 1.5, reset_after: 2m}\n"
                "start_limit: {burst: 3, interval: 10s}\n");
    assert_int_equal(s->backoff.initial_ms, 250);
    assert_int_equal(s->backoff.max_ms, 60000);
    assert_true(s->backoff.factor == 1.5);
    assert_int_equal(s->backoff.reset_after_ms, 120000);
    assert_int_equal(s->start_limit.burst, 3);
    assert_int_equal(s->start_limit.interval_ms, 10000);
    conf_service_free(s);
}

static void a_partial_backoff_keeps_the_other_defaults(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nbackoff: {max: 5s}\n");
    assert_int_equal(s->backoff.initial_ms, 100);
    assert_int_equal(s->backoff.max_ms, 5000);
    assert_true(s->backoff.factor == 2.0);
    conf_service_free(s);
}

static void depends_on_as_a_list_means_condition_ready(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_service *s = NULL;
    const char *y = "command: [srv]\ndepends_on: [db, cache]\n";
    conf_errors_init(&e);
    assert_int_equal(conf_load_buffer("web", "web.yaml", y, strlen(y), &fix_env, false, &s, &e), 0);
    assert_int_equal(s->n_deps, 2);
    assert_string_equal(s->deps[0].name, "db");
    assert_int_equal(s->deps[0].condition, CONF_COND_READY);
    assert_int_equal(s->deps[0].line, 2);
    assert_int_equal(s->deps[0].col, 14);
    assert_string_equal(s->deps[1].name, "cache");
    conf_service_free(s);
    conf_errors_close(&e);
}

static void depends_on_as_a_map_carries_each_condition(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_service *s = NULL;
    const char *y = "command: [srv]\n"
                    "depends_on:\n"
                    "  prep: {condition: completed}\n"
                    "  db: {condition: healthy}\n"
                    "  log: {condition: started}\n"
                    "  cache:\n";
    conf_errors_init(&e);
    assert_int_equal(conf_load_buffer("web", "web.yaml", y, strlen(y), &fix_env, false, &s, &e), 0);
    assert_int_equal(s->n_deps, 4);
    assert_int_equal(s->deps[0].condition, CONF_COND_COMPLETED);
    assert_int_equal(s->deps[1].condition, CONF_COND_HEALTHY);
    assert_int_equal(s->deps[2].condition, CONF_COND_STARTED);
    assert_string_equal(s->deps[3].name, "cache");
    assert_int_equal(s->deps[3].condition, CONF_COND_READY);
    conf_service_free(s);
    conf_errors_close(&e);
}

static void each_readiness_mechanism_is_read_back(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nreadiness: {notify: systemd}\n");
    assert_int_equal(s->readiness.kind, CONF_PROBE_NOTIFY_SYSTEMD);
    conf_service_free(s);
    s = load_ok("command: [srv]\nreadiness: {notify: fd, interval: 2s, timeout: 1m}\n");
    assert_int_equal(s->readiness.kind, CONF_PROBE_NOTIFY_FD);
    assert_int_equal(s->readiness.interval_ms, 2000);
    assert_int_equal(s->readiness.timeout_ms, 60000);
    conf_service_free(s);
    s = load_ok("command: [srv]\nreadiness: {exec: [pg_isready, -q]}\n");
    assert_int_equal(s->readiness.kind, CONF_PROBE_EXEC);
    assert_string_equal(s->readiness.argv[0], "pg_isready");
    assert_string_equal(s->readiness.argv[1], "-q");
    assert_null(s->readiness.argv[2]);
    conf_service_free(s);
    s = load_ok("command: [srv]\nreadiness: {tcp: \"[::1]:5432\"}\n");
    assert_int_equal(s->readiness.kind, CONF_PROBE_TCP);
    assert_string_equal(s->readiness.host, "::1");
    assert_int_equal(s->readiness.port, 5432);
    conf_service_free(s);
    s = load_ok("command: [srv]\nreadiness: {http: \"http://127.0.0.1:8080/healthz\"}\n");
    assert_int_equal(s->readiness.kind, CONF_PROBE_HTTP);
    assert_string_equal(s->readiness.url, "http://127.0.0.1:8080/healthz");
    conf_service_free(s);
}

static void a_log_readiness_regex_is_compiled_at_load(void **state)
{
    (void)state;
    struct conf_service *s =
        load_ok("command: [srv]\nreadiness: {log: \"listening on port [0-9]+\"}\n");
    assert_int_equal(s->readiness.kind, CONF_PROBE_LOG);
    assert_string_equal(s->readiness.pattern, "listening on port [0-9]+");
    assert_true(s->readiness.has_regex);
    assert_int_equal(regexec(&s->readiness.regex, "now listening on port 80", 0, NULL, 0), 0);
    assert_int_equal(regexec(&s->readiness.regex, "listening on port x", 0, NULL, 0), REG_NOMATCH);
    conf_service_free(s);
}

static void health_is_read_back(void **state)
{
    (void)state;
    struct conf_service *s = load_ok(
        "command: [srv]\n"
        "health: {tcp: \"127.0.0.1:6379\", interval: 5s, timeout: 1s, retries: 5, start_period: 30s}\n");
    assert_int_equal(s->health.kind, CONF_PROBE_TCP);
    assert_string_equal(s->health.host, "127.0.0.1");
    assert_int_equal(s->health.port, 6379);
    assert_int_equal(s->health.interval_ms, 5000);
    assert_int_equal(s->health.timeout_ms, 1000);
    assert_int_equal(s->health.retries, 5);
    assert_int_equal(s->health.start_period_ms, 30000);
    conf_service_free(s);
}

static void logs_keys_are_read_back(void **state)
{
    (void)state;
    struct conf_service *s =
        load_ok("command: [srv]\n"
                "logs: {stdout: both, file: /var/log/srv.log, max_size: 1MiB, keep: 2,\n"
                "       overflow: drop, ring_size: 8KiB}\n");
    assert_int_equal(s->logs.sinks, CONF_LOG_PREFIX | CONF_LOG_FILE);
    assert_string_equal(s->logs.file, "/var/log/srv.log");
    assert_int_equal(s->logs.max_size, 1048576);
    assert_int_equal(s->logs.keep, 2);
    assert_false(s->logs.raw);
    assert_int_equal(s->logs.overflow, CONF_OVERFLOW_DROP);
    assert_int_equal(s->logs.ring_size, 8192);
    conf_service_free(s);
    /* raw goes without a file (test_conf_schema: the pair is refused). */
    s = load_ok("command: [srv]\nlogs: {raw: true}\n");
    assert_true(s->logs.raw);
    conf_service_free(s);
}

static void a_log_file_alone_adds_the_file_sink(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nlogs: {file: /var/log/x.log}\n");
    assert_int_equal(s->logs.sinks, CONF_LOG_PREFIX | CONF_LOG_FILE);
    conf_service_free(s);
}

static void logs_stdout_accepts_a_list_of_sinks_and_none(void **state)
{
    (void)state;
    struct conf_service *s =
        load_ok("command: [srv]\nlogs: {stdout: [json, file], file: /var/log/x.log}\n");
    assert_int_equal(s->logs.sinks, CONF_LOG_JSON | CONF_LOG_FILE);
    conf_service_free(s);
    s = load_ok("command: [srv]\nlogs: {stdout: none}\n");
    assert_int_equal(s->logs.sinks, 0);
    conf_service_free(s);
}

static void rlimits_take_numbers_sizes_unlimited_and_soft_hard_pairs(void **state)
{
    (void)state;
    struct conf_service *s = load_ok(
        "command: [srv]\n"
        "rlimits: {nofile: 65536, core: unlimited, memlock: 64MiB, nproc: {soft: 100, hard: 200},\n"
        "          stack: {hard: 8MiB}}\n");
    assert_int_equal(s->n_rlimits, 5);
    assert_int_equal(s->rlimits[0].resource, RLIMIT_NOFILE);
    assert_int_equal(s->rlimits[0].soft, 65536);
    assert_int_equal(s->rlimits[0].hard, 65536);
    assert_int_equal(s->rlimits[1].resource, RLIMIT_CORE);
    assert_true(s->rlimits[1].soft == CONF_RLIM_UNLIMITED);
    assert_int_equal(s->rlimits[2].resource, RLIMIT_MEMLOCK);
    assert_int_equal(s->rlimits[2].soft, 64 * 1024 * 1024);
    assert_int_equal(s->rlimits[3].resource, RLIMIT_NPROC);
    assert_int_equal(s->rlimits[3].soft, 100);
    assert_int_equal(s->rlimits[3].hard, 200);
    assert_int_equal(s->rlimits[4].resource, RLIMIT_STACK);
    assert_int_equal(s->rlimits[4].soft, 8 * 1024 * 1024);
    assert_int_equal(s->rlimits[4].hard, 8 * 1024 * 1024);
    conf_service_free(s);
}

static void names_of_enum_values_match_the_file_syntax(void **state)
{
    (void)state;
    assert_string_equal(conf_type_name(CONF_TYPE_ONESHOT), "oneshot");
    assert_string_equal(conf_restart_name(CONF_RESTART_ON_FAILURE), "on-failure");
    assert_string_equal(conf_condition_name(CONF_COND_COMPLETED), "completed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_minimal_longrun_gets_every_default),
        cmocka_unit_test(readiness_and_health_default_to_none_with_their_timings),
        cmocka_unit_test(logs_default_to_prefixed_lines_on_stdout),
        cmocka_unit_test(a_oneshot_defaults_to_restart_never),
        cmocka_unit_test(a_oneshot_may_restart_on_failure),
        cmocka_unit_test(a_string_command_runs_under_sh_c),
        cmocka_unit_test(a_main_service_runs_once_unless_told_otherwise),
        cmocka_unit_test(every_scalar_key_is_read_back),
        cmocka_unit_test(success_codes_replace_the_default_zero),
        cmocka_unit_test(backoff_and_start_limit_are_read_back),
        cmocka_unit_test(a_partial_backoff_keeps_the_other_defaults),
        cmocka_unit_test(depends_on_as_a_list_means_condition_ready),
        cmocka_unit_test(depends_on_as_a_map_carries_each_condition),
        cmocka_unit_test(each_readiness_mechanism_is_read_back),
        cmocka_unit_test(a_log_readiness_regex_is_compiled_at_load),
        cmocka_unit_test(health_is_read_back),
        cmocka_unit_test(logs_keys_are_read_back),
        cmocka_unit_test(a_log_file_alone_adds_the_file_sink),
        cmocka_unit_test(logs_stdout_accepts_a_list_of_sinks_and_none),
        cmocka_unit_test(rlimits_take_numbers_sizes_unlimited_and_soft_hard_pairs),
        cmocka_unit_test(names_of_enum_values_match_the_file_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
