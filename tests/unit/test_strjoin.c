/* test_strjoin.c - bounded joining of strings and decimals: exact fits,
 * one byte short, empty parts, and the decimals of the edge values. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strjoin.h"

static void joins_in_order(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(strjoin(buf, sizeof buf, "/sys", "/fs", "/", "cgroup", NULL), 14);
    assert_string_equal(buf, "/sys/fs/cgroup");
    assert_int_equal(strjoin(buf, sizeof buf, NULL), 0);
    assert_string_equal(buf, "");
    assert_int_equal(strjoin(buf, sizeof buf, "", "a", "", NULL), 1);
    assert_string_equal(buf, "a");
}

static void exact_fit_and_one_byte_short(void **state)
{
    (void)state;
    char buf[6];
    assert_int_equal(strjoin(buf, sizeof buf, "ab", "cde", NULL), 5);
    assert_string_equal(buf, "abcde");
    memset(buf, 'x', sizeof buf);
    assert_int_equal(strjoin(buf, sizeof buf, "ab", "cdef", NULL), -ENAMETOOLONG);
    assert_string_equal(buf, ""); /* never a silently cut path */
    assert_int_equal(strjoin(buf, 0, "a", NULL), -ENAMETOOLONG);
    assert_int_equal(strjoin(buf, 1, "", NULL), 0);
    assert_int_equal(strjoin(buf, 1, "a", NULL), -ENAMETOOLONG);
}

static void decimals(void **state)
{
    (void)state;
    char num[STRJOIN_ULONG_MAX], expect[STRJOIN_ULONG_MAX];
    assert_string_equal(strjoin_ulong(num, 0), "0");
    assert_string_equal(strjoin_ulong(num, 7), "7");
    assert_string_equal(strjoin_ulong(num, 1000), "1000");
    snprintf(expect, sizeof expect, "%lu", ULONG_MAX);
    assert_string_equal(strjoin_ulong(num, ULONG_MAX), expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(joins_in_order),
        cmocka_unit_test(exact_fit_and_one_byte_short),
        cmocka_unit_test(decimals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
