/* supervisor.c - the service runtime: carries out what each service's state
 * machine decides, asks the set logic (core/svcset.c) what only the whole
 * set can decide (dependencies, stop order, settling), takes requests (the
 * control socket's, the checks', sd_notify's), and publishes what happens
 * to its listeners. Decisions about one service live in core/service.c. */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bounds.h"
#include "clock.h"
#include "exitstatus.h"
#include "log.h"
#include "notify.h"
#include "signame.h"
#include "supervisor_int.h"
#include "units.h"

static void sup_feed(struct sup_service *ss, enum svc_event_kind kind, int wstatus, int err);
static void sup_feed_event(struct sup_service *ss, const struct svc_event *evp);
static void sup_try_start(struct sup_service *ss);

/* ---- telling the listeners ------------------------------------------------- */

static void sup_tell_change(struct sup_service *ss)
{
    for (struct sup_listener *l = ss->sup->listeners; l; l = l->next)
        if (l->on_change)
            l->on_change(l, ss);
}

static void sup_tell_gone(struct sup_service *ss)
{
    for (struct sup_listener *l = ss->sup->listeners; l; l = l->next)
        if (l->on_gone)
            l->on_gone(l, ss);
}

static void sup_tell_fate(struct supervisor *sup, enum sup_fate fate, int code, const char *why)
{
    for (struct sup_listener *l = sup->listeners; l; l = l->next)
        if (l->on_fate)
            l->on_fate(l, fate, code, why);
}

static void sup_tell_all_stopped(struct supervisor *sup)
{
    for (struct sup_listener *l = sup->listeners; l; l = l->next)
        if (l->on_all_stopped)
            l->on_all_stopped(l);
}

void sup_listen(struct supervisor *sup, struct sup_listener *l)
{
    l->next = sup->listeners;
    sup->listeners = l;
}

/* ---- one service: events in, actions out ----------------------------------- */

static void sup_on_timer(uv_timer_t *t)
{
    struct sup_service *ss = t->data;
    uint32_t gen = ss->timer_gen;
    sup_reap_pending(ss->sup);
    if (ss->closed || ss->timer_gen != gen)
        return; /* an exit just reaped changed what the timer was for */
    if (ss->svc.state == SVC_STOPPING && ss->svc.pid <= 0 && ss->exit_read_ms >= ss->timer_due_ms) {
        /* Its process exited in time, only read late (by this turn, after
         * a long one): what its stop waits for now, its finish or its
         * leftovers, is bounded by its own timer (finish_timeout,
         * stop_timeout), not killed as it starts. */
        return;
    }
    /* While starting, the timer is the readiness timeout: the last check's
     * result says why it is not ready. In backoff, the restart it brings
     * is paced like a start (sup_starts.c): timers of many services that
     * crashed together fire together. */
    struct svc_event ev = {.kind = SVC_EV_TIMER,
                           .text = ss->svc.state == SVC_STARTING ? ss->checks.last : NULL,
                           .spawn_waits = ss->svc.state == SVC_BACKOFF && sup_starts_must_wait(ss)};
    sup_feed_event(ss, &ev);
}

/* A service counts as spawned once its program runs: when its exec is
 * still to be confirmed, SPAWNED waits for sup_on_exec. */
static void sup_do_spawn(struct sup_service *ss)
{
    /* Its earlier runs' pipes still hold lines the output has not taken:
     * a new run would add two more fds to them (a crash loop on a stalled
     * stdout, all of corral's), so it waits, as a service blocked in write
     * behind a full pipe does, and is tried again with backoff. */
    int held = output_svc_held(&ss->output);
    if (held >= OUTPUT_STREAMS_HELD) {
        if (ss->output_waits++ == 0)
            log_warn("%s: its next run waits: %d pipes of its earlier runs hold lines that "
                     "corral's output has not taken (is corral's stdout read?)",
                     sup_name(ss), held);
        struct svc_event ev = {.kind = SVC_EV_SPAWN_FAILED,
                               .text = "its earlier runs' lines wait for corral's output"};
        sup_feed_event(ss, &ev);
        return;
    }
    sup_starts_spawned(ss->sup);
    const char *what;
    int rc = sup_spawn(ss, &what);
    if (rc == 0)
        sup_sched_started(ss);
    if (rc < 0) {
        struct svc_event ev = {.kind = SVC_EV_SPAWN_FAILED, .err = -rc, .what = what};
        sup_feed_event(ss, &ev);
    } else if (!ss->exec)
        sup_feed(ss, SVC_EV_SPAWNED, 0, 0);
}

/* Sends the stop signal sig to ss: to its process alone when it is to be
 * signalled alone, else to its whole tree. */
static void sup_send_stop(struct sup_service *ss, int sig)
{
    struct supervisor *sup = ss->sup;
    bool single = (sup->env.single_child && ss == sup->main) || ss->svc.conf->signal_process;
    /* With no process (it exited; its leftovers, finish or stop command
     * are what the stop waits for), never kill(0): that is corral's own
     * process group. */
    if (single && sig != SIGKILL && ss->svc.pid > 0)
        (void)sup->env.procs->kill(ss->svc.pid, sig);
    else
        sup_signal_tree(ss, sig);
}

static void sup_apply(struct sup_service *ss, const struct svc_step *st)
{
    struct supervisor *sup = ss->sup;

    for (int i = 0; i < st->nactions; i++) {
        const struct svc_action *a = &st->actions[i];
        switch (a->kind) {
        case SVC_ACT_SPAWN:
            sup_do_spawn(ss);
            break;
        case SVC_ACT_SIGNAL: {
            int sig = a->sig, rc;
            if (sig == SIGKILL && ss->svc.pid > 0) {
                char desc[300];
                log_warn("%s did not exit in time: %s; sending SIGKILL to its process tree",
                         sup_name(ss), proctree_describe(ss->svc.pid, desc, sizeof desc));
            } else if (sig == SIGKILL) {
                /* Its process is gone: what the stop still waits for. */
                const char *what = sup_hook_running(&ss->finish_hook) ? " (its finish still runs)"
                                   : sup_hook_waiting(&ss->finish_hook)
                                       ? " (its finish still waits its turn to start)"
                                   : sup_hook_running(&ss->stop_hook)
                                       ? " (its stop command still runs)"
                                   : ss->n_leftovers ? " (processes it left still run)"
                                                     : "";
                log_warn("%s: its stop did not end in time%s: sending SIGKILL", sup_name(ss), what);
            }
            bool forwarded = ss == sup->main && sig != SIGKILL && sup->main_stop_sig >= 0;
            if (forwarded)
                sig = sup->main_stop_sig;
            if (sig == SIGKILL) {
                /* The stop is bounded: a stop command or finish that hangs
                 * too, or one still waiting its turn, which then never runs. */
                sup_hook_signal(&ss->stop_hook, SIGKILL);
                sup_hook_signal(&ss->finish_hook, SIGKILL);
            } else if (!forwarded && !sup->killing && ss->svc.conf->stop_argv && ss->svc.pid > 0 &&
                       (rc = sup_hook_start(&ss->stop_hook)) >= 0) {
                /* The stop command stops it (with its pid in MAINPID, as
                 * systemd's ExecStop), now or at its turn to fork;
                 * stop_signal if it fails. */
                if (rc == SUP_HOOK_WAITS)
                    log_debug("%s: stop_command waiting for its turn", sup_name(ss));
                break;
            }
            sup_send_stop(ss, sig);
            break;
        }
        case SVC_ACT_ARM_TIMER:
            /* From now, not from the start of this turn: after a long
             * turn (a reload stopping hundreds) the loop's time is far
             * behind, and a stop_timeout counted from it would end before
             * the process had had it. */
            uv_update_time(sup->env.loop);
            ss->timer_gen++;
            ss->timer_due_ms = uv_now(sup->env.loop) + a->delay_ms;
            uv_timer_start(&ss->timer, sup_on_timer, a->delay_ms, 0);
            break;
        case SVC_ACT_CANCEL_TIMER:
            ss->timer_gen++;
            uv_timer_stop(&ss->timer);
            break;
        case SVC_ACT_AWAIT_TURN:
            sup_starts_wait(ss); /* its turn feeds TIMER: sup_on_start_turn */
            break;
        }
    }
}

static void sup_feed_event(struct sup_service *ss, const struct svc_event *evp)
{
    enum svc_event_kind kind = evp->kind;
    enum svc_state before = ss->svc.state;
    struct svc_step st = svc_step(&ss->svc, evp, uv_now(ss->sup->env.loop));

    if (st.changed) {
        /* One line per change that matters: waiting and a first start are
         * routine (debug), and a retry of a failing fork, or of a run put
         * off, is logged once per burst. */
        bool waits_turn = st.nactions > 0 && st.actions[st.nactions - 1].kind == SVC_ACT_AWAIT_TURN;
        bool routine = st.state == SVC_WAITING ||
                       (st.state == SVC_STARTING && kind != SVC_EV_EXITED) ||
                       (waits_turn && kind != SVC_EV_EXITED);
        bool quiet = ss->sup->env.quiet || routine ||
                     ((ss->fork_failures > 1 || ss->output_waits > 1) && st.state == SVC_BACKOFF);
        if (quiet)
            log_debug("%s: %s (%s)", sup_name(ss), svc_state_name(st.state), ss->svc.reason);
        else
            log_info("%s: %s (%s)", sup_name(ss), svc_state_name(st.state), ss->svc.reason);
    }
    if (st.changed && svc_is_finished(&ss->svc)) {
        /* Stopped (or given up) while a fork failed or its run waited for
         * its output: that streak is over, and the next one is news. */
        ss->fork_failures = 0;
        ss->output_waits = 0;
    }
    /* What waited its turn to start or restart and is now something else
     * (stopped, started on request) no longer waits. */
    if (ss->start.queued && ss->svc.state != before)
        sup_starts_drop(ss);
    checks_on_state(&ss->checks, ss->svc.state, ss->svc.pid);
    if (!ss->run) /* a script is nobody's business but its run's */
        sup_tell_change(ss);
    if (ss->tail_pending) {
        /* Under the exit line: the cause of a crash is usually in there. */
        ss->tail_pending = false;
        output_print_tail(&ss->output, SUP_TAIL_LINES);
    }
    sup_apply(ss, &st);
    /* The actions may have fed further events (a spawn reports back); react
     * once, to the latest state. */
    if (ss->svc.state != before || st.changed)
        sup_after_change(ss);
}

static void sup_feed(struct sup_service *ss, enum svc_event_kind kind, int wstatus, int err)
{
    struct svc_event ev = {.kind = kind, .wstatus = wstatus, .err = err};
    sup_feed_event(ss, &ev);
}

static void sup_on_due(struct sup_service *ss);

/* The run is over and its finish, if any, has run: the state machine
 * hears of the exit. no_restart: the finish said so (exit 125). */
static void sup_exited_final(struct sup_service *ss, int wstatus, bool no_restart)
{
    bool was = ss->svc.no_restart;
    ss->tail_pending = !svc_exit_is_success(&ss->svc, wstatus) && ss->svc.state != SVC_STOPPING;
    if (no_restart)
        ss->svc.no_restart = true; /* for this exit only */
    /* A oneshot may have exported variables: what starts next sees them. */
    if (ss->svc.conf->type == CONF_TYPE_ONESHOT && svc_exit_is_success(&ss->svc, wstatus))
        sup_cenv_load(ss->sup);
    /* A stop (or restart) queued behind its dependents has nothing left to
     * stop: this exit is that stop. */
    bool queued = ss->stop_queued;
    ss->stop_queued = false;
    /* Stopped for a failure while a stop or a restart was asked for (queued,
     * or a reload's restart with a new configuration): that request decides
     * what follows, not the restart the failure would bring, which would
     * run it once more in between. */
    if (ss->svc.state == SVC_STOPPING && ss->svc.stop_is_failure &&
        (queued || ss->intent.restart_pending))
        sup_feed(ss, SVC_EV_STOP, 0, 0);
    /* Running with its stop queued: it ends as that stop would, and a
     * restart goes on as after one. */
    bool as_stop = queued && svc_is_running(&ss->svc) && ss->svc.state != SVC_STOPPING;
    /* A restart at once is paced like a start (sup_starts.c): many
     * services may crash together. */
    struct svc_event ev = {.kind = SVC_EV_EXITED,
                           .wstatus = wstatus,
                           .spawn_waits = sup_starts_must_wait(ss),
                           .as_stop = as_stop};
    sup_feed_event(ss, &ev);
    if (no_restart && !ss->closed && !ss->sup->stopping)
        ss->svc.no_restart = was;
    /* A run queued while this one went on (overlap: queue) starts now. */
    if (sup_sched_ended(ss) && !ss->closed && svc_is_finished(&ss->svc))
        sup_on_due(ss);
}

/* Status says why nothing happens yet after an exit: its finish runs, or
 * waits its turn to (sup_on_hook_done, sup_on_hook_turn go on). */
static void sup_finish_says(struct sup_service *ss, bool runs)
{
    char what[64];
    snprintf(ss->svc.reason, sizeof ss->svc.reason, "%s; %s",
             exitstatus_describe(ss->finish_wstatus, what, sizeof what),
             runs ? "running its finish" : "its finish waiting for its turn");
    log_debug("%s: %s", sup_name(ss), ss->svc.reason);
    sup_tell_change(ss);
}

/* The run is over: its main process exited, and nothing it left runs. Its
 * finish command runs first, with the exit in its environment (sup_hook.c). */
static void sup_exited(struct sup_service *ss, int wstatus)
{
    const struct conf_service *conf = ss->svc.conf;
    /* Once everything is being killed, nothing more is started. */
    if (conf->finish_argv && !ss->sup->killing) {
        ss->finish_wstatus = wstatus;
        int rc = sup_hook_start(&ss->finish_hook);
        if (rc >= 0) {
            sup_finish_says(ss, rc == 0);
            return;
        }
    }
    sup_exited_final(ss, wstatus, false);
}

/* A hook that waited its turn to fork (sup_hook.c): it runs now, unless
 * what it was for is over. A finish that does not run (killed while it
 * waited, everything being killed, taken away by a reload, its fork
 * failed) lets the exit go on, as one that cannot start at once does; a
 * stop command runs only while the stop it was for goes on, and one that
 * cannot start sends stop_signal instead. */
static void sup_on_hook_turn(struct sup_hook *h)
{
    struct sup_service *ss = h->ss;
    if (h->kind == SUP_HOOK_FINISH) {
        if (!h->killed && !ss->sup->killing && sup_hook_start(h) == 0)
            sup_finish_says(ss, true);
        else
            sup_exited_final(ss, ss->finish_wstatus, false);
        return;
    }
    if (h->killed || ss->sup->killing || ss->svc.state != SVC_STOPPING || ss->svc.pid <= 0)
        return;
    if (sup_hook_start(h) < 0)
        sup_send_stop(ss, ss->svc.conf->stop_signal);
}

/* A finish or stop_command process (pid) has exited. */
static void sup_on_hook_done(struct sup_hook *h, pid_t pid, int wstatus)
{
    struct sup_service *ss = h->ss;
    char what[64];
    /* Why it may have failed (exec) comes before what its exit means. */
    sup_read_spawn_reports(ss->sup, pid, &h->owner);
    exitstatus_describe(wstatus, what, sizeof what);
    if (h->kind == SUP_HOOK_FINISH) {
        bool no_restart = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == CONF_FINISH_NO_RESTART;
        if (no_restart)
            log_info("%s: finish %s: not restarting it", sup_name(ss), what);
        else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
            log_warn("%s: finish %s", sup_name(ss), what);
        sup_exited_final(ss, ss->finish_wstatus, no_restart);
        return;
    }
    /* A stop command that failed leaves the service running: it gets its
     * stop_signal after all (SIGKILL still follows at stop_timeout). */
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return;
    if (ss->svc.state == SVC_STOPPING && ss->svc.pid > 0) {
        char sig[32];
        log_warn("%s: stop_command %s: sending %s", sup_name(ss), what,
                 signame_format(ss->svc.conf->stop_signal, sig, sizeof sig));
        sup_send_stop(ss, ss->svc.conf->stop_signal);
    }
}

static void sup_on_exec(void *arg, bool exec_ok)
{
    struct sup_service *ss = arg;
    ss->exec = NULL;
    /* A failed exec is followed by the exit, which tells the rest. */
    if (exec_ok)
        sup_feed(ss, SVC_EV_SPAWNED, 0, 0);
}

static void sup_on_exit(struct pidtab_owner *owner, pid_t pid, int wstatus)
{
    struct sup_service *ss = (struct sup_service *)owner;
    if (ss->sup->env.before_exit)
        ss->sup->env.before_exit(ss->sup->env.before_exit_arg);
    /* Reaped before the exec pipe was read: it says now whether the program
     * ran, and a run however short counts (dependents start as before). */
    if (ss->exec) {
        bool ran = execwatch_settle(ss->exec);
        ss->exec = NULL;
        if (ran)
            sup_feed(ss, SVC_EV_SPAWNED, 0, 0);
    }
    ss->svc.pid = 0;
    ss->exit_read_ms = uv_now(ss->sup->env.loop);
    /* Why it may have died (exec failed) and its last lines may still sit in
     * their pipes: read them first, so that they come before the exit line. */
    sup_read_spawn_reports(ss->sup, pid, &ss->owner);
    output_svc_drain(&ss->output, false);
    /* A restart must not meet what the last run left (workers holding its
     * port): its exit counts once they are gone. */
    if (!sup_leftovers_begin(ss, pid, wstatus))
        sup_exited(ss, wstatus);
}

/* ---- the checks' results ------------------------------------------------------ */

static void sup_on_ready(void *arg)
{
    struct sup_service *ss = arg;
    if (ss->svc.state == SVC_STARTING)
        sup_feed(ss, SVC_EV_READY, 0, 0);
}

static void sup_on_healthy(void *arg)
{
    struct sup_service *ss = arg;
    log_info("%s: healthy (%s)", sup_name(ss), ss->checks.last);
    sup_tell_change(ss); /* `healthy` shows in status and events */
    for (size_t i = 0; i < ss->n_dependents; i++)
        sup_try_start(ss->dependents[i]);
}

static void sup_on_unhealthy(void *arg, const char *text)
{
    struct svc_event ev = {.kind = SVC_EV_UNHEALTHY, .text = text};
    sup_feed_event(arg, &ev);
}

static const struct checks_ops sup_check_ops = {
    .ready = sup_on_ready,
    .healthy = sup_on_healthy,
    .unhealthy = sup_on_unhealthy,
};

bool sup_on_sdnotify(void *arg, const struct notify_sender *from, const char *msg, size_t len)
{
    struct supervisor *sup = arg;
    for (size_t i = 0; i < sup->n; i++) {
        struct sup_service *ss = sup->svcs[i];
        if (ss->svc.conf->readiness.kind != CONF_PROBE_NOTIFY_SYSTEMD || ss->svc.pid <= 0)
            continue;
        if (notify_sender_in_tree(from, ss->svc.pid)) {
            checks_on_sdnotify(&ss->checks, msg, len);
            return true;
        }
    }
    return false;
}

/* ---- scheduled jobs ------------------------------------------------------- */

/* A scheduled job's time has come (sup_schedule.c): it runs unless it is
 * held (stopped on request), going away, or everything is stopping; while
 * its last run still goes on the time is skipped, or queued. */
static void sup_on_due(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    struct sup_sched *sc = ss->sched;
    char dur[32];

    if (!sc || sup->stopping || ss->intent.held || ss->intent.retiring)
        return;
    if (!svc_is_finished(&ss->svc)) {
        /* Put off (sup_do_spawn), waiting its turn to start or restart,
         * backing off, or waiting for its dependencies: its run has not
         * begun, say which. */
        bool waits = ss->output_waits > 0 && ss->svc.state == SVC_BACKOFF;
        bool not_begun = !svc_is_running(&ss->svc);
        const char *turn = ss->svc.restart_due ? "it waits for its turn to restart"
                                               : "it waits for its turn to start";
        const char *what = waits                          ? "its run waits for corral's output"
                           : ss->start.queued             ? turn
                           : ss->svc.state == SVC_BACKOFF ? "it waits to restart"
                           : ss->svc.state == SVC_WAITING ? "it waits for what it depends on"
                                                          : "its last run goes on";
        if (ss->svc.conf->overlap == CONF_OVERLAP_QUEUE) {
            if (!sc->queued)
                log_info("%s: due while %s: it runs again once that ends", sup_name(ss), what);
            sc->queued = true;
            return;
        }
        sc->skipped++;
        if (not_begun || !sc->last_start_ms) { /* no run began: no age to tell */
            log_warn("%s: due while %s: this run is skipped", sup_name(ss), what);
            return;
        }
        uint64_t now = clock_wall_ms();
        log_warn("%s: due while its last run goes on (started %s ago): this run is skipped",
                 sup_name(ss),
                 units_format_duration(now > sc->last_start_ms ? now - sc->last_start_ms : 0, dur,
                                       sizeof dur));
        return;
    }
    sc->runs++;
    sup_feed(ss, SVC_EV_START, 0, 0);
    sup_try_start(ss);
}

static void sup_on_run_timeout(struct sup_service *ss)
{
    char text[96];
    struct svc_event ev = {.kind = SVC_EV_RUN_TIMEOUT,
                           .text = sup_sched_timeout_text(ss, text, sizeof text)};
    sup_feed_event(ss, &ev);
}

/* ---- the whole set -------------------------------------------------------- */

/* A service that can never start: said once; a main that can never start
 * ends the container (it would otherwise wait forever), and what waits for
 * it looks again, since being blocked can settle their wait too
 * (condition finished). */
static void sup_became_blocked(struct sup_service *ss, const struct sup_service *dep)
{
    struct supervisor *sup = ss->sup;
    log_warn("%s: waiting (%s)", sup_name(ss), ss->svc.reason);
    /* A critical dependency that failed ends the container with its own
     * code, right after this. */
    bool dep_ends_it =
        dep->svc.conf->critical && (dep->svc.state == SVC_FAILED || dep->svc.state == SVC_FATAL);
    if (ss == sup->main && !dep_ends_it) {
        char why[SVC_REASON_MAX + 32];
        snprintf(why, sizeof why, "main cannot start: %s", ss->svc.reason);
        sup_tell_fate(sup, SUP_FATE_CRITICAL, 1, why);
        return;
    }
    if (ss == sup->main)
        return;
    for (size_t i = 0; i < ss->n_dependents; i++)
        sup_try_start(ss->dependents[i]);
}

static void sup_try_start(struct sup_service *ss)
{
    bool was_blocked = ss->blocked;
    size_t pending = ss->n_deps; /* the first dependency not met yet */
    ss->blocked = false;
    if (ss->svc.state != SVC_WAITING || ss->sup->stopping)
        return;
    for (size_t i = 0; i < ss->n_deps; i++) {
        struct svcset_node dep = sup_record_node(ss->deps[i].ss);
        enum conf_condition cond = ss->deps[i].condition;
        const struct sup_service *d = ss->deps[i].ss;
        if (d->stop_queued || d->intent.restart_pending) {
            /* Restarted with it: it starts after its dependency is back. */
            snprintf(ss->svc.reason, sizeof ss->svc.reason, "waiting for %s (%s, restarting)",
                     sup_name(d), svc_state_name(d->svc.state));
            return;
        }
        if (svcset_dep_met(&dep, cond))
            continue;
        if (svcset_dep_hopeless(&dep, cond)) {
            snprintf(ss->svc.reason, sizeof ss->svc.reason,
                     "dependency %s is %s: it will not become %s", sup_name(ss->deps[i].ss),
                     svc_state_name(dep.svc->state), conf_condition_name(cond));
            ss->blocked = true;
            if (!was_blocked)
                sup_became_blocked(ss, ss->deps[i].ss);
            return;
        }
        if (pending == ss->n_deps)
            pending = i;
    }
    if (pending < ss->n_deps) {
        /* Which one it waits for, as status shows it. */
        struct sup_service *d = ss->deps[pending].ss;
        sup_starts_drop(ss); /* not ready after all */
        snprintf(ss->svc.reason, sizeof ss->svc.reason, "waiting for %s (%s, needs %s)",
                 sup_name(d), svc_state_name(d->svc.state),
                 conf_condition_name(ss->deps[pending].condition));
        return;
    }
    if (!sup_starts_admit(ss)) {
        snprintf(ss->svc.reason, sizeof ss->svc.reason, "ready: waiting for its turn to start");
        return;
    }
    sup_feed(ss, SVC_EV_DEPS_MET, 0, 0);
}

/* Its turn to spawn came (sup_starts.c): a start looks at its dependencies
 * again; a restart (or a start asked for) waiting in backoff goes. */
static void sup_on_start_turn(struct sup_service *ss)
{
    if (ss->svc.state == SVC_BACKOFF) {
        struct svc_event ev = {.kind = SVC_EV_TIMER, .spawn_waits = sup_starts_must_wait(ss)};
        sup_feed_event(ss, &ev);
        return;
    }
    sup_try_start(ss);
}

static bool sup_has_running_dependent(const struct sup_service *ss)
{
    for (size_t i = 0; i < ss->n_dependents; i++)
        if (svc_is_running(&ss->dependents[i]->svc))
            return true;
    return false;
}

/* During a stop of everything: stops ss once no dependent runs. */
static void sup_stop_one(struct sup_service *ss)
{
    ss->svc.no_restart = true;
    struct svcset_node n = sup_record_node(ss);
    if (svcset_may_stop(&n, sup_has_running_dependent(ss)))
        sup_feed(ss, SVC_EV_STOP, 0, 0);
}

bool sup_all_stopped(const struct supervisor *sup)
{
    for (const struct sup_scripts *run = sup->script_runs; run; run = run->next_run)
        for (size_t i = 0; i < run->n; i++)
            if (svc_is_running(&run->recs[i]->svc))
                return false;
    for (size_t i = 0; i < sup->n; i++)
        if (svc_is_running(&sup->svcs[i]->svc))
            return false;
    for (const struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
        if (svc_is_running(&ss->svc))
            return false;
    return true;
}

/* With no main service, corral runs while any service may still run. */
static bool sup_all_settled(const struct supervisor *sup)
{
    for (size_t i = 0; i < sup->n; i++) {
        const struct sup_service *ss = sup->svcs[i];
        bool blocked = false;
        for (size_t d = 0; d < ss->n_deps && !blocked; d++) {
            struct svcset_node dep = sup_record_node(ss->deps[d].ss);
            blocked = svcset_dep_hopeless(&dep, ss->deps[d].condition);
        }
        struct svcset_node n = sup_record_node(ss);
        if (svcset_keeps_running(&n, blocked))
            return false;
    }
    return true;
}

/* The exit code of a set that finished by itself (core/svcset.c). */
static int sup_settled_code(const struct supervisor *sup, char *why, size_t len)
{
    const struct svc **order = malloc((sup->n + 1) * sizeof *order);
    if (!order) {
        snprintf(why, len, "every service has finished");
        return 1;
    }
    for (size_t i = 0; i < sup->n; i++)
        order[i] = &sup->svcs[sup->set->start_order[i]]->svc;
    int code = svcset_settled_code(order, sup->n, why, len);
    free(order);
    return code;
}

/* A retired record has stopped: it goes away, every listener letting go of
 * it first. Its deps stay readable until its memory goes (the caller may
 * stop them next). */
static void sup_retired(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    for (struct sup_service **pp = &sup->retiring; *pp; pp = &(*pp)->next_retiring)
        if (*pp == ss) {
            *pp = ss->next_retiring;
            break;
        }
    /* Out of every list: the graph forgets it, its own deps stay readable
     * until its memory goes. */
    sup_graph_rebuild(sup);
    sup_tell_gone(ss);
    sup_record_close(ss);
    if (ss->svc.conf->base)
        sup_retire_next(sup, ss->svc.conf->base);
}

/* True when a dependent of ss that is being stopped still runs. */
static bool sup_dependent_stopping(const struct sup_service *ss)
{
    for (size_t i = 0; i < ss->n_dependents; i++) {
        const struct sup_service *d = ss->dependents[i];
        if (svc_is_running(&d->svc) && (d->stop_queued || d->svc.state == SVC_STOPPING))
            return true;
    }
    return false;
}

/* Sends a queued stop once no dependent being stopped runs. One with no
 * process (waiting for its dependencies, or its turn, or backing off) has
 * nothing to stop in order: it stops now, before its turn or its timer
 * could start it. */
static void sup_stop_queued(struct sup_service *ss)
{
    if (!ss->stop_queued || ss->closed || (svc_is_running(&ss->svc) && sup_dependent_stopping(ss)))
        return;
    ss->stop_queued = false;
    if ((ss->svc.state != SVC_STOPPING || ss->svc.stop_is_failure) && !svc_is_finished(&ss->svc))
        sup_feed(ss, SVC_EV_STOP, 0, 0);
    else if (!svc_is_running(&ss->svc))
        sup_after_change(ss); /* a restart of a stopped one goes on */
}

void sup_after_change(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    char why[SVC_REASON_MAX + 64];

    if (ss->closed)
        return; /* gone already: nothing about it can matter now */
    if (ss->run) {
        /* A script: its run decides what comes next, never the set. */
        if (sup->stopping && sup_all_stopped(sup))
            sup_tell_all_stopped(sup);
        if (sup->on_script_change)
            sup->on_script_change(ss);
        return;
    }
    /* Queued stops of what it depends on wait while it is being stopped:
     * stopped, or back to running after a stop for a failure (a restart),
     * it holds them no longer. */
    if (!svc_is_running(&ss->svc) || (ss->svc.state != SVC_STOPPING && !ss->stop_queued))
        for (size_t i = 0; i < ss->n_deps; i++)
            sup_stop_queued(ss->deps[i].ss);
    struct svcset_after next =
        svcset_after_change(&ss->intent, svc_is_running(&ss->svc), sup->stopping);
    if (next.go_away)
        sup_retired(ss);
    /* While everything stops, what it depended on waited for it: the
     * dependencies it ran with, before a reload's pending configuration
     * (which may name others, or none) replaces them. */
    if (next.stop_deps)
        for (size_t i = 0; i < ss->n_deps; i++)
            sup_stop_one(ss->deps[i].ss);
    if (next.apply_pending) {
        sup_record_set_conf(ss, ss->pending_conf, ss->pending_ref);
        sup_setref_put(ss->pending_ref);
        ss->pending_conf = NULL;
        ss->pending_ref = NULL;
        ss->intent.pending_conf = false;
        sup_graph_rebuild(sup);
    }
    if (next.restart) {
        ss->intent.restart_pending = false;
        sup_start_service(ss);
        return;
    }
    if (sup->stopping && sup_all_stopped(sup))
        sup_tell_all_stopped(sup);
    if (next.start_dependents)
        for (size_t i = 0; i < ss->n_dependents; i++)
            sup_try_start(ss->dependents[i]);
    if (!next.judge_fate)
        return;
    const struct conf_service *conf = ss->svc.conf;
    if (ss == sup->main && svc_is_finished(&ss->svc)) {
        sup_tell_fate(sup, SUP_FATE_MAIN, 0, "");
    } else if (conf->critical && (ss->svc.state == SVC_FAILED || ss->svc.state == SVC_FATAL)) {
        int code = ss->svc.has_exited ? exitstatus_code(ss->svc.last_wstatus) : 1;
        snprintf(why, sizeof why, "critical service %s is %s: %s", sup_name(ss),
                 svc_state_name(ss->svc.state), ss->svc.reason);
        sup_tell_fate(sup, SUP_FATE_CRITICAL, code ? code : 1, why);
    } else if (!sup->main && sup_all_settled(sup)) {
        int code = sup_settled_code(sup, why, sizeof why);
        sup_tell_fate(sup, SUP_FATE_SETTLED, code, why);
    }
}

void sup_retire(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    if (sup->main == ss)
        sup->main = NULL;
    sup_stop_service(ss);
    if (!svc_is_running(&ss->svc))
        sup_after_change(ss);
}

void sup_retire_next(struct supervisor *sup, const char *base)
{
    struct sup_service *best = NULL;
    for (struct sup_service *r = sup->retiring; r; r = r->next_retiring) {
        const struct conf_service *c = r->svc.conf;
        if (!c->base || strcmp(c->base, base) != 0)
            continue;
        if (!r->retire_deferred)
            return; /* one is stopping: the next one waits for it */
        if (!best || c->instance > best->svc.conf->instance)
            best = r;
    }
    if (best) {
        best->retire_deferred = false;
        sup_retire(best);
    }
}

void sup_recheck_waiting(struct supervisor *sup)
{
    /* A queued stop waits for the dependents stopped with it: a service
     * that keeps its process may no longer depend on it, and nothing else
     * would tell it so. */
    for (size_t i = 0; i < sup->n; i++)
        sup_stop_queued(sup->svcs[i]);
    for (size_t i = 0; i < sup->n && !sup->stopping; i++)
        sup_try_start(sup_at(sup, i));
}

void sup_reconf_later(struct sup_service *ss, const struct conf_service *conf,
                      struct sup_setref *ref)
{
    sup_setref_put(ss->pending_ref);
    ss->pending_conf = conf;
    ss->pending_ref = ref;
    ss->intent.pending_conf = true;
    ref->refs++;
    sup_restart_service(ss);
}

/* ---- requests ------------------------------------------------------------------ */

void sup_start_service(struct sup_service *ss)
{
    bool was_queued = ss->stop_queued;
    ss->intent.held = false;
    ss->stop_queued = false;
    if (svc_is_running(&ss->svc)) {
        /* Its queued stop (and the restart it was for) is off: what waited
         * for it to come back looks again. */
        if (was_queued)
            ss->intent.restart_pending = false;
        for (size_t i = 0; was_queued && i < ss->n_dependents; i++)
            sup_try_start(ss->dependents[i]);
        /* A queued stop of what it depends on no longer waits for it. */
        for (size_t i = 0; was_queued && i < ss->n_deps; i++)
            sup_stop_queued(ss->deps[i].ss);
        return;
    }
    if (ss->svc.state == SVC_WAITING) {
        sup_try_start(ss); /* what it waits for, looked at again */
        return;
    }
    if (ss->svc.state == SVC_BACKOFF) {
        /* Asked for now: the rest of the delay is skipped (the state
         * machine cancels the timer), and it is no automatic restart. It
         * waits its turn like any start (a restart of many). */
        struct svc_event ev = {.kind = SVC_EV_START, .spawn_waits = sup_starts_must_wait(ss)};
        sup_feed_event(ss, &ev);
        return;
    }
    sup_feed(ss, SVC_EV_START, 0, 0);
    sup_try_start(ss);
}

void sup_start_now(struct sup_service *ss)
{
    ss->intent.held = false;
    if (svc_is_running(&ss->svc))
        return;
    sup_feed(ss, SVC_EV_START, 0, 0);
    sup_feed(ss, SVC_EV_DEPS_MET, 0, 0);
}

void sup_stop_service(struct sup_service *ss)
{
    ss->intent.held = true;
    ss->intent.restart_pending = false;
    ss->stop_queued = false;
    /* Stopping for a failure (unready, unhealthy, run timeout) would
     * restart: a stop asked for now says no restart after it. */
    if ((ss->svc.state != SVC_STOPPING || ss->svc.stop_is_failure) && !svc_is_finished(&ss->svc))
        sup_feed(ss, SVC_EV_STOP, 0, 0);
}

void sup_restart_service(struct sup_service *ss)
{
    if (!svc_is_running(&ss->svc)) {
        sup_start_service(ss);
        return;
    }
    ss->intent.held = false;
    ss->intent.restart_pending = true;
    if (ss->svc.state != SVC_STOPPING)
        sup_feed(ss, SVC_EV_STOP, 0, 0);
}

void sup_stop_ordered(struct sup_service **list, size_t n, bool restart)
{
    for (size_t i = 0; i < n; i++) {
        struct sup_service *ss = list[i];
        if (restart && !svc_is_running(&ss->svc))
            continue; /* started below, once the others are queued */
        ss->intent.held = !restart;
        ss->intent.restart_pending = restart;
        ss->stop_queued = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (restart && !list[i]->stop_queued)
            sup_start_service(list[i]);
        else
            sup_stop_queued(list[i]);
    }
}

int sup_signal_service(struct sup_service *ss, int sig)
{
    pid_t pid = ss->svc.pid;
    if (pid <= 0)
        return -ESRCH;
    const struct sup_procs *procs = ss->sup->env.procs;
    bool single = (ss->sup->env.single_child && ss == ss->sup->main) ||
                  (ss->svc.conf->signal_process && sig != SIGKILL);
    if (!single && procs->kill(-pid, sig) == 0)
        return 0;
    return procs->kill(pid, sig) == 0 ? 0 : -errno;
}

int sup_signal_main(struct supervisor *sup, int sig)
{
    return sup->main ? sup_signal_service(sup->main, sig) : -ESRCH;
}

/* ---- life of the supervisor ---------------------------------------------------- */

static const struct sup_procs sup_real_procs = {.spawn = spawn_start, .kill = kill};

static int sup_init(struct supervisor *sup, const struct sup_env *env, struct conf_set *set)
{
    sup->env = *env;
    if (!sup->env.procs)
        sup->env.procs = &sup_real_procs;
    sup_starts_init(sup);
    sup->main_stop_sig = -1;
    sup->report_fds[0] = sup->report_fds[1] = -1;
    sup->on_exit = sup_on_exit;
    sup->on_exec = sup_on_exec;
    sup->on_leftovers_gone = sup_exited;
    sup->on_due = sup_on_due;
    sup->on_start_turn = sup_on_start_turn;
    sup->on_run_timeout = sup_on_run_timeout;
    sup->on_hook_done = sup_on_hook_done;
    sup->on_hook_turn = sup_on_hook_turn;
    sup->check_ops = &sup_check_ops;
    sup->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sup->devnull < 0) {
        /* An empty chroot or a FROM scratch image without /dev: an empty
         * memory file reads as EOF like /dev/null (what is written to it
         * stays in memory; only probes write there). */
        log_warn("/dev/null: %s; using an empty memory file instead", strerror(errno));
        sup->devnull = memfd_create("corral-null", MFD_CLOEXEC);
        if (sup->devnull < 0) {
            conf_set_free(set);
            return -errno;
        }
    }
    sup->checks_env = (struct checks_env){.loop = env->loop,
                                          .pids = env->pids,
                                          .devnull = sup->devnull,
                                          .pace = &sup->pace,
                                          .notify_socket = env->notify_socket};
    sup->setref = sup_setref_new(set);
    if (!sup->setref) {
        conf_set_free(set);
        return -ENOMEM;
    }
    sup->set = set;
    int rc = sup_spawn_reports_open(sup);
    if (rc < 0)
        return rc;
    sup->svcs = calloc(set->n ? set->n : 1, sizeof *sup->svcs);
    if (!sup->svcs)
        return -ENOMEM;
    for (size_t i = 0; i < set->n; i++) {
        struct sup_service *ss = sup_record_new(sup, set->services[i], sup->setref, (int)i);
        if (!ss)
            return -ENOMEM;
        sup->svcs[i] = ss;
        sup->n = i + 1;
        if (set->services[i]->main)
            sup->main = ss;
    }
    return sup_graph_rebuild(sup);
}

int sup_new(const struct sup_env *env, struct conf_set *set, struct supervisor **out)
{
    struct supervisor *sup = calloc(1, sizeof *sup);
    *out = NULL;
    if (!sup) {
        conf_set_free(set);
        return -ENOMEM;
    }
    int rc = sup_init(sup, env, set);
    *out = sup; /* also on failure: the caller closes and frees what was made */
    return rc;
}

void sup_start_all(struct supervisor *sup)
{
    /* Want everything first, then start in dependency order: a service
     * whose dependencies are met starts at once, the others when they are. */
    for (size_t i = 0; i < sup->n; i++) {
        struct sup_service *ss = sup_at(sup, i);
        /* A scheduled job waits for its time (sup_schedule.c); autostart:
         * false waits for corralctl start. */
        if (!ss->sched && !ss->intent.held)
            sup_feed(ss, SVC_EV_START, 0, 0);
    }
    for (size_t i = 0; i < sup->n && !sup->stopping; i++)
        sup_try_start(sup_at(sup, i));
}

void sup_stop_all(struct supervisor *sup, int main_sig)
{
    sup->stopping = true;
    /* The main gets the signal that stops corral, as tini forwards it,
     * unless its own stop_signal or stop_command was set (corral.yaml's
     * main: section). */
    bool own =
        sup->main && (sup->main->svc.conf->stop_signal_given || sup->main->svc.conf->stop_argv);
    sup->main_stop_sig = own ? -1 : main_sig;
    /* Everything stops now: removed instances no longer wait their turn. */
    for (struct sup_service *r = sup->retiring; r; r = r->next_retiring)
        if (r->retire_deferred) {
            r->retire_deferred = false;
            sup_retire(r);
        }
    /* Reverse start order: dependents before what they depend on. */
    for (size_t i = sup->n; i-- > 0;)
        sup_stop_one(sup_at(sup, i));
    if (sup_all_stopped(sup))
        sup_tell_all_stopped(sup);
}

static void sup_kill_one(struct sup_service *ss)
{
    char desc[300];
    if (!svc_is_running(&ss->svc))
        return;
    /* Stopped by corral: its exit is a stop, never a failure with its last
     * lines, even if it never got its stop signal before (it was waiting
     * for its dependents). */
    ss->svc.no_restart = true;
    if (ss->svc.state != SVC_STOPPING)
        sup_feed(ss, SVC_EV_STOP, 0, 0);
    if (!svc_is_running(&ss->svc))
        return;
    sup_hook_signal(&ss->stop_hook, SIGKILL);
    if (ss->svc.pid <= 0) {
        sup_leftovers_signal(ss, SIGKILL); /* what its dead main left, if anything */
        sup_hook_signal(&ss->finish_hook, SIGKILL);
        return;
    }
    log_warn("%s: killing %s", sup_name(ss), proctree_describe(ss->svc.pid, desc, sizeof desc));
    sup_signal_tree(ss, SIGKILL);
}

void sup_kill_all(struct supervisor *sup)
{
    sup->killing = true;
    for (struct sup_scripts *run = sup->script_runs; run; run = run->next_run) {
        run->aborted = run->aborted || !run->told; /* nothing more runs */
        for (size_t i = 0; i < run->n; i++)
            sup_kill_one(run->recs[i]);
    }
    for (struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
        sup_kill_one(ss);
    for (size_t i = 0; i < sup->n; i++)
        sup_kill_one(sup->svcs[i]);
}

void sup_drain_output(struct supervisor *sup)
{
    for (size_t i = 0; i < sup->n; i++)
        output_svc_drain(&sup->svcs[i]->output, true);
    for (struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
        output_svc_drain(&ss->output, true);
}

void sup_close(struct supervisor *sup)
{
    if (!sup)
        return;
    for (size_t i = 0; i < sup->n; i++)
        sup_record_close(sup->svcs[i]);
    sup->n = 0;
    while (sup->retiring) {
        struct sup_service *ss = sup->retiring;
        sup->retiring = ss->next_retiring;
        sup_record_close(ss);
    }
    while (sup->script_runs) {
        struct sup_scripts *run = sup->script_runs;
        sup->script_runs = run->next_run;
        for (size_t i = 0; i < run->n; i++)
            sup_record_close(run->recs[i]);
        free(run->recs);
        sup_setref_put(run->ref); /* each record holds its own reference */
        free(run);
    }
    if (sup->devnull >= 0)
        close(sup->devnull);
    sup->devnull = -1;
    sup_spawn_reports_close(sup);
    sup_starts_close(sup);
}

void sup_free(struct supervisor *sup)
{
    if (!sup)
        return;
    proctree_snap_free(&sup->snap);
    sup_cenv_free(sup);
    free(sup->svcs);
    sup_setref_put(sup->setref);
    free(sup);
}
