/* test_exitstatus.c - wait statuses to exit codes and words. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "exitstatus.h"

/* Linux's wait status encoding (W_EXITCODE / W_STOPCODE in glibc). */
#define EXITED(code) ((code) << 8)
#define KILLED(sig)  (sig)
#define DUMPED(sig)  ((sig) | 0x80)

static void an_exit_code_is_passed_through(void **state)
{
    (void)state;
    assert_int_equal(exitstatus_code(EXITED(0)), 0);
    assert_int_equal(exitstatus_code(EXITED(3)), 3);
    assert_int_equal(exitstatus_code(EXITED(255)), 255);
}

static void death_by_signal_is_128_plus_the_signal(void **state)
{
    (void)state;
    assert_int_equal(exitstatus_code(KILLED(SIGSEGV)), 139);
    assert_int_equal(exitstatus_code(KILLED(SIGKILL)), 137);
    assert_int_equal(exitstatus_code(DUMPED(SIGABRT)), 134);
}

static void statuses_are_described_in_words(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(exitstatus_describe(EXITED(3), buf, sizeof buf), "exited 3");
    assert_string_equal(exitstatus_describe(KILLED(SIGKILL), buf, sizeof buf), "killed by SIGKILL");
    assert_string_equal(exitstatus_describe(DUMPED(SIGSEGV), buf, sizeof buf),
                        "killed by SIGSEGV (core dumped)");
}

static void exec_failures_map_like_a_shell(void **state)
{
    (void)state;
    assert_int_equal(exitstatus_exec_failure(ENOENT), 127);
    assert_int_equal(exitstatus_exec_failure(ENOTDIR), 127);
    assert_int_equal(exitstatus_exec_failure(EACCES), 126);
    assert_int_equal(exitstatus_exec_failure(ENOEXEC), 126);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_exit_code_is_passed_through),
        cmocka_unit_test(death_by_signal_is_128_plus_the_signal),
        cmocka_unit_test(statuses_are_described_in_words),
        cmocka_unit_test(exec_failures_map_like_a_shell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
