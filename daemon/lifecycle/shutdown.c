/* shutdown.c - the shutdown sequence of docs/dev/DESIGN.md "Shutdown". Every wait is a
 * timer; corral exits as soon as the last child is reaped instead of sitting
 * out a grace period. */
#include "shutdown.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bounds.h"
#include "exitstatus.h"
#include "log.h"
#include "proctree.h"
#include "signame.h"
#include "units.h"

/* After the final SIGKILL, a process stuck in uninterruptible sleep could keep
 * us waiting forever; as PID 1 our exit makes the kernel kill it anyway. */
#define SHUTDOWN_FINAL_WAIT_MS 1000

static void shutdown_on_fate(struct sup_listener *l, enum sup_fate fate, int code, const char *why)
{
    struct shutdown *s = (struct shutdown *)((char *)l - offsetof(struct shutdown, listener));
    enum shutdown_cause cause = fate == SUP_FATE_MAIN       ? SHUTDOWN_CAUSE_MAIN
                                : fate == SUP_FATE_CRITICAL ? SHUTDOWN_CAUSE_CRITICAL
                                                            : SHUTDOWN_CAUSE_SETTLED;
    shutdown_begin(s, cause, code, why);
}

static void shutdown_sweep(struct shutdown *s);

/* Runs the scripts of dir (read now: one added since the start runs too),
 * each named in the log, every one even when one fails. Returns true when
 * a run started: cb follows, maybe at once. */
static bool shutdown_run_scripts(struct shutdown *s, const char *dir, const char *what,
                                 sup_scripts_cb cb)
{
    struct conf_errors errs;
    struct conf_set *set = NULL;
    char line[512];

    if (!dir)
        return false;
    conf_errors_init(&errs);
    int rc = conf_scripts_load(dir, &set, &errs);
    for (size_t i = 0; i < errs.n; i++)
        log_warn("%s", conf_errors_format(&errs.v[i], line, sizeof line));
    conf_errors_close(&errs);
    if (rc < 0 || set->n == 0) {
        conf_set_free(set);
        return false;
    }
    log_info("running %zu %ss of %s", set->n, what, dir);
    return sup_scripts_run(s->env.sup, set, what, false, cb, s) == 0;
}

static void shutdown_on_post_done(void *arg, int code, const char *why)
{
    struct shutdown *s = arg;
    (void)code;
    (void)why;
    if (s->phase == SHUTDOWN_POST_SCRIPTS)
        shutdown_sweep(s);
}

static void shutdown_on_all_stopped(struct sup_listener *l)
{
    struct shutdown *s = (struct shutdown *)((char *)l - offsetof(struct shutdown, listener));
    if (s->phase != SHUTDOWN_STOPPING)
        return;
    s->phase = SHUTDOWN_POST_SCRIPTS;
    if (!shutdown_run_scripts(s, s->post_dir, "post-shutdown script", shutdown_on_post_done))
        shutdown_sweep(s);
}

static void shutdown_stop_services(struct shutdown *s)
{
    s->phase = SHUTDOWN_STOPPING;
    sup_stop_all(s->env.sup, s->main_sig);
}

static void shutdown_on_pre_done(void *arg, int code, const char *why)
{
    struct shutdown *s = arg;
    (void)code;
    (void)why;
    if (s->phase == SHUTDOWN_PRE_SCRIPTS)
        shutdown_stop_services(s);
}

void shutdown_set_scripts(struct shutdown *s, const char *pre_dir, const char *post_dir)
{
    if (s->phase != SHUTDOWN_RUNNING)
        return;
    free(s->pre_dir);
    free(s->post_dir);
    s->pre_dir = pre_dir ? strdup(pre_dir) : NULL;
    s->post_dir = post_dir ? strdup(post_dir) : NULL;
}

int shutdown_init(struct shutdown *s, const struct shutdown_env *env, uint64_t grace_ms,
                  uint64_t timeout_ms)
{
    memset(s, 0, sizeof *s);
    s->env = *env;
    s->grace_ms = grace_ms;
    s->timeout_ms = timeout_ms;
    int rc = uv_timer_init(env->loop, &s->timer);
    if (rc == 0)
        rc = uv_timer_init(env->loop, &s->bound);
    s->timer.data = s;
    s->bound.data = s;
    s->listener.on_fate = shutdown_on_fate;
    s->listener.on_all_stopped = shutdown_on_all_stopped;
    sup_listen(env->sup, &s->listener);
    return rc;
}

int shutdown_exit_code(const struct shutdown *s)
{
    return s->final_code;
}

void shutdown_set_timings(struct shutdown *s, uint64_t grace_ms, uint64_t timeout_ms)
{
    if (s->phase != SHUTDOWN_RUNNING)
        return;
    s->grace_ms = grace_ms;
    s->timeout_ms = timeout_ms;
}

/* Signals everything left: as PID 1 the whole namespace with kill(-1), which
 * spares the caller; as a subreaper only corral's own descendants, since
 * kill(-1) outside a PID namespace (docker --pid=host) would hit the host.
 * With when ("after the grace period"), each is named first (before a
 * SIGKILL). */
static void shutdown_signal_rest(struct shutdown *s, int sig, const char *when)
{
    pid_t *pids = malloc(PROCTREE_MAX * sizeof *pids);
    char desc[300], signame[32];
    int n = pids ? proctree_descendants(getpid(), pids, PROCTREE_MAX) : 0;

    if (n < 0)
        n = 0;
    if (when) {
        for (int i = 0; i < n && i < SHUTDOWN_NAME_MAX; i++)
            log_warn("still running %s: %s; sending %s", when,
                     proctree_describe(pids[i], desc, sizeof desc),
                     signame_format(sig, signame, sizeof signame));
        if (n > SHUTDOWN_NAME_MAX)
            log_warn("and %d more processes", n - SHUTDOWN_NAME_MAX);
    }
    if (s->env.is_pid1) {
        (void)kill(-1, sig);
    } else {
        for (int i = 0; i < n; i++)
            (void)kill(pids[i], sig);
    }
    free(pids);
}

static void shutdown_write_termination_log(const char *reason)
{
    /* Kubernetes shows this file's content as the container's termination
     * message. Only when it already exists: never create files in /dev. */
    int fd = open("/dev/termination-log", O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return;
    (void)!write(fd, reason, strlen(reason));
    close(fd);
}

static void shutdown_decide_code(struct shutdown *s, char *reason, size_t len)
{
    struct sup_service *m = sup_main(s->env.sup);
    struct sup_view v;
    char what[64];

    if (m)
        sup_view(m, uv_now(s->env.loop), &v);
    bool requested = s->cause == SHUTDOWN_CAUSE_SIGNAL || s->cause == SHUTDOWN_CAUSE_REQUEST;
    if ((s->cause == SHUTDOWN_CAUSE_MAIN || requested) && m && v.has_exited) {
        /* The main's success_codes and --success-code agree: either makes
         * its code a 0 (a JVM that exits 143 after SIGTERM). */
        s->final_code = v.exit_code_is_success
                            ? 0
                            : cli_exit_code(s->env.opts, exitstatus_code(v.last_wstatus));
        if (strcmp(v.name, "main") == 0)
            snprintf(reason, len, "main %s",
                     exitstatus_describe(v.last_wstatus, what, sizeof what));
        else
            snprintf(reason, len, "main '%s' %s", v.name,
                     exitstatus_describe(v.last_wstatus, what, sizeof what));
    } else if (s->cause == SHUTDOWN_CAUSE_MAIN && m) {
        s->final_code = 1;
        snprintf(reason, len, "main '%s' is %s: %s", v.name, svc_state_name(v.state), v.reason);
    } else if (requested) {
        s->final_code = 0;
        snprintf(reason, len, "stopped by %s", s->why[0] ? s->why : "request");
    } else {
        s->final_code = s->exit_code;
        snprintf(reason, len, "%s", s->why);
    }
}

static void shutdown_finish(struct shutdown *s)
{
    char reason[400], line[460];

    if (s->phase == SHUTDOWN_DONE)
        return;
    s->phase = SHUTDOWN_DONE;
    uv_timer_stop(&s->timer);
    uv_timer_stop(&s->bound);
    /* The services' last lines come before corral's last line. */
    sup_drain_output(s->env.sup);
    shutdown_decide_code(s, reason, sizeof reason);
    /* A drop-in tini says nothing when its command simply ended. */
    if (s->env.quiet && s->cause == SHUTDOWN_CAUSE_MAIN)
        log_debug("exiting %d: %s", s->final_code, reason);
    else
        log_info("exiting %d: %s", s->final_code, reason);
    snprintf(line, sizeof line, "corral: exiting %d: %s\n", s->final_code, reason);
    shutdown_write_termination_log(line);
    uv_stop(s->env.loop);
}

static void shutdown_on_final(uv_timer_t *t)
{
    log_warn("processes left after SIGKILL (uninterruptible?); exiting anyway");
    shutdown_finish(t->data);
}

static void shutdown_kill_rest(struct shutdown *s, const char *when)
{
    s->phase = SHUTDOWN_SWEEP_KILL;
    uv_timer_stop(&s->timer);
    shutdown_signal_rest(s, SIGKILL, when);
    if (reaper_drain(s->env.reaper)) {
        shutdown_finish(s);
        return;
    }
    uv_timer_start(&s->timer, shutdown_on_final, SHUTDOWN_FINAL_WAIT_MS, 0);
}

static void shutdown_on_grace(uv_timer_t *t)
{
    shutdown_kill_rest(t->data, "after the grace period");
}

static void shutdown_sweep(struct shutdown *s)
{
    if (s->phase >= SHUTDOWN_SWEEP_TERM)
        return;
    s->phase = SHUTDOWN_SWEEP_TERM;
    if (s->env.interactive) {
        /* Take the terminal back from the main's group so that whoever ran
         * us gets it. SIGTTOU is ignored (main.c). */
        (void)tcsetpgrp(STDIN_FILENO, getpgrp());
    }
    /* Nothing left at all: the common case, and no reason to wait. */
    if (reaper_drain(s->env.reaper)) {
        shutdown_finish(s);
        return;
    }
    shutdown_signal_rest(s, SIGTERM, NULL);
    if (reaper_drain(s->env.reaper)) {
        shutdown_finish(s);
        return;
    }
    uv_timer_start(&s->timer, shutdown_on_grace, s->grace_ms, 0);
}

static void shutdown_on_bound(uv_timer_t *t)
{
    struct shutdown *s = t->data;
    char dur[32];
    log_warn("shutdown_timeout (%s) reached: killing everything",
             units_format_duration(s->timeout_ms, dur, sizeof dur));
    if (s->phase < SHUTDOWN_SWEEP_TERM)
        sup_kill_all(s->env.sup); /* the services, and a script still running */
    s->phase = SHUTDOWN_SWEEP_TERM;
    shutdown_kill_rest(s, "at shutdown_timeout");
}

static void shutdown_start(struct shutdown *s, int main_sig)
{
    s->phase = SHUTDOWN_PRE_SCRIPTS;
    s->main_sig = main_sig;
    uv_update_time(s->env.loop); /* from now, not from the start of this turn */
    uv_timer_start(&s->bound, shutdown_on_bound, s->timeout_ms, 0);
    /* A start still running its startup scripts ends here: no service
     * ever started, and none will. */
    sup_scripts_abort(s->env.sup);
    if (!shutdown_run_scripts(s, s->pre_dir, "pre-shutdown script", shutdown_on_pre_done))
        shutdown_stop_services(s);
}

void shutdown_begin(struct shutdown *s, enum shutdown_cause cause, int code, const char *why)
{
    if (s->phase != SHUTDOWN_RUNNING)
        return;
    s->cause = cause;
    s->exit_code = code;
    snprintf(s->why, sizeof s->why, "%s", why);
    if (cause != SHUTDOWN_CAUSE_MAIN)
        log_info("shutting down: %s", why);
    shutdown_start(s, -1);
}

void shutdown_request(struct shutdown *s, int sig, int main_sig)
{
    char name[32];

    signame_format(sig, name, sizeof name);
    switch (s->phase) {
    case SHUTDOWN_RUNNING:
        s->cause = SHUTDOWN_CAUSE_SIGNAL;
        snprintf(s->why, sizeof s->why, "%s", name);
        log_info("%s: shutting down", name);
        shutdown_start(s, main_sig);
        break;
    case SHUTDOWN_PRE_SCRIPTS:
        log_info("%s again: stopping the pre-shutdown scripts, and the services now", name);
        sup_scripts_abort(s->env.sup);
        shutdown_stop_services(s);
        break;
    case SHUTDOWN_STOPPING:
        log_info("%s again: killing the services now", name);
        sup_kill_all(s->env.sup);
        break;
    case SHUTDOWN_POST_SCRIPTS:
        log_info("%s again: killing the post-shutdown scripts now", name);
        sup_kill_all(s->env.sup);
        s->phase = SHUTDOWN_SWEEP_TERM;
        shutdown_kill_rest(s, "at the second signal");
        break;
    case SHUTDOWN_SWEEP_TERM:
        log_info("%s again: killing the remaining processes now", name);
        shutdown_kill_rest(s, "at the second signal");
        break;
    case SHUTDOWN_SWEEP_KILL:
    case SHUTDOWN_DONE:
        break;
    }
}

void shutdown_on_drained(struct shutdown *s, bool no_children)
{
    if (no_children && (s->phase == SHUTDOWN_SWEEP_TERM || s->phase == SHUTDOWN_SWEEP_KILL))
        shutdown_finish(s);
}

void shutdown_close(struct shutdown *s)
{
    free(s->pre_dir);
    free(s->post_dir);
    s->pre_dir = s->post_dir = NULL;
    uv_close((uv_handle_t *)&s->timer, NULL);
    uv_close((uv_handle_t *)&s->bound, NULL);
}
