/* test_proto_request.c - request lines: every command decodes with its
 * arguments and defaults, every validation error names its field and code,
 * and what corralctl encodes decodes to the same request. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* Decodes s; on success the caller closes req. */
static int decode(const char *s, struct proto_request *req, struct proto_error *err)
{
    memset(err, 0, sizeof *err);
    return proto_request_decode(s, strlen(s), req, err);
}

/* Asserts that s is refused with code and a message that contains part. */
static void assert_refused(const char *s, enum proto_err code, const char *part)
{
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode(s, &req, &err), -EINVAL);
    assert_string_equal(proto_err_name(err.code), proto_err_name(code));
    if (!strstr(err.message, part))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, part);
    assert_null(req.names);
    assert_null(req.signal_name);
    proto_request_close(&req);
}

static void status_without_names_means_every_service(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"id\":7,\"cmd\":\"status\"}\n", &req, &err), 0);
    assert_int_equal(req.cmd, PROTO_CMD_STATUS);
    assert_int_equal(req.id, 7);
    assert_int_equal(req.n_names, 0);
    proto_request_close(&req);
}

static void status_with_names_keeps_them_in_order(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"status\",\"names\":[\"web\",\"db\"]}", &req, &err),
                     0);
    assert_int_equal(req.n_names, 2);
    assert_string_equal(req.names[0], "web");
    assert_string_equal(req.names[1], "db");
    proto_request_close(&req);
}

static void a_missing_id_is_zero(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"version\"}", &req, &err), 0);
    assert_int_equal(req.id, 0);
    assert_int_equal(req.cmd, PROTO_CMD_VERSION);
    proto_request_close(&req);
}

static void start_stop_restart_take_names_or_all(void **state)
{
    (void)state;
    static const char *const cmds[] = {"start", "stop", "restart"};
    static const enum proto_cmd want[] = {PROTO_CMD_START, PROTO_CMD_STOP, PROTO_CMD_RESTART};
    char line[128];
    struct proto_request req;
    struct proto_error err;

    for (int i = 0; i < 3; i++) {
        snprintf(line, sizeof line, "{\"v\":1,\"id\":1,\"cmd\":\"%s\",\"names\":[\"web\"]}",
                 cmds[i]);
        assert_int_equal(decode(line, &req, &err), 0);
        assert_int_equal(req.cmd, want[i]);
        assert_false(req.all);
        assert_int_equal(req.n_names, 1);
        assert_string_equal(req.names[0], "web");
        proto_request_close(&req);

        snprintf(line, sizeof line, "{\"v\":1,\"id\":1,\"cmd\":\"%s\",\"all\":true}", cmds[i]);
        assert_int_equal(decode(line, &req, &err), 0);
        assert_true(req.all);
        assert_int_equal(req.n_names, 0);
        proto_request_close(&req);
    }
}

static void start_without_names_or_all_is_refused(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"start\"}", PROTO_ERR_BAD_REQUEST, "names: required");
    assert_refused("{\"v\":1,\"cmd\":\"stop\",\"names\":[]}", PROTO_ERR_BAD_REQUEST,
                   "names: required");
    assert_refused("{\"v\":1,\"cmd\":\"restart\",\"all\":false}", PROTO_ERR_BAD_REQUEST,
                   "names: required");
}

static void names_and_all_together_are_refused(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"start\",\"all\":true,\"names\":[\"web\"]}",
                   PROTO_ERR_BAD_REQUEST, "not both");
}

static void all_must_be_a_boolean(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"stop\",\"all\":1}", PROTO_ERR_BAD_REQUEST,
                   "all: expected true or false");
}

static void signal_takes_a_name_or_a_number(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(
        decode("{\"v\":1,\"cmd\":\"signal\",\"names\":[\"web\"],\"signal\":\"hup\"}", &req, &err),
        0);
    assert_int_equal(req.cmd, PROTO_CMD_SIGNAL);
    assert_string_equal(req.signal_name, "hup");
    assert_int_equal(req.signal_number, 0);
    proto_request_close(&req);

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"signal\",\"all\":true,\"signal\":9}", &req, &err),
                     0);
    assert_null(req.signal_name);
    assert_int_equal(req.signal_number, 9);
    assert_true(req.all);
    proto_request_close(&req);
}

static void signal_without_a_valid_signal_is_refused(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"signal\",\"names\":[\"web\"]}", PROTO_ERR_BAD_REQUEST,
                   "signal: required");
    assert_refused("{\"v\":1,\"cmd\":\"signal\",\"names\":[\"web\"],\"signal\":\"\"}",
                   PROTO_ERR_BAD_REQUEST, "signal: required");
    assert_refused("{\"v\":1,\"cmd\":\"signal\",\"names\":[\"web\"],\"signal\":0}",
                   PROTO_ERR_BAD_REQUEST, "signal: expected a number from 1 to 64, got 0");
    assert_refused("{\"v\":1,\"cmd\":\"signal\",\"names\":[\"web\"],\"signal\":65}",
                   PROTO_ERR_BAD_REQUEST, "signal: expected a number");
    assert_refused("{\"v\":1,\"cmd\":\"signal\",\"names\":[\"web\"],\"signal\":1.5}",
                   PROTO_ERR_BAD_REQUEST, "signal: required");
    assert_refused("{\"v\":1,\"cmd\":\"signal\",\"signal\":\"HUP\"}", PROTO_ERR_BAD_REQUEST,
                   "names: required");
}

static void pid_takes_exactly_one_name(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"pid\",\"names\":[\"web\"]}", &req, &err), 0);
    assert_int_equal(req.cmd, PROTO_CMD_PID);
    assert_string_equal(req.names[0], "web");
    proto_request_close(&req);

    assert_refused("{\"v\":1,\"cmd\":\"pid\"}", PROTO_ERR_BAD_REQUEST,
                   "names: expected exactly one service name, got 0");
    assert_refused("{\"v\":1,\"cmd\":\"pid\",\"names\":[\"a\",\"b\"]}", PROTO_ERR_BAD_REQUEST,
                   "got 2");
    assert_refused("{\"v\":1,\"cmd\":\"pid\",\"all\":true}", PROTO_ERR_BAD_REQUEST,
                   "names: expected exactly one");
}

static void wait_defaults_to_up_without_timeout(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"wait\",\"names\":[\"db\"]}", &req, &err), 0);
    assert_int_equal(req.cmd, PROTO_CMD_WAIT);
    assert_int_equal(req.wait_for, PROTO_WAIT_UP);
    assert_int_equal(req.timeout_ms, 0);
    proto_request_close(&req);
}

static void wait_reads_each_condition_and_the_timeout(void **state)
{
    (void)state;
    static const char *const fors[] = {"up", "ready", "done", "down"};
    char line[128];
    struct proto_request req;
    struct proto_error err;

    for (int i = 0; i < 4; i++) {
        snprintf(line, sizeof line,
                 "{\"v\":1,\"cmd\":\"wait\",\"names\":[\"db\"],\"for\":\"%s\",\"timeout_ms\":5000}",
                 fors[i]);
        assert_int_equal(decode(line, &req, &err), 0);
        assert_int_equal(req.wait_for, i);
        assert_int_equal(req.timeout_ms, 5000);
        proto_request_close(&req);
    }
}

static void wait_refuses_bad_arguments(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"wait\"}", PROTO_ERR_BAD_REQUEST, "names: required");
    assert_refused("{\"v\":1,\"cmd\":\"wait\",\"names\":[\"db\"],\"for\":\"upp\"}",
                   PROTO_ERR_BAD_REQUEST, "for: expected up|ready|done|down");
    assert_refused("{\"v\":1,\"cmd\":\"wait\",\"names\":[\"db\"],\"for\":1}", PROTO_ERR_BAD_REQUEST,
                   "for: expected");
    assert_refused("{\"v\":1,\"cmd\":\"wait\",\"names\":[\"db\"],\"timeout_ms\":-1}",
                   PROTO_ERR_BAD_REQUEST, "timeout_ms: expected an integer >= 0");
    assert_refused("{\"v\":1,\"cmd\":\"wait\",\"names\":[\"db\"],\"timeout_ms\":\"5s\"}",
                   PROTO_ERR_BAD_REQUEST, "timeout_ms: expected an integer >= 0");
}

static void logs_has_defaults(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"logs\",\"names\":[\"web\"]}", &req, &err), 0);
    assert_int_equal(req.cmd, PROTO_CMD_LOGS);
    assert_int_equal(req.lines, 100);
    assert_false(req.follow);
    assert_false(req.has_since);
    proto_request_close(&req);
}

static void logs_reads_lines_follow_and_since(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"logs\",\"names\":[\"web\"],\"lines\":0,"
                            "\"follow\":true,\"since_ms\":1732480000000}",
                            &req, &err),
                     0);
    assert_int_equal(req.lines, 0);
    assert_true(req.follow);
    assert_true(req.has_since);
    assert_true(req.since_ms == 1732480000000ULL);
    proto_request_close(&req);
}

static void logs_refuses_bad_arguments(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"logs\"}", PROTO_ERR_BAD_REQUEST, "names: expected exactly");
    assert_refused("{\"v\":1,\"cmd\":\"logs\",\"names\":[\"web\"],\"lines\":-5}",
                   PROTO_ERR_BAD_REQUEST, "lines: expected an integer >= 0");
    assert_refused("{\"v\":1,\"cmd\":\"logs\",\"names\":[\"web\"],\"follow\":\"yes\"}",
                   PROTO_ERR_BAD_REQUEST, "follow: expected true or false");
    assert_refused("{\"v\":1,\"cmd\":\"logs\",\"names\":[\"web\"],\"since_ms\":true}",
                   PROTO_ERR_BAD_REQUEST, "since_ms: expected an integer >= 0");
}

static void reload_reads_dry_run(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"reload\"}", &req, &err), 0);
    assert_int_equal(req.cmd, PROTO_CMD_RELOAD);
    assert_false(req.dry_run);
    proto_request_close(&req);
    assert_int_equal(decode("{\"v\":1,\"cmd\":\"reload\",\"dry_run\":true}", &req, &err), 0);
    assert_true(req.dry_run);
    proto_request_close(&req);
    assert_refused("{\"v\":1,\"cmd\":\"reload\",\"dry_run\":\"true\"}", PROTO_ERR_BAD_REQUEST,
                   "dry_run: expected true or false");
}

static void scale_reads_one_name_and_a_count(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(
        decode("{\"v\":1,\"cmd\":\"scale\",\"names\":[\"worker\"],\"count\":4}", &req, &err), 0);
    assert_int_equal(req.cmd, PROTO_CMD_SCALE);
    assert_int_equal(req.n_names, 1);
    assert_string_equal(req.names[0], "worker");
    assert_int_equal(req.count, 4);
    assert_false(req.dry_run);
    proto_request_close(&req);
    assert_refused("{\"v\":1,\"cmd\":\"scale\",\"names\":[\"worker\"]}", PROTO_ERR_BAD_REQUEST,
                   "count: required (an integer >= 1)");
    assert_refused("{\"v\":1,\"cmd\":\"scale\",\"names\":[\"worker\"],\"count\":0}",
                   PROTO_ERR_BAD_REQUEST, "count: expected an integer >= 1, got 0");
    assert_refused("{\"v\":1,\"cmd\":\"scale\",\"names\":[\"a\",\"b\"],\"count\":2}",
                   PROTO_ERR_BAD_REQUEST, "names: expected exactly one service name, got 2");
}

static void commands_without_arguments_decode(void **state)
{
    (void)state;
    static const char *const cmds[] = {"events", "shutdown", "health", "version"};
    static const enum proto_cmd want[] = {PROTO_CMD_EVENTS, PROTO_CMD_SHUTDOWN, PROTO_CMD_HEALTH,
                                          PROTO_CMD_VERSION};
    char line[128];
    struct proto_request req;
    struct proto_error err;

    for (int i = 0; i < 4; i++) {
        snprintf(line, sizeof line, "{\"v\":1,\"id\":3,\"cmd\":\"%s\"}", cmds[i]);
        assert_int_equal(decode(line, &req, &err), 0);
        assert_int_equal(req.cmd, want[i]);
        assert_int_equal(req.id, 3);
        proto_request_close(&req);
    }
}

static void unknown_fields_and_null_arguments_are_ignored(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"cmd\":\"logs\",\"names\":[\"web\"],\"since_ms\":null,"
                            "\"colour\":\"blue\",\"lines\":null}",
                            &req, &err),
                     0);
    assert_false(req.has_since);
    assert_int_equal(req.lines, 100);
    proto_request_close(&req);
}

static void malformed_json_is_a_bad_request_without_id(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"id\":4,\"cmd\":", &req, &err), -EINVAL);
    assert_int_equal(err.code, PROTO_ERR_BAD_REQUEST);
    assert_non_null(strstr(err.message, "malformed JSON"));
    assert_int_equal(req.id, PROTO_ID_NONE);
    assert_refused("", PROTO_ERR_BAD_REQUEST, "malformed JSON");
    assert_refused("{\"v\":1,\"cmd\":\"status\"} {}", PROTO_ERR_BAD_REQUEST, "malformed JSON");
}

static void a_request_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    assert_refused("[1,2]", PROTO_ERR_BAD_REQUEST, "request: expected a JSON object");
    assert_refused("\"status\"", PROTO_ERR_BAD_REQUEST, "malformed JSON");
}

static void duplicate_keys_are_refused(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"status\",\"cmd\":\"shutdown\"}", PROTO_ERR_BAD_REQUEST,
                   "duplicate");
}

static void a_bad_id_is_refused_and_not_echoed(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"id\":\"7\",\"cmd\":\"status\"}", &req, &err), -EINVAL);
    assert_int_equal(err.code, PROTO_ERR_BAD_REQUEST);
    assert_string_equal(err.message, "id: expected an integer >= 0");
    assert_int_equal(req.id, PROTO_ID_NONE);
    assert_refused("{\"v\":1,\"id\":-2,\"cmd\":\"status\"}", PROTO_ERR_BAD_REQUEST, "id:");
}

static void later_errors_echo_the_id(void **state)
{
    (void)state;
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(decode("{\"v\":1,\"id\":42,\"cmd\":\"pid\"}", &req, &err), -EINVAL);
    assert_int_equal(req.id, 42);
    assert_int_equal(decode("{\"v\":9,\"id\":43,\"cmd\":\"pid\"}", &req, &err), -EINVAL);
    assert_int_equal(req.id, 43);
}

static void version_must_be_one(void **state)
{
    (void)state;
    assert_refused("{\"id\":1,\"cmd\":\"status\"}", PROTO_ERR_BAD_REQUEST, "v: required");
    assert_refused("{\"v\":\"1\",\"cmd\":\"status\"}", PROTO_ERR_BAD_REQUEST,
                   "v: expected an integer");
    assert_refused("{\"v\":2,\"cmd\":\"status\"}", PROTO_ERR_UNSUPPORTED_VERSION,
                   "v: protocol version 2 is not supported (this corral speaks 1)");
}

static void cmd_must_be_a_known_string(void **state)
{
    (void)state;
    assert_refused("{\"v\":1}", PROTO_ERR_BAD_REQUEST, "cmd: required");
    assert_refused("{\"v\":1,\"cmd\":5}", PROTO_ERR_BAD_REQUEST, "cmd: expected a string");
    assert_refused("{\"v\":1,\"cmd\":\"stauts\"}", PROTO_ERR_UNKNOWN_COMMAND,
                   "cmd: unknown command 'stauts'");
    assert_refused("{\"v\":1,\"cmd\":\"STATUS\"}", PROTO_ERR_UNKNOWN_COMMAND, "'STATUS'");
}

static void names_must_be_non_empty_strings(void **state)
{
    (void)state;
    assert_refused("{\"v\":1,\"cmd\":\"status\",\"names\":\"web\"}", PROTO_ERR_BAD_REQUEST,
                   "names: expected a list");
    assert_refused("{\"v\":1,\"cmd\":\"status\",\"names\":[\"web\",3]}", PROTO_ERR_BAD_REQUEST,
                   "names[1]: expected a non-empty string");
    assert_refused("{\"v\":1,\"cmd\":\"stop\",\"names\":[\"\"]}", PROTO_ERR_BAD_REQUEST,
                   "names[0]: expected a non-empty string");
}

static void a_line_over_the_limit_is_too_large(void **state)
{
    (void)state;
    size_t n = PROTO_LINE_MAX + 10;
    char *line = malloc(n);
    const char *json = "{\"v\":1,\"cmd\":\"status\"}";
    struct proto_request req;
    struct proto_error err;

    assert_non_null(line);
    memset(line, ' ', n);
    memcpy(line, json, strlen(json));
    assert_int_equal(proto_request_decode(line, n, &req, &err), -EINVAL);
    assert_int_equal(err.code, PROTO_ERR_TOO_LARGE);
    /* Exactly PROTO_LINE_MAX with its newline is still fine. */
    line[PROTO_LINE_MAX - 1] = '\n';
    assert_int_equal(proto_request_decode(line, PROTO_LINE_MAX, &req, &err), 0);
    proto_request_close(&req);
    assert_int_equal(proto_request_decode(line, PROTO_LINE_MAX + 1, &req, &err), -EINVAL);
    assert_int_equal(err.code, PROTO_ERR_TOO_LARGE);
    free(line);
}

static void a_line_need_not_end_in_nul(void **state)
{
    (void)state;
    const char buf[] = "{\"v\":1,\"cmd\":\"health\"}\nGARBAGE";
    struct proto_request req;
    struct proto_error err;

    assert_int_equal(
        proto_request_decode(buf, strlen("{\"v\":1,\"cmd\":\"health\"}\n"), &req, &err), 0);
    assert_int_equal(req.cmd, PROTO_CMD_HEALTH);
    proto_request_close(&req);
}

/* Encodes req, decodes the line, and checks it is the same request. */
static void assert_round_trip(const struct proto_request *req)
{
    struct proto_request back;
    struct proto_error err;
    char *line = NULL;
    size_t len = 0;

    assert_int_equal(proto_request_encode(req, &line, &len), 0);
    assert_int_equal(len, strlen(line));
    assert_int_equal(line[len - 1], '\n');
    assert_null(memchr(line, '\n', len - 1));
    if (proto_request_decode(line, len, &back, &err) != 0)
        fail_msg("%s: %s", line, err.message);
    assert_int_equal(back.cmd, req->cmd);
    assert_int_equal(back.id, req->id < 0 ? 0 : req->id);
    assert_int_equal(back.n_names, req->n_names);
    for (size_t i = 0; i < req->n_names; i++)
        assert_string_equal(back.names[i], req->names[i]);
    assert_int_equal(back.all, req->all);
    assert_int_equal(back.signal_number, req->signal_number);
    if (req->signal_name)
        assert_string_equal(back.signal_name, req->signal_name);
    assert_int_equal(back.wait_for, req->wait_for);
    assert_int_equal(back.timeout_ms, req->timeout_ms);
    assert_int_equal(back.lines, req->lines);
    assert_int_equal(back.follow, req->follow);
    assert_int_equal(back.has_since, req->has_since);
    assert_int_equal(back.since_ms, req->since_ms);
    assert_int_equal(back.dry_run, req->dry_run);
    proto_request_close(&back);
    free(line);
}

static void every_command_encodes_to_what_decodes_back(void **state)
{
    (void)state;
    static const char *const two[] = {"web", "d\xc3\xa9j\xc3\xa0"};
    struct proto_request req;

    for (int c = 0; c < PROTO_CMD_COUNT; c++) {
        proto_request_init(&req);
        req.cmd = (enum proto_cmd)c;
        req.id = c;
        switch (req.cmd) {
        case PROTO_CMD_STATUS:
        case PROTO_CMD_START:
        case PROTO_CMD_WAIT:
            assert_int_equal(proto_request_set_names(&req, two, 2), 0);
            req.wait_for = PROTO_WAIT_DONE;
            req.timeout_ms = 1500;
            break;
        case PROTO_CMD_STOP:
        case PROTO_CMD_RESTART:
            req.all = true;
            break;
        case PROTO_CMD_SIGNAL:
            assert_int_equal(proto_request_set_names(&req, two, 1), 0);
            req.signal_name = strdup("USR1");
            break;
        case PROTO_CMD_PID:
        case PROTO_CMD_LOGS:
            assert_int_equal(proto_request_set_names(&req, two, 1), 0);
            req.lines = 7;
            req.follow = true;
            req.has_since = true;
            req.since_ms = 1732480000123ULL;
            break;
        case PROTO_CMD_RELOAD:
            req.dry_run = true;
            break;
        case PROTO_CMD_SCALE:
            assert_int_equal(proto_request_set_names(&req, two, 1), 0);
            req.count = 3;
            req.dry_run = true;
            break;
        default:
            break;
        }
        if (req.cmd != PROTO_CMD_WAIT) {
            req.wait_for = PROTO_WAIT_UP;
            req.timeout_ms = 0;
        }
        if (req.cmd != PROTO_CMD_LOGS) {
            req.lines = 100;
            req.follow = false;
            req.has_since = false;
            req.since_ms = 0;
        }
        assert_round_trip(&req);
        proto_request_close(&req);
    }
}

static void a_signal_number_encodes_as_an_integer(void **state)
{
    (void)state;
    struct proto_request req;
    char *line = NULL;
    size_t len;

    proto_request_init(&req);
    req.cmd = PROTO_CMD_SIGNAL;
    req.all = true;
    req.signal_number = 15;
    assert_int_equal(proto_request_encode(&req, &line, &len), 0);
    assert_string_equal(line, "{\"v\":1,\"id\":0,\"cmd\":\"signal\",\"all\":true,\"signal\":15}\n");
    free(line);
    assert_round_trip(&req);
}

static void encoding_an_invalid_request_fails(void **state)
{
    (void)state;
    static const char *const bad[] = {NULL};
    struct proto_request req;
    char *line = NULL;
    size_t len;

    proto_request_init(&req);
    req.cmd = PROTO_CMD_COUNT;
    assert_int_equal(proto_request_encode(&req, &line, &len), -EINVAL);
    req.cmd = PROTO_CMD_STATUS;
    assert_int_equal(proto_request_set_names(&req, bad, 1), -EINVAL);
    assert_int_equal(req.n_names, 0);
    assert_null(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_without_names_means_every_service),
        cmocka_unit_test(status_with_names_keeps_them_in_order),
        cmocka_unit_test(a_missing_id_is_zero),
        cmocka_unit_test(start_stop_restart_take_names_or_all),
        cmocka_unit_test(start_without_names_or_all_is_refused),
        cmocka_unit_test(names_and_all_together_are_refused),
        cmocka_unit_test(all_must_be_a_boolean),
        cmocka_unit_test(signal_takes_a_name_or_a_number),
        cmocka_unit_test(signal_without_a_valid_signal_is_refused),
        cmocka_unit_test(pid_takes_exactly_one_name),
        cmocka_unit_test(wait_defaults_to_up_without_timeout),
        cmocka_unit_test(wait_reads_each_condition_and_the_timeout),
        cmocka_unit_test(wait_refuses_bad_arguments),
        cmocka_unit_test(logs_has_defaults),
        cmocka_unit_test(logs_reads_lines_follow_and_since),
        cmocka_unit_test(logs_refuses_bad_arguments),
        cmocka_unit_test(scale_reads_one_name_and_a_count),
        cmocka_unit_test(reload_reads_dry_run),
        cmocka_unit_test(commands_without_arguments_decode),
        cmocka_unit_test(unknown_fields_and_null_arguments_are_ignored),
        cmocka_unit_test(malformed_json_is_a_bad_request_without_id),
        cmocka_unit_test(a_request_that_is_not_an_object_is_refused),
        cmocka_unit_test(duplicate_keys_are_refused),
        cmocka_unit_test(a_bad_id_is_refused_and_not_echoed),
        cmocka_unit_test(later_errors_echo_the_id),
        cmocka_unit_test(version_must_be_one),
        cmocka_unit_test(cmd_must_be_a_known_string),
        cmocka_unit_test(names_must_be_non_empty_strings),
        cmocka_unit_test(a_line_over_the_limit_is_too_large),
        cmocka_unit_test(a_line_need_not_end_in_nul),
        cmocka_unit_test(every_command_encodes_to_what_decodes_back),
        cmocka_unit_test(a_signal_number_encodes_as_an_integer),
        cmocka_unit_test(encoding_an_invalid_request_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
