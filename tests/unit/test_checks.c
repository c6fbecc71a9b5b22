/* test_checks.c - a service's checks with a real exec probe (/bin/true or
 * false, on PATH) and the fork pace they share with the services: a probe
 * whose turn has not come has not begun (no timeout running, no result),
 * runs at its turn, and is let go of when the check no longer wants it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "checks.h"
#include "test_conf_fixture.h"

extern char **environ;

static struct {
    uv_loop_t loop;
    struct pidtab pids;
    struct forkpace pace;
    struct checks_env env;
    struct conf_service *conf;
    struct svcplan plan;
    struct checks ck;
    int ready, unhealthy, closed;
} T;

static void on_ready(void *arg)
{
    (void)arg;
    T.ready++;
}

static void on_healthy(void *arg)
{
    (void)arg;
}

static void on_unhealthy(void *arg, const char *text)
{
    (void)arg;
    (void)text;
    T.unhealthy++;
}

static const struct checks_ops ops = {
    .ready = on_ready, .healthy = on_healthy, .unhealthy = on_unhealthy};

static void on_closed(uv_handle_t *h)
{
    (void)h;
    T.closed++;
}

/* One service with yaml's checks; the pace allows one fork per turn. */
static void setup(const char *yaml)
{
    memset(&T, 0, sizeof T);
    assert_int_equal(uv_loop_init(&T.loop), 0);
    assert_int_equal(pidtab_init(&T.pids, 64), 0);
    forkpace_init(&T.pace, &T.loop, 1);
    T.env = (struct checks_env){
        .loop = &T.loop, .pids = &T.pids, .devnull = -1, .notify_socket = "", .pace = &T.pace};
    T.conf = fix_load(yaml, NULL);
    assert_non_null(T.conf);
    assert_int_equal(svcplan_init(&T.plan, T.conf, environ), 0);
    assert_int_equal(checks_init(&T.ck, &T.env, &ops, NULL), 0);
    checks_set_conf(&T.ck, T.conf, &T.plan);
}

static void teardown(void)
{
    T.closed = 0;
    int n = checks_close(&T.ck, on_closed, NULL);
    forkpace_close(&T.pace);
    uv_run(&T.loop, UV_RUN_NOWAIT);
    assert_int_equal(T.closed, n);
    assert_int_equal(uv_loop_close(&T.loop), 0);
    svcplan_close(&T.plan);
    conf_service_free(T.conf);
    pidtab_close(&T.pids);
}

/* What the reaper does for the probe's exit. */
static void reap_probe(void)
{
    int st;
    pid_t pid = T.ck.probe.pid;
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    struct pidtab_owner *o = pidtab_take(&T.pids, pid);
    assert_non_null(o);
    o->on_exit(o, pid, st);
}

static void a_readiness_probe_waits_its_turn_and_its_timeout_counts_from_its_fork(void **state)
{
    (void)state;
    setup("command: [sleep, '1']\nreadiness: {exec: [true], timeout: 1s}\n");
    forkpace_forked(&T.pace); /* the service's own spawn spent this turn */
    checks_on_state(&T.ck, SVC_STARTING, 4000001);
    assert_true(T.ck.turn.queued);
    assert_false(T.ck.probe.busy);
    assert_int_equal(T.ck.probe.pid, 0);
    assert_false(uv_is_active((uv_handle_t *)&T.ck.probe.timeout));
    uv_run(&T.loop, UV_RUN_NOWAIT); /* that turn ends */
    uv_run(&T.loop, UV_RUN_NOWAIT); /* the next one is its turn */
    assert_false(T.ck.turn.queued);
    assert_true(T.ck.probe.busy);
    assert_true(uv_is_active((uv_handle_t *)&T.ck.probe.timeout));
    reap_probe();
    assert_string_equal(T.ck.last, "exec exited 0");
    assert_int_equal(T.ready, 1);
    teardown();
}

static void a_failed_readiness_attempt_is_tried_again_one_interval_after_it_ended(void **state)
{
    (void)state;
    setup("command: [sleep, '1']\nreadiness: {exec: [false], interval: 200ms, timeout: 1s}\n");
    checks_on_state(&T.ck, SVC_STARTING, 4000001);
    uv_run(&T.loop, UV_RUN_NOWAIT); /* the first attempt, at the spawn */
    assert_true(T.ck.probe.busy);
    assert_false(uv_is_active((uv_handle_t *)&T.ck.tick));
    reap_probe();
    assert_string_equal(T.ck.last, "exec exited 1");
    assert_int_equal(T.ready, 0);
    assert_false(T.ck.probe.busy);
    assert_true(uv_is_active((uv_handle_t *)&T.ck.tick));
    assert_int_equal(uv_timer_get_due_in(&T.ck.tick), 200);
    teardown();
}

static void a_health_probe_no_longer_wanted_leaves_its_place(void **state)
{
    (void)state;
    setup("command: [sleep, '1']\nhealth: {exec: [false], interval: 1s, retries: 1}\n");
    checks_on_state(&T.ck, SVC_UP, 4000001);
    forkpace_forked(&T.pace);
    uv_timer_stop(&T.ck.tick); /* its interval, run now: */
    T.ck.tick.timer_cb(&T.ck.tick);
    assert_true(T.ck.turn.queued);
    checks_on_state(&T.ck, SVC_STOPPING, 4000001); /* stopped before its turn */
    assert_false(T.ck.turn.queued);
    assert_false(uv_is_active((uv_handle_t *)&T.pace.turn));
    uv_run(&T.loop, UV_RUN_NOWAIT);
    uv_run(&T.loop, UV_RUN_NOWAIT);
    assert_int_equal(T.ck.probe.pid, 0);
    assert_int_equal(T.unhealthy, 0);
    teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_readiness_probe_waits_its_turn_and_its_timeout_counts_from_its_fork),
        cmocka_unit_test(a_failed_readiness_attempt_is_tried_again_one_interval_after_it_ended),
        cmocka_unit_test(a_health_probe_no_longer_wanted_leaves_its_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
