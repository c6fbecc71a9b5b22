/* test_svcset.c - the set logic without processes: dependency conditions,
 * hopeless dependencies, the one meaning of healthy, stop order, settling
 * and the exit code of a set that finished by itself; and reload plans
 * (keep or restart). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reloadplan.h"
#include "svcset.h"

#define EXITED(code) ((code) << 8)

static struct conf_service longrun, oneshot, checked;

static void conf_defaults(struct conf_service *c, const char *name, enum conf_type type)
{
    memset(c, 0, sizeof *c);
    c->name = (char *)name;
    c->type = type;
    c->success_codes[0] = 1; /* exit code 0 */
}

static int setup(void **state)
{
    (void)state;
    conf_defaults(&longrun, "web", CONF_TYPE_LONGRUN);
    conf_defaults(&oneshot, "migrate", CONF_TYPE_ONESHOT);
    conf_defaults(&checked, "db", CONF_TYPE_LONGRUN);
    checked.health.kind = CONF_PROBE_EXEC;
    return 0;
}

static struct svc svc_in(const struct conf_service *c, enum svc_state st, int pid)
{
    struct svc s;
    memset(&s, 0, sizeof s);
    s.conf = c;
    s.state = st;
    s.pid = pid;
    return s;
}

static struct svc exited(const struct conf_service *c, enum svc_state st, int code)
{
    struct svc s = svc_in(c, st, 0);
    s.has_exited = true;
    s.last_wstatus = EXITED(code);
    return s;
}

static void a_starting_dependency_is_started_only_once_its_program_runs(void **state)
{
    (void)state;
    struct svc before = svc_in(&longrun, SVC_STARTING, 0),
               forked = svc_in(&longrun, SVC_STARTING, 7), after = forked;
    after.exec_ok = true;
    struct svcset_node a = {.svc = &before}, f = {.svc = &forked}, b = {.svc = &after};
    assert_false(svcset_dep_met(&a, CONF_COND_STARTED));
    assert_false(svcset_dep_met(&f, CONF_COND_STARTED)); /* forked, exec not yet known */
    assert_true(svcset_dep_met(&b, CONF_COND_STARTED));
    assert_false(svcset_dep_met(&b, CONF_COND_READY));
}

static void a_oneshot_is_ready_and_completed_only_after_exiting_well(void **state)
{
    (void)state;
    struct svc ok = exited(&oneshot, SVC_DONE, 0), bad = exited(&oneshot, SVC_FAILED, 3);
    struct svc stopped = svc_in(&oneshot, SVC_STOPPED, 0); /* stopped before it ever ran */
    struct svc cut = exited(&oneshot, SVC_STOPPED, 0);     /* stopped half-way, exited 0 */
    struct svcset_node n_ok = {.svc = &ok}, n_bad = {.svc = &bad}, n_stopped = {.svc = &stopped};
    struct svcset_node n_cut = {.svc = &cut};
    assert_false(svcset_dep_met(&n_cut, CONF_COND_COMPLETED));
    assert_true(svcset_dep_hopeless(&n_cut, CONF_COND_COMPLETED));
    assert_true(svcset_dep_met(&n_ok, CONF_COND_READY));
    assert_true(svcset_dep_met(&n_ok, CONF_COND_COMPLETED));
    assert_false(svcset_dep_met(&n_bad, CONF_COND_COMPLETED));
    assert_false(svcset_dep_met(&n_stopped, CONF_COND_COMPLETED));
    assert_true(svcset_dep_hopeless(&n_bad, CONF_COND_COMPLETED));
    assert_true(svcset_dep_hopeless(&n_stopped, CONF_COND_COMPLETED));
    assert_false(svcset_dep_hopeless(&n_ok, CONF_COND_COMPLETED));
}

static void finished_is_any_end_of_a_started_oneshot(void **state)
{
    (void)state;
    struct svc ok = exited(&oneshot, SVC_DONE, 0), bad = exited(&oneshot, SVC_FAILED, 3);
    struct svc fatal = exited(&oneshot, SVC_FATAL, 1), cut = exited(&oneshot, SVC_STOPPED, 0);
    struct svc running = svc_in(&oneshot, SVC_STARTING, 7),
               retry = svc_in(&oneshot, SVC_BACKOFF, 0);
    struct svc unstarted = svc_in(&oneshot, SVC_DOWN, 0);
    const struct svc *ends[] = {&ok, &bad, &fatal, &cut};
    for (size_t i = 0; i < 4; i++) {
        struct svcset_node n = {.svc = ends[i]};
        assert_true(svcset_dep_met(&n, CONF_COND_FINISHED));
    }
    const struct svc *not_yet[] = {&running, &retry, &unstarted};
    for (size_t i = 0; i < 3; i++) {
        struct svcset_node n = {.svc = not_yet[i]};
        assert_false(svcset_dep_met(&n, CONF_COND_FINISHED));
        assert_false(svcset_dep_hopeless(&n, CONF_COND_FINISHED));
    }
    struct svcset_node n_bad = {.svc = &bad};
    assert_false(svcset_dep_hopeless(&n_bad, CONF_COND_FINISHED)); /* a failure is an end too */
    /* ... but not a critical one's: the container ends, nothing starts after it. */
    struct conf_service crit = oneshot;
    crit.critical = true;
    struct svc boot = exited(&crit, SVC_FAILED, 4);
    struct svcset_node n_boot = {.svc = &boot};
    assert_false(svcset_dep_met(&n_boot, CONF_COND_FINISHED));
    assert_true(svcset_dep_hopeless(&n_boot, CONF_COND_FINISHED));
    /* One that can never run (blocked) is as good as finished, unless critical. */
    struct svc stuck = svc_in(&oneshot, SVC_WAITING, 0), stuck_crit = svc_in(&crit, SVC_WAITING, 0);
    struct svcset_node n_stuck = {.svc = &stuck, .blocked = true};
    struct svcset_node n_stuck_crit = {.svc = &stuck_crit, .blocked = true};
    struct svcset_node n_waits = {.svc = &stuck};
    assert_true(svcset_dep_met(&n_stuck, CONF_COND_FINISHED));
    assert_false(svcset_dep_met(&n_waits, CONF_COND_FINISHED));
    assert_false(svcset_dep_met(&n_stuck_crit, CONF_COND_FINISHED));
    assert_true(svcset_dep_hopeless(&n_stuck_crit, CONF_COND_FINISHED));
    assert_false(svcset_dep_hopeless(&n_waits, CONF_COND_FINISHED));
}

static void healthy_needs_a_passed_check_when_there_is_one(void **state)
{
    (void)state;
    struct svc up = svc_in(&checked, SVC_UP, 9), plain = svc_in(&longrun, SVC_UP, 8);
    struct svcset_node unproven = {.svc = &up}, proven = {.svc = &up, .health_passed = true};
    struct svcset_node no_check = {.svc = &plain};
    assert_false(svcset_dep_met(&unproven, CONF_COND_HEALTHY));
    assert_false(svcset_is_healthy(&unproven));
    assert_true(svcset_dep_met(&proven, CONF_COND_HEALTHY));
    assert_true(svcset_is_healthy(&proven));
    assert_true(svcset_dep_met(&no_check, CONF_COND_HEALTHY));
    assert_true(svcset_is_healthy(&no_check));
}

static void a_held_service_and_a_finished_oneshot_are_not_faults(void **state)
{
    (void)state;
    struct svc down = svc_in(&longrun, SVC_STOPPED, 0), done = exited(&oneshot, SVC_DONE, 0);
    struct svc failed = exited(&oneshot, SVC_FAILED, 2), backoff = svc_in(&longrun, SVC_BACKOFF, 0);
    struct svcset_node held = {.svc = &down, .held = true}, ok = {.svc = &done};
    struct svcset_node bad = {.svc = &failed}, crashing = {.svc = &backoff};
    assert_true(svcset_is_healthy(&held));
    assert_true(svcset_is_healthy(&ok));
    assert_false(svcset_is_healthy(&bad));
    assert_false(svcset_is_healthy(&crashing));
}

static void a_running_service_stops_only_after_its_running_dependents(void **state)
{
    (void)state;
    struct svc up = svc_in(&longrun, SVC_UP, 5), stopping = svc_in(&longrun, SVC_STOPPING, 5);
    struct svc waiting = svc_in(&longrun, SVC_WAITING, 0), done = svc_in(&longrun, SVC_STOPPED, 0);
    struct svcset_node n_up = {.svc = &up}, n_stopping = {.svc = &stopping};
    struct svcset_node n_waiting = {.svc = &waiting}, n_done = {.svc = &done};
    assert_false(svcset_may_stop(&n_up, true));
    assert_true(svcset_may_stop(&n_up, false));
    assert_false(svcset_may_stop(&n_stopping, false)); /* already on its way */
    assert_false(svcset_may_stop(&n_done, false));
    assert_true(svcset_may_stop(&n_waiting, true)); /* no process: nothing to wait for */
}

static void a_set_settles_when_nothing_can_run_by_itself(void **state)
{
    (void)state;
    struct svc waiting = svc_in(&longrun, SVC_WAITING, 0), done = exited(&oneshot, SVC_DONE, 0);
    struct svc up = svc_in(&longrun, SVC_UP, 4), down = svc_in(&longrun, SVC_STOPPED, 0);
    struct svcset_node n_waiting = {.svc = &waiting}, n_done = {.svc = &done};
    struct svcset_node n_up = {.svc = &up}, n_held = {.svc = &down, .held = true};
    assert_true(svcset_keeps_running(&n_waiting, false)); /* its dependencies may come */
    assert_false(svcset_keeps_running(&n_waiting, true)); /* blocked for good */
    assert_false(svcset_keeps_running(&n_done, false));
    assert_true(svcset_keeps_running(&n_up, false));
    assert_true(svcset_keeps_running(&n_held, false)); /* may be started again */
}

static void a_settled_set_exits_with_the_first_failed_oneshots_code(void **state)
{
    (void)state;
    struct conf_service second = oneshot;
    second.name = "seed";
    struct svc a = exited(&longrun, SVC_FATAL, 1), b = exited(&oneshot, SVC_FAILED, 3);
    struct svc c = exited(&second, SVC_FAILED, 4), d = exited(&oneshot, SVC_DONE, 0);
    const struct svc *order[] = {&d, &a, &b, &c};
    char why[256];
    assert_int_equal(svcset_settled_code(order, 4, why, sizeof why), 3);
    assert_string_equal(why, "oneshot migrate failed: ");
    const struct svc *fatal_only[] = {&d, &a};
    assert_int_equal(svcset_settled_code(fatal_only, 2, why, sizeof why), 1);
    assert_string_equal(why, "web is fatal: ");
    const struct svc *fine[] = {&d};
    assert_int_equal(svcset_settled_code(fine, 1, why, sizeof why), 0);
    assert_string_equal(why, "every service has finished");
}

static void a_reload_keeps_a_process_whose_command_is_unchanged(void **state)
{
    (void)state;
    char *argv1[] = {"sleep", "1000", NULL}, *argv2[] = {"sleep", "2000", NULL};
    struct conf_service a = longrun, b = longrun, c = longrun;
    a.argv = argv1;
    a.argc = 2;
    b.argv = argv1;
    b.argc = 2;
    b.critical = true; /* not about the process */
    c.argv = argv2;
    c.argc = 2;
    assert_true(reloadplan_same_process(&a, &b));
    assert_true(reloadplan_is_kept(&a, false, &b));
    assert_false(reloadplan_same_process(&a, &c));
    assert_false(reloadplan_is_kept(&a, false, &c));
}

static void
a_restart_pending_from_an_earlier_reload_goes_on_with_the_newest_configuration(void **state)
{
    (void)state;
    char *argv1[] = {"sleep", "1000", NULL};
    struct conf_service running = longrun, next = longrun;
    running.argv = next.argv = argv1;
    running.argc = next.argc = 2;
    /* The same process as what runs, but a restart is on its way (to a
     * configuration that the newest reload replaced): restarted, not kept. */
    assert_false(reloadplan_is_kept(&running, true, &next));
}

static void a_changed_directory_user_or_environment_restarts(void **state)
{
    (void)state;
    char *argv1[] = {"sleep", "1000", NULL};
    struct conf_kv env1 = {"A", "1"}, env2 = {"A", "2"};
    struct conf_service a = longrun, b;
    a.argv = argv1;
    a.argc = 2;
    b = a;
    b.directory = "/srv";
    assert_false(reloadplan_same_process(&a, &b));
    b = a;
    b.set_ids = true;
    b.uid = 1000;
    assert_false(reloadplan_same_process(&a, &b));
    a.environment = &env1;
    a.n_environment = 1;
    b = a;
    b.environment = &env2;
    assert_false(reloadplan_same_process(&a, &b));
    b.environment = &env1;
    assert_true(reloadplan_same_process(&a, &b));
}

static void after_a_change_intent_decides_what_follows(void **state)
{
    (void)state;
    struct svcset_intent retiring = {.retiring = true}, pending = {.pending_conf = true};
    struct svcset_intent restart = {.restart_pending = true, .pending_conf = true}, plain = {0};
    struct svcset_after a;

    a = svcset_after_change(&retiring, true, false); /* still stopping */
    assert_false(a.go_away || a.start_dependents || a.judge_fate || a.stop_deps);
    a = svcset_after_change(&retiring, false, true); /* gone during a stop of everything */
    assert_true(a.go_away && a.stop_deps);
    assert_false(a.start_dependents || a.judge_fate);

    a = svcset_after_change(&pending, true, false); /* the new configuration waits */
    assert_false(a.apply_pending);
    a = svcset_after_change(&restart, false, false); /* stopped: new configuration, then start */
    assert_true(a.apply_pending && a.restart);
    assert_false(a.judge_fate);                     /* a restart is no fate */
    a = svcset_after_change(&restart, false, true); /* no restart while stopping everything */
    assert_true(a.apply_pending && a.stop_deps);
    assert_false(a.restart);

    a = svcset_after_change(&plain, true, false);
    assert_true(a.start_dependents && a.judge_fate);
    a = svcset_after_change(&plain, true, true); /* still running: its deps wait */
    assert_false(a.stop_deps || a.start_dependents || a.judge_fate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_starting_dependency_is_started_only_once_its_program_runs),
        cmocka_unit_test(a_oneshot_is_ready_and_completed_only_after_exiting_well),
        cmocka_unit_test(finished_is_any_end_of_a_started_oneshot),
        cmocka_unit_test(healthy_needs_a_passed_check_when_there_is_one),
        cmocka_unit_test(a_held_service_and_a_finished_oneshot_are_not_faults),
        cmocka_unit_test(a_running_service_stops_only_after_its_running_dependents),
        cmocka_unit_test(a_set_settles_when_nothing_can_run_by_itself),
        cmocka_unit_test(a_settled_set_exits_with_the_first_failed_oneshots_code),
        cmocka_unit_test(a_reload_keeps_a_process_whose_command_is_unchanged),
        cmocka_unit_test(
            a_restart_pending_from_an_earlier_reload_goes_on_with_the_newest_configuration),
        cmocka_unit_test(a_changed_directory_user_or_environment_restarts),
        cmocka_unit_test(after_a_change_intent_decides_what_follows),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
