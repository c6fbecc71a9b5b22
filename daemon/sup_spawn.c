/* sup_spawn.c - starts a service's process: the spawn plan with its
 * readiness fd and output pipes, fork failures as events (logged once per
 * burst, with the PID budget), the exec status watched on the loop; and
 * signals to a service's whole tree. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "corral.h"
#include "exitstatus.h"
#include "log.h"
#include "notify.h"
#include "pidbudget.h"
#include "proctree.h"
#include "spawn.h"
#include "supervisor_int.h"

extern char **environ;

/* ---- effects ------------------------------------------------------------ */

/* Signals the service's whole tree: its process group, and every descendant
 * found in /proc now (a grandchild that called setsid left the group, not
 * the tree). */
void sup_signal_tree(struct sup_service *ss, int sig)
{
    struct supervisor *sup = ss->sup;
    struct corral *c = sup->corral;
    pid_t pid = ss->svc.pid;
    if (pid <= 0 || sig <= 0)
        return;
    /* One /proc snapshot serves every stop of this loop tick (a shutdown of
     * 1,000 services is one scan, not 1,000); any reap or a new tick takes a
     * new one, so a SIGKILL after stop_timeout looks the tree up again. */
    uint64_t now = uv_now(c->loop);
    if (!sup->snap.all || sup->snap_ms != now || sup->snap_reaped != c->reaper.children_reaped) {
        proctree_snap_free(&sup->snap);
        if (proctree_snapshot(&sup->snap) < 0)
            sup->snap.n = 0;
        sup->snap_ms = now;
        sup->snap_reaped = c->reaper.children_reaped;
    }
    pid_t *kids = malloc((sup->snap.n + 1) * sizeof *kids);
    int n = kids ? proctree_descendants_in(&sup->snap, pid, kids, sup->snap.n) : 0;
    if (kill(-pid, sig) < 0)
        (void)kill(pid, sig); /* it left its own group */
    for (int i = 0; i < n; i++)
        (void)kill(kids[i], sig);
    free(kids);
}

static void sup_log_fork_failure(struct sup_service *ss, int err)
{
    struct pidbudget b;
    char budget[96] = "";

    /* One line per burst: the first says what and why; the retries are
     * debug lines; the success that ends the burst says how many. */
    if (ss->fork_failures > 1) {
        log_debug("%s: fork: %s (failure %" PRIu32 ")", sup_name(ss), strerror(err),
                  ss->fork_failures);
        return;
    }
    if (pidbudget_read(&b) == 0 && b.max >= 0)
        snprintf(budget, sizeof budget, " (pids %ld of %ld in use: the PID limit is reached)",
                 b.current, b.max);
    log_warn("%s: fork: %s%s; retrying with backoff until it works", sup_name(ss), strerror(err),
             budget);
}

/* Watches a spawn's exec status pipe on the loop (spawn_start_async). */
struct sup_exec_watch {
    uv_poll_t poll;
    int fd;
    struct sup_service *ss; /* NULL once its owner moved on */
    char path[];            /* what was exec'd, for the failure's sentence */
};

static void sup_exec_watch_closed(uv_handle_t *h)
{
    struct sup_exec_watch *w = h->data;
    close(w->fd);
    free(w);
}

void sup_exec_watch_end(struct sup_service *ss)
{
    struct sup_exec_watch *w = ss->exec_watch;
    if (!w)
        return;
    ss->exec_watch = NULL;
    w->ss = NULL;
    uv_close((uv_handle_t *)&w->poll, sup_exec_watch_closed);
}

/* Reads the outcome of the latest exec if it is there; logs a failure as a
 * sentence. Called when the pipe is readable and before an exit is handled
 * (the child has exited, so the outcome is there). */
void sup_exec_status(struct sup_service *ss)
{
    struct sup_exec_watch *w = ss->exec_watch;
    struct spawn_failure fail;
    if (!w)
        return;
    int rc = spawn_read_status(w->fd, &fail);
    if (rc == -EAGAIN)
        return;
    if (rc == 1) {
        const char *what = fail.stage == SPAWN_STAGE_EXEC ? w->path : ss->svc.conf->argv[0];
        if (ss->sup->quiet)
            log_error("%s %s: %s", spawn_stage_name(fail.stage), what, strerror(fail.err));
        else
            log_error("%s: %s %s: %s", sup_name(ss), spawn_stage_name(fail.stage), what,
                      strerror(fail.err));
    }
    sup_exec_watch_end(ss);
}

static void sup_on_exec_status(uv_poll_t *h, int status, int events)
{
    struct sup_exec_watch *w = h->data;
    (void)status;
    (void)events;
    if (w->ss)
        sup_exec_status(w->ss);
}

void sup_spawn(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    struct corral *c = sup->corral;
    const struct conf_service *conf = ss->svc.conf;
    bool is_main = ss == sup->main;
    struct spawn_plan plan;
    pid_t pid;
    int status_fd = -1;

    char notify_env[128];
    char path[SPAWN_PATH_MAX] = "";
    svcplan_fill(&ss->plan, conf, is_main ? -1 : sup->devnull, is_main && c->interactive, path,
                 sizeof path, &plan);
    checks_prepare_spawn(&ss->checks, &plan.keep_fd, notify_env, sizeof notify_env);
    svcplan_add_env(&ss->plan, &plan, notify_env);
    int rc = output_prepare(&ss->output, &plan.stdio[1], &plan.stdio[2]);
    if (rc == 0)
        rc = spawn_start_async(&plan, &pid, &status_fd);
    checks_spawned(&ss->checks, rc == 0);
    if (rc < 0) {
        output_abort(&ss->output);
        ss->fork_failures++;
        sup_log_fork_failure(ss, -rc);
        sup_feed(ss, SVC_EV_SPAWN_FAILED, 0, -rc);
        return;
    }
    if (ss->fork_failures)
        log_info("%s: started after %" PRIu32 " failed forks", sup_name(ss), ss->fork_failures);
    ss->fork_failures = 0;
    ss->svc.pid = pid;
    output_started(&ss->output);
    rc = pidtab_add(&c->pids, pid, &ss->owner);
    if (rc < 0)
        log_error("%s: pid table: %s; its exit will be counted as an orphan's", sup_name(ss),
                  strerror(-rc));
    sup_exec_watch_end(ss);
    /* Sized to the path, allocated once the child exists: a 4 KiB buffer per
     * start would be copied into every later fork until freed. Without
     * memory for it, an exec failure shows only as the child's exit. */
    size_t plen = strlen(path) + 1; /* spawn_resolve always terminates it */
    struct sup_exec_watch *w = malloc(sizeof *w + plen);
    if (w) {
        memcpy(w->path, path, plen);
        w->fd = status_fd;
        w->ss = ss;
    }
    if (!w || uv_poll_init(c->loop, &w->poll, status_fd) < 0) {
        close(status_fd);
        free(w);
    } else {
        w->poll.data = w;
        ss->exec_watch = w;
        uv_poll_start(&w->poll, UV_READABLE, sup_on_exec_status);
    }
    sup_feed(ss, SVC_EV_SPAWNED, 0, 0);
}
