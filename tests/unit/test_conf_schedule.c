/* test_conf_schedule.c - a scheduled oneshot's keys: schedule, timezone,
 * every, overlap, run_timeout; their defaults and every error, at
 * file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

#define JOB "command: [\"job\"]\ntype: oneshot\n"

static void a_schedule_is_read_with_skip_and_no_timeout_by_default(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load(JOB "schedule: \"*/5 * * * *\"\n", &rc);
    assert_non_null(s);
    assert_string_equal(s->schedule, "*/5 * * * *");
    uint64_t fives = 0;
    for (int m = 0; m < 60; m += 5)
        fives |= 1ULL << m;
    assert_int_equal(s->cron.minutes, fives);
    assert_int_equal(s->every_ms, 0);
    assert_int_equal(s->overlap, CONF_OVERLAP_SKIP);
    assert_int_equal(s->run_timeout_ms, 0);
    assert_int_equal(s->restart, CONF_RESTART_NEVER);
    conf_service_free(s);
    s = fix_load(JOB "every: 10m\noverlap: queue\nrun_timeout: 30s\n", &rc);
    assert_non_null(s);
    assert_null(s->schedule);
    assert_int_equal(s->every_ms, 600000);
    assert_int_equal(s->overlap, CONF_OVERLAP_QUEUE);
    assert_int_equal(s->run_timeout_ms, 30000);
    conf_service_free(s);
}

static void a_bad_schedule_points_at_the_bad_field(void **state)
{
    (void)state;
    /* The column is the field's own. */
    assert_string_equal(fix_fail(JOB "schedule: 0 24 * * *\n"),
                        "web.yaml:3:13: schedule: hour: 24 is out of range 0-23");
    assert_string_equal(fix_fail(JOB "schedule: \"0 24 * * *\"\n"),
                        "web.yaml:3:14: schedule: hour: 24 is out of range 0-23");
    assert_string_equal(fix_fail(JOB "schedule: \"0 0 30 2 *\"\n"),
                        "web.yaml:3:12: schedule: never runs: no chosen month has a chosen day");
    assert_string_equal(fix_fail(JOB "schedule: [1]\n"),
                        "web.yaml:3:11: schedule: expected a string, got a list");
}

static void every_and_the_policies_are_checked(void **state)
{
    (void)state;
    assert_string_equal(fix_fail(JOB "every: 500ms\n"),
                        "web.yaml:3:8: every: expected a duration of 1s or more");
    assert_string_equal(fix_fail(JOB "every: 1m\noverlap: kill\n"),
                        "web.yaml:4:10: overlap: expected skip|queue, got \"kill\"");
    assert_string_equal(fix_fail(JOB "every: 1m\nrun_timeout: 0s\n"),
                        "web.yaml:4:14: run_timeout: expected a duration greater than 0");
}

static void a_schedule_needs_a_oneshot_that_is_not_the_main(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: [job]\nschedule: \"@daily\"\n"),
                        "web.yaml:2:11: schedule: expected type: oneshot (a scheduled job runs to "
                        "completion each time)");
    assert_string_equal(fix_fail(JOB "main: true\nevery: 1h\n"),
                        "web.yaml:4:8: every: expected no schedule on the main service (its exit "
                        "ends the container)");
    assert_string_equal(fix_fail(JOB "schedule: \"@daily\"\nevery: 1h\n"),
                        "web.yaml:4:8: every: expected either schedule or every, not both (remove "
                        "one)");
    assert_string_equal(fix_fail(JOB "overlap: skip\nrun_timeout: 1m\n"),
                        "web.yaml:3:10: overlap: set, but there is no schedule or every\n"
                        "web.yaml:4:14: run_timeout: set, but there is no schedule or every");
}

static void a_schedule_is_read_in_utc_or_local_time(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load(JOB "schedule: \"0 6 * * *\"\n", &rc);
    assert_non_null(s);
    assert_false(s->schedule_local);
    assert_false(s->cron.clock_star);
    conf_service_free(s);
    s = fix_load(JOB "schedule: \"*/5 6 * * *\"\ntimezone: local\n", &rc);
    assert_non_null(s);
    assert_true(s->schedule_local);
    assert_true(s->cron.clock_star);
    conf_service_free(s);
    s = fix_load(JOB "schedule: \"@hourly\"\ntimezone: UTC\n", &rc);
    assert_non_null(s);
    assert_false(s->schedule_local);
    assert_true(s->cron.clock_star);
    conf_service_free(s);
    assert_string_equal(fix_fail(JOB "schedule: \"@daily\"\ntimezone: Europe/Berlin\n"),
                        "web.yaml:4:11: timezone: expected UTC or local, got \"Europe/Berlin\" "
                        "(for a named zone, set TZ=Europe/Berlin in corral's environment and "
                        "write local)");
    assert_string_equal(fix_fail(JOB "every: 1h\ntimezone: local\n"),
                        "web.yaml:4:11: timezone: set, but every is a fixed rate, not a time of "
                        "day");
    assert_string_equal(fix_fail(JOB "timezone: local\n"),
                        "web.yaml:3:11: timezone: set, but there is no schedule");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_schedule_is_read_with_skip_and_no_timeout_by_default),
        cmocka_unit_test(a_bad_schedule_points_at_the_bad_field),
        cmocka_unit_test(every_and_the_policies_are_checked),
        cmocka_unit_test(a_schedule_needs_a_oneshot_that_is_not_the_main),
        cmocka_unit_test(a_schedule_is_read_in_utc_or_local_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
