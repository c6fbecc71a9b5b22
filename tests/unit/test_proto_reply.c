/* test_proto_reply.c - reply lines (ok, every error code, stream item) as
 * the daemon writes them and corralctl reads them, and the protocol's name
 * tables: commands, error codes, wait conditions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

static void ok_reply_carries_the_result_and_id(void **state)
{
    (void)state;
    struct proto_reply r;
    char why[128];
    char *line = NULL;
    size_t len;

    assert_int_equal(proto_encode_ok(7, json_pack("{s:i}", "pid", 12), &line, &len), 0);
    assert_string_equal(line, "{\"v\":1,\"id\":7,\"ok\":true,\"result\":{\"pid\":12}}\n");
    assert_int_equal(len, strlen(line));
    assert_int_equal(proto_reply_decode(line, len, &r, why, sizeof why), 0);
    assert_int_equal(r.kind, PROTO_REPLY_OK);
    assert_int_equal(r.id, 7);
    assert_int_equal(json_integer_value(json_object_get(r.body, "pid")), 12);
    proto_reply_close(&r);
    free(line);
}

static void a_reply_carrying_a_nul_byte_is_read_whole(void **state)
{
    (void)state;
    struct proto_reply r;
    char why[128];
    char *line = NULL;
    size_t len;

    /* A service's output line "a\0b", as a logs reply carries it. */
    json_t *l = json_pack("{s:s%}", "line", "a\0b", (size_t)3);
    assert_int_equal(proto_encode_ok(2, json_pack("{s:[o]}", "lines", l), &line, &len), 0);
    assert_non_null(strstr(line, "a\\u0000b"));
    assert_int_equal(proto_reply_decode(line, len, &r, why, sizeof why), 0);
    json_t *got = json_object_get(json_array_get(json_object_get(r.body, "lines"), 0), "line");
    assert_int_equal(json_string_length(got), 3);
    assert_memory_equal(json_string_value(got), "a\0b", 3);
    proto_reply_close(&r);
    free(line);
}

static void ok_reply_without_result_has_an_empty_object(void **state)
{
    (void)state;
    char *line = NULL;
    size_t len;

    assert_int_equal(proto_encode_ok(0, NULL, &line, &len), 0);
    assert_string_equal(line, "{\"v\":1,\"id\":0,\"ok\":true,\"result\":{}}\n");
    free(line);
}

static void every_error_code_round_trips(void **state)
{
    (void)state;
    struct proto_reply r;
    char why[128];
    char *line = NULL;
    size_t len;

    for (int c = 0; c < PROTO_ERR_COUNT; c++) {
        assert_int_equal(
            proto_encode_error(3, (enum proto_err)c, "it went wrong", NULL, &line, &len), 0);
        assert_int_equal(proto_reply_decode(line, len, &r, why, sizeof why), 0);
        assert_int_equal(r.kind, PROTO_REPLY_ERROR);
        assert_int_equal(r.id, 3);
        assert_int_equal(r.code, c);
        assert_string_equal(r.code_name, proto_err_name((enum proto_err)c));
        assert_string_equal(r.message, "it went wrong");
        assert_null(r.errors);
        assert_null(r.body);
        proto_reply_close(&r);
        free(line);
    }
}

static void error_reply_has_the_documented_shape(void **state)
{
    (void)state;
    char *line = NULL;
    size_t len;

    assert_int_equal(proto_encode_error(8, PROTO_ERR_UNKNOWN_SERVICE,
                                        "no service named 'wbe' (did you mean 'web'?)", NULL, &line,
                                        &len),
                     0);
    assert_string_equal(line,
                        "{\"v\":1,\"id\":8,\"ok\":false,\"error\":{\"code\":\"unknown_service\","
                        "\"message\":\"no service named 'wbe' (did you mean 'web'?)\"}}\n");
    free(line);
}

static void an_error_without_id_says_null(void **state)
{
    (void)state;
    struct proto_reply r;
    char why[128];
    char *line = NULL;
    size_t len;

    assert_int_equal(
        proto_encode_error(PROTO_ID_NONE, PROTO_ERR_BAD_REQUEST, "malformed", NULL, &line, &len),
        0);
    assert_string_equal(line, "{\"v\":1,\"id\":null,\"ok\":false,\"error\":{\"code\":"
                              "\"bad_request\",\"message\":\"malformed\"}}\n");
    assert_int_equal(proto_reply_decode(line, len, &r, why, sizeof why), 0);
    assert_int_equal(r.id, PROTO_ID_NONE);
    proto_reply_close(&r);
    free(line);
}

static void reload_errors_travel_inside_the_error(void **state)
{
    (void)state;
    struct proto_reply r;
    char why[128];
    char *line = NULL;
    size_t len;
    json_t *errors = json_pack("[{s:s,s:i,s:i,s:s}]", "file", "services.d/web.yaml", "line", 4,
                               "column", 10, "message", "restart: expected always");

    assert_int_equal(
        proto_encode_error(1, PROTO_ERR_INVALID_CONFIG, "1 error", errors, &line, &len), 0);
    assert_int_equal(proto_reply_decode(line, len, &r, why, sizeof why), 0);
    assert_int_equal(r.code, PROTO_ERR_INVALID_CONFIG);
    assert_int_equal(json_array_size(r.errors), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r.errors, 0), "line")), 4);
    proto_reply_close(&r);
    free(line);
}

static void a_message_with_invalid_utf8_is_still_sent(void **state)
{
    (void)state;
    char *line = NULL;
    size_t len;

    assert_int_equal(proto_encode_error(1, PROTO_ERR_INTERNAL, "bad \xff byte", NULL, &line, &len),
                     0);
    assert_non_null(strstr(line, "\"bad ? byte\""));
    free(line);
}

static void encoding_refuses_an_unknown_code(void **state)
{
    (void)state;
    char *line = NULL;
    size_t len;

    assert_int_equal(proto_encode_error(1, PROTO_ERR_COUNT, "x", json_array(), &line, &len),
                     -EINVAL);
    assert_int_equal(proto_encode_error(1, PROTO_ERR_INTERNAL, NULL, NULL, &line, &len), -EINVAL);
    assert_int_equal(proto_encode_stream(1, NULL, &line, &len), -EINVAL);
    assert_null(line);
}

static void stream_items_decode_as_stream(void **state)
{
    (void)state;
    struct proto_reply r;
    char why[128];
    char *line = NULL;
    size_t len;

    assert_int_equal(
        proto_encode_stream(9,
                            json_pack("{s:I,s:s,s:s,s:s,s:i}", "time_ms",
                                      (json_int_t)1732480000000LL, "service", "web", "state",
                                      "backoff", "reason", "exited 1", "pid", 0),
                            &line, &len),
        0);
    assert_int_equal(proto_reply_decode(line, len, &r, why, sizeof why), 0);
    assert_int_equal(r.kind, PROTO_REPLY_STREAM);
    assert_int_equal(r.id, 9);
    assert_string_equal(json_string_value(json_object_get(r.body, "state")), "backoff");
    proto_reply_close(&r);
    free(line);
}

static void an_unknown_error_code_is_kept_by_name(void **state)
{
    (void)state;
    const char *s =
        "{\"v\":1,\"id\":1,\"ok\":false,\"error\":{\"code\":\"quota\",\"message\":\"m\"}}";
    struct proto_reply r;
    char why[128];

    assert_int_equal(proto_reply_decode(s, strlen(s), &r, why, sizeof why), 0);
    assert_int_equal(r.code, PROTO_ERR_INTERNAL);
    assert_string_equal(r.code_name, "quota");
    proto_reply_close(&r);
}

static void malformed_replies_are_refused_with_a_reason(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "not json",
        "[]",
        "{\"id\":1,\"ok\":true,\"result\":{}}",
        "{\"v\":2,\"id\":1,\"ok\":true,\"result\":{}}",
        "{\"v\":1,\"id\":\"1\",\"ok\":true,\"result\":{}}",
        "{\"v\":1,\"id\":1,\"result\":{}}",
        "{\"v\":1,\"id\":1,\"ok\":true}",
        "{\"v\":1,\"id\":1,\"ok\":true,\"result\":[]}",
        "{\"v\":1,\"id\":1,\"ok\":false}",
        "{\"v\":1,\"id\":1,\"ok\":false,\"error\":{\"code\":\"x\"}}",
        "{\"v\":1,\"id\":1,\"ok\":false,\"error\":{\"code\":\"x\",\"message\":\"m\",\"errors\":1}}",
        "{\"v\":1,\"id\":1,\"stream\":3}",
    };
    struct proto_reply r;
    char why[128];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        if (proto_reply_decode(bad[i], strlen(bad[i]), &r, why, sizeof why) != -EINVAL)
            fail_msg("accepted: %s", bad[i]);
        assert_true(why[0] != '\0');
        assert_null(r.root);
    }
}

static void commands_know_their_names_and_access(void **state)
{
    (void)state;
    static const char *const changing[] = {"start",  "stop",     "restart", "signal",
                                           "reload", "shutdown", "scale"};
    int n_changing = 0;

    for (int c = 0; c < PROTO_CMD_COUNT; c++) {
        const char *name = proto_cmd_name((enum proto_cmd)c);
        assert_non_null(name);
        assert_int_equal(proto_cmd_from_name(name), c);
        bool want = false;
        for (size_t i = 0; i < sizeof changing / sizeof changing[0]; i++)
            want = want || strcmp(name, changing[i]) == 0;
        assert_int_equal(proto_cmd_is_changing((enum proto_cmd)c), want);
        n_changing += want;
    }
    assert_int_equal(n_changing, 7);
    assert_int_equal(proto_cmd_from_name("nope"), -EINVAL);
    assert_int_equal(proto_cmd_from_name(NULL), -EINVAL);
    assert_null(proto_cmd_name(PROTO_CMD_COUNT));
    assert_true(proto_cmd_is_changing(PROTO_CMD_COUNT));
}

static void only_events_and_followed_logs_stream(void **state)
{
    (void)state;
    assert_true(proto_cmd_is_streaming(PROTO_CMD_EVENTS, false));
    assert_true(proto_cmd_is_streaming(PROTO_CMD_LOGS, true));
    assert_false(proto_cmd_is_streaming(PROTO_CMD_LOGS, false));
    assert_false(proto_cmd_is_streaming(PROTO_CMD_WAIT, true));
}

static void error_codes_and_wait_conditions_have_names_both_ways(void **state)
{
    (void)state;
    for (int c = 0; c < PROTO_ERR_COUNT; c++)
        assert_int_equal(proto_err_from_name(proto_err_name((enum proto_err)c)), c);
    assert_string_equal(proto_err_name(PROTO_ERR_UNSUPPORTED_VERSION), "unsupported_version");
    assert_null(proto_err_name(PROTO_ERR_COUNT));
    assert_int_equal(proto_err_from_name("nope"), -EINVAL);
    for (int f = 0; f < PROTO_WAIT_COUNT; f++)
        assert_int_equal(proto_wait_for_from_name(proto_wait_for_name((enum proto_wait_for)f)), f);
    assert_string_equal(proto_wait_for_name(PROTO_WAIT_DOWN), "down");
    assert_null(proto_wait_for_name(PROTO_WAIT_COUNT));
    assert_int_equal(proto_wait_for_from_name("UP"), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ok_reply_carries_the_result_and_id),
        cmocka_unit_test(ok_reply_without_result_has_an_empty_object),
        cmocka_unit_test(a_reply_carrying_a_nul_byte_is_read_whole),
        cmocka_unit_test(every_error_code_round_trips),
        cmocka_unit_test(error_reply_has_the_documented_shape),
        cmocka_unit_test(an_error_without_id_says_null),
        cmocka_unit_test(reload_errors_travel_inside_the_error),
        cmocka_unit_test(a_message_with_invalid_utf8_is_still_sent),
        cmocka_unit_test(encoding_refuses_an_unknown_code),
        cmocka_unit_test(stream_items_decode_as_stream),
        cmocka_unit_test(an_unknown_error_code_is_kept_by_name),
        cmocka_unit_test(malformed_replies_are_refused_with_a_reason),
        cmocka_unit_test(commands_know_their_names_and_access),
        cmocka_unit_test(only_events_and_followed_logs_stream),
        cmocka_unit_test(error_codes_and_wait_conditions_have_names_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
