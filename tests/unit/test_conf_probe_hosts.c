/* test_conf_probe_hosts.c - tcp and http probes take IP literals or
 * localhost, refused at load time otherwise (probes do no name lookups). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

#define CMD "command: [\"srv\"]\n"

static void a_tcp_probe_takes_ip_literals_and_localhost(void **state)
{
    (void)state;
    struct conf_service *s = fix_load(CMD "readiness: {tcp: \"127.0.0.1:5432\"}\n", NULL);
    assert_non_null(s);
    conf_service_free(s);
    s = fix_load(CMD "readiness: {tcp: \"[::1]:80\"}\n", NULL);
    assert_non_null(s);
    conf_service_free(s);
    s = fix_load(CMD "health: {tcp: \"localhost:6379\"}\n", NULL);
    assert_non_null(s);
    conf_service_free(s);
}

static void a_tcp_probe_with_a_host_name_is_refused_at_load(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "readiness: {tcp: \"db.internal:5432\"}\n"),
                        "web.yaml:2:18: readiness.tcp: expected an IP address or localhost as "
                        "the host (probes do no name lookups), got \"db.internal:5432\"");
}

static void an_http_probe_with_a_host_name_is_refused_at_load(void **state)
{
    (void)state;
    struct conf_service *s =
        fix_load(CMD "health: {http: \"http://127.0.0.1:8080/healthz\"}\n", NULL);
    assert_non_null(s);
    conf_service_free(s);
    assert_string_equal(
        fix_fail(CMD "health: {http: \"http://web.internal/healthz\"}\n"),
        "web.yaml:2:16: health.http: expected an IP address or localhost as "
        "the host (probes do no name lookups), got \"http://web.internal/healthz\"");
}

static void an_http_url_that_would_fail_at_run_time_is_refused_at_load(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(CMD "health: {http: \"http://127.0.0.1:99999/\"}\n"),
                        "web.yaml:2:16: health.http: expected an URL like "
                        "\"http://127.0.0.1:8080/healthz\" (a port from 1 to 65535), got "
                        "\"http://127.0.0.1:99999/\"");
    assert_non_null(fix_fail(CMD "health: {http: \"http://127.0.0.1:80x/\"}\n"));
    assert_non_null(fix_fail(CMD "health: {http: \"http://127.0.0.1:/\"}\n"));
    struct conf_service *s =
        fix_load(CMD "health: {http: \"http://[::1]:8080/healthz?x=1\"}\n", NULL);
    assert_non_null(s);
    assert_string_equal(s->health.host, "::1");
    assert_int_equal(s->health.port, 8080);
    assert_string_equal(s->health.path, "/healthz?x=1");
    conf_service_free(s);
    s = fix_load(CMD "health: {http: \"http://localhost\"}\n", NULL);
    assert_non_null(s);
    assert_int_equal(s->health.port, 80);
    assert_string_equal(s->health.path, "/");
    conf_service_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_tcp_probe_takes_ip_literals_and_localhost),
        cmocka_unit_test(a_tcp_probe_with_a_host_name_is_refused_at_load),
        cmocka_unit_test(an_http_probe_with_a_host_name_is_refused_at_load),
        cmocka_unit_test(an_http_url_that_would_fail_at_run_time_is_refused_at_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
