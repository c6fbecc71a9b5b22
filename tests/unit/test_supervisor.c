/* test_supervisor.c - the service runtime without processes: a fake
 * spawner hands out pids and records what was started, a fake kill records
 * what was signalled, and exits are fed through the pid table as the reaper
 * would. Start and stop order, the container's fate, set swaps (a restart
 * pending across a swap, retiring dependents in the stop order), and a
 * seeded random walk of swaps, requests and exits that checks the
 * runtime's invariants after every step. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "supervisor_int.h"
#include "test_conf_fixture.h"

#define EXITED(code) ((code) << 8)
#define MAX_PROCS    1024

/* ---- the fake world --------------------------------------------------------- */

struct proc {
    pid_t pid;
    char tag[32]; /* argv[1] of its command: which service and version */
    bool alive;
    bool signalled;
    char hookenv[64]; /* a hook's own variables: "CORRAL_EXIT_CODE=1 ", "MAINPID=4000001 " */
};

static struct world {
    uv_loop_t loop;
    struct pidtab pids;
    struct output out;
    struct reaper reaper;
    struct conf_global global;
    struct supervisor *sup;
    struct sup_listener listener;
    char dir[256];
    struct proc procs[MAX_PROCS];
    int nprocs;
    char spawns[4096]; /* "tag tag ..." in spawn order */
    char kills[4096];  /* "tag:SIG ..." in order */
    char events[8192]; /* "name:state ..." */
    char said[8192];   /* "name:state (reason) ..." */
    char gone[1024];   /* "name ..." */
    int fates;
    enum sup_fate fate;
    int fate_code;
    int all_stopped;
    int fail_spawns; /* the next spawns fail with EAGAIN (a full PID budget) */
} W;

static void append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static struct proc *proc_of(pid_t pid)
{
    for (int i = 0; i < W.nprocs; i++)
        if (W.procs[i].pid == pid)
            return &W.procs[i];
    return NULL;
}

static int fake_spawn(const struct spawn_plan *plan, int report_fd, pid_t *pid, int *exec_fd)
{
    (void)report_fd;
    if (exec_fd)
        *exec_fd = -1; /* the exec is taken as done */
    if (W.fail_spawns > 0) {
        W.fail_spawns--;
        return -EAGAIN;
    }
    assert_true(W.nprocs < MAX_PROCS);
    struct proc *p = &W.procs[W.nprocs++];
    p->pid = 4000000 + W.nprocs; /* above any pid_max of a test machine's processes */
    snprintf(p->tag, sizeof p->tag, "%s", plan->argv[1] ? plan->argv[1] : "?");
    p->alive = true;
    append(W.spawns, sizeof W.spawns, "%s ", p->tag);
    p->hookenv[0] = '\0';
    for (char *const *e = plan->envp; e && *e; e++)
        if (strncmp(*e, "CORRAL_EXIT_CODE=", 17) == 0 || strncmp(*e, "MAINPID=", 8) == 0)
            append(p->hookenv, sizeof p->hookenv, "%s ", *e);
    *pid = p->pid;
    return 0;
}

static int fake_kill(pid_t pid, int sig)
{
    if (pid == 0 || pid == -1)
        fail_msg("kill(%d, %d): corral's own process group, or every process", (int)pid, sig);
    struct proc *p = proc_of(pid < 0 ? -pid : pid);
    if (!p || !p->alive) {
        errno = ESRCH;
        return -1;
    }
    p->signalled = true;
    if (pid < 0) /* the group first; the pid alone would repeat it */
        append(W.kills, sizeof W.kills, "%s:%s ", p->tag, sig == SIGKILL ? "KILL" : "TERM");
    else /* signalled alone */
        append(W.kills, sizeof W.kills, "%s=%s ", p->tag, sig == SIGKILL ? "KILL" : "TERM");
    return 0;
}

static const struct sup_procs fake_procs = {.spawn = fake_spawn, .kill = fake_kill};

/* The state the listener last saw of a record (records in the world). */
static struct seen {
    const struct sup_service *ss;
    enum svc_state state;
} seen[512];
static int nseen;

static struct seen *seen_of(const struct sup_service *ss)
{
    for (int k = 0; k < nseen; k++)
        if (seen[k].ss == ss)
            return &seen[k];
    assert_true(nseen < 512);
    seen[nseen] = (struct seen){ss, SVC_DOWN};
    return &seen[nseen++];
}

/* A service goes from waiting to starting only while each dependency meets
 * its condition and is not about to stop: at the moment it is spawned,
 * however long it waited for its turn. */
static void check_deps_at_start(const struct sup_service *ss, enum svc_state was)
{
    if (was != SVC_WAITING || ss->svc.state != SVC_STARTING)
        return;
    for (size_t d = 0; d < ss->n_deps; d++) {
        const struct sup_service *dep = ss->deps[d].ss;
        struct svcset_node node = sup_record_node(dep);
        if (dep->stop_queued || dep->intent.restart_pending ||
            !svcset_dep_met(&node, ss->deps[d].condition))
            fail_msg("%s starts while its dependency %s is %s (needs %s)", sup_name(ss),
                     sup_name(dep), svc_state_name(dep->svc.state),
                     conf_condition_name(ss->deps[d].condition));
    }
}

static void on_change(struct sup_listener *l, struct sup_service *ss)
{
    (void)l;
    struct sup_view v;
    sup_view(ss, 0, &v);
    struct seen *was = seen_of(ss);
    check_deps_at_start(ss, was->state);
    was->state = ss->svc.state;
    append(W.events, sizeof W.events, "%s:%s ", v.name, svc_state_name(v.state));
    append(W.said, sizeof W.said, "%s:%s (%s) ", v.name, svc_state_name(v.state), v.reason);
}

static void on_gone(struct sup_listener *l, struct sup_service *ss)
{
    (void)l;
    *seen_of(ss) = seen[--nseen]; /* its memory may be a new record's next */
    append(W.gone, sizeof W.gone, "%s ", sup_name(ss));
}

static void on_fate(struct sup_listener *l, enum sup_fate fate, int code, const char *why)
{
    (void)l;
    (void)why;
    W.fates++;
    W.fate = fate;
    W.fate_code = code;
}

static void on_all_stopped(struct sup_listener *l)
{
    (void)l;
    W.all_stopped++;
}

/* The set of the files written to W.dir, which is removed. */
static struct conf_set *load_written(void)
{
    char path[300];
    struct conf_set *set = NULL;
    struct conf_errors errs;
    conf_errors_init(&errs);
    int rc = conf_load_dir(W.dir, &fix_env, &set, &errs);
    if (rc < 0)
        fail_msg("%s", fix_errors_text(&errs));
    conf_errors_close(&errs);
    snprintf(path, sizeof path, "%s", W.dir);
    fix_rmdir(path);
    return set;
}

/* A set from "name.yaml", "text", ... pairs, NULL-terminated. */
static struct conf_set *load(const char *first, ...)
{
    va_list ap;
    assert_non_null(fix_tmpdir(W.dir, sizeof W.dir));
    va_start(ap, first);
    for (const char *name = first; name; name = va_arg(ap, const char *))
        assert_int_equal(fix_write(W.dir, name, va_arg(ap, const char *)), 0);
    va_end(ap);
    return load_written();
}

static void world_start(struct conf_set *set)
{
    memset(&W, 0, sizeof W);
    nseen = 0;
    log_max_level = LOG_ERROR;
    assert_int_equal(uv_loop_init(&W.loop), 0);
    assert_int_equal(pidtab_init(&W.pids, 1024), 0);
    reaper_init(&W.reaper, &W.pids);
    conf_global_init(&W.global);
    assert_int_equal(output_init(&W.out, &W.loop, &W.global, set), 0);
    struct sup_env env = {.procs = &fake_procs,
                          .loop = &W.loop,
                          .pids = &W.pids,
                          .out = &W.out,
                          .reaper = &W.reaper,
                          .notify_socket = ""};
    assert_int_equal(sup_new(&env, set, &W.sup), 0);
    W.listener = (struct sup_listener){.on_change = on_change,
                                       .on_gone = on_gone,
                                       .on_fate = on_fate,
                                       .on_all_stopped = on_all_stopped};
    sup_listen(W.sup, &W.listener);
}

static void world_stop(void)
{
    sup_close(W.sup);
    output_close(&W.out);
    uv_run(&W.loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&W.loop), 0);
    sup_free(W.sup);
    pidtab_close(&W.pids);
    conf_global_close(&W.global);
}

/* The live process of tag (its latest), or 0. */
static pid_t live(const char *tag)
{
    for (int i = W.nprocs; i-- > 0;)
        if (W.procs[i].alive && strcmp(W.procs[i].tag, tag) == 0)
            return W.procs[i].pid;
    return 0;
}

/* What the reaper does for an exit: the owner hears it. */
static void die(pid_t pid, int wstatus)
{
    struct proc *p = proc_of(pid);
    assert_non_null(p);
    assert_true(p->alive);
    p->alive = false;
    struct pidtab_owner *o = pidtab_take(&W.pids, pid);
    assert_non_null(o);
    o->on_exit(o, pid, wstatus);
    uv_run(&W.loop, UV_RUN_NOWAIT); /* timers due now (an immediate restart) */
}

static void die_tag(const char *tag, int wstatus)
{
    pid_t pid = live(tag);
    if (!pid)
        fail_msg("no live process %s (spawns: %s)", tag, W.spawns);
    die(pid, wstatus);
}

static const char *state_of(const char *name)
{
    struct sup_service *ss = sup_find(W.sup, name);
    return ss ? svc_state_name(ss->svc.state) : "absent";
}

/* What status says of name's state (sup_view's reason). */
static const char *reason_of(const char *name)
{
    struct sup_view v;
    sup_view(sup_find(W.sup, name), 0, &v);
    return v.reason;
}

/* ---- hooks and autostart -------------------------------------------------------- */

static void finish_runs_after_each_exit_before_the_restart_and_125_ends_it(void **state)
{
    (void)state;
    world_start(load("job.yaml", "command: [sleep, job]\nfinish: [sh, fin]\n", NULL));
    sup_start_all(W.sup);
    die_tag("job", EXITED(3));
    assert_string_equal(W.spawns, "job fin ");
    assert_string_equal(state_of("job"), "up"); /* its exit not decided yet */
    die_tag("fin", EXITED(0));
    assert_string_equal(W.spawns, "job fin job "); /* restarted once finish is done */
    die_tag("job", EXITED(1));
    die_tag("fin", EXITED(CONF_FINISH_NO_RESTART));
    assert_string_equal(W.spawns, "job fin job fin ");
    assert_string_equal(state_of("job"), "failed");
    /* The 125 held for that exit only: a start asks for it again. */
    sup_start_service(sup_find(W.sup, "job"));
    assert_string_equal(W.spawns, "job fin job fin job ");
    sup_stop_all(W.sup, -1);
    die_tag("job", SIGTERM);
    assert_int_equal(W.all_stopped, 0); /* its finish still runs */
    die_tag("fin", EXITED(0));
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* Its process is gone and its stop waits for its finish: the stop signal
 * has no process to go to (kill(0) would stop corral's own group). */
static void stopping_a_single_process_service_with_no_process_signals_nothing(void **state)
{
    (void)state;
    world_start(
        load("job.yaml", "command: [sleep, job]\nfinish: [sh, fin]\nsignal_to: process\n", NULL));
    sup_start_all(W.sup);
    die_tag("job", EXITED(3));
    assert_string_equal(W.spawns, "job fin ");
    sup_stop_service(sup_find(W.sup, "job"));
    sup_restart_service(sup_find(W.sup, "job"));
    assert_string_equal(W.kills, "");
    die_tag("fin", EXITED(0));
    assert_string_equal(W.spawns, "job fin job ");
    world_stop();
}

static void a_stop_command_replaces_the_stop_signal_which_follows_if_it_fails(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\nstop_command: [sh, stopper]\n", NULL));
    sup_start_all(W.sup);
    sup_stop_service(sup_find(W.sup, "web"));
    assert_string_equal(W.spawns, "web stopper ");
    assert_string_equal(W.kills, "");
    die_tag("stopper", EXITED(2));
    assert_string_equal(W.kills, "web:TERM ");
    die_tag("web", SIGTERM);
    assert_string_equal(state_of("web"), "stopped");
    world_stop();
}

/* signal_to: process: the stop signal that follows a failed stop command goes
 * to the process alone, as every other stop signal of the service does. */
static void the_stop_signal_after_a_failed_stop_command_keeps_signal_process(void **state)
{
    (void)state;
    world_start(load("web.yaml",
                     "command: [sleep, web]\nstop_command: [sh, stopper]\nsignal_to: process\n",
                     NULL));
    sup_start_all(W.sup);
    sup_stop_service(sup_find(W.sup, "web"));
    die_tag("stopper", EXITED(2));
    assert_string_equal(W.kills, "web=TERM ");
    die_tag("web", SIGTERM);
    assert_string_equal(state_of("web"), "stopped");
    world_stop();
}

/* With no fd left for the pipes of its output, a start fails before any
 * fork: it says pipe, is retried, and is no fork failure (the PID limit is
 * not to blame). */
static void a_start_with_no_fd_for_its_pipes_says_pipe_and_counts_no_failed_fork(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\n", NULL));
    struct rlimit was, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &was), 0);
    int fd = dup(0); /* the lowest free fd: none past it may be opened */
    assert_true(fd >= 0);
    close(fd);
    low = was;
    low.rlim_cur = (rlim_t)fd;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    sup_start_all(W.sup);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &was), 0);
    struct sup_view v;
    sup_view(sup_find(W.sup, "web"), 0, &v);
    assert_string_equal(W.spawns, "");
    assert_string_equal(state_of("web"), "backoff");
    assert_true(strncmp(v.reason, "pipe: Too many open files, retry in", 35) == 0);
    assert_int_equal(v.fork_failures, 0);
    world_stop();
}

static int scripts_done, scripts_code;
static char scripts_why[256];

static void on_scripts(void *arg, int code, const char *why)
{
    (void)arg;
    scripts_done++;
    scripts_code = code;
    snprintf(scripts_why, sizeof scripts_why, "%s", why);
}

/* Scripts as a directory would give them: oneshots, in start order. */
static struct conf_set *scripts_set(void)
{
    return load("a.yaml", "type: oneshot\ncommand: [sh, a]\n", "b.yaml",
                "type: oneshot\ncommand: [sh, b]\n", "c.yaml", "type: oneshot\ncommand: [sh, c]\n",
                NULL);
}

static void scripts_run_one_at_a_time_and_a_failure_ends_the_run_with_its_code(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\n", NULL));
    scripts_done = 0;
    assert_int_equal(
        sup_scripts_run(W.sup, scripts_set(), "startup script", true, on_scripts, NULL), 0);
    assert_string_equal(W.spawns, "a ");
    die_tag("a", EXITED(0));
    assert_string_equal(W.spawns, "a b ");
    assert_int_equal(scripts_done, 0);
    die_tag("b", EXITED(4));
    assert_string_equal(W.spawns, "a b "); /* c never runs */
    assert_int_equal(scripts_done, 1);
    assert_int_equal(scripts_code, 4);
    assert_non_null(strstr(scripts_why, "startup script "));
    assert_non_null(strstr(scripts_why, "b.yaml exited 4"));
    assert_string_equal(W.events, ""); /* nobody hears of scripts */
    assert_string_equal(state_of("web"), "down");
    world_stop();
}

static void shutdown_scripts_all_run_and_an_abort_stops_the_one_running(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\n", NULL));
    scripts_done = 0;
    sup_scripts_run(W.sup, scripts_set(), "pre-shutdown script", false, on_scripts, NULL);
    die_tag("a", EXITED(1)); /* logged, the next one runs */
    assert_string_equal(W.spawns, "a b ");
    sup_stop_all(W.sup, -1);
    assert_int_equal(W.all_stopped, 0); /* b still runs */
    sup_scripts_abort(W.sup);
    assert_string_equal(W.kills, "b:TERM ");
    die_tag("b", SIGTERM);
    assert_string_equal(W.spawns, "a b ");
    assert_int_equal(scripts_done, 0); /* aborted: no callback */
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

static void fire_timer(struct sup_service *ss);

/* A script whose fork fails is tried again with backoff, and the scripts
 * after it wait for it: never a failed start-up, never two at once; an
 * abort meanwhile stops the retry. */
static void a_script_whose_fork_fails_is_retried_before_the_next_runs(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\n", NULL));
    scripts_done = 0;
    W.fail_spawns = 1;
    assert_int_equal(
        sup_scripts_run(W.sup, scripts_set(), "startup script", true, on_scripts, NULL), 0);
    assert_string_equal(W.spawns, ""); /* a's fork failed: b waits */
    assert_int_equal(scripts_done, 0);
    struct sup_service *a = W.sup->script_runs->recs[0];
    assert_string_equal(svc_state_name(a->svc.state), "backoff");
    fire_timer(a);
    assert_string_equal(W.spawns, "a ");
    die_tag("a", EXITED(0));
    die_tag("b", EXITED(0));
    die_tag("c", EXITED(0));
    assert_string_equal(W.spawns, "a b c ");
    assert_int_equal(scripts_done, 1);
    assert_int_equal(scripts_code, 0);

    scripts_done = 0;
    W.fail_spawns = 1;
    sup_scripts_run(W.sup, scripts_set(), "pre-shutdown script", false, on_scripts, NULL);
    a = W.sup->script_runs->recs[0];
    sup_scripts_abort(W.sup);
    assert_false(uv_is_active((uv_handle_t *)&a->timer)); /* no retry after the abort */
    assert_string_equal(W.spawns, "a b c ");
    world_stop();
}

static void killing_everything_starts_no_stop_command_and_no_finish(void **state)
{
    (void)state;
    world_start(load("web.yaml",
                     "command: [sleep, web]\nstop_command: [sh, stopper]\nfinish: [sh, fin]\n",
                     NULL));
    sup_start_all(W.sup);
    sup_stop_all(W.sup, -1);
    sup_kill_all(W.sup);
    assert_string_equal(W.spawns, "web stopper ");
    assert_string_equal(W.kills, "stopper:KILL web:KILL ");
    die_tag("web", SIGKILL);
    assert_string_equal(W.spawns, "web stopper "); /* no finish */
    assert_string_equal(state_of("web"), "stopped");
    world_stop();
}

static void autostart_false_waits_for_a_request_and_so_do_its_dependents(void **state)
{
    (void)state;
    world_start(load("admin.yaml", "command: [sleep, admin]\nautostart: false\n", "panel.yaml",
                     "command: [sleep, panel]\ndepends_on: [admin]\n", "web.yaml",
                     "command: [sleep, web]\n", NULL));
    sup_start_all(W.sup);
    assert_string_equal(W.spawns, "web ");
    assert_string_equal(state_of("admin"), "down");
    assert_string_equal(state_of("panel"), "waiting");
    assert_int_equal(W.fates, 0); /* held: corral keeps running for it */
    sup_start_service(sup_find(W.sup, "admin"));
    assert_string_equal(W.spawns, "web admin panel ");
    world_stop();
}

/* ---- order ------------------------------------------------------------------- */

static void services_start_in_dependency_order_and_stop_in_reverse(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\ndepends_on: [db]\n", "db.yaml",
                     "command: [sleep, db]\n", NULL));
    sup_start_all(W.sup);
    assert_string_equal(W.spawns, "db web ");
    sup_stop_all(W.sup, -1);
    assert_string_equal(W.kills, "web:TERM ");
    die_tag("web", EXITED(0));
    assert_string_equal(W.kills, "web:TERM db:TERM ");
    assert_int_equal(W.all_stopped, 0);
    die_tag("db", EXITED(0));
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

static void a_dependent_waits_for_a_oneshot_to_complete(void **state)
{
    (void)state;
    world_start(load("app.yaml",
                     "command: [sleep, app]\ndepends_on: {init: {condition: completed}}\n",
                     "init.yaml", "type: oneshot\ncommand: [sleep, init]\n", NULL));
    sup_start_all(W.sup);
    assert_string_equal(W.spawns, "init ");
    assert_string_equal(state_of("app"), "waiting");
    die_tag("init", EXITED(0));
    assert_string_equal(W.spawns, "init app ");
    world_stop();
}

static void
a_failed_oneshot_leaves_its_dependent_waiting_and_the_set_settles_with_its_code(void **state)
{
    (void)state;
    world_start(load("app.yaml",
                     "command: [sleep, app]\ndepends_on: {init: {condition: completed}}\n",
                     "init.yaml", "type: oneshot\ncommand: [sleep, init]\n", NULL));
    sup_start_all(W.sup);
    die_tag("init", EXITED(4));
    assert_string_equal(W.spawns, "init ");
    assert_int_equal(W.fates, 1);
    assert_int_equal(W.fate, SUP_FATE_SETTLED);
    assert_int_equal(W.fate_code, 4);
    world_stop();
}

/* ---- the container's fate ----------------------------------------------------- */

static void the_main_finishing_decides_the_fate(void **state)
{
    (void)state;
    world_start(load("app.yaml", "command: [sleep, app]\nmain: true\nrestart: never\n", "side.yaml",
                     "command: [sleep, side]\n", NULL));
    sup_start_all(W.sup);
    assert_int_equal(W.fates, 0);
    die_tag("app", EXITED(0));
    assert_int_equal(W.fates, 1);
    assert_int_equal(W.fate, SUP_FATE_MAIN);
    world_stop();
}

static void a_critical_oneshot_failing_decides_the_fate_with_its_code(void **state)
{
    (void)state;
    world_start(load("seed.yaml", "type: oneshot\ncommand: [sleep, seed]\ncritical: true\n",
                     "web.yaml", "command: [sleep, web]\n", NULL));
    sup_start_all(W.sup);
    die_tag("seed", EXITED(3));
    assert_int_equal(W.fate, SUP_FATE_CRITICAL);
    assert_int_equal(W.fate_code, 3);
    world_stop();
}

/* ---- swaps -------------------------------------------------------------------- */

static void
a_restart_pending_across_a_swap_that_removes_its_dependents_runs_the_new_command(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a1]\n", "b.yaml", "command: [sleep, b]\n",
                     "c.yaml", "command: [sleep, c]\n", "z.yaml",
                     "command: [sleep, z]\ndepends_on: [a]\n", NULL));
    sup_start_all(W.sup);
    assert_int_equal(sup_swap_set(W.sup, load("a.yaml", "command: [sleep, a2]\n", NULL)), 0);
    assert_int_equal(sup_count(W.sup), 1);
    /* Everything removed is asked to stop; a restarts once it has stopped. */
    assert_non_null(strstr(W.kills, "a1:TERM"));
    assert_non_null(strstr(W.kills, "z:TERM"));
    die_tag("a1", EXITED(0)); /* before its retiring dependent: once read past the new set */
    die_tag("b", EXITED(0));
    die_tag("c", EXITED(0));
    die_tag("z", EXITED(0));
    assert_string_equal(W.gone, "b c z ");
    assert_non_null(live("a2"));
    assert_string_equal(state_of("a"), "up");
    world_stop();
}

static void a_retiring_dependent_still_running_holds_its_dependency_in_the_stop_order(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a]\n", "z.yaml",
                     "command: [sleep, z]\ndepends_on: [a]\n", NULL));
    sup_start_all(W.sup);
    assert_int_equal(sup_swap_set(W.sup, load("a.yaml", "command: [sleep, a]\n", NULL)), 0);
    assert_string_equal(W.kills, "z:TERM ");
    sup_stop_all(W.sup, -1);
    assert_string_equal(W.kills, "z:TERM "); /* a waits for z */
    die_tag("z", EXITED(0));
    assert_string_equal(W.kills, "z:TERM a:TERM ");
    die_tag("a", EXITED(0));
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

static void a_kept_service_keeps_its_process_and_takes_the_new_dependencies(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a]\n", "b.yaml", "command: [sleep, b]\n", NULL));
    sup_start_all(W.sup);
    pid_t a = live("a");
    /* Same command, a new dependency on a new service: a keeps running. */
    assert_int_equal(
        sup_swap_set(W.sup, load("a.yaml", "command: [sleep, a]\ndepends_on: [n]\n", "b.yaml",
                                 "command: [sleep, b]\n", "n.yaml", "command: [sleep, n]\n", NULL)),
        0);
    assert_int_equal(live("a"), a);
    sup_stop_all(W.sup, -1);
    /* n is now depended upon by a: it stops after it. */
    assert_null(strstr(W.kills, "n:TERM"));
    die_tag("a", EXITED(0));
    assert_non_null(strstr(W.kills, "n:TERM"));
    world_stop();
}

static void removing_a_waiting_service_closes_it_once(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a]\ndepends_on: {b: {condition: completed}}\n",
                     "b.yaml", "type: oneshot\ncommand: [sleep, b]\n", NULL));
    sup_start_all(W.sup);
    assert_string_equal(state_of("a"), "waiting");
    assert_int_equal(
        sup_swap_set(W.sup, load("b.yaml", "type: oneshot\ncommand: [sleep, b]\n", NULL)), 0);
    assert_string_equal(W.gone, "a ");
    world_stop(); /* a second close would abort inside libuv */
}

static void a_reload_that_drops_what_a_service_waits_for_starts_it(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a]\ndepends_on: [b]\n", "b.yaml",
                     "command: [sleep, b]\nautostart: false\n", NULL));
    sup_start_all(W.sup);
    assert_string_equal(state_of("a"), "waiting");
    /* a no longer depends on b, which is gone: nothing is left to wait for. */
    assert_int_equal(sup_swap_set(W.sup, load("a.yaml", "command: [sleep, a]\n", NULL)), 0);
    assert_string_equal(state_of("a"), "up");
    assert_string_equal(W.spawns, "a ");
    world_stop();
}

/* a depended on b; a reload changes a's command and drops the dependency,
 * so a restarts, and a shutdown comes while a is still stopping: b waits
 * for a, and gets its stop signal as soon as a is down (a's new
 * configuration, applied then, no longer names b). */
static void a_shutdown_stops_what_a_restarted_service_depended_on_before_the_reload(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a1]\ndepends_on: [b]\n", "b.yaml",
                     "command: [sleep, b]\n", NULL));
    sup_start_all(W.sup);
    assert_string_equal(W.spawns, "b a1 ");
    assert_int_equal(sup_swap_set(W.sup, load("a.yaml", "command: [sleep, a2]\n", "b.yaml",
                                              "command: [sleep, b]\n", NULL)),
                     0);
    assert_string_equal(W.kills, "a1:TERM ");
    sup_stop_all(W.sup, -1);
    assert_string_equal(W.kills, "a1:TERM "); /* b waits for a */
    die_tag("a1", EXITED(0));
    assert_string_equal(W.kills, "a1:TERM b:TERM ");
    assert_string_equal(W.spawns, "b a1 "); /* nothing starts while everything stops */
    assert_int_equal(W.all_stopped, 0);
    die_tag("b", EXITED(0));
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* db is removed and, while it still stops, brought back: the record is
 * taken back, and its new process starts only once the old one is gone,
 * never beside it. Then stop, a removal again, and a shutdown, each while
 * the old process still stops: nothing starts again. */
static struct conf_set *db_and_other(const char *db_command)
{
    if (!db_command)
        return load("other.yaml", "command: [sleep, other]\n", NULL);
    return load("db.yaml", db_command, "other.yaml", "command: [sleep, other]\n", NULL);
}

static void world_with_db_removed_and_back(const char *back)
{
    world_start(db_and_other("command: [sleep, db1]\n"));
    sup_start_all(W.sup);
    assert_string_equal(W.spawns, "db1 other ");
    assert_int_equal(sup_swap_set(W.sup, db_and_other(NULL)), 0);
    assert_string_equal(W.kills, "db1:TERM ");
    assert_string_equal(state_of("db"), "absent");
    assert_int_equal(sup_swap_set(W.sup, db_and_other(back)), 0);
    assert_string_equal(W.spawns, "db1 other "); /* not beside the old one */
    assert_string_equal(state_of("db"), "stopping");
}

static void a_service_brought_back_while_it_stops_starts_again_once_stopped(void **state)
{
    (void)state;
    world_with_db_removed_and_back("command: [sleep, db2]\n");
    die_tag("db1", SIGTERM);
    assert_string_equal(W.spawns, "db1 other db2 ");
    assert_string_equal(state_of("db"), "up");
    assert_string_equal(W.gone, ""); /* the same service all along */
    world_stop();
    /* The same command: restarted all the same, its process was told to stop. */
    world_with_db_removed_and_back("command: [sleep, db1]\n");
    die_tag("db1", SIGTERM);
    assert_string_equal(W.spawns, "db1 other db1 ");
    assert_string_equal(W.gone, "");
    world_stop();
}

static void a_service_brought_back_while_it_stops_stays_down_if_stopped_or_removed(void **state)
{
    (void)state;
    world_with_db_removed_and_back("command: [sleep, db2]\n");
    sup_stop_service(sup_find(W.sup, "db"));
    die_tag("db1", SIGTERM);
    assert_string_equal(W.spawns, "db1 other ");
    assert_string_equal(state_of("db"), "stopped");
    world_stop();
    world_with_db_removed_and_back("command: [sleep, db2]\n");
    assert_int_equal(sup_swap_set(W.sup, db_and_other(NULL)), 0);
    die_tag("db1", SIGTERM);
    assert_string_equal(W.spawns, "db1 other ");
    assert_string_equal(W.gone, "db ");
    world_stop();
    world_with_db_removed_and_back("command: [sleep, db2]\n");
    sup_stop_all(W.sup, -1);
    die_tag("db1", SIGTERM);
    die_tag("other", SIGTERM);
    assert_string_equal(W.spawns, "db1 other ");
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* Scaled down and up again while the removed instance still stops: it is
 * taken back and started again once stopped; the one still waiting its
 * turn to stop just stays. */
static void instances_scaled_down_and_up_again_never_run_twice(void **state)
{
    (void)state;
    const char *w3 = "command: [sleep, \"w${CORRAL_INSTANCE}\"]\ninstances: 3\n";
    world_start(load("w.yaml", w3, NULL));
    sup_start_all(W.sup);
    assert_int_equal(sup_swap_set(W.sup, load("w.yaml",
                                              "command: [sleep, \"w${CORRAL_INSTANCE}\"]\n"
                                              "instances: 1\n",
                                              NULL)),
                     0);
    assert_string_equal(W.kills, "w3:TERM ");
    assert_int_equal(sup_swap_set(W.sup, load("w.yaml", w3, NULL)), 0);
    assert_string_equal(W.kills, "w3:TERM "); /* w.2 is kept */
    assert_string_equal(W.spawns, "w1 w2 w3 ");
    die_tag("w3", SIGTERM);
    assert_string_equal(W.spawns, "w1 w2 w3 w3 ");
    assert_string_equal(W.gone, "");
    assert_string_equal(state_of("w.2"), "up");
    assert_string_equal(state_of("w.3"), "up");
    world_stop();
}

/* ---- paced starts ----------------------------------------------------------------- */

/* A set of n services s00, s01, ..., each "command: [sleep, sNN]". */
static struct conf_set *many(int n)
{
    char name[32], text[64];
    assert_non_null(fix_tmpdir(W.dir, sizeof W.dir));
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "s%02d.yaml", i);
        snprintf(text, sizeof text, "command: [sleep, s%02d]\n", i);
        assert_int_equal(fix_write(W.dir, name, text), 0);
    }
    return load_written();
}

static int spawned(void)
{
    return W.nprocs;
}

/* One turn of the loop. A turn ends at the prepare phase (just before the
 * loop polls), and what a test does between two turns belongs to the turn
 * the next one ends, as what corral does while it handles one poll's
 * events: its spawns count toward that turn's SUP_STARTS_PER_TURN. */
static void turn(void)
{
    uv_run(&W.loop, UV_RUN_NOWAIT);
}

static void starts_are_paced_over_loop_turns_in_order(void **state)
{
    (void)state;
    world_start(many(80));
    sup_start_all(W.sup);
    /* One turn starts SUP_STARTS_PER_TURN; the rest wait theirs, ready. */
    assert_int_equal(spawned(), SUP_STARTS_PER_TURN);
    assert_string_equal(state_of("s32"), "waiting");
    assert_string_equal(sup_find(W.sup, "s32")->svc.reason, "ready: waiting for its turn to start");
    /* One waiting is stopped, and a reload removes ten of those waiting
     * (closed while queued: they leave the queue). */
    sup_stop_service(sup_find(W.sup, "s50"));
    assert_string_equal(state_of("s50"), "stopped");
    assert_int_equal(sup_swap_set(W.sup, many(70)), 0);
    turn(); /* the turn of the start ends: its allowance is spent */
    assert_int_equal(spawned(), SUP_STARTS_PER_TURN);
    turn();
    assert_int_equal(spawned(), 2 * SUP_STARTS_PER_TURN);
    for (int i = 0; i < 10; i++)
        turn();
    /* In the order they became ready; s50 never, s70 and on gone. */
    char want[4096] = "";
    for (int i = 0; i < 70; i++)
        if (i != 50)
            append(want, sizeof want, "s%02d ", i);
    assert_string_equal(W.spawns, want);
    assert_false(uv_is_active((uv_handle_t *)&W.sup->pace.turn)); /* idle again */
    world_stop();
}

/* A start of something else while others wait its turn goes after them. */
static void a_start_while_others_wait_goes_after_them(void **state)
{
    (void)state;
    world_start(many(80));
    sup_start_all(W.sup);
    assert_int_equal(spawned(), SUP_STARTS_PER_TURN);
    turn(); /* the turn of the start ends */
    /* Stopped and started again: it keeps no place, and takes the last.
     * (Its exit is heard in the next turn, which starts 32 more.) */
    sup_stop_service(sup_find(W.sup, "s00"));
    die_tag("s00", SIGTERM);
    assert_int_equal(spawned(), 2 * SUP_STARTS_PER_TURN);
    sup_start_service(sup_find(W.sup, "s00"));
    assert_string_equal(state_of("s00"), "waiting");
    for (int i = 0; i < 10; i++)
        turn();
    assert_string_equal(state_of("s00"), "up");
    assert_non_null(strstr(W.spawns, "s79 s00 "));
    world_stop();
}

/* What the reaper does for an exit, without the loop's turn after it:
 * exits read together, in one turn. */
static void die_in_turn(pid_t pid, int wstatus)
{
    struct proc *p = proc_of(pid);
    assert_non_null(p);
    p->alive = false;
    struct pidtab_owner *o = pidtab_take(&W.pids, pid);
    assert_non_null(o);
    o->on_exit(o, pid, wstatus);
}

/* die_in_turn for the process tagged with letter and number i ("s07"). */
static void die_numbered_in_turn(char letter, int i, int wstatus)
{
    char tag[8];
    snprintf(tag, sizeof tag, "%c%02d", letter, i);
    die_in_turn(live(tag), wstatus);
}

/* What the loop does when ss's timer fires (deterministic: a backoff's
 * delay is wall-clock time). */
static void fire_timer(struct sup_service *ss)
{
    assert_true(uv_is_active((uv_handle_t *)&ss->timer));
    uv_timer_stop(&ss->timer);
    ss->timer.timer_cb(&ss->timer);
}

/* Turns until nothing waits, each spawning SUP_STARTS_PER_TURN at most. */
static void turns_until_idle(void)
{
    for (int i = 0; i < 100 && uv_is_active((uv_handle_t *)&W.sup->pace.turn); i++) {
        int before = spawned();
        turn();
        assert_true(spawned() - before <= SUP_STARTS_PER_TURN);
    }
    assert_false(uv_is_active((uv_handle_t *)&W.sup->pace.turn));
}

/* s00 .. s(n-1), as the list of their tags. */
static void tags(char *buf, size_t len, int n)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        append(buf, len, "s%02d ", i);
}

static void restarts_of_services_crashing_together_are_paced_in_order(void **state)
{
    (void)state;
    char want[4096];
    world_start(many(80));
    sup_start_all(W.sup);
    turns_until_idle();
    W.spawns[0] = '\0';
    /* All crash at once (their first failure: restarted at once). */
    for (int i = 0; i < 80; i++)
        die_numbered_in_turn('s', i, EXITED(1));
    assert_int_equal(spawned(), 80 + SUP_STARTS_PER_TURN);
    struct sup_service *s40 = sup_find(W.sup, "s40");
    assert_string_equal(state_of("s40"), "backoff");
    assert_string_equal(s40->svc.reason, "exited 1, restart waiting for its turn");
    assert_int_equal(s40->svc.restarts, 0);
    turns_until_idle();
    tags(want, sizeof want, 80);
    assert_string_equal(W.spawns, want);
    assert_int_equal(s40->svc.restarts, 1);
    assert_string_equal(state_of("s40"), "up");
    /* One restart at once with nothing waiting goes in the turn its exit
     * is read (as a restart after SIGKILL): it waits for no turn. */
    turn();
    die_in_turn(live("s40"), EXITED(0));
    assert_string_equal(state_of("s40"), "up");
    assert_int_equal(s40->svc.restarts, 2);
    world_stop();
}

static void restarts_whose_backoff_timers_fire_together_are_paced_in_order(void **state)
{
    (void)state;
    char want[4096];
    world_start(many(80));
    sup_start_all(W.sup);
    turns_until_idle();
    /* Crashed twice: the second crash backs off. */
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 80; i++) {
            die_numbered_in_turn('s', i, EXITED(1));
            turns_until_idle();
        }
    for (int i = 0; i < 80; i++)
        assert_string_equal(state_of(sup_name(sup_at(W.sup, (size_t)i))), "backoff");
    turn(); /* a new turn: the timers fire in it */
    int before = spawned();
    W.spawns[0] = '\0';
    for (int i = 79; i >= 0; i--) /* in the order their timers fire */
        fire_timer(sup_at(W.sup, (size_t)i));
    assert_int_equal(spawned() - before, SUP_STARTS_PER_TURN);
    struct sup_service *s00 = sup_find(W.sup, "s00");
    assert_string_equal(state_of("s00"), "backoff");
    assert_string_equal(s00->svc.reason, "restart due, waiting for its turn");
    assert_false(uv_is_active((uv_handle_t *)&s00->timer));
    struct sup_view v;
    sup_view(s00, uv_now(&W.loop), &v);
    assert_int_equal(v.next_start_in_ms, 0); /* due: not "restart in 200ms" */
    turns_until_idle();
    want[0] = '\0';
    for (int i = 79; i >= 0; i--)
        append(want, sizeof want, "s%02d ", i);
    assert_string_equal(W.spawns, want);
    assert_int_equal(s00->svc.restarts, 2);
    world_stop();
}

static void a_restart_stopped_or_closed_while_it_waits_its_turn_leaves_the_queue(void **state)
{
    (void)state;
    world_start(many(40));
    sup_start_all(W.sup);
    turns_until_idle();
    for (int i = 0; i < 40; i++)
        die_numbered_in_turn('s', i, EXITED(1));
    /* s32 .. s39 wait; s35 is stopped, and a reload removes s38 and s39. */
    sup_stop_service(sup_find(W.sup, "s35"));
    assert_string_equal(state_of("s35"), "stopped");
    assert_false(sup_find(W.sup, "s35")->start.queued);
    /* Asked for while it waits: it keeps its place, and is no restart. */
    sup_start_service(sup_find(W.sup, "s36"));
    assert_string_equal(sup_find(W.sup, "s36")->svc.reason,
                        "start asked for, waiting for its turn");
    assert_int_equal(sup_swap_set(W.sup, many(38)), 0);
    assert_string_equal(W.gone, "s38 s39 ");
    W.spawns[0] = '\0';
    turns_until_idle();
    assert_string_equal(W.spawns, "s32 s33 s34 s36 s37 ");
    assert_string_equal(state_of("s35"), "stopped");
    assert_int_equal(sup_find(W.sup, "s34")->svc.restarts, 1);
    assert_int_equal(sup_find(W.sup, "s36")->svc.restarts, 0);
    world_stop();
}

/* ---- hooks paced with the spawns ----------------------------------------------- */

/* s00 .. s(n-1), each with a finish (fNN) or a stop command (tNN) of its own. */
static struct conf_set *many_hooked(int n, bool finish, bool stop_command)
{
    char name[32], text[160];
    assert_non_null(fix_tmpdir(W.dir, sizeof W.dir));
    for (int i = 0; i < n; i++) {
        char fin[32] = "", stop[40] = "";
        if (finish)
            snprintf(fin, sizeof fin, "finish: [sh, f%02d]\n", i);
        if (stop_command)
            snprintf(stop, sizeof stop, "stop_command: [sh, t%02d]\n", i);
        snprintf(name, sizeof name, "s%02d.yaml", i);
        snprintf(text, sizeof text, "command: [sleep, s%02d]\n%s%s", i, fin, stop);
        assert_int_equal(fix_write(W.dir, name, text), 0);
    }
    return load_written();
}

static struct proc *proc_tagged(const char *tag)
{
    for (int i = W.nprocs; i-- > 0;)
        if (strcmp(W.procs[i].tag, tag) == 0)
            return &W.procs[i];
    return NULL;
}

static void finishes_of_services_exiting_together_are_paced_each_before_its_restart(void **state)
{
    (void)state;
    world_start(many_hooked(80, true, false));
    sup_start_all(W.sup);
    turns_until_idle();
    turn();
    W.spawns[0] = '\0';
    int before = spawned();
    for (int i = 0; i < 80; i++)
        die_numbered_in_turn('s', i, EXITED(i % 2 ? 3 : 0));
    /* One turn forks its allowance of finishes; the others wait theirs,
     * their exits not decided yet. */
    assert_int_equal(spawned() - before, SUP_STARTS_PER_TURN);
    struct sup_service *s40 = sup_find(W.sup, "s40");
    assert_string_equal(state_of("s40"), "up");
    assert_string_equal(s40->svc.reason, "exited 0; its finish waiting for its turn");
    assert_true(s40->finish_hook.turn.queued);
    assert_false(uv_is_active((uv_handle_t *)&s40->finish_hook.timer)); /* counts from its fork */
    turns_until_idle();
    char want[4096] = "";
    for (int i = 0; i < 80; i++)
        append(want, sizeof want, "f%02d ", i);
    assert_string_equal(W.spawns, want);
    assert_string_equal(s40->svc.reason, "exited 0; running its finish");
    assert_true(uv_is_active((uv_handle_t *)&s40->finish_hook.timer));
    /* Each with its own exit in its environment, read when it forked. */
    assert_string_equal(proc_tagged("f40")->hookenv, "CORRAL_EXIT_CODE=0 ");
    assert_string_equal(proc_tagged("f41")->hookenv, "CORRAL_EXIT_CODE=3 ");
    /* Each exit is decided once its finish is done: the restarts follow. */
    W.spawns[0] = '\0';
    for (int i = 0; i < 80; i++)
        die_numbered_in_turn('f', i, EXITED(0));
    turns_until_idle();
    want[0] = '\0';
    for (int i = 0; i < 80; i++)
        append(want, sizeof want, "s%02d ", i);
    assert_string_equal(W.spawns, want);
    assert_string_equal(state_of("s40"), "up");
    world_stop();
}

static void stop_commands_of_a_shutdown_are_paced_and_each_still_runs(void **state)
{
    (void)state;
    world_start(many_hooked(80, false, true));
    sup_start_all(W.sup);
    turns_until_idle();
    turn();
    W.spawns[0] = '\0';
    sup_stop_all(W.sup, -1);
    assert_int_equal(spawned(), 80 + SUP_STARTS_PER_TURN);
    /* In stop order, the last first; the others wait their turn, and are
     * not signalled instead. */
    assert_string_equal(W.kills, "");
    struct sup_service *s10 = sup_find(W.sup, "s10");
    assert_string_equal(state_of("s10"), "stopping");
    assert_true(s10->stop_hook.turn.queued);
    turns_until_idle();
    char want[4096] = "";
    for (int i = 80; i-- > 0;)
        append(want, sizeof want, "t%02d ", i);
    assert_string_equal(W.spawns, want);
    assert_string_equal(W.kills, "");
    char mainpid[32];
    snprintf(mainpid, sizeof mainpid, "MAINPID=%d ", (int)s10->svc.pid);
    assert_string_equal(proc_tagged("t10")->hookenv, mainpid);
    for (int i = 0; i < 80; i++) {
        die_numbered_in_turn('t', i, EXITED(0));
        die_numbered_in_turn('s', i, SIGTERM);
    }
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* A stop command still waiting at its stop_timeout never runs: the
 * service's tree gets SIGKILL, as a stop command still running would. One
 * whose fork fails at its turn sends stop_signal instead; a finish whose
 * fork fails at its turn is skipped and the exit goes on: as when they fail
 * at once. */
static void hooks_waiting_their_turn_give_way_to_a_timeout_or_a_failed_fork(void **state)
{
    (void)state;
    world_start(many_hooked(40, true, true));
    sup_start_all(W.sup);
    turns_until_idle();
    turn();
    W.spawns[0] = '\0';
    sup_stop_all(W.sup, -1); /* t39 .. t08 run, t07 .. t00 wait */
    struct sup_service *s00 = sup_find(W.sup, "s00");
    assert_true(s00->stop_hook.turn.queued);
    fire_timer(s00); /* its stop_timeout */
    assert_string_equal(W.kills, "s00:KILL ");
    /* t07's fork fails in its turn: s07 gets its stop signal after all. */
    W.fail_spawns = 1;
    turns_until_idle();
    assert_string_equal(W.kills, "s00:KILL s07:TERM ");
    assert_null(strstr(W.spawns, "t00"));
    assert_null(strstr(W.spawns, "t07"));
    assert_non_null(strstr(W.spawns, "t06 t05 t04 t03 t02 t01 "));
    /* Their exits: finishes, 32 now and the rest in their turns; f35's
     * fork fails in its turn, and s35's stop goes on without it. */
    for (int i = 0; i < 40; i++)
        die_numbered_in_turn('s', i, i == 0 ? SIGKILL : SIGTERM);
    assert_string_equal(state_of("s35"), "stopping");
    turn();
    W.fail_spawns = 4; /* f32 .. f35 */
    turns_until_idle();
    assert_string_equal(state_of("s35"), "stopped");
    assert_null(strstr(W.spawns, "f35"));
    for (int i = 0; i < 40; i++) {
        char tag[8];
        snprintf(tag, sizeof tag, "f%02d", i);
        if (live(tag))
            die_in_turn(live(tag), EXITED(0));
    }
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* Once everything is killed, a finish still waiting its turn never runs:
 * its service's exit goes on, and the shutdown ends. */
static void a_kill_of_everything_skips_the_finishes_still_waiting(void **state)
{
    (void)state;
    world_start(many_hooked(40, true, false));
    sup_start_all(W.sup);
    turns_until_idle();
    turn();
    sup_stop_all(W.sup, -1);
    for (int i = 0; i < 40; i++)
        die_numbered_in_turn('s', i, SIGTERM);
    assert_true(sup_find(W.sup, "s35")->finish_hook.turn.queued);
    W.spawns[0] = '\0';
    sup_kill_all(W.sup);
    turns_until_idle();
    assert_string_equal(W.spawns, "");
    assert_string_equal(state_of("s35"), "stopped");
    for (int i = 0; i < 32; i++)
        die_numbered_in_turn('f', i, SIGKILL);
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* ---- dependencies at a start's turn ------------------------------------------ */

/* n pairs: dNN, and aNN that depends on dNN (condition: ready). */
static struct conf_set *pairs(int n)
{
    char name[32], text[128];
    assert_non_null(fix_tmpdir(W.dir, sizeof W.dir));
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "d%02d.yaml", i);
        snprintf(text, sizeof text, "command: [sleep, d%02d]\n", i);
        assert_int_equal(fix_write(W.dir, name, text), 0);
        snprintf(name, sizeof name, "a%02d.yaml", i);
        snprintf(text, sizeof text, "command: [sleep, a%02d]\ndepends_on: [d%02d]\n", i, i);
        assert_int_equal(fix_write(W.dir, name, text), 0);
    }
    return load_written();
}

/* A dependent ready to start waits its turn; its dependency goes down
 * before the turn comes: the dependent waits for it again (its turn would
 * look again too), and starts once it is back, not before. */
static void a_dependent_waiting_its_turn_waits_again_for_a_dependency_gone_down(void **state)
{
    (void)state;
    world_start(pairs(40));
    sup_start_all(W.sup);
    turn();
    turn();
    struct sup_service *a30 = sup_find(W.sup, "a30");
    assert_string_equal(a30->svc.reason, "ready: waiting for its turn to start");
    assert_string_equal(state_of("d30"), "up");
    die_in_turn(live("d30"), EXITED(1));
    assert_string_equal(a30->svc.reason, "waiting for d30 (backoff, needs ready)");
    W.spawns[0] = '\0';
    turns_until_idle();
    assert_non_null(strstr(W.spawns, "d30 a30 "));
    assert_string_equal(state_of("a30"), "up");
    world_stop();
}

/* ---- restarts counted ------------------------------------------------------------ */

static uint32_t restarts_of(const char *name)
{
    struct sup_view v;
    sup_view(sup_find(W.sup, name), 0, &v);
    return v.restarts;
}

/* Crashes web twice: restarted at once (one restart), then backing off. */
static void crash_web_into_backoff(void)
{
    die_tag("web", EXITED(1));
    die_tag("web", EXITED(1));
    assert_string_equal(state_of("web"), "backoff");
    assert_int_equal(restarts_of("web"), 1);
}

static void a_start_restart_or_reload_of_a_service_backing_off_is_no_restart(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\n", NULL));
    sup_start_all(W.sup);
    crash_web_into_backoff();
    sup_start_service(sup_find(W.sup, "web"));
    assert_string_equal(state_of("web"), "up");
    assert_int_equal(restarts_of("web"), 1);
    die_tag("web", EXITED(1));
    assert_string_equal(state_of("web"), "backoff");
    sup_restart_service(sup_find(W.sup, "web"));
    assert_string_equal(state_of("web"), "up");
    assert_int_equal(restarts_of("web"), 1);
    die_tag("web", EXITED(1));
    assert_string_equal(state_of("web"), "backoff");
    /* A reload that changes it: started with its new command. */
    assert_int_equal(sup_swap_set(W.sup, load("web.yaml", "command: [sleep, web2]\n", NULL)), 0);
    assert_non_null(live("web2"));
    assert_int_equal(restarts_of("web"), 1);
    assert_string_equal(W.spawns, "web web web web web2 ");
    world_stop();
}

static void a_restart_whose_fork_failed_and_that_was_stopped_is_no_restart(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\n", NULL));
    sup_start_all(W.sup);
    W.fail_spawns = 1;
    die_tag("web", EXITED(0)); /* restarted at once: its fork fails */
    assert_string_equal(state_of("web"), "backoff");
    assert_int_equal(restarts_of("web"), 0);
    sup_stop_service(sup_find(W.sup, "web"));
    assert_string_equal(state_of("web"), "stopped");
    assert_int_equal(restarts_of("web"), 0);
    assert_string_equal(W.spawns, "web ");
    world_stop();
}

/* ---- requests of several services, instances ------------------------------------ */

/* The records of names, in that order. */
static size_t records(struct sup_service **out, const char *first, ...)
{
    size_t n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *name = first; name; name = va_arg(ap, const char *)) {
        out[n] = sup_find(W.sup, name);
        assert_non_null(out[n]);
        n++;
    }
    va_end(ap);
    return n;
}

static void a_stop_of_several_waits_for_the_dependents_stopped_with_it(void **state)
{
    (void)state;
    struct sup_service *list[4];
    world_start(load("php.yaml", "command: [sleep, php]\n", "nginx.yaml",
                     "command: [sleep, nginx]\ndepends_on: [php]\n", "db.yaml",
                     "command: [sleep, db]\n", "cron.yaml",
                     "command: [sleep, cron]\ndepends_on: [php]\n", NULL));
    sup_start_all(W.sup);
    /* Listed dependency first: the order of the list does not matter. */
    sup_stop_ordered(list, records(list, "php", "nginx", NULL), false);
    assert_string_equal(W.kills, "nginx:TERM ");
    assert_string_equal(state_of("php"), "up");
    die_tag("nginx", EXITED(0));
    /* cron depends on php too, but is not stopped: it does not hold php. */
    assert_string_equal(W.kills, "nginx:TERM php:TERM ");
    die_tag("php", EXITED(0));
    assert_string_equal(state_of("php"), "stopped");
    assert_string_equal(state_of("nginx"), "stopped");
    assert_string_equal(state_of("db"), "up");
    assert_string_equal(state_of("cron"), "up");
    world_stop();
}

static void a_restart_of_several_stops_dependents_first_and_starts_them_last(void **state)
{
    (void)state;
    struct sup_service *list[4];
    world_start(load("php.yaml", "command: [sleep, php]\n", "nginx.yaml",
                     "command: [sleep, nginx]\ndepends_on: [php]\n", NULL));
    sup_start_all(W.sup);
    assert_string_equal(W.spawns, "php nginx ");
    sup_stop_ordered(list, records(list, "php", "nginx", NULL), true);
    assert_string_equal(W.kills, "nginx:TERM ");
    die_tag("nginx", EXITED(0));
    assert_string_equal(W.kills, "nginx:TERM php:TERM ");
    /* nginx waits for php to be back rather than start beside a stopping php. */
    assert_string_equal(W.spawns, "php nginx ");
    assert_string_equal(state_of("nginx"), "waiting");
    die_tag("php", EXITED(0));
    assert_string_equal(W.spawns, "php nginx php nginx ");
    assert_string_equal(state_of("php"), "up");
    assert_string_equal(state_of("nginx"), "up");
    world_stop();
}

static void removed_instances_stop_one_at_a_time_the_highest_first(void **state)
{
    (void)state;
    world_start(load("w.yaml", "command: [sleep, \"w${CORRAL_INSTANCE}\"]\ninstances: 4\n",
                     "web.yaml", "command: [sleep, web]\n", NULL));
    sup_start_all(W.sup);
    assert_int_equal(sup_count(W.sup), 5);
    assert_int_equal(sup_swap_set(W.sup, load("w.yaml",
                                              "command: [sleep, \"w${CORRAL_INSTANCE}\"]\n"
                                              "instances: 1\n",
                                              "web.yaml", "command: [sleep, web]\n", NULL)),
                     0);
    assert_int_equal(sup_count(W.sup), 2);
    assert_string_equal(W.kills, "w4:TERM ");
    die_tag("w4", EXITED(0));
    assert_string_equal(W.kills, "w4:TERM w3:TERM ");
    die_tag("w3", EXITED(0));
    assert_string_equal(W.kills, "w4:TERM w3:TERM w2:TERM ");
    die_tag("w2", EXITED(0));
    assert_string_equal(W.gone, "w.4 w.3 w.2 ");
    assert_string_equal(state_of("w.1"), "up");
    world_stop();
}

static void a_shutdown_stops_the_removed_instances_still_waiting_their_turn(void **state)
{
    (void)state;
    world_start(load("w.yaml", "command: [sleep, \"w${CORRAL_INSTANCE}\"]\ninstances: 3\n", NULL));
    sup_start_all(W.sup);
    assert_int_equal(sup_swap_set(W.sup, load("w.yaml",
                                              "command: [sleep, \"w${CORRAL_INSTANCE}\"]\n"
                                              "instances: 1\n",
                                              NULL)),
                     0);
    assert_string_equal(W.kills, "w3:TERM ");
    sup_stop_all(W.sup, -1);
    assert_non_null(strstr(W.kills, "w2:TERM"));
    assert_non_null(strstr(W.kills, "w1:TERM"));
    die_tag("w3", EXITED(0));
    die_tag("w2", EXITED(0));
    die_tag("w1", EXITED(0));
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* A start of one whose restart with its dependents was queued calls the
 * restart off: the dependents stopped for it start again. */
static void a_start_that_calls_off_a_queued_restart_starts_its_dependents(void **state)
{
    (void)state;
    struct sup_service *list[4];
    world_start(load("php.yaml", "command: [sleep, php]\n", "nginx.yaml",
                     "command: [sleep, nginx]\ndepends_on: [php]\n", NULL));
    sup_start_all(W.sup);
    sup_stop_ordered(list, records(list, "php", "nginx", NULL), true);
    assert_string_equal(W.kills, "nginx:TERM ");
    sup_start_service(sup_find(W.sup, "php"));
    die_tag("nginx", EXITED(0));
    assert_string_equal(state_of("nginx"), "up");
    assert_string_equal(W.spawns, "php nginx nginx ");
    world_stop();
}

/* stop a b: b's stop waits for a. A reload keeps a's process and drops its
 * dependency on b: nothing holds b any more, and it stops now. */
static void a_queued_stop_goes_on_when_a_reload_drops_the_dependent_it_waited_for(void **state)
{
    (void)state;
    struct sup_service *list[4];
    world_start(load("a.yaml", "command: [sleep, a]\ndepends_on: [b]\n", "b.yaml",
                     "command: [sleep, b]\n", NULL));
    sup_start_all(W.sup);
    sup_stop_ordered(list, records(list, "a", "b", NULL), false);
    assert_string_equal(W.kills, "a:TERM ");
    assert_int_equal(sup_swap_set(W.sup, load("a.yaml", "command: [sleep, a]\n", "b.yaml",
                                              "command: [sleep, b]\n", NULL)),
                     0);
    assert_string_equal(W.kills, "a:TERM b:TERM ");
    die_tag("a", EXITED(0));
    die_tag("b", EXITED(0));
    assert_string_equal(state_of("a"), "stopped");
    assert_string_equal(state_of("b"), "stopped");
    world_stop();
}

/* restart a b c (c depends on b, b on a): b's stop waits for c, a's for b.
 * A start of b calls b's restart off: a's restart no longer waits for it,
 * and goes on. */
static void a_queued_restart_goes_on_when_the_dependent_it_waited_for_is_started(void **state)
{
    (void)state;
    struct sup_service *list[4];
    world_start(load("a.yaml", "command: [sleep, a]\n", "b.yaml",
                     "command: [sleep, b]\ndepends_on: [a]\n", "c.yaml",
                     "command: [sleep, c]\ndepends_on: [b]\n", NULL));
    sup_start_all(W.sup);
    sup_stop_ordered(list, records(list, "a", "b", "c", NULL), true);
    assert_string_equal(W.kills, "c:TERM ");
    sup_start_service(sup_find(W.sup, "b"));
    assert_string_equal(W.kills, "c:TERM a:TERM ");
    die_tag("a", EXITED(0));
    assert_string_equal(W.spawns, "a b c a ");
    assert_string_equal(state_of("a"), "up");
    assert_string_equal(state_of("b"), "up");
    world_stop();
}

/* ---- a random walk ------------------------------------------------------------ */

static unsigned rnd(unsigned *seed, unsigned n)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) % n;
}

/* A random set of s0..s5: each present or not, a longrun or a oneshot
 * (maybe a scheduled job with a run timeout), with
 * a command version v and a dependency on a lower one or on every instance
 * of w, maybe a finish, a stop command, signal_to: process or autostart:
 * false; and w, with 1 to 4 instances, or not. */
static struct conf_set *random_set(unsigned *seed)
{
    char files[7][2][256];
    const char *args[7 * 2 + 1];
    int n = 0;
    for (int i = 0; i < 6; i++) {
        if (rnd(seed, 3) == 0)
            continue;
        snprintf(files[n][0], sizeof files[n][0], "s%d.yaml", i);
        int dep = i > 0 && rnd(seed, 2) ? (int)rnd(seed, (unsigned)i) : -1;
        char deps[64] = "";
        if (dep >= 0 && rnd(seed, 4) == 0)
            snprintf(deps, sizeof deps, "depends_on: {w: {condition: started}}\n");
        else if (dep >= 0)
            snprintf(deps, sizeof deps, "depends_on: {s%d: {condition: started}}\n", dep);
        /* A oneshot may be a scheduled job, with a run timeout. */
        bool oneshot = rnd(seed, 5) == 0;
        const char *sched = !oneshot || rnd(seed, 3) == 0 ? ""
                            : rnd(seed, 2)                ? "every: 1h\nrun_timeout: 10s\n"
                                           : "every: 1h\nrun_timeout: 10s\noverlap: queue\n";
        snprintf(files[n][1], sizeof files[n][1], "%s%scommand: [sleep, s%d.%u]\n%s%s%s%s%s",
                 oneshot ? "type: oneshot\n" : "", sched, i, rnd(seed, 2),
                 rnd(seed, 3) == 0 ? "finish: [sh, fin]\n" : "",
                 rnd(seed, 3) == 0 ? "stop_command: [sh, stopper]\n" : "",
                 rnd(seed, 6) == 0 ? "autostart: false\n" : "",
                 rnd(seed, 4) == 0 ? "signal_to: process\n" : "", deps);
        n++;
    }
    if (rnd(seed, 3)) {
        snprintf(files[n][0], sizeof files[n][0], "w.yaml");
        snprintf(files[n][1], sizeof files[n][1],
                 "command: [sleep, \"w${CORRAL_INSTANCE}.%u\"]\ninstances: %u\n", rnd(seed, 2),
                 1 + rnd(seed, 4));
        n++;
    }
    /* A dependency on an absent service is a load error: keep what loads. */
    for (;;) {
        for (int i = 0; i < n; i++) {
            args[2 * i] = files[i][0];
            args[2 * i + 1] = files[i][1];
        }
        args[2 * n] = NULL;
        struct conf_set *set = NULL;
        struct conf_errors errs;
        assert_non_null(fix_tmpdir(W.dir, sizeof W.dir));
        for (int i = 0; i < n; i++)
            fix_write(W.dir, args[2 * i], args[2 * i + 1]);
        conf_errors_init(&errs);
        int rc = conf_load_dir(W.dir, &fix_env, &set, &errs);
        conf_errors_close(&errs);
        fix_rmdir(W.dir);
        if (rc == 0)
            return set;
        for (int i = 0; i < n; i++) /* drop the dependencies and try again */
            if (strstr(files[i][1], "depends_on"))
                *strstr(files[i][1], "depends_on") = '\0';
    }
}

/* The record a waiter of the pace belongs to, and what waits: its start,
 * its finish or its stop command (none of these sets has a probe). */
static const struct sup_service *waiter_of(const struct forkpace_waiter *w, const char **what)
{
    const struct sup_service *all[64];
    size_t n = 0;
    for (size_t i = 0; i < W.sup->n && n < 64; i++)
        all[n++] = W.sup->svcs[i];
    for (const struct sup_service *r = W.sup->retiring; r && n < 64; r = r->next_retiring)
        all[n++] = r;
    for (size_t i = 0; i < n; i++) {
        *what = w == &all[i]->start              ? "start"
                : w == &all[i]->finish_hook.turn ? "finish"
                : w == &all[i]->stop_hook.turn   ? "stop_command"
                                                 : NULL;
        if (*what)
            return all[i];
    }
    return NULL;
}

/* The pace's queue holds each waiter once, in order, each of a current or
 * retiring record: a start ready to go (WAITING), a restart due (BACKOFF,
 * no timer), a finish (after an exit: no process, not finished) or a stop
 * command (stopping); a record in BACKOFF has its timer armed or waits its
 * turn; no turn forks more than its allowance. */
static void check_queue(unsigned seed, int step)
{
    const struct forkpace *q = &W.sup->pace;
    size_t queued = 0, flagged = 0;
    for (const struct forkpace_waiter *w = q->head; w; w = w->next) {
        const char *what = NULL;
        const struct sup_service *ss = waiter_of(w, &what);
        if (!ss || !w->queued || ss->closed)
            fail_msg("seed %u step %d: a queued waiter is not a live record's", seed, step);
        bool ok;
        if (w == &ss->start) {
            bool ready = ss->svc.state == SVC_WAITING;
            bool due = ss->svc.state == SVC_BACKOFF && !uv_is_active((uv_handle_t *)&ss->timer);
            ok = ready || due;
        } else if (w == &ss->finish_hook.turn) {
            ok = ss->svc.pid <= 0 && svc_is_running(&ss->svc) && !ss->finish_hook.pid;
        } else {
            ok = !ss->stop_hook.pid;
        }
        if (!ok)
            fail_msg("seed %u step %d: %s's %s waits its turn while %s", seed, step, sup_name(ss),
                     what, svc_state_name(ss->svc.state));
        if (++queued > 3 * 64)
            fail_msg("seed %u step %d: the queue loops", seed, step);
        if (!w->next && q->tail != w)
            fail_msg("seed %u step %d: the queue's tail is not its last", seed, step);
    }
    for (size_t i = 0; i < W.sup->n; i++) {
        const struct sup_service *ss = W.sup->svcs[i];
        flagged += ss->start.queued + ss->finish_hook.turn.queued + ss->stop_hook.turn.queued;
        if (ss->svc.state == SVC_BACKOFF && !ss->start.queued &&
            !uv_is_active((uv_handle_t *)&ss->timer))
            fail_msg("seed %u step %d: %s backs off with no timer and no turn coming", seed, step,
                     sup_name(ss));
        /* A finish is all its exit waits for: it runs, or waits its turn. */
        if (ss->svc.pid <= 0 && (ss->svc.state == SVC_UP || ss->svc.state == SVC_STARTING) &&
            !ss->leftover_waiting && !ss->finish_hook.pid && !ss->finish_hook.turn.queued)
            fail_msg("seed %u step %d: %s is %s with no process and no finish coming", seed, step,
                     sup_name(ss), svc_state_name(ss->svc.state));
    }
    for (const struct sup_service *r = W.sup->retiring; r; r = r->next_retiring)
        flagged += r->start.queued + r->finish_hook.turn.queued + r->stop_hook.turn.queued;
    if (flagged != queued)
        fail_msg("seed %u step %d: %zu waiters say they wait their turn, %zu do", seed, step,
                 flagged, queued);
    if (q->forked > q->per_turn)
        fail_msg("seed %u step %d: %u forks in one turn (at most %u)", seed, step, q->forked,
                 q->per_turn);
    if (uv_is_active((const uv_handle_t *)&q->turn) != (q->head != NULL))
        fail_msg("seed %u step %d: the turn handle is %sactive with %s waiting", seed, step,
                 q->head ? "not " : "", q->head ? "some" : "none");
}

/* pid (a record's process or hook) is a live fake process. */
static void check_alive(unsigned seed, int step, const struct sup_service *ss, const char *what,
                        pid_t pid)
{
    struct proc *p = pid > 0 ? proc_of(pid) : NULL;
    if (pid > 0 && (!p || !p->alive))
        fail_msg("seed %u step %d: %s's %s has pid %d, not a live process", seed, step,
                 sup_name(ss), what, pid);
}

/* p was asked to stop: signalled, a hook (a finish or stop command, which
 * ends by itself), or the process of a record that is stopping (its stop
 * command may be what stops it). */
static bool told_to_stop(const struct proc *p)
{
    if (p->signalled || strcmp(p->tag, "fin") == 0 || strcmp(p->tag, "stopper") == 0)
        return true;
    for (size_t i = 0; i < W.sup->n; i++)
        if (W.sup->svcs[i]->svc.pid == p->pid)
            return W.sup->svcs[i]->svc.state == SVC_STOPPING;
    for (const struct sup_service *ss = W.sup->retiring; ss; ss = ss->next_retiring)
        if (ss->svc.pid == p->pid)
            return ss->svc.state == SVC_STOPPING;
    return false;
}

static bool has_running_dependent(const struct sup_service *ss, bool stopped_with_it)
{
    for (size_t i = 0; i < ss->n_dependents; i++) {
        const struct sup_service *d = ss->dependents[i];
        if (svc_is_running(&d->svc) &&
            (!stopped_with_it || d->stop_queued || d->svc.state == SVC_STOPPING))
            return true;
    }
    return false;
}

/* Nothing waits to be stopped for nothing: while everything stops, a
 * record not stopping yet still runs and has a dependent that runs; else a
 * queued stop (of a record not waiting its turn to retire) still has a
 * dependent being stopped with it that runs. */
static void check_stop_order(unsigned seed, int step, const struct sup_service *ss)
{
    bool stranded =
        W.sup->stopping
            ? !svc_is_finished(&ss->svc) && ss->svc.state != SVC_STOPPING &&
                  !(svc_is_running(&ss->svc) && has_running_dependent(ss, false))
            : ss->stop_queued && !ss->retire_deferred && !has_running_dependent(ss, true);
    if (stranded)
        fail_msg("seed %u step %d: %s (%s) is never stopped: nothing it waits for runs", seed, step,
                 sup_name(ss), svc_state_name(ss->svc.state));
}

/* Every record's process and hooks are live fake ones, and every live fake
 * process belongs to a record (current or retiring), or was let go of by
 * one that went away (its exit still has an owner in the pid table); no
 * two records share a name; and no stop is held back for nothing
 * (check_stop_order). */
static void check_invariants(unsigned seed, int step)
{
    int owned = 0;
    for (size_t i = 0; i < W.sup->n; i++) {
        const struct sup_service *ss = W.sup->svcs[i];
        check_alive(seed, step, ss, "process", ss->svc.pid);
        check_alive(seed, step, ss, "finish", ss->finish_hook.pid);
        check_alive(seed, step, ss, "stop_command", ss->stop_hook.pid);
        owned += (ss->svc.pid > 0) + (ss->finish_hook.pid > 0) + (ss->stop_hook.pid > 0);
        check_stop_order(seed, step, ss);
        bool met = true;
        for (size_t d = 0; d < ss->n_deps; d++) {
            const struct sup_service *dep = ss->deps[d].ss;
            if (!sup_find(W.sup, sup_name(dep)))
                fail_msg("seed %u step %d: %s depends on a record not in the set", seed, step,
                         sup_name(ss));
            struct svcset_node node = sup_record_node(dep);
            met = met && !dep->stop_queued && !dep->intent.restart_pending &&
                  svcset_dep_met(&node, ss->deps[d].condition);
        }
        if (ss->svc.state == SVC_WAITING && met && !W.sup->stopping && !ss->start.queued)
            fail_msg("seed %u step %d: %s waits with every dependency met", seed, step,
                     sup_name(ss));
    }
    for (const struct sup_service *ss = W.sup->retiring; ss; ss = ss->next_retiring) {
        owned += (ss->svc.pid > 0) + (ss->finish_hook.pid > 0) + (ss->stop_hook.pid > 0);
        check_stop_order(seed, step, ss);
        /* One record per name: a removed one brought back is taken back,
         * never run beside a new one. */
        bool twice = sup_find(W.sup, sup_name(ss)) != NULL;
        for (const struct sup_service *o = ss->next_retiring; o && !twice; o = o->next_retiring)
            twice = strcmp(sup_name(o), sup_name(ss)) == 0;
        if (twice)
            fail_msg("seed %u step %d: two records of %s", seed, step, sup_name(ss));
        /* Removed instances of one file stop one at a time (until a stop
         * of everything lets them all go). */
        for (const struct sup_service *o = ss->next_retiring; o && !W.sup->stopping;
             o = o->next_retiring)
            if (!o->retire_deferred && !ss->retire_deferred && ss->svc.conf->base &&
                o->svc.conf->base && strcmp(o->svc.conf->base, ss->svc.conf->base) == 0)
                fail_msg("seed %u step %d: %s and %s stop at once", seed, step, sup_name(ss),
                         sup_name(o));
    }
    int alive = 0;
    for (int i = 0; i < W.nprocs; i++) {
        if (!W.procs[i].alive)
            continue;
        if (!pidtab_find(&W.pids, W.procs[i].pid))
            fail_msg("seed %u step %d: live pid %d has no owner", seed, step, W.procs[i].pid);
        /* Let go of (a hook of a record that went away): owned by the table. */
        struct pidtab_owner *o = pidtab_find(&W.pids, W.procs[i].pid);
        bool let_go = o->on_exit != W.sup->on_exit && o->on_exit != W.sup->on_hook_exit;
        alive += !let_go;
    }
    if (alive != owned)
        fail_msg("seed %u step %d: %d live processes, %d owned by records", seed, step, alive,
                 owned);
}

/* Each record's restarts and process before a step. */
struct counted {
    const struct sup_service *ss;
    uint32_t restarts;
    pid_t pid;
};

static size_t count_restarts(struct counted *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < W.sup->n && n < cap; i++, n++)
        out[n] =
            (struct counted){W.sup->svcs[i], W.sup->svcs[i]->svc.restarts, W.sup->svcs[i]->svc.pid};
    return n;
}

/* RESTARTS counts automatic restarts whose process was spawned: in a step,
 * a record's count grows by one at most, only when a process of its own
 * was spawned in it, and never in a step that is a request or a reload
 * (automatic: corral's own doing, after an exit or in a later turn). */
static void check_restarts(unsigned seed, int step, const struct counted *before, size_t n,
                           bool requested)
{
    for (size_t i = 0; i < W.sup->n; i++) {
        const struct sup_service *ss = W.sup->svcs[i];
        for (size_t k = 0; k < n; k++) {
            if (before[k].ss != ss || ss->svc.restarts == before[k].restarts)
                continue;
            struct proc *p = ss->svc.pid > 0 ? proc_of(ss->svc.pid) : NULL;
            if (requested || ss->svc.restarts != before[k].restarts + 1 || !p || !p->alive ||
                ss->svc.pid == before[k].pid)
                fail_msg("seed %u step %d: %s's restarts went from %u to %u (%s), pid %d to %d",
                         seed, step, sup_name(ss), before[k].restarts, ss->svc.restarts,
                         requested ? "a request" : "an exit or a turn", (int)before[k].pid,
                         (int)ss->svc.pid);
        }
    }
}

static void random_swaps_requests_and_exits_keep_the_runtime_consistent(void **state)
{
    (void)state;
    const char *env = getenv("CORRAL_SEED");
    unsigned seed0 = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    unsigned seed = seed0;
    printf("test_supervisor: random walk seed=%u (replay: CORRAL_SEED=%u)\n", seed0, seed0);
    world_start(random_set(&seed));
    /* A small allowance makes starts and restarts wait their turn among
     * these few services, and the queue meet every request. */
    const unsigned allowances[] = {1, 2, 3, SUP_STARTS_PER_TURN};
    W.sup->pace.per_turn = allowances[rnd(&seed, 4)];
    sup_start_all(W.sup);
    for (int step = 0; step < 400 && W.nprocs < MAX_PROCS - 64; step++) {
        unsigned op = rnd(&seed, 17);
        struct sup_service *some =
            sup_count(W.sup) ? sup_at(W.sup, rnd(&seed, 6) % sup_count(W.sup)) : NULL;
        struct counted before[64];
        size_t nbefore = count_restarts(before, 64);
        if (op < 2) {
            assert_int_equal(sup_swap_set(W.sup, random_set(&seed)), 0);
        } else if (op < 6) {
            int alive[MAX_PROCS], n = 0;
            for (int i = 0; i < W.nprocs; i++)
                if (W.procs[i].alive)
                    alive[n++] = i;
            /* 125 from a finish means do not restart. */
            int code = rnd(&seed, 8) == 0 ? CONF_FINISH_NO_RESTART : (int)rnd(&seed, 3);
            /* Sometimes what follows cannot fork (a full PID budget). */
            W.fail_spawns = rnd(&seed, 6) == 0;
            if (n)
                die(W.procs[alive[rnd(&seed, (unsigned)n)]].pid, EXITED(code));
            W.fail_spawns = 0;
        } else if (some && op == 6) {
            sup_stop_service(some);
        } else if (some && op == 7) {
            sup_start_service(some);
        } else if (some && op == 8) {
            sup_restart_service(some);
        } else if (op == 9 || op == 10) {
            /* Several at once, in a random order, as a request with @GROUP. */
            struct sup_service *list[16];
            size_t k = 0;
            for (size_t i = 0; i < sup_count(W.sup) && k < 16; i++)
                if (rnd(&seed, 2))
                    list[k++] = sup_at(W.sup, (i * 7) % sup_count(W.sup));
            for (size_t i = 0; i + 1 < k; i++) /* a repeat adds nothing, as in control */
                for (size_t j = i + 1; j < k; j++)
                    if (list[j] == list[i])
                        list[j--] = list[--k];
            sup_stop_ordered(list, k, op == 10);
        } else if (some && op == 11) {
            /* Its backoff timer fires (of those that back off, one). */
            for (size_t i = 0; i < sup_count(W.sup); i++) {
                struct sup_service *ss = sup_at(W.sup, (i + rnd(&seed, 8)) % sup_count(W.sup));
                if (uv_is_active((uv_handle_t *)&ss->timer) && ss->svc.state == SVC_BACKOFF) {
                    fire_timer(ss);
                    break;
                }
            }
        } else if (some && op == 13 && some->svc.state == SVC_UP) {
            /* Its health check fails: stopped for a failure, to restart. */
            W.sup->check_ops->unhealthy(some, "bad");
        } else if (op == 14) {
            /* A readiness timeout: the timer of one still starting fires. */
            for (size_t i = 0; i < sup_count(W.sup); i++) {
                struct sup_service *ss = sup_at(W.sup, (i + rnd(&seed, 8)) % sup_count(W.sup));
                if (uv_is_active((uv_handle_t *)&ss->timer) && ss->svc.state == SVC_STARTING) {
                    fire_timer(ss);
                    break;
                }
            }
        } else if (op == 15) {
            /* A scheduled run goes on past its run_timeout (the schedule's
             * timer, which clears the deadline before it tells). */
            for (size_t i = 0; i < sup_count(W.sup); i++) {
                struct sup_service *ss = sup_at(W.sup, (i + rnd(&seed, 8)) % sup_count(W.sup));
                if (ss->sched && ss->sched->deadline_ms && svc_is_running(&ss->svc)) {
                    ss->sched->deadline_ms = 0;
                    W.sup->on_run_timeout(ss);
                    break;
                }
            }
        } else if (op == 16) {
            /* A scheduled job's time has come (of those scheduled, one). */
            for (size_t i = 0; i < sup_count(W.sup); i++) {
                struct sup_service *ss = sup_at(W.sup, (i + rnd(&seed, 8)) % sup_count(W.sup));
                if (ss->sched) {
                    W.sup->on_due(ss);
                    break;
                }
            }
        } else {
            uv_run(&W.loop, UV_RUN_NOWAIT);
        }
        check_invariants(seed0, step);
        check_queue(seed0, step);
        check_restarts(seed0, step, before, nbefore, op < 2 || (op >= 6 && op <= 10));
        if (W.fates)
            break; /* the container would end here */
    }
    sup_stop_all(W.sup, -1);
    check_invariants(seed0, -1); /* steps of the shutdown count down from -1 */
    /* The processes told to stop exit, one at a time in a random order;
     * any other only when none of those is left; with none alive, what
     * waits its turn to fork (a finish) gets it in the next loop turn. */
    for (int step = 1; step <= MAX_PROCS && !sup_all_stopped(W.sup); step++) {
        int alive[MAX_PROCS], n = 0;
        for (int i = 0; i < W.nprocs; i++)
            if (W.procs[i].alive && told_to_stop(&W.procs[i]))
                alive[n++] = i;
        for (int i = 0; i < W.nprocs && !n; i++)
            if (W.procs[i].alive)
                alive[n++] = i;
        if (n == 0) {
            assert_non_null(W.sup->pace.head); /* else nothing would ever stop it */
            turn();
        } else {
            die(W.procs[alive[rnd(&seed, (unsigned)n)]].pid, EXITED(0));
        }
        check_invariants(seed0, -1 - step);
        check_queue(seed0, -1 - step);
    }
    assert_true(sup_all_stopped(W.sup));
    world_stop();
}

/* ---- diagnostics ----------------------------------------------------------------- */

static uint64_t orphans_of(const char *name)
{
    struct sup_view v;
    sup_view(sup_find(W.sup, name), 0, &v);
    return v.orphans_reaped;
}

static void orphans_are_counted_for_the_service_whose_recent_group_held_them(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a]\n", "b.yaml", "command: [sleep, b]\n", NULL));
    sup_start_all(W.sup);
    pid_t a1 = live("a"), b1 = live("b");
    /* An orphan pid that does not exist: getsid() fails, the group decides. */
    assert_true(sup_on_orphan(W.sup, 4999999, a1, true)); /* named by its group */
    die_tag("a", EXITED(1));                              /* restarted at once: a new group */
    pid_t a2 = live("a");
    assert_int_not_equal(a2, a1);
    sup_on_orphan(W.sup, 4999999, a1, true); /* what the old run left */
    sup_on_orphan(W.sup, 4999999, a2, true);
    sup_on_orphan(W.sup, 4999999, b1, true);
    assert_false(sup_on_orphan(W.sup, 4999999, 4999998, true)); /* a group nobody started */
    sup_on_orphan(W.sup, 4999999, -1, true);                    /* not readable */
    assert_int_equal(orphans_of("a"), 3);
    assert_int_equal(orphans_of("b"), 1);
    assert_int_equal(sup_orphans_unattributed(W.sup), 2);
    struct sup_view v;
    sup_view(sup_find(W.sup, "a"), 0, &v);
    assert_int_equal(v.pgid, a2);
    world_stop();
}

static void fork_failures_are_counted_per_service(void **state)
{
    (void)state;
    world_start(load("a.yaml", "command: [sleep, a]\n", "b.yaml", "command: [sleep, b]\n", NULL));
    W.fail_spawns = 1; /* a's first fork (start order: a, b) */
    sup_start_all(W.sup);
    struct sup_view va, vb;
    sup_view(sup_find(W.sup, "a"), 0, &va);
    sup_view(sup_find(W.sup, "b"), 0, &vb);
    assert_int_equal(va.fork_failures, 1);
    assert_int_equal(vb.fork_failures, 0);
    assert_string_equal(state_of("a"), "backoff");
    world_stop();
}

/* stop web d (d depends on web): web's stop waits for d. web exits on its
 * own meanwhile: that is its stop, not a crash to restart it from. */
static void an_exit_while_a_stop_is_queued_is_that_stop(void **state)
{
    (void)state;
    struct sup_service *list[2];
    world_start(load("web.yaml", "command: [sleep, web]\n", "d.yaml",
                     "command: [sleep, d]\ndepends_on: [web]\n", NULL));
    sup_start_all(W.sup);
    sup_stop_ordered(list, records(list, "web", "d", NULL), false);
    assert_string_equal(W.kills, "d:TERM ");
    die_tag("web", EXITED(1));
    turns_until_idle();
    assert_string_equal(state_of("web"), "stopped");
    assert_false(sup_find(W.sup, "web")->stop_queued);
    die_tag("d", SIGTERM);
    turns_until_idle();
    assert_string_equal(W.spawns, "web d ");
    assert_string_equal(state_of("d"), "stopped");
    assert_int_equal(restarts_of("web"), 0);
    world_stop();
}

/* restart web d: web exits while its stop waits for d's. That exit is its
 * stop, and its restart goes on as after one (with no automatic restart
 * besides): web runs again, d once it is down; no restart is counted. */
static void an_exit_while_a_restart_is_queued_is_its_stop(void **state)
{
    (void)state;
    struct sup_service *list[2];
    world_start(load("web.yaml", "command: [sleep, web]\n", "d.yaml",
                     "command: [sleep, d]\ndepends_on: [web]\n", NULL));
    sup_start_all(W.sup);
    sup_stop_ordered(list, records(list, "web", "d", NULL), true);
    die_tag("web", EXITED(1));
    turns_until_idle();
    assert_string_equal(W.spawns, "web d web ");
    die_tag("d", SIGTERM);
    turns_until_idle();
    assert_string_equal(W.spawns, "web d web d ");
    assert_string_equal(W.kills, "d:TERM ");
    assert_string_equal(state_of("web"), "up");
    assert_string_equal(state_of("d"), "up");
    assert_int_equal(restarts_of("web"), 0);
    world_stop();
}

/* The loop's time is read once a turn: a stop_timeout counts from the stop
 * signal, not from the start of the turn that sent it. */
static void a_stop_timeout_counts_from_the_stop_not_from_the_start_of_a_long_turn(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\nstop_timeout: 10s\n", NULL));
    sup_start_all(W.sup);
    turn();
    /* The loop's time is read once a turn: as if this one had begun 20 s
     * ago (a long turn, a reload of hundreds) when web is stopped. */
    W.loop.time -= 20000;
    sup_stop_service(sup_find(W.sup, "web"));
    assert_string_equal(W.kills, "web:TERM ");
    turn(); /* web's 10 s are not up: no SIGKILL yet */
    assert_string_equal(W.kills, "web:TERM ");
    die_tag("web", SIGTERM);
    assert_string_equal(state_of("web"), "stopped");
    world_stop();
}

/* The same for a hook: its finish_timeout counts from its fork. */
static void a_finish_timeout_counts_from_its_fork_not_from_the_start_of_a_long_turn(void **state)
{
    (void)state;
    world_start(
        load("job.yaml", "command: [sleep, job]\nfinish: [sh, fin]\nfinish_timeout: 10s\n", NULL));
    sup_start_all(W.sup);
    turn();
    W.loop.time -= 20000;
    die_tag("job", EXITED(3));
    assert_string_equal(W.spawns, "job fin ");
    turn(); /* fin's 10 s are not up: not killed */
    assert_string_equal(W.kills, "");
    die_tag("fin", EXITED(0));
    assert_string_equal(W.spawns, "job fin job ");
    world_stop();
}

/* A stop asked for, or a reload's removal, while a service stops for a
 * failure (unhealthy, not ready in time, past its run timeout) is final: it
 * is not restarted after, and a shutdown finds nothing left running. It is
 * stopped, as asked, and status still says what its run failed of. */
static void a_stop_while_stopping_for_a_failure_is_final(void **state)
{
    (void)state;
    world_start(
        load("web.yaml", "command: [sleep, web]\n", "x.yaml", "command: [sleep, x]\n", NULL));
    sup_start_all(W.sup);
    struct sup_service *web = sup_find(W.sup, "web");
    W.sup->check_ops->unhealthy(web, "bad"); /* stopping for a failure */
    sup_stop_service(web);                   /* corralctl stop web */
    die_tag("web", SIGTERM);
    assert_string_equal(W.spawns, "web x "); /* not restarted after */
    assert_string_equal(state_of("web"), "stopped");
    assert_string_equal(reason_of("web"), "unhealthy");
    sup_start_service(web);
    W.sup->check_ops->unhealthy(web, "bad");
    assert_int_equal(sup_swap_set(W.sup, load("x.yaml", "command: [sleep, x]\n", NULL)), 0);
    die_tag("web", SIGTERM);
    assert_null(W.sup->retiring); /* gone: not restarted, retiring */
    sup_stop_all(W.sup, SIGTERM);
    die_tag("x", SIGTERM);
    assert_int_equal(W.all_stopped, 1); /* every service stopped */
    world_stop();
}

/* A stop of a queued behind a dependent that was stopping for a failure
 * (unhealthy, to restart), not with it: once that dependent runs again, a
 * is stopped (found by the random walk's health events). */
static void a_queued_stop_goes_on_once_a_dependent_stopping_for_a_failure_restarts(void **state)
{
    (void)state;
    struct sup_service *list[2];
    world_start(load("a.yaml", "command: [sleep, a]\n", "d.yaml",
                     "command: [sleep, d]\ndepends_on: [a]\n", NULL));
    sup_start_all(W.sup);
    W.sup->check_ops->unhealthy(sup_find(W.sup, "d"), "bad");
    assert_string_equal(W.kills, "d:TERM ");
    sup_stop_ordered(list, records(list, "a", NULL), false);
    die_tag("d", SIGTERM); /* restarted: d runs again */
    assert_string_equal(state_of("d"), "up");
    assert_string_equal(W.kills, "d:TERM a:TERM ");
    die_tag("a", SIGTERM);
    assert_string_equal(state_of("a"), "stopped");
    world_stop();
}

/* restart web (corralctl restart, a list of one) while web stops for a
 * failure: the restart asked for replaces the automatic one. web starts
 * once, no restart is counted, nothing is left pending: a later exit is
 * decided by its policy alone, and what depends on it starts. The run it
 * ended is told as the failure it was (stopped, unhealthy). */
static void a_restart_while_stopping_for_a_failure_replaces_the_automatic_one(void **state)
{
    (void)state;
    struct sup_service *list[2];
    world_start(load("web.yaml", "command: [sleep, web]\nrestart: on-failure\n", "d.yaml",
                     "command: [sleep, d]\ndepends_on: [web]\nautostart: false\n", NULL));
    sup_start_all(W.sup);
    struct sup_service *web = sup_find(W.sup, "web");
    W.sup->check_ops->unhealthy(web, "bad");
    sup_stop_ordered(list, records(list, "web", NULL), true);
    assert_string_equal(W.kills, "web:TERM ");
    die_tag("web", SIGTERM);
    assert_string_equal(W.spawns, "web web ");
    assert_string_equal(state_of("web"), "up");
    assert_non_null(strstr(W.said, "web:stopped (unhealthy) web:waiting"));
    assert_string_equal(web->svc.last_failure, "unhealthy");
    assert_int_equal(restarts_of("web"), 0);
    assert_false(web->intent.restart_pending);
    sup_start_service(sup_find(W.sup, "d"));
    assert_string_equal(state_of("d"), "up");
    die_tag("web", EXITED(0)); /* on-failure: done, not started again */
    assert_string_equal(state_of("web"), "done");
    assert_string_equal(W.spawns, "web web d ");
    world_stop();
}

/* A reload changes web while web stops for a failure: web comes back with
 * its new configuration (a restart, not the automatic one with the old),
 * and nothing is left pending to hold what depends on it. */
static void a_reload_while_stopping_for_a_failure_restarts_with_the_new_configuration(void **state)
{
    (void)state;
    world_start(load("web.yaml", "command: [sleep, web]\n", NULL));
    sup_start_all(W.sup);
    struct sup_service *web = sup_find(W.sup, "web");
    W.sup->check_ops->unhealthy(web, "bad");
    assert_int_equal(sup_swap_set(W.sup, load("web.yaml", "command: [sleep, web2]\n", "d.yaml",
                                              "command: [sleep, d]\ndepends_on: [web]\n", NULL)),
                     0);
    assert_string_equal(W.kills, "web:TERM ");
    die_tag("web", SIGTERM);
    assert_string_equal(W.spawns, "web web2 d ");
    assert_string_equal(state_of("web"), "up");
    assert_string_equal(state_of("d"), "up");
    assert_false(web->intent.restart_pending);
    assert_false(web->intent.pending_conf);
    assert_int_equal(restarts_of("web"), 0);
    world_stop();
}

/* restart web d, or stop web d, while web stops for a failure: web's
 * stop is queued behind d's, but its process is going already. What was
 * asked for follows its exit, not the failure's automatic restart, which
 * would run it once more before its queued stop or restart. */
static void
a_queued_restart_or_stop_while_stopping_for_a_failure_replaces_the_automatic_one(void **state)
{
    (void)state;
    struct sup_service *list[2];
    for (int restart = 0; restart < 2; restart++) {
        world_start(load("web.yaml", "command: [sleep, web]\n", "d.yaml",
                         "command: [sleep, d]\ndepends_on: [web]\n", NULL));
        sup_start_all(W.sup);
        W.sup->check_ops->unhealthy(sup_find(W.sup, "web"), "bad");
        sup_stop_ordered(list, records(list, "web", "d", NULL), restart);
        assert_string_equal(W.kills, "web:TERM d:TERM ");
        die_tag("web", SIGTERM);
        assert_string_equal(state_of("web"), restart ? "up" : "stopped");
        assert_non_null(strstr(W.said, "web:stopped (unhealthy) "));
        assert_false(sup_find(W.sup, "web")->stop_queued); /* done, not left set */
        assert_string_equal(W.spawns, restart ? "web d web " : "web d ");
        die_tag("d", SIGTERM);
        assert_string_equal(W.kills, "web:TERM d:TERM ");
        assert_string_equal(W.spawns, restart ? "web d web d " : "web d ");
        assert_string_equal(state_of("d"), restart ? "up" : "stopped");
        assert_int_equal(restarts_of("web"), 0);
        world_stop();
    }
}

/* A reload scales w down from 3 to 1 while w.3 runs and w.2's restart
 * waits its turn: w.2 has no process to stop, and goes at once, never
 * started again by its turn; w.3 stops. A shutdown then waits for w.3
 * and w.1 only. */
static void a_removed_instance_waiting_its_turn_goes_without_starting_again(void **state)
{
    (void)state;
    const char *w3 = "command: [sleep, \"w${CORRAL_INSTANCE}\"]\ninstances: 3\n";
    world_start(load("w.yaml", w3, NULL));
    W.sup->pace.per_turn = 1;
    sup_start_all(W.sup);
    turns_until_idle();
    turn();
    die_in_turn(live("w1"), EXITED(0)); /* restarted at once: the turn's one spawn */
    die_in_turn(live("w2"), EXITED(0)); /* waits its turn */
    assert_true(sup_find(W.sup, "w.2")->start.queued);
    W.spawns[0] = '\0';
    assert_int_equal(sup_swap_set(W.sup, load("w.yaml",
                                              "command: [sleep, \"w${CORRAL_INSTANCE}\"]\n"
                                              "instances: 1\n",
                                              NULL)),
                     0);
    assert_string_equal(W.gone, "w.2 ");
    assert_string_equal(W.kills, "w3:TERM ");
    turns_until_idle();
    assert_string_equal(W.spawns, ""); /* w.2 never again */
    die_tag("w3", SIGTERM);
    assert_string_equal(W.gone, "w.2 w.3 ");
    sup_stop_all(W.sup, -1);
    assert_string_equal(W.kills, "w3:TERM w1:TERM ");
    die_tag("w1", SIGTERM);
    assert_int_equal(W.all_stopped, 1);
    world_stop();
}

/* stop a d while a's restart waits its turn (d depends on a, started:
 * d still runs). a has no process: its stop waits for nothing, and its
 * turn does not start it. */
static void a_queued_stop_of_one_waiting_its_turn_to_restart_stops_it_now(void **state)
{
    (void)state;
    struct sup_service *list[2];
    world_start(load("a.yaml", "command: [sleep, a]\n", "d.yaml",
                     "command: [sleep, d]\ndepends_on: {a: {condition: started}}\n", "x.yaml",
                     "command: [sleep, x]\n", NULL));
    W.sup->pace.per_turn = 1;
    sup_start_all(W.sup);
    turns_until_idle();
    turn();
    die_in_turn(live("x"), EXITED(0)); /* restarted at once: the turn's one spawn */
    die_in_turn(live("a"), EXITED(0)); /* waits its turn */
    assert_true(sup_find(W.sup, "a")->start.queued);
    sup_stop_ordered(list, records(list, "a", "d", NULL), false);
    assert_string_equal(state_of("a"), "stopped");
    assert_false(sup_find(W.sup, "a")->stop_queued);
    assert_string_equal(W.kills, "d:TERM ");
    W.spawns[0] = '\0';
    turns_until_idle();
    die_tag("d", SIGTERM);
    assert_string_equal(W.spawns, "");
    assert_string_equal(W.kills, "d:TERM ");
    world_stop();
}

/* corral's own lines at info and above while fn runs, into buf. */
static void capture_log(void (*fn)(void), char *buf, size_t len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
    enum log_level level = log_max_level;
    log_max_level = LOG_INFO;
    fn();
    log_max_level = level;
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void job_due(void)
{
    W.sup->on_due(sup_find(W.sup, "job"));
}

/* A scheduled job due while its start, or its restart after a failed run,
 * waits its turn says so: its run is not going on, and it depends on
 * nothing. */
static void a_scheduled_job_due_while_it_waits_its_turn_says_so(void **state)
{
    (void)state;
    char log[1024];
    world_start(load("job.yaml",
                     "type: oneshot\nevery: 1h\nrestart: on-failure\ncommand: [sleep, job]\n",
                     "x.yaml", "command: [sleep, x]\n", NULL));
    W.sup->pace.per_turn = 1;
    sup_start_all(W.sup); /* x: the turn's one spawn */
    job_due();
    assert_true(sup_find(W.sup, "job")->start.queued);
    capture_log(job_due, log, sizeof log);
    assert_string_equal(log, "corral: job: due while it waits for its turn to start: this run is "
                             "skipped\n");
    turns_until_idle();
    assert_string_equal(W.spawns, "x job ");
    turn();
    die_in_turn(live("x"), EXITED(0));   /* restarted at once: the turn's one spawn */
    die_in_turn(live("job"), EXITED(1)); /* its restart waits its turn */
    assert_true(sup_find(W.sup, "job")->start.queued);
    capture_log(job_due, log, sizeof log);
    assert_string_equal(log, "corral: job: due while it waits for its turn to restart: this run "
                             "is skipped\n");
    world_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(services_start_in_dependency_order_and_stop_in_reverse),
        cmocka_unit_test(finish_runs_after_each_exit_before_the_restart_and_125_ends_it),
        cmocka_unit_test(a_stop_command_replaces_the_stop_signal_which_follows_if_it_fails),
        cmocka_unit_test(the_stop_signal_after_a_failed_stop_command_keeps_signal_process),
        cmocka_unit_test(a_start_with_no_fd_for_its_pipes_says_pipe_and_counts_no_failed_fork),
        cmocka_unit_test(stopping_a_single_process_service_with_no_process_signals_nothing),
        cmocka_unit_test(autostart_false_waits_for_a_request_and_so_do_its_dependents),
        cmocka_unit_test(killing_everything_starts_no_stop_command_and_no_finish),
        cmocka_unit_test(scripts_run_one_at_a_time_and_a_failure_ends_the_run_with_its_code),
        cmocka_unit_test(shutdown_scripts_all_run_and_an_abort_stops_the_one_running),
        cmocka_unit_test(a_script_whose_fork_fails_is_retried_before_the_next_runs),
        cmocka_unit_test(a_dependent_waits_for_a_oneshot_to_complete),
        cmocka_unit_test(
            a_failed_oneshot_leaves_its_dependent_waiting_and_the_set_settles_with_its_code),
        cmocka_unit_test(the_main_finishing_decides_the_fate),
        cmocka_unit_test(a_critical_oneshot_failing_decides_the_fate_with_its_code),
        cmocka_unit_test(
            a_restart_pending_across_a_swap_that_removes_its_dependents_runs_the_new_command),
        cmocka_unit_test(a_retiring_dependent_still_running_holds_its_dependency_in_the_stop_order),
        cmocka_unit_test(a_kept_service_keeps_its_process_and_takes_the_new_dependencies),
        cmocka_unit_test(removing_a_waiting_service_closes_it_once),
        cmocka_unit_test(a_reload_that_drops_what_a_service_waits_for_starts_it),
        cmocka_unit_test(a_service_brought_back_while_it_stops_starts_again_once_stopped),
        cmocka_unit_test(a_service_brought_back_while_it_stops_stays_down_if_stopped_or_removed),
        cmocka_unit_test(instances_scaled_down_and_up_again_never_run_twice),
        cmocka_unit_test(a_shutdown_stops_what_a_restarted_service_depended_on_before_the_reload),
        cmocka_unit_test(a_queued_stop_goes_on_when_a_reload_drops_the_dependent_it_waited_for),
        cmocka_unit_test(a_start_that_calls_off_a_queued_restart_starts_its_dependents),
        cmocka_unit_test(an_exit_while_a_stop_is_queued_is_that_stop),
        cmocka_unit_test(an_exit_while_a_restart_is_queued_is_its_stop),
        cmocka_unit_test(a_stop_timeout_counts_from_the_stop_not_from_the_start_of_a_long_turn),
        cmocka_unit_test(a_finish_timeout_counts_from_its_fork_not_from_the_start_of_a_long_turn),
        cmocka_unit_test(a_stop_while_stopping_for_a_failure_is_final),
        cmocka_unit_test(a_restart_while_stopping_for_a_failure_replaces_the_automatic_one),
        cmocka_unit_test(a_reload_while_stopping_for_a_failure_restarts_with_the_new_configuration),
        cmocka_unit_test(
            a_queued_restart_or_stop_while_stopping_for_a_failure_replaces_the_automatic_one),
        cmocka_unit_test(a_queued_stop_goes_on_once_a_dependent_stopping_for_a_failure_restarts),
        cmocka_unit_test(a_queued_restart_goes_on_when_the_dependent_it_waited_for_is_started),
        cmocka_unit_test(starts_are_paced_over_loop_turns_in_order),
        cmocka_unit_test(a_start_while_others_wait_goes_after_them),
        cmocka_unit_test(restarts_of_services_crashing_together_are_paced_in_order),
        cmocka_unit_test(restarts_whose_backoff_timers_fire_together_are_paced_in_order),
        cmocka_unit_test(a_restart_stopped_or_closed_while_it_waits_its_turn_leaves_the_queue),
        cmocka_unit_test(finishes_of_services_exiting_together_are_paced_each_before_its_restart),
        cmocka_unit_test(stop_commands_of_a_shutdown_are_paced_and_each_still_runs),
        cmocka_unit_test(hooks_waiting_their_turn_give_way_to_a_timeout_or_a_failed_fork),
        cmocka_unit_test(a_kill_of_everything_skips_the_finishes_still_waiting),
        cmocka_unit_test(a_dependent_waiting_its_turn_waits_again_for_a_dependency_gone_down),
        cmocka_unit_test(a_start_restart_or_reload_of_a_service_backing_off_is_no_restart),
        cmocka_unit_test(a_restart_whose_fork_failed_and_that_was_stopped_is_no_restart),
        cmocka_unit_test(a_stop_of_several_waits_for_the_dependents_stopped_with_it),
        cmocka_unit_test(a_restart_of_several_stops_dependents_first_and_starts_them_last),
        cmocka_unit_test(removed_instances_stop_one_at_a_time_the_highest_first),
        cmocka_unit_test(a_shutdown_stops_the_removed_instances_still_waiting_their_turn),
        cmocka_unit_test(a_removed_instance_waiting_its_turn_goes_without_starting_again),
        cmocka_unit_test(a_queued_stop_of_one_waiting_its_turn_to_restart_stops_it_now),
        cmocka_unit_test(a_scheduled_job_due_while_it_waits_its_turn_says_so),
        cmocka_unit_test(random_swaps_requests_and_exits_keep_the_runtime_consistent),
        cmocka_unit_test(orphans_are_counted_for_the_service_whose_recent_group_held_them),
        cmocka_unit_test(fork_failures_are_counted_per_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
