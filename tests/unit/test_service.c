/* test_service.c - the supervision state machine, walked through every
 * transition (table-driven) and through the restart arithmetic over time. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "service.h"

#define EXITED(code) ((code) << 8)
#define KILLED(sig)  (sig)

static struct conf_service longrun, oneshot, on_failure, never, ready_fd;

static void conf_defaults(struct conf_service *c, enum conf_type type, enum conf_restart r)
{
    memset(c, 0, sizeof *c);
    c->name = "svc";
    c->type = type;
    c->restart = r;
    c->success_codes[0] = 1; /* exit code 0 */
    c->backoff = (struct conf_backoff){
        .initial_ms = 100, .max_ms = 1000, .factor = 2, .reset_after_ms = 10000};
    c->start_limit = (struct conf_start_limit){.burst = 5, .interval_ms = 10000};
    c->stop_signal = SIGTERM;
    c->stop_timeout_ms = 2000;
}

static int setup(void **state)
{
    (void)state;
    conf_defaults(&longrun, CONF_TYPE_LONGRUN, CONF_RESTART_ALWAYS);
    conf_defaults(&oneshot, CONF_TYPE_ONESHOT, CONF_RESTART_NEVER);
    conf_defaults(&on_failure, CONF_TYPE_LONGRUN, CONF_RESTART_ON_FAILURE);
    conf_defaults(&never, CONF_TYPE_LONGRUN, CONF_RESTART_NEVER);
    conf_defaults(&ready_fd, CONF_TYPE_LONGRUN, CONF_RESTART_ALWAYS);
    ready_fd.readiness.kind = CONF_PROBE_NOTIFY_FD;
    ready_fd.readiness.timeout_ms = 30000;
    return 0;
}

struct row {
    const char *what;
    const struct conf_service *conf;
    enum svc_state from;
    struct svc_event ev;
    enum svc_state to;
    int nactions;
    enum svc_action_kind first;
    int sig;           /* for a first SIGNAL action */
    uint64_t delay_ms; /* for a first ARM_TIMER action */
};

#define EV(k, ...) ((struct svc_event){.kind = (k), __VA_ARGS__})

/* Rows leave trailing fields at zero on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static void every_transition_of_the_table_holds(void **state)
{
    (void)state;
    const struct row rows[] = {
        {"down + start waits", &longrun, SVC_DOWN, EV(SVC_EV_START), SVC_WAITING, 0},
        {"done + start waits", &longrun, SVC_DONE, EV(SVC_EV_START), SVC_WAITING, 0},
        {"failed + start waits", &longrun, SVC_FAILED, EV(SVC_EV_START), SVC_WAITING, 0},
        {"fatal + start waits", &longrun, SVC_FATAL, EV(SVC_EV_START), SVC_WAITING, 0},
        {"down ignores exits", &longrun, SVC_DOWN, EV(SVC_EV_EXITED), SVC_DOWN, 0},
        {"waiting + deps spawns", &longrun, SVC_WAITING, EV(SVC_EV_DEPS_MET), SVC_STARTING, 1,
         SVC_ACT_SPAWN},
        {"waiting + stop is stopped", &longrun, SVC_WAITING, EV(SVC_EV_STOP), SVC_STOPPED, 0},
        {"spawned longrun is up", &longrun, SVC_STARTING, EV(SVC_EV_SPAWNED), SVC_UP, 0},
        {"spawned oneshot keeps starting", &oneshot, SVC_STARTING, EV(SVC_EV_SPAWNED), SVC_STARTING,
         0},
        {"fork failure backs off", &longrun, SVC_STARTING, EV(SVC_EV_SPAWN_FAILED, .err = EAGAIN),
         SVC_BACKOFF, 1, SVC_ACT_ARM_TIMER, 0, 100},
        {"ready makes up", &ready_fd, SVC_STARTING, EV(SVC_EV_READY), SVC_UP, 1,
         SVC_ACT_CANCEL_TIMER},
        {"spawned with readiness waits", &ready_fd, SVC_STARTING, EV(SVC_EV_SPAWNED), SVC_STARTING,
         1, SVC_ACT_ARM_TIMER, 0, 30000},
        {"not ready in time stops", &ready_fd, SVC_STARTING, EV(SVC_EV_TIMER), SVC_STOPPING, 2,
         SVC_ACT_SIGNAL, SIGTERM},
        {"unhealthy stops", &longrun, SVC_UP, EV(SVC_EV_UNHEALTHY, .text = "exec exited 1"),
         SVC_STOPPING, 2, SVC_ACT_SIGNAL, SIGTERM},
        {"unhealthy while starting is ignored", &longrun, SVC_STARTING, EV(SVC_EV_UNHEALTHY),
         SVC_STARTING, 0},
        {"first crash restarts at once", &longrun, SVC_UP, EV(SVC_EV_EXITED, .wstatus = EXITED(1)),
         SVC_STARTING, 1, SVC_ACT_SPAWN},
        {"clean exit of always restarts", &longrun, SVC_UP, EV(SVC_EV_EXITED), SVC_STARTING, 1,
         SVC_ACT_SPAWN},
        {"on-failure clean exit is done", &on_failure, SVC_UP, EV(SVC_EV_EXITED), SVC_DONE, 0},
        {"on-failure crash restarts", &on_failure, SVC_UP,
         EV(SVC_EV_EXITED, .wstatus = KILLED(SIGSEGV)), SVC_STARTING, 1, SVC_ACT_SPAWN},
        {"never + crash fails", &never, SVC_UP, EV(SVC_EV_EXITED, .wstatus = EXITED(2)), SVC_FAILED,
         0},
        {"never + clean exit is done", &never, SVC_UP, EV(SVC_EV_EXITED), SVC_DONE, 0},
        {"oneshot success is done", &oneshot, SVC_STARTING, EV(SVC_EV_EXITED), SVC_DONE, 0},
        {"oneshot failure fails", &oneshot, SVC_STARTING, EV(SVC_EV_EXITED, .wstatus = EXITED(1)),
         SVC_FAILED, 0},
        {"stop sends stop signal", &longrun, SVC_UP, EV(SVC_EV_STOP), SVC_STOPPING, 2,
         SVC_ACT_SIGNAL, SIGTERM},
        {"stop while starting too", &oneshot, SVC_STARTING, EV(SVC_EV_STOP), SVC_STOPPING, 2,
         SVC_ACT_SIGNAL, SIGTERM},
        {"exit while stopping is stopped", &longrun, SVC_STOPPING,
         EV(SVC_EV_EXITED, .wstatus = KILLED(SIGTERM)), SVC_STOPPED, 1, SVC_ACT_CANCEL_TIMER},
        {"a oneshot stopped half-way is stopped, even after exit 0", &oneshot, SVC_STOPPING,
         EV(SVC_EV_EXITED), SVC_STOPPED, 1, SVC_ACT_CANCEL_TIMER},
        {"stopped + start waits", &longrun, SVC_STOPPED, EV(SVC_EV_START), SVC_WAITING, 0},
        {"stop timeout kills", &longrun, SVC_STOPPING, EV(SVC_EV_TIMER), SVC_STOPPING, 1,
         SVC_ACT_SIGNAL, SIGKILL},
        {"stopping ignores a second stop", &longrun, SVC_STOPPING, EV(SVC_EV_STOP), SVC_STOPPING,
         0},
        {"backoff timer spawns", &longrun, SVC_BACKOFF, EV(SVC_EV_TIMER), SVC_STARTING, 1,
         SVC_ACT_SPAWN},
        {"backoff + stop is stopped", &longrun, SVC_BACKOFF, EV(SVC_EV_STOP), SVC_STOPPED, 1,
         SVC_ACT_CANCEL_TIMER},
        {"backoff + start spawns now", &longrun, SVC_BACKOFF, EV(SVC_EV_START), SVC_STARTING, 2,
         SVC_ACT_CANCEL_TIMER},
        {"a crash whose spawn must wait awaits its turn", &longrun, SVC_UP,
         EV(SVC_EV_EXITED, .wstatus = EXITED(1), .spawn_waits = true), SVC_BACKOFF, 1,
         SVC_ACT_AWAIT_TURN},
        {"a backoff timer whose spawn must wait awaits its turn", &longrun, SVC_BACKOFF,
         EV(SVC_EV_TIMER, .spawn_waits = true), SVC_BACKOFF, 1, SVC_ACT_AWAIT_TURN},
        {"a start asked for whose spawn must wait awaits its turn", &longrun, SVC_BACKOFF,
         EV(SVC_EV_START, .spawn_waits = true), SVC_BACKOFF, 2, SVC_ACT_CANCEL_TIMER},
        {"up ignores a timer", &longrun, SVC_UP, EV(SVC_EV_TIMER), SVC_UP, 0},
        {"fatal ignores timers", &longrun, SVC_FATAL, EV(SVC_EV_TIMER), SVC_FATAL, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct svc s;
        svc_init(&s, r->conf);
        s.state = r->from;
        struct svc_step st = svc_step(&s, &r->ev, 1000);
        print_message("%s\n", r->what);
        assert_int_equal(st.state, r->to);
        assert_int_equal(s.state, r->to);
        assert_int_equal(st.nactions, r->nactions);
        if (r->nactions > 0) {
            assert_int_equal(st.actions[0].kind, r->first);
            if (r->first == SVC_ACT_SIGNAL)
                assert_int_equal(st.actions[0].sig, r->sig);
            if (r->first == SVC_ACT_ARM_TIMER)
                assert_int_equal(st.actions[0].delay_ms, r->delay_ms);
        }
        svc_free(&s);
    }
}

/* The stop signal, then the SIGKILL timer, armed for the stop_timeout. */
static void a_stop_arms_its_stop_timeout(void **state)
{
    (void)state;
    struct svc s;
    svc_init(&s, &longrun);
    s.state = SVC_UP;
    struct svc_event stop = {.kind = SVC_EV_STOP};
    struct svc_step st = svc_step(&s, &stop, 1000);
    assert_int_equal(st.nactions, 2);
    assert_int_equal(st.actions[0].kind, SVC_ACT_SIGNAL);
    assert_int_equal(st.actions[1].kind, SVC_ACT_ARM_TIMER);
    assert_int_equal(st.actions[1].delay_ms, 2000);
    svc_free(&s);
}

/* Runs the service from WAITING and makes it crash after ran_ms, n times,
 * returning the restart delays it chose (0 for an immediate restart). */
static void crash_loop(struct svc *s, int n, uint64_t ran_ms, uint64_t *delays, uint64_t *now)
{
    struct svc_event deps = {.kind = SVC_EV_DEPS_MET}, spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event exited = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    if (s->state == SVC_WAITING)
        svc_step(s, &deps, *now);
    for (int i = 0; i < n; i++) {
        svc_step(s, &spawned, *now);
        *now += ran_ms;
        struct svc_step st = svc_step(s, &exited, *now);
        delays[i] = st.state == SVC_BACKOFF ? st.actions[0].delay_ms : 0;
        if (st.state == SVC_BACKOFF) {
            *now += delays[i];
            svc_step(s, &timer, *now);
        }
        if (s->state == SVC_FATAL)
            return;
    }
}

static void restart_delays_grow_over_a_crash_streak(void **state)
{
    (void)state;
    struct svc s;
    uint64_t delays[4], now = 0;
    longrun.start_limit.burst = 0; /* no limit for this test */
    svc_init(&s, &longrun);
    s.state = SVC_WAITING;
    crash_loop(&s, 4, 5, delays, &now);
    assert_int_equal(delays[0], 0);
    assert_int_equal(delays[1], 100);
    assert_int_equal(delays[2], 200);
    assert_int_equal(delays[3], 400);
    assert_int_equal(s.restarts, 4);
    longrun.start_limit.burst = 5;
    svc_free(&s);
}

static void a_long_run_restarts_at_once_again(void **state)
{
    (void)state;
    struct svc s;
    uint64_t delays[3], now = 0;
    longrun.start_limit.burst = 0;
    svc_init(&s, &longrun);
    s.state = SVC_WAITING;
    crash_loop(&s, 3, 5, delays, &now);
    crash_loop(&s, 1, 20000, delays, &now);
    assert_int_equal(delays[0], 0);
    longrun.start_limit.burst = 5;
    svc_free(&s);
}

static void the_start_limit_makes_a_crash_loop_fatal(void **state)
{
    (void)state;
    struct svc s;
    uint64_t delays[20], now = 0;
    svc_init(&s, &longrun);
    s.state = SVC_WAITING;
    crash_loop(&s, 20, 1, delays, &now);
    assert_int_equal(s.state, SVC_FATAL);
    assert_int_equal(s.starts_kept, 5);
    assert_int_equal(s.restarts, 4); /* five runs; the sixth start was refused */
    assert_string_equal(s.reason, "start limit: 5 starts within 10s, last exited 1");
    svc_free(&s);
}

static void a_backoff_reason_says_when_it_restarts(void **state)
{
    (void)state;
    struct svc s;
    uint64_t delays[2], now = 0;
    svc_init(&s, &longrun);
    s.state = SVC_WAITING;
    crash_loop(&s, 1, 5, delays, &now);
    struct svc_event spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event exited = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    svc_step(&s, &spawned, now);
    struct svc_step st = svc_step(&s, &exited, now + 5);
    assert_int_equal(st.state, SVC_BACKOFF);
    assert_true(st.changed);
    assert_string_equal(s.reason, "exited 1, restart in 100ms");
    assert_int_equal(s.next_start_ms, now + 5 + 100);
    svc_free(&s);
}

static void fork_failures_retry_with_growing_delays(void **state)
{
    (void)state;
    struct svc s;
    svc_init(&s, &longrun);
    s.state = SVC_STARTING;
    struct svc_event failed = {.kind = SVC_EV_SPAWN_FAILED, .err = EAGAIN};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    struct svc_step a = svc_step(&s, &failed, 0);
    svc_step(&s, &timer, 100);
    struct svc_step b = svc_step(&s, &failed, 100);
    assert_int_equal(a.actions[0].delay_ms, 100);
    assert_int_equal(b.actions[0].delay_ms, 200);
    assert_string_equal(s.reason, "fork: Resource temporarily unavailable, retry in 200ms");
    /* The pipes of its output, made before the fork, are named as such. */
    struct svc_event no_pipe = {.kind = SVC_EV_SPAWN_FAILED, .err = EMFILE, .what = "pipe"};
    svc_step(&s, &timer, 300);
    svc_step(&s, &no_pipe, 300);
    assert_string_equal(s.reason, "pipe: Too many open files, retry in 400ms");
    svc_free(&s);
}

static void a_start_put_off_says_why_and_backs_off_like_a_fork_failure(void **state)
{
    (void)state;
    struct svc s;
    svc_init(&s, &longrun);
    s.state = SVC_STARTING;
    struct svc_event waits = {.kind = SVC_EV_SPAWN_FAILED, .text = "its lines wait"};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    struct svc_step a = svc_step(&s, &waits, 0);
    assert_int_equal(a.state, SVC_BACKOFF);
    assert_int_equal(a.actions[0].kind, SVC_ACT_ARM_TIMER);
    assert_string_equal(s.reason, "its lines wait, retry in 100ms");
    struct svc_step t = svc_step(&s, &timer, 100);
    assert_int_equal(t.state, SVC_STARTING);
    assert_int_equal(t.actions[0].kind, SVC_ACT_SPAWN);
    struct svc_step b = svc_step(&s, &waits, 100);
    assert_int_equal(b.actions[0].delay_ms, 200);
    assert_string_equal(s.reason, "its lines wait, retry in 200ms");
    svc_free(&s);
}

static void starts_that_never_ran_do_not_count_toward_the_start_limit(void **state)
{
    (void)state;
    struct conf_service c = longrun;
    c.start_limit.burst = 3;
    c.start_limit.interval_ms = 60000;
    struct svc s;
    svc_init(&s, &c);
    s.state = SVC_STARTING;
    struct svc_event waits = {.kind = SVC_EV_SPAWN_FAILED, .text = "its lines wait"};
    struct svc_event fork = {.kind = SVC_EV_SPAWN_FAILED, .err = EAGAIN};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    uint64_t now = 0;
    for (int i = 0; i < 20; i++) {
        svc_step(&s, i % 2 ? &waits : &fork, now);
        now += 100;
        struct svc_step t = svc_step(&s, &timer, now);
        assert_int_equal(t.state, SVC_STARTING); /* never FATAL */
        assert_int_equal(t.actions[0].kind, SVC_ACT_SPAWN);
    }
    /* What did run still counts: three crashes within the minute. */
    struct svc_event spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event crashed = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    for (int i = 0; i < 3; i++) {
        svc_step(&s, &spawned, now);
        struct svc_step e = svc_step(&s, &crashed, now + 10);
        if (e.state == SVC_BACKOFF)
            svc_step(&s, &timer, now + 5000);
        now += 5000;
    }
    assert_int_equal(s.state, SVC_FATAL);
    svc_free(&s);
}

/* One run, started at now (from WAITING, BACKOFF, or a restart at once),
 * crashed ran_ms later. */
static void run_and_crash(struct svc *s, uint64_t now, uint64_t ran_ms)
{
    struct svc_event go = {.kind = s->state == SVC_WAITING ? SVC_EV_DEPS_MET : SVC_EV_TIMER};
    struct svc_event spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event crashed = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    if (s->state == SVC_WAITING || s->state == SVC_BACKOFF)
        svc_step(s, &go, now);
    if (s->state != SVC_STARTING)
        return;
    svc_step(s, &spawned, now);
    svc_step(s, &crashed, now + ran_ms);
}

static void a_start_taken_back_in_a_full_history_leaves_no_trace(void **state)
{
    (void)state;
    struct conf_service c = longrun;
    c.start_limit.burst = SVC_STARTS_KEPT;
    c.start_limit.interval_ms = 60000;
    struct svc s;
    svc_init(&s, &c);
    s.state = SVC_WAITING;
    for (uint64_t t = 0; t < SVC_STARTS_KEPT; t++)
        run_and_crash(&s, t * 10, 1);
    assert_int_equal(s.starts_cap, SVC_STARTS_KEPT);
    /* A full history: one start long ago, the newest 63 within the minute;
     * the next start writes over the oldest. */
    for (uint32_t i = 0; i < SVC_STARTS_KEPT; i++)
        s.starts[i] = i == s.starts_head ? 0 : 100000;
    s.state = SVC_BACKOFF;
    struct svc_event waits = {.kind = SVC_EV_SPAWN_FAILED, .text = "its lines wait"};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    for (uint64_t now = 100100; now < 100150; now += 10) {
        /* 63 starts within the minute and this one: allowed; the start
         * taken back must not stay behind as a 64th. */
        assert_int_equal(svc_step(&s, &timer, now).state, SVC_STARTING);
        svc_step(&s, &waits, now);
    }
    svc_free(&s);
}

static void a_burst_of_hundreds_makes_a_crash_loop_fatal(void **state)
{
    (void)state;
    struct conf_service c = longrun;
    c.start_limit.burst = 200;
    c.start_limit.interval_ms = 3600000;
    struct svc s;
    uint64_t delays[300], now = 0;
    svc_init(&s, &c);
    s.state = SVC_WAITING;
    crash_loop(&s, 300, 1, delays, &now);
    assert_int_equal(s.state, SVC_FATAL);
    assert_int_equal(s.starts_kept, 200);
    assert_string_equal(s.reason, "start limit: 200 starts within 60m, last exited 1");
    svc_free(&s);
}

static void the_start_history_grows_only_as_starts_crowd_the_interval(void **state)
{
    (void)state;
    struct conf_service c = longrun;
    c.start_limit.burst = 1000000;
    c.start_limit.interval_ms = 10000;
    struct svc s;
    uint64_t delays[500], now = 0;
    svc_init(&s, &c);
    assert_null(s.starts); /* a service that never ran keeps none */
    s.state = SVC_WAITING;
    /* A run of 3s and a restart delay of at most 1s: three starts within
     * any 10s, so the ring kept for any burst serves a burst of a million. */
    crash_loop(&s, 500, 3000, delays, &now);
    assert_int_equal(s.state, SVC_STARTING);
    assert_int_equal(s.starts_cap, SVC_STARTS_KEPT);
    svc_free(&s);
}

static void a_reload_that_changes_burst_counts_the_starts_made(void **state)
{
    (void)state;
    struct conf_service c = longrun, lower, higher;
    c.start_limit.burst = 100;
    c.start_limit.interval_ms = 3600000;
    lower = higher = c;
    lower.start_limit.burst = 20;
    higher.start_limit.burst = 40;
    struct svc s;
    uint64_t now = 0;
    svc_init(&s, &c);
    s.state = SVC_WAITING;
    for (int i = 0; i < 30; i++, now += 100)
        run_and_crash(&s, now, 1);
    assert_int_equal(s.state, SVC_BACKOFF);
    /* 30 starts within the hour: a burst of 40 allows ten more. */
    s.conf = &higher;
    for (int i = 0; i < 10; i++, now += 100)
        run_and_crash(&s, now, 1);
    assert_int_equal(s.state, SVC_BACKOFF);
    run_and_crash(&s, now, 1);
    assert_int_equal(s.state, SVC_FATAL);
    assert_string_equal(s.reason, "start limit: 40 starts within 60m, last exited 1");
    /* Started again: 30 starts, then lowered to 20, below them. */
    struct svc_event start = {.kind = SVC_EV_START};
    svc_step(&s, &start, now);
    s.conf = &c;
    for (int i = 0; i < 30; i++, now += 100)
        run_and_crash(&s, now, 1);
    assert_int_equal(s.state, SVC_BACKOFF);
    s.conf = &lower;
    run_and_crash(&s, now, 1);
    assert_int_equal(s.state, SVC_FATAL);
    assert_string_equal(s.reason, "start limit: 20 starts within 60m, last exited 1");
    svc_free(&s);
}

static void a_reload_that_lengthens_the_interval_counts_the_starts_made(void **state)
{
    (void)state;
    struct conf_service c = longrun, longer;
    c.start_limit.burst = 10;
    c.start_limit.interval_ms = 10000;
    longer = c;
    longer.start_limit.interval_ms = 60000;
    struct svc s;
    uint64_t delays[21], now = 0;
    svc_init(&s, &c);
    s.state = SVC_WAITING;
    /* Runs of 3s: three starts within any 10s, never fatal. */
    crash_loop(&s, 21, 3000, delays, &now);
    assert_int_equal(s.state, SVC_STARTING);
    /* Within the last minute, far more than ten: the next start is fatal. */
    s.conf = &longer;
    struct svc_event spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event crashed = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    svc_step(&s, &spawned, now);
    struct svc_step st = svc_step(&s, &crashed, now += 3000);
    if (st.state == SVC_BACKOFF)
        svc_step(&s, &timer, now + st.actions[0].delay_ms);
    assert_int_equal(s.state, SVC_FATAL);
    assert_string_equal(s.reason, "start limit: 10 starts within 1m, last exited 1");
    svc_free(&s);
}

static void success_codes_decide_what_a_failure_is(void **state)
{
    (void)state;
    struct conf_service c = on_failure;
    c.success_codes[0] |= 1u << 3; /* 0 and 3 */
    struct svc s;
    svc_init(&s, &c);
    s.state = SVC_UP;
    struct svc_event exited = {.kind = SVC_EV_EXITED, .wstatus = EXITED(3)};
    assert_int_equal(svc_step(&s, &exited, 10).state, SVC_DONE);
    assert_true(svc_exit_is_success(&s, EXITED(0)));
    assert_false(svc_exit_is_success(&s, EXITED(4)));
    assert_false(svc_exit_is_success(&s, KILLED(SIGTERM)));
    svc_free(&s);
}

static void a_new_start_forgets_the_start_limit(void **state)
{
    (void)state;
    struct svc s;
    uint64_t delays[20], now = 0;
    svc_init(&s, &longrun);
    s.state = SVC_WAITING;
    crash_loop(&s, 20, 1, delays, &now);
    assert_int_equal(s.state, SVC_FATAL);
    struct svc_event start = {.kind = SVC_EV_START}, deps = {.kind = SVC_EV_DEPS_MET};
    svc_step(&s, &start, now);
    assert_int_equal(svc_step(&s, &deps, now).state, SVC_STARTING);
    assert_int_equal(s.restarts, 4); /* a start asked for is no restart */
    /* Stopped while a restart was due: the next start is no restart either. */
    struct svc_event spawned = {.kind = SVC_EV_SPAWNED}, stop = {.kind = SVC_EV_STOP};
    struct svc_event exited = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    svc_step(&s, &spawned, now);
    now += 60000;
    svc_step(&s, &exited, now); /* the first failure of a new streak: at once */
    assert_int_equal(s.restarts, 5);
    svc_step(&s, &spawned, now);
    assert_int_equal(svc_step(&s, &exited, now + 1).state, SVC_BACKOFF);
    svc_step(&s, &stop, now + 1);
    svc_step(&s, &start, now + 2);
    svc_step(&s, &deps, now + 2);
    assert_int_equal(s.restarts, 5);
    svc_free(&s);
}

/* Runs a fresh service and crashes it twice quickly: the first crash
 * restarts at once (one restart), the second backs off. */
static void crash_into_backoff(struct svc *s, uint64_t *now)
{
    struct svc_event deps = {.kind = SVC_EV_DEPS_MET}, spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event exited = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    s->state = SVC_WAITING;
    svc_step(s, &deps, *now);
    svc_step(s, &spawned, *now);
    *now += 5;
    assert_int_equal(svc_step(s, &exited, *now).state, SVC_STARTING);
    svc_step(s, &spawned, *now);
    *now += 5;
    assert_int_equal(svc_step(s, &exited, *now).state, SVC_BACKOFF);
    assert_int_equal(s->restarts, 1);
}

static void a_start_asked_for_while_backing_off_is_no_restart(void **state)
{
    (void)state;
    struct svc s;
    uint64_t now = 0;
    svc_init(&s, &longrun);
    crash_into_backoff(&s, &now);
    struct svc_event start = {.kind = SVC_EV_START}, spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event exited = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1)};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    struct svc_step st = svc_step(&s, &start, now + 10);
    assert_int_equal(st.state, SVC_STARTING);
    assert_int_equal(st.actions[0].kind, SVC_ACT_CANCEL_TIMER);
    assert_int_equal(st.actions[1].kind, SVC_ACT_SPAWN);
    assert_string_equal(s.reason, "starting");
    assert_int_equal(s.restarts, 1);
    /* Its next crash is restarted by corral again: that one counts. */
    svc_step(&s, &spawned, now + 10);
    st = svc_step(&s, &exited, now + 20);
    assert_int_equal(st.state, SVC_BACKOFF);
    svc_step(&s, &timer, now + 20 + st.actions[0].delay_ms);
    assert_int_equal(s.restarts, 2);
    svc_free(&s);
}

static void a_restart_whose_fork_fails_counts_only_once_a_retry_spawns(void **state)
{
    (void)state;
    struct svc s;
    uint64_t now = 0;
    svc_init(&s, &longrun);
    crash_into_backoff(&s, &now);
    struct svc_event timer = {.kind = SVC_EV_TIMER}, stop = {.kind = SVC_EV_STOP};
    struct svc_event fork = {.kind = SVC_EV_SPAWN_FAILED, .err = EAGAIN};
    struct svc_event waits = {.kind = SVC_EV_SPAWN_FAILED, .text = "its lines wait"};
    struct svc_event start = {.kind = SVC_EV_START}, spawned = {.kind = SVC_EV_SPAWNED};
    now += 1000;
    svc_step(&s, &timer, now);
    svc_step(&s, &fork, now);
    assert_int_equal(s.state, SVC_BACKOFF);
    assert_int_equal(s.restarts, 1); /* nothing ran */
    now += 1000;
    svc_step(&s, &timer, now);
    svc_step(&s, &waits, now); /* put off: nothing ran either */
    assert_int_equal(s.restarts, 1);
    now += 1000;
    svc_step(&s, &timer, now); /* the retry forks */
    svc_step(&s, &spawned, now);
    assert_int_equal(s.restarts, 2);
    svc_free(&s);

    /* Stopped after its restart's fork failed: no restart ran. */
    svc_init(&s, &longrun);
    now = 0;
    crash_into_backoff(&s, &now);
    svc_step(&s, &timer, now + 1000);
    svc_step(&s, &fork, now + 1000);
    svc_step(&s, &stop, now + 1000);
    assert_int_equal(s.state, SVC_STOPPED);
    assert_int_equal(s.restarts, 1);
    svc_free(&s);

    /* Started on request after its restart's fork failed: a start asked for. */
    svc_init(&s, &longrun);
    now = 0;
    crash_into_backoff(&s, &now);
    svc_step(&s, &timer, now + 1000);
    svc_step(&s, &fork, now + 1000);
    svc_step(&s, &start, now + 1001);
    svc_step(&s, &spawned, now + 1001);
    assert_int_equal(s.restarts, 1);
    svc_free(&s);
}

static void a_restart_that_waits_its_turn_counts_once_its_turn_spawns_it(void **state)
{
    (void)state;
    struct svc s;
    uint64_t now = 0;
    svc_init(&s, &longrun);
    struct svc_event deps = {.kind = SVC_EV_DEPS_MET}, spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event crash = {.kind = SVC_EV_EXITED, .wstatus = EXITED(1), .spawn_waits = true};
    struct svc_event turn = {.kind = SVC_EV_TIMER}, start = {.kind = SVC_EV_START};
    s.state = SVC_WAITING;
    svc_step(&s, &deps, now);
    svc_step(&s, &spawned, now);
    struct svc_step st = svc_step(&s, &crash, now + 5);
    assert_int_equal(st.state, SVC_BACKOFF);
    assert_string_equal(s.reason, "exited 1, restart waiting for its turn");
    assert_int_equal(s.next_start_ms, now + 5); /* due now */
    assert_int_equal(s.restarts, 0);
    assert_int_equal(s.starts_kept, 1); /* only the first start so far */
    st = svc_step(&s, &turn, now + 6);
    assert_int_equal(st.state, SVC_STARTING);
    assert_int_equal(st.actions[0].kind, SVC_ACT_SPAWN);
    assert_int_equal(s.restarts, 1);
    /* A restart due at its timer waits too; asked for meanwhile, it is a
     * start, no restart, and still waits its turn. */
    svc_step(&s, &spawned, now + 6);
    crash.spawn_waits = false;
    st = svc_step(&s, &crash, now + 10);
    assert_int_equal(st.state, SVC_BACKOFF);
    assert_int_equal(st.actions[0].kind, SVC_ACT_ARM_TIMER);
    turn.spawn_waits = true;
    st = svc_step(&s, &turn, now + 110);
    assert_string_equal(s.reason, "restart due, waiting for its turn");
    start.spawn_waits = true;
    st = svc_step(&s, &start, now + 111);
    assert_int_equal(st.actions[1].kind, SVC_ACT_AWAIT_TURN);
    assert_string_equal(s.reason, "start asked for, waiting for its turn");
    turn.spawn_waits = false;
    svc_step(&s, &turn, now + 112);
    assert_int_equal(s.state, SVC_STARTING);
    assert_int_equal(s.restarts, 1);
    svc_free(&s);
}

static void a_service_not_ready_in_time_counts_as_a_failed_start(void **state)
{
    (void)state;
    struct svc s;
    svc_init(&s, &ready_fd);
    s.state = SVC_WAITING;
    struct svc_event deps = {.kind = SVC_EV_DEPS_MET}, spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    struct svc_event killed = {.kind = SVC_EV_EXITED, .wstatus = KILLED(SIGTERM)};
    svc_step(&s, &deps, 0);
    svc_step(&s, &spawned, 0);
    assert_int_equal(s.state, SVC_STARTING);
    svc_step(&s, &timer, 30000);
    assert_int_equal(s.state, SVC_STOPPING);
    assert_string_equal(s.reason, "not ready in time: stopping");
    struct svc_step st = svc_step(&s, &killed, 30100);
    /* A failed start: restarted at once (first failure), as a crash is. */
    assert_int_equal(st.state, SVC_STARTING);
    assert_int_equal(st.actions[0].kind, SVC_ACT_CANCEL_TIMER);
    assert_int_equal(st.actions[1].kind, SVC_ACT_SPAWN);
    assert_string_equal(s.reason, "not ready in time, restarted at once");
    assert_true(s.failed_once);
    svc_free(&s);
}

static void an_unhealthy_service_restarts_and_backs_off_like_a_crash(void **state)
{
    (void)state;
    struct svc s;
    svc_init(&s, &longrun);
    s.state = SVC_UP;
    s.backoff.failures = 1; /* it failed just before */
    struct svc_event bad = {.kind = SVC_EV_UNHEALTHY, .text = "exec exited 1 (3 in a row)"};
    struct svc_event killed = {.kind = SVC_EV_EXITED, .wstatus = KILLED(SIGTERM)};
    svc_step(&s, &bad, 100);
    assert_string_equal(s.reason, "unhealthy: exec exited 1 (3 in a row)");
    struct svc_step st = svc_step(&s, &killed, 200);
    assert_int_equal(st.state, SVC_BACKOFF);
    assert_int_equal(st.actions[1].delay_ms, 100);
    assert_string_equal(s.reason, "unhealthy, restart in 100ms");
    svc_free(&s);
}

static void a_scheduled_run_past_its_timeout_is_stopped_and_fails(void **state)
{
    (void)state;
    struct svc s;
    svc_init(&s, &oneshot);
    s.state = SVC_STARTING;
    struct svc_event late = {.kind = SVC_EV_RUN_TIMEOUT, .text = "ran longer than run_timeout 1s"};
    struct svc_event killed = {.kind = SVC_EV_EXITED, .wstatus = KILLED(SIGTERM)};
    struct svc_step st = svc_step(&s, &late, 100);
    assert_int_equal(st.state, SVC_STOPPING);
    assert_int_equal(st.actions[0].kind, SVC_ACT_SIGNAL);
    assert_int_equal(st.actions[0].sig, SIGTERM);
    assert_string_equal(s.reason, "ran longer than run_timeout 1s: stopping");
    st = svc_step(&s, &killed, 200);
    assert_int_equal(st.state, SVC_FAILED);
    assert_string_equal(s.reason, "ran longer than run_timeout 1s");
    assert_string_equal(s.last_failure, "ran longer than run_timeout 1s");
    svc_free(&s);
}

static void a_stop_request_during_a_failure_stop_is_final(void **state)
{
    (void)state;
    struct svc s;
    svc_init(&s, &longrun);
    s.state = SVC_UP;
    struct svc_event bad = {.kind = SVC_EV_UNHEALTHY, .text = "x"};
    struct svc_event stop = {.kind = SVC_EV_STOP};
    struct svc_event killed = {.kind = SVC_EV_EXITED, .wstatus = KILLED(SIGTERM)};
    svc_step(&s, &bad, 0);
    svc_step(&s, &stop, 1);
    assert_int_equal(svc_step(&s, &killed, 2).state, SVC_STOPPED);
    svc_free(&s);
}

/* A stop asked for while it stops for a failure ends it in the state asked
 * for, but the run failed all the same: its reason and last failure name
 * the failure, as `failed` would with no restart to come, not the exit the
 * stop signal brought. The next run's stop is a plain one again. */
static void a_stop_asked_for_during_a_failure_stop_still_names_the_failure(void **state)
{
    (void)state;
    const struct {
        const struct conf_service *conf;
        enum svc_state from;
        struct svc_event ev;
        const char *cause;
    } cases[] = {
        {&ready_fd,
         SVC_STARTING,
         {.kind = SVC_EV_TIMER, .text = "exec exited 1"},
         "not ready in time"},
        {&longrun,
         SVC_UP,
         {.kind = SVC_EV_UNHEALTHY, .text = "http 503 (3 in a row)"},
         "unhealthy"},
        {&oneshot,
         SVC_STARTING,
         {.kind = SVC_EV_RUN_TIMEOUT, .text = "ran longer than run_timeout 1s"},
         "ran longer than run_timeout 1s"},
    };
    struct svc_event stop = {.kind = SVC_EV_STOP}, start = {.kind = SVC_EV_START};
    struct svc_event deps = {.kind = SVC_EV_DEPS_MET}, spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event exited = {.kind = SVC_EV_EXITED, .wstatus = EXITED(0)};
    struct svc_event killed = {.kind = SVC_EV_EXITED, .wstatus = KILLED(SIGTERM)};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct svc s;
        char stopping[SVC_REASON_MAX];
        svc_init(&s, cases[i].conf);
        s.state = cases[i].from;
        svc_step(&s, &cases[i].ev, 100);
        assert_int_equal(s.state, SVC_STOPPING);
        snprintf(stopping, sizeof stopping, "%s", s.reason);
        struct svc_step st = svc_step(&s, &stop, 200);
        assert_int_equal(st.state, SVC_STOPPING);
        assert_int_equal(st.nactions, 0);
        assert_string_equal(s.reason, stopping); /* still why it is being stopped */
        st = svc_step(&s, &exited, 300);
        assert_int_equal(st.state, SVC_STOPPED);
        assert_int_equal(st.nactions, 1);
        assert_int_equal(st.actions[0].kind, SVC_ACT_CANCEL_TIMER);
        assert_string_equal(s.reason, cases[i].cause);
        assert_string_equal(s.last_failure, cases[i].cause);
        assert_true(s.failed_once);
        assert_true(s.has_exited);
        assert_int_equal(s.last_wstatus, EXITED(0));
        svc_step(&s, &start, 400);
        svc_step(&s, &deps, 400);
        svc_step(&s, &spawned, 400);
        svc_step(&s, &stop, 500);
        assert_string_equal(s.reason, "stopping");
        assert_int_equal(svc_step(&s, &killed, 600).state, SVC_STOPPED);
        assert_string_equal(s.reason, "killed by SIGTERM");
        svc_free(&s);
    }
}

static void a_start_limit_after_readiness_timeouts_names_them(void **state)
{
    (void)state;
    struct svc s;
    uint64_t now = 0;
    svc_init(&s, &ready_fd);
    s.state = SVC_WAITING;
    struct svc_event deps = {.kind = SVC_EV_DEPS_MET}, spawned = {.kind = SVC_EV_SPAWNED};
    struct svc_event timer = {.kind = SVC_EV_TIMER};
    struct svc_event killed = {.kind = SVC_EV_EXITED, .wstatus = KILLED(SIGTERM)};
    svc_step(&s, &deps, now);
    for (int i = 0; i < 20 && s.state != SVC_FATAL; i++) {
        if (s.state == SVC_BACKOFF)
            svc_step(&s, &timer, now += 1); /* the restart delay */
        svc_step(&s, &spawned, now);
        svc_step(&s, &timer, now += 10); /* not ready in time */
        svc_step(&s, &killed, now += 1);
    }
    assert_int_equal(s.state, SVC_FATAL);
    assert_string_equal(s.reason, "start limit: 5 starts within 10s, last not ready in time");
    svc_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transition_of_the_table_holds),
        cmocka_unit_test(a_stop_arms_its_stop_timeout),
        cmocka_unit_test(restart_delays_grow_over_a_crash_streak),
        cmocka_unit_test(a_long_run_restarts_at_once_again),
        cmocka_unit_test(the_start_limit_makes_a_crash_loop_fatal),
        cmocka_unit_test(a_backoff_reason_says_when_it_restarts),
        cmocka_unit_test(fork_failures_retry_with_growing_delays),
        cmocka_unit_test(a_start_put_off_says_why_and_backs_off_like_a_fork_failure),
        cmocka_unit_test(starts_that_never_ran_do_not_count_toward_the_start_limit),
        cmocka_unit_test(a_start_taken_back_in_a_full_history_leaves_no_trace),
        cmocka_unit_test(a_burst_of_hundreds_makes_a_crash_loop_fatal),
        cmocka_unit_test(the_start_history_grows_only_as_starts_crowd_the_interval),
        cmocka_unit_test(a_reload_that_changes_burst_counts_the_starts_made),
        cmocka_unit_test(a_reload_that_lengthens_the_interval_counts_the_starts_made),
        cmocka_unit_test(success_codes_decide_what_a_failure_is),
        cmocka_unit_test(a_new_start_forgets_the_start_limit),
        cmocka_unit_test(a_start_asked_for_while_backing_off_is_no_restart),
        cmocka_unit_test(a_restart_whose_fork_fails_counts_only_once_a_retry_spawns),
        cmocka_unit_test(a_restart_that_waits_its_turn_counts_once_its_turn_spawns_it),
        cmocka_unit_test(a_service_not_ready_in_time_counts_as_a_failed_start),
        cmocka_unit_test(an_unhealthy_service_restarts_and_backs_off_like_a_crash),
        cmocka_unit_test(a_stop_request_during_a_failure_stop_is_final),
        cmocka_unit_test(a_stop_asked_for_during_a_failure_stop_still_names_the_failure),
        cmocka_unit_test(a_scheduled_run_past_its_timeout_is_stopped_and_fails),
        cmocka_unit_test(a_start_limit_after_readiness_timeouts_names_them),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
