/* test_units.c - durations and sizes from text: every unit, compounds,
 * decimals, the strictness that refuses "10 s", and overflow. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "units.h"

static uint64_t ms_of(const char *s)
{
    uint64_t v = 12345;
    assert_int_equal(units_parse_duration_ms(s, &v), 0);
    return v;
}

static int duration_rc(const char *s)
{
    uint64_t v = 0;
    return units_parse_duration_ms(s, &v);
}

static uint64_t bytes_of(const char *s)
{
    uint64_t v = 12345;
    assert_int_equal(units_parse_size(s, &v), 0);
    return v;
}

static int size_rc(const char *s)
{
    uint64_t v = 0;
    return units_parse_size(s, &v);
}

static void milliseconds_are_taken_as_is(void **state)
{
    (void)state;
    assert_int_equal(ms_of("100ms"), 100);
}

static void seconds_minutes_and_hours_scale_to_milliseconds(void **state)
{
    (void)state;
    assert_int_equal(ms_of("3s"), 3000);
    assert_int_equal(ms_of("2m"), 120000);
    assert_int_equal(ms_of("1h"), 3600000);
}

static void a_decimal_second_keeps_its_fraction(void **state)
{
    (void)state;
    assert_int_equal(ms_of("1.5s"), 1500);
    assert_int_equal(ms_of("0.25m"), 15000);
    assert_int_equal(ms_of(".5s"), 500);
}

static void digits_below_a_millisecond_are_dropped(void **state)
{
    (void)state;
    assert_int_equal(ms_of("1.0009s"), 1000);
}

static void compound_durations_add_up_from_the_largest_unit(void **state)
{
    (void)state;
    assert_int_equal(ms_of("1m30s"), 90000);
    assert_int_equal(ms_of("1h2m3s4ms"), 3723004);
}

static void compound_durations_in_the_wrong_order_are_refused(void **state)
{
    (void)state;
    assert_int_equal(duration_rc("30s1m"), -EINVAL);
    assert_int_equal(duration_rc("1s1s"), -EINVAL);
}

static void zero_alone_needs_no_unit(void **state)
{
    (void)state;
    assert_int_equal(ms_of("0"), 0);
    assert_int_equal(ms_of("0s"), 0);
}

static void a_number_without_unit_is_refused(void **state)
{
    (void)state;
    assert_int_equal(duration_rc("5"), -EINVAL);
}

static void a_space_before_the_unit_is_refused(void **state)
{
    (void)state;
    assert_int_equal(duration_rc("10 s"), -EINVAL);
    assert_int_equal(duration_rc(" 10s"), -EINVAL);
    assert_int_equal(duration_rc("10s "), -EINVAL);
}

static void malformed_durations_are_refused(void **state)
{
    (void)state;
    assert_int_equal(duration_rc(""), -EINVAL);
    assert_int_equal(duration_rc("s"), -EINVAL);
    assert_int_equal(duration_rc("1.2.3s"), -EINVAL);
    assert_int_equal(duration_rc("1.s"), -EINVAL);
    assert_int_equal(duration_rc("-1s"), -EINVAL);
    assert_int_equal(duration_rc("1d"), -EINVAL);
    assert_int_equal(duration_rc("1S"), -EINVAL);
    assert_int_equal(duration_rc(NULL), -EINVAL);
}

static void a_duration_too_large_for_64_bits_is_a_range_error(void **state)
{
    (void)state;
    assert_int_equal(duration_rc("99999999999999999999s"), -ERANGE);
    assert_int_equal(duration_rc("9999999999999999h"), -ERANGE);
}

static void plain_numbers_are_bytes(void **state)
{
    (void)state;
    assert_int_equal(bytes_of("4096"), 4096);
    assert_int_equal(bytes_of("0"), 0);
    assert_int_equal(bytes_of("7B"), 7);
}

static void binary_units_are_powers_of_1024(void **state)
{
    (void)state;
    assert_int_equal(bytes_of("512K"), 524288);
    assert_int_equal(bytes_of("1KiB"), 1024);
    assert_int_equal(bytes_of("10MiB"), 10485760);
    assert_int_equal(bytes_of("10M"), 10485760);
    assert_int_equal(bytes_of("2GiB"), 2147483648ULL);
}

static void decimal_units_are_powers_of_1000(void **state)
{
    (void)state;
    assert_int_equal(bytes_of("1KB"), 1000);
    assert_int_equal(bytes_of("3MB"), 3000000);
    assert_int_equal(bytes_of("1GB"), 1000000000);
}

static void a_decimal_size_keeps_its_fraction(void **state)
{
    (void)state;
    assert_int_equal(bytes_of("1.5K"), 1536);
}

static void malformed_sizes_are_refused(void **state)
{
    (void)state;
    assert_int_equal(size_rc("10 MiB"), -EINVAL);
    assert_int_equal(size_rc("10mib"), -EINVAL);
    assert_int_equal(size_rc("MiB"), -EINVAL);
    assert_int_equal(size_rc(""), -EINVAL);
    assert_int_equal(size_rc("1T"), -EINVAL);
    assert_int_equal(size_rc(NULL), -EINVAL);
}

static void a_size_too_large_for_64_bits_is_a_range_error(void **state)
{
    (void)state;
    assert_int_equal(size_rc("20000000000G"), -ERANGE);
    assert_int_equal(size_rc("99999999999999999999"), -ERANGE);
}

static void durations_are_formatted_the_way_people_read_them(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(units_format_duration(250, buf, sizeof buf), "250ms");
    assert_string_equal(units_format_duration(3000, buf, sizeof buf), "3s");
    assert_string_equal(units_format_duration(1500, buf, sizeof buf), "1.500s");
    assert_string_equal(units_format_duration(120000, buf, sizeof buf), "2m");
    assert_string_equal(units_format_duration(90000, buf, sizeof buf), "1m30s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(milliseconds_are_taken_as_is),
        cmocka_unit_test(seconds_minutes_and_hours_scale_to_milliseconds),
        cmocka_unit_test(a_decimal_second_keeps_its_fraction),
        cmocka_unit_test(digits_below_a_millisecond_are_dropped),
        cmocka_unit_test(compound_durations_add_up_from_the_largest_unit),
        cmocka_unit_test(compound_durations_in_the_wrong_order_are_refused),
        cmocka_unit_test(zero_alone_needs_no_unit),
        cmocka_unit_test(a_number_without_unit_is_refused),
        cmocka_unit_test(a_space_before_the_unit_is_refused),
        cmocka_unit_test(malformed_durations_are_refused),
        cmocka_unit_test(a_duration_too_large_for_64_bits_is_a_range_error),
        cmocka_unit_test(plain_numbers_are_bytes),
        cmocka_unit_test(binary_units_are_powers_of_1024),
        cmocka_unit_test(decimal_units_are_powers_of_1000),
        cmocka_unit_test(a_decimal_size_keeps_its_fraction),
        cmocka_unit_test(malformed_sizes_are_refused),
        cmocka_unit_test(a_size_too_large_for_64_bits_is_a_range_error),
        cmocka_unit_test(durations_are_formatted_the_way_people_read_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
