/* shutdown.c - the shutdown sequence of DESIGN.md "Shutdown", for the main
 * command of init mode. Every wait is a timer; corral exits as soon as the
 * last child is reaped instead of sitting out a grace period. */
#include "shutdown.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bounds.h"
#include "corral.h"
#include "exitstatus.h"
#include "log.h"
#include "proctree.h"
#include "signame.h"
#include "units.h"

/* After the final SIGKILL, a process stuck in uninterruptible sleep could keep
 * us waiting forever; as PID 1 our exit makes the kernel kill it anyway. */
#define SHUTDOWN_FINAL_WAIT_MS 1000

int shutdown_init(struct shutdown *s, struct corral *c)
{
    memset(s, 0, sizeof *s);
    s->corral = c;
    int rc = uv_timer_init(c->loop, &s->timer);
    s->timer.data = s;
    return rc;
}

/* Signals everything left: as PID 1 the whole namespace with kill(-1), which
 * spares the caller; as a subreaper only corral's own descendants, since
 * kill(-1) outside a PID namespace (docker --pid=host) would hit the host.
 * Returns how many were signalled as a subreaper, 1 as PID 1 when any was. */
static int shutdown_signal_rest(struct shutdown *s, int sig, bool name_them)
{
    struct corral *c = s->corral;
    pid_t *pids = malloc(PROCTREE_MAX * sizeof *pids);
    char desc[300], signame[32];
    int n = 0;

    if (!pids) {
        if (c->is_pid1)
            return kill(-1, sig) == 0;
        return 0;
    }
    n = proctree_descendants(getpid(), pids, PROCTREE_MAX);
    if (n < 0)
        n = 0;
    if (name_them) {
        for (int i = 0; i < n && i < SHUTDOWN_NAME_MAX; i++)
            log_warn("still running after the grace period: %s; sending %s",
                     proctree_describe(pids[i], desc, sizeof desc),
                     signame_format(sig, signame, sizeof signame));
        if (n > SHUTDOWN_NAME_MAX)
            log_warn("and %d more processes", n - SHUTDOWN_NAME_MAX);
    }
    if (c->is_pid1) {
        n = kill(-1, sig) == 0 ? (n > 0 ? n : 1) : 0;
    } else {
        for (int i = 0; i < n; i++)
            (void)kill(pids[i], sig);
    }
    free(pids);
    return n;
}

static void shutdown_write_termination_log(const char *reason)
{
    /* Kubernetes shows this file's content as the container's termination
     * message. Only when it already exists: never create files in / . */
    int fd = open("/dev/termination-log", O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return;
    (void)!write(fd, reason, strlen(reason));
    close(fd);
}

static void shutdown_finish(struct shutdown *s)
{
    struct corral *c = s->corral;
    char reason[256], what[64], sig[32];

    if (s->phase == SHUTDOWN_DONE)
        return;
    s->phase = SHUTDOWN_DONE;
    uv_timer_stop(&s->timer);
    if (c->main.exited) {
        c->exit_code = cli_exit_code(&c->opts, exitstatus_code(c->main.wstatus));
        snprintf(reason, sizeof reason, "main %s",
                 exitstatus_describe(c->main.wstatus, what, sizeof what));
    } else {
        c->exit_code = 0;
        snprintf(reason, sizeof reason, "shutdown requested by %s before main could start",
                 signame_format(s->requested_by, sig, sizeof sig));
    }
    log_info("exiting %d: %s", c->exit_code, reason);
    char line[300];
    snprintf(line, sizeof line, "corral: exiting %d: %s\n", c->exit_code, reason);
    shutdown_write_termination_log(line);
    uv_stop(c->loop);
}

static void shutdown_on_final(uv_timer_t *t)
{
    struct shutdown *s = t->data;
    log_warn("processes left after SIGKILL (uninterruptible?); exiting anyway");
    shutdown_finish(s);
}

static void shutdown_kill_rest(struct shutdown *s)
{
    s->phase = SHUTDOWN_SWEEP_KILL;
    shutdown_signal_rest(s, SIGKILL, true);
    if (reaper_drain(&s->corral->reaper)) {
        shutdown_finish(s);
        return;
    }
    uv_timer_start(&s->timer, shutdown_on_final, SHUTDOWN_FINAL_WAIT_MS, 0);
}

static void shutdown_on_grace(uv_timer_t *t)
{
    shutdown_kill_rest(t->data);
}

static void shutdown_sweep(struct shutdown *s)
{
    struct corral *c = s->corral;

    uv_timer_stop(&s->timer);
    s->phase = SHUTDOWN_SWEEP_TERM;
    /* Nothing left at all: the common case, and no reason to wait. */
    if (reaper_drain(&c->reaper)) {
        shutdown_finish(s);
        return;
    }
    int n = shutdown_signal_rest(s, SIGTERM, false);
    log_debug("sent SIGTERM to %d remaining processes", n);
    if (reaper_drain(&c->reaper)) {
        shutdown_finish(s);
        return;
    }
    uv_timer_start(&s->timer, shutdown_on_grace, c->opts.grace_ms, 0);
}

static void shutdown_kill_main(struct shutdown *s)
{
    struct corral *c = s->corral;
    char desc[300];
    if (c->main.pid <= 0)
        return;
    log_warn("main did not exit in time: %s; sending SIGKILL to its process group",
             proctree_describe(c->main.pid, desc, sizeof desc));
    maincmd_signal(&c->main, SIGKILL);
}

static void shutdown_on_stop_timeout(uv_timer_t *t)
{
    shutdown_kill_main(t->data);
}

void shutdown_request(struct shutdown *s, int sig)
{
    struct corral *c = s->corral;
    char name[32], dur[32];

    signame_format(sig, name, sizeof name);
    switch (s->phase) {
    case SHUTDOWN_RUNNING:
        s->requested_by = sig;
        s->phase = SHUTDOWN_STOPPING;
        if (c->main.pid <= 0) {
            /* Still waiting to fork the main: nothing to stop. */
            maincmd_give_up(&c->main);
            log_info("%s: stopping", name);
            shutdown_sweep(s);
            return;
        }
        log_info("%s: stopping main (SIGKILL in %s)", name,
                 units_format_duration(c->opts.stop_timeout_ms, dur, sizeof dur));
        uv_timer_start(&s->timer, shutdown_on_stop_timeout, c->opts.stop_timeout_ms, 0);
        break;
    case SHUTDOWN_STOPPING:
        log_info("%s again: killing main now", name);
        uv_timer_stop(&s->timer);
        shutdown_kill_main(s);
        break;
    case SHUTDOWN_SWEEP_TERM:
        log_info("%s again: killing the remaining processes now", name);
        uv_timer_stop(&s->timer);
        shutdown_kill_rest(s);
        break;
    case SHUTDOWN_SWEEP_KILL:
    case SHUTDOWN_DONE:
        break;
    }
}

void shutdown_on_main_exit(struct shutdown *s)
{
    struct corral *c = s->corral;
    char what[64];

    log_debug("main %s", exitstatus_describe(c->main.wstatus, what, sizeof what));
    if (c->interactive) {
        /* Take the terminal back so that whoever ran us gets it, and no one
         * reads from a group that no longer exists. SIGTTOU is ignored. */
        (void)tcsetpgrp(STDIN_FILENO, getpgrp());
    }
    shutdown_sweep(s);
}

void shutdown_on_drained(struct shutdown *s, bool no_children)
{
    if (no_children && (s->phase == SHUTDOWN_SWEEP_TERM || s->phase == SHUTDOWN_SWEEP_KILL))
        shutdown_finish(s);
}

void shutdown_close(struct shutdown *s)
{
    uv_close((uv_handle_t *)&s->timer, NULL);
}
