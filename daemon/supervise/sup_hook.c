/* sup_hook.c - a service's hooks: its `finish` command, run after each exit
 * of its process before anything else happens to it (s6's and runit's
 * ./finish), and its `stop_command`, run instead of sending stop_signal
 * (`nginx -s quit`). A hook runs as the service does (user, group,
 * directory, environment, limits), its lines go out under the service's
 * name, and it is bounded by a timeout after which its process group gets
 * SIGKILL. Its fork is paced with the services' (sup->pace, init/forkpace.c): past the
 * loop turn's allowance it waits its turn, and its timeout counts from
 * its fork. Its end goes back to the runtime through sup->on_hook_done,
 * its turn through sup->on_hook_turn. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "supervisor_int.h"
#include "units.h"

static const char *sup_hook_name(const struct sup_hook *h)
{
    return h->kind == SUP_HOOK_FINISH ? "finish" : "stop_command";
}

static void sup_hook_on_exit(struct pidtab_owner *owner, pid_t pid, int wstatus)
{
    struct sup_hook *h = (struct sup_hook *)owner;
    if (pid != h->pid)
        return;
    h->pid = 0;
    uv_timer_stop(&h->timer);
    output_svc_drain(&h->ss->output, false); /* its last lines before what it caused */
    h->ss->sup->on_hook_done(h, pid, wstatus);
}

static void sup_hook_on_timeout(uv_timer_t *t)
{
    struct sup_hook *h = t->data;
    char dur[32];
    pid_t pid = h->pid;
    sup_reap_pending(h->ss->sup);
    if (h->pid <= 0 || h->pid != pid || uv_is_active((uv_handle_t *)t))
        return; /* it exited, or another run of the hook has its own time */
    log_warn("%s: %s did not exit within %s: sending SIGKILL to its process group",
             sup_record_name(h->ss), sup_hook_name(h),
             units_format_duration(h->timeout_ms, dur, sizeof dur));
    sup_hook_signal(h, SIGKILL);
}

void sup_hook_init(struct sup_hook *h, struct sup_service *ss, int kind)
{
    memset(h, 0, sizeof *h);
    h->owner.on_exit = sup_hook_on_exit;
    ss->sup->on_hook_exit = sup_hook_on_exit;
    h->ss = ss;
    h->kind = kind;
    uv_timer_init(ss->sup->env.loop, &h->timer); /* cannot fail on Linux */
    h->timer.data = h;
}

static void sup_hook_on_turn(struct forkpace_waiter *w)
{
    struct sup_hook *h = (struct sup_hook *)((char *)w - offsetof(struct sup_hook, turn));
    h->ss->sup->on_hook_turn(h);
}

int sup_hook_start(struct sup_hook *h)
{
    struct sup_service *ss = h->ss;
    struct supervisor *sup = ss->sup;
    const struct conf_service *conf = ss->svc.conf;
    char path[SPAWN_PATH_MAX];
    char var[2][40];
    struct spawn_plan plan;
    size_t nextra;
    pid_t pid;

    char *const *argv = h->kind == SUP_HOOK_FINISH ? conf->finish_argv : conf->stop_argv;
    uint64_t timeout_ms =
        h->kind == SUP_HOOK_FINISH ? conf->finish_timeout_ms : conf->stop_timeout_ms;
    if (h->pid > 0)
        return -EBUSY;
    if (!argv)
        return -ENOENT; /* none (a reload took it away while it waited): not logged */
    if (!h->turn.queued)
        h->killed = false; /* a new run of it */
    if (!forkpace_admit(&sup->pace, &h->turn, sup_hook_on_turn))
        return SUP_HOOK_WAITS;
    if (h->kind == SUP_HOOK_FINISH) {
        /* The exit it is about (s6's ./finish: the code, 256 when a signal
         * killed it, and the signal). */
        int w = ss->finish_wstatus;
        snprintf(var[0], sizeof var[0], "CORRAL_EXIT_CODE=%d", WIFEXITED(w) ? WEXITSTATUS(w) : 256);
        snprintf(var[1], sizeof var[1], "CORRAL_EXIT_SIGNAL=%d", WIFSIGNALED(w) ? WTERMSIG(w) : 0);
        nextra = 2;
    } else {
        /* The process it stops, as systemd's ExecStop sees it. */
        snprintf(var[0], sizeof var[0], "MAINPID=%ld", (long)ss->svc.pid);
        nextra = 1;
    }
    svcplan_fill(&ss->plan, conf, sup->devnull, false, path, sizeof path, &plan);
    plan.path_err = -spawn_resolve(argv[0], ss->plan.path_env, path, sizeof path);
    plan.path = path;
    plan.argv = argv;
    /* The service's environment and the hook's own variables after it. */
    char **envp = malloc((ss->plan.nenv + nextra + 1) * sizeof *envp);
    if (!envp)
        return -ENOMEM;
    memcpy(envp, ss->plan.envp, ss->plan.nenv * sizeof *envp);
    for (size_t i = 0; i < nextra; i++)
        envp[ss->plan.nenv + i] = var[i];
    envp[ss->plan.nenv + nextra] = NULL;
    plan.envp = envp;
    /* Its lines go out under the service's name; the tail printed under a
     * failed service's exit line stays the service's own. */
    uint64_t first = ss->output.run_first_line, dropped = ss->output.run_dropped_lines;
    int rc = output_prepare(&ss->output, &plan.stdio[1], &plan.stdio[2]);
    if (rc == 0) {
        forkpace_forked(&sup->pace);
        rc = sup->env.procs->spawn(&plan, sup->report_fds[1], &pid, NULL);
    }
    free(envp);
    if (rc < 0) {
        output_abort(&ss->output);
        log_warn("%s: %s: cannot start: %s", sup_record_name(ss), sup_hook_name(h), strerror(-rc));
        return rc;
    }
    output_started(&ss->output);
    ss->output.run_first_line = first;
    ss->output.run_dropped_lines = dropped;
    h->pid = pid;
    h->timeout_ms = timeout_ms;
    if (pidtab_claim(sup->env.pids, pid, &h->owner, NULL) < 0) {
        /* Nobody would hear its exit: it is killed and counted as an orphan. */
        log_error("%s: %s: pid table full", sup_record_name(ss), sup_hook_name(h));
        (void)sup->env.procs->kill(-pid, SIGKILL);
        h->pid = 0;
        return -ENOSPC;
    }
    log_debug("%s: %s started (pid %ld)", sup_record_name(ss), sup_hook_name(h), (long)pid);
    uv_update_time(sup->env.loop); /* from its fork, not from the start of a long turn */
    uv_timer_start(&h->timer, sup_hook_on_timeout, timeout_ms, 0);
    return 0;
}

bool sup_hook_running(const struct sup_hook *h)
{
    return h->pid > 0;
}

bool sup_hook_waiting(const struct sup_hook *h)
{
    return h->turn.queued;
}

void sup_hook_signal(struct sup_hook *h, int sig)
{
    if (h->turn.queued && sig == SIGKILL)
        h->killed = true; /* what it would stop or follow is being killed */
    if (h->pid <= 0)
        return;
    const struct sup_procs *procs = h->ss->sup->env.procs;
    if (procs->kill(-h->pid, sig) < 0)
        (void)procs->kill(h->pid, sig);
}

int sup_hook_close(struct sup_hook *h, uv_close_cb cb)
{
    forkpace_drop(&h->ss->sup->pace, &h->turn);
    if (h->pid > 0) {
        /* The record goes away: its hook with it, and the reaper counts its
         * exit as an orphan's. */
        sup_hook_signal(h, SIGKILL);
        pidtab_abandon(h->ss->sup->env.pids, h->pid, &h->owner);
        h->pid = 0;
    }
    h->timer.data = h->ss; /* the record's close callback counts its handles */
    uv_close((uv_handle_t *)&h->timer, cb);
    return 1;
}
