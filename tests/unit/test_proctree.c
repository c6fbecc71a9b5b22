/* test_proctree.c - what proctree reads of a real process: its start time,
 * the same while it is a zombie, gone once it is reaped (a pid given again
 * names a process with another start). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proctree.h"

/* Field n (1-based) of /proc/PID/stat, read here on its own. */
static unsigned long long stat_field(pid_t pid, int n, char *state)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    char *p = strrchr(buf, ')') + 2; /* field 3 */
    *state = *p;
    for (int field = 3; field < n; field++)
        p = strchr(p, ' ') + 1;
    return strtoull(p, NULL, 10);
}

static pid_t child;

/* A failed assertion leaves no child behind (it holds the test's stdout). */
static int kill_child(void **state)
{
    (void)state;
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    child = 0;
    return 0;
}

static void a_process_is_told_by_its_start_zombie_or_not(void **state)
{
    (void)state;
    char st;
    pid_t pid = child = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A name with ')' and spaces, as comm may have. */
        prctl(PR_SET_NAME, "a) b) c", 0, 0, 0);
        for (;;)
            pause();
    }
    usleep(100 * 1000);
    unsigned long long started = stat_field(pid, 22, &st);
    assert_true(started > 0);
    assert_true(proctree_started(pid) == started);
    /* Dead, not reaped yet: still there, with the same start. */
    kill(pid, SIGKILL);
    for (int i = 0; i < 200 && (stat_field(pid, 22, &st), st != 'Z'); i++)
        usleep(10 * 1000);
    assert_int_equal(st, 'Z');
    assert_true(proctree_started(pid) == started);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    child = 0;
    assert_true(proctree_started(pid) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(a_process_is_told_by_its_start_zombie_or_not, kill_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
