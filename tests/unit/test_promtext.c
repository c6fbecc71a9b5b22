/* test_promtext.c - the Prometheus text exposition format as corral writes
 * it (core/promtext.c): HELP and TYPE lines, label values escaped
 * (backslash, double quote, newline), HELP escaped (backslash, newline),
 * integers without a fraction, NaN and the infinities spelled as the format
 * wants. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "promtext.h"

static void a_family_and_samples(void **state)
{
    (void)state;
    struct promtext p;
    size_t len = 0;
    promtext_init(&p);
    promtext_family(&p, "corral_service_restarts_total", "counter", "Restarts of each service.");
    const char *const web[][2] = {{"service", "web"}};
    promtext_sample(&p, "corral_service_restarts_total", web, 1, 3);
    promtext_sample(&p, "corral_uptime_seconds", NULL, 0, 2.5);
    char *text = promtext_take(&p, &len);
    assert_string_equal(text, "# HELP corral_service_restarts_total Restarts of each service.\n"
                              "# TYPE corral_service_restarts_total counter\n"
                              "corral_service_restarts_total{service=\"web\"} 3\n"
                              "corral_uptime_seconds 2.5\n");
    assert_int_equal(len, strlen(text));
    free(text);
}

static void label_values_and_help_are_escaped(void **state)
{
    (void)state;
    struct promtext p;
    size_t len;
    promtext_init(&p);
    promtext_family(&p, "m", "gauge", "a \\ b\nc \"q\"");
    const char *const labels[][2] = {{"a", "x\\y"}, {"b", "say \"hi\"\nbye"}};
    promtext_sample(&p, "m", labels, 2, -7);
    char *text = promtext_take(&p, &len);
    assert_string_equal(text, "# HELP m a \\\\ b\\nc \"q\"\n"
                              "# TYPE m gauge\n"
                              "m{a=\"x\\\\y\",b=\"say \\\"hi\\\"\\nbye\"} -7\n");
    free(text);
}

static void special_values_are_spelled_as_the_format_wants(void **state)
{
    (void)state;
    struct promtext p;
    size_t len;
    promtext_init(&p);
    promtext_sample(&p, "a", NULL, 0, INFINITY);
    promtext_sample(&p, "b", NULL, 0, -INFINITY);
    promtext_sample(&p, "c", NULL, 0, NAN);
    promtext_sample(&p, "d", NULL, 0, 1e20);
    promtext_sample(&p, "e", NULL, 0, 18446744073709551615.0);
    char *text = promtext_take(&p, &len);
    assert_string_equal(text, "a +Inf\nb -Inf\nc NaN\nd 1e+20\ne 1.84467440737096e+19\n");
    free(text);
}

static void a_long_text_grows_its_buffer(void **state)
{
    (void)state;
    struct promtext p;
    size_t len;
    promtext_init(&p);
    for (int i = 0; i < 5000; i++)
        promtext_sample(&p, "corral_service_zombies", NULL, 0, i);
    char *text = promtext_take(&p, &len);
    assert_non_null(text);
    assert_true(len > 5000 * 24);
    assert_int_equal(text[len - 1], '\n');
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_family_and_samples),
        cmocka_unit_test(label_values_and_help_are_escaped),
        cmocka_unit_test(special_values_are_spelled_as_the_format_wants),
        cmocka_unit_test(a_long_text_grows_its_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
