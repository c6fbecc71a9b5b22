/* test_signame.c - signal names to numbers and back. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "signame.h"

static void names_parse_with_or_without_sig_in_any_case(void **state)
{
    (void)state;
    assert_int_equal(signame_parse("TERM"), SIGTERM);
    assert_int_equal(signame_parse("SIGTERM"), SIGTERM);
    assert_int_equal(signame_parse("term"), SIGTERM);
    assert_int_equal(signame_parse("SigInt"), SIGINT);
    assert_int_equal(signame_parse("QUIT"), SIGQUIT);
    assert_int_equal(signame_parse("KILL"), SIGKILL);
}

static void aliases_parse_to_the_same_signal(void **state)
{
    (void)state;
    assert_int_equal(signame_parse("IOT"), SIGABRT);
    assert_int_equal(signame_parse("POLL"), SIGIO);
}

static void numbers_parse_as_themselves(void **state)
{
    (void)state;
    assert_int_equal(signame_parse("15"), 15);
    assert_int_equal(signame_parse("1"), 1);
}

static void signal_zero_and_out_of_range_numbers_are_refused(void **state)
{
    (void)state;
    assert_int_equal(signame_parse("0"), -EINVAL);
    assert_int_equal(signame_parse("65"), -EINVAL);
    assert_int_equal(signame_parse("99999999999"), -EINVAL);
    assert_int_equal(signame_parse("-1"), -EINVAL);
}

static void real_time_signals_are_relative_to_rtmin_and_rtmax(void **state)
{
    (void)state;
    assert_int_equal(signame_parse("RTMIN"), SIGRTMIN);
    assert_int_equal(signame_parse("SIGRTMIN+2"), SIGRTMIN + 2);
    assert_int_equal(signame_parse("RTMAX-1"), SIGRTMAX - 1);
    assert_int_equal(signame_parse("RTMIN+100"), -EINVAL);
    assert_int_equal(signame_parse("RTMIN-1"), -EINVAL);
}

static void unknown_or_empty_names_are_refused(void **state)
{
    (void)state;
    assert_int_equal(signame_parse("TREM"), -EINVAL);
    assert_int_equal(signame_parse(""), -EINVAL);
    assert_int_equal(signame_parse("SIG"), -EINVAL);
    assert_int_equal(signame_parse("TERM "), -EINVAL);
    assert_int_equal(signame_parse(NULL), -EINVAL);
}

static void signals_format_with_their_canonical_name(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(signame_format(SIGTERM, buf, sizeof buf), "SIGTERM");
    assert_string_equal(signame_format(SIGABRT, buf, sizeof buf), "SIGABRT");
    assert_string_equal(signame_format(SIGRTMIN, buf, sizeof buf), "SIGRTMIN");
    assert_string_equal(signame_format(SIGRTMIN + 2, buf, sizeof buf), "SIGRTMIN+2");
    assert_string_equal(signame_format(SIGRTMAX - 1, buf, sizeof buf), "SIGRTMAX-1");
    assert_string_equal(signame_format(99, buf, sizeof buf), "signal 99");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_parse_with_or_without_sig_in_any_case),
        cmocka_unit_test(aliases_parse_to_the_same_signal),
        cmocka_unit_test(numbers_parse_as_themselves),
        cmocka_unit_test(signal_zero_and_out_of_range_numbers_are_refused),
        cmocka_unit_test(real_time_signals_are_relative_to_rtmin_and_rtmax),
        cmocka_unit_test(unknown_or_empty_names_are_refused),
        cmocka_unit_test(signals_format_with_their_canonical_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
