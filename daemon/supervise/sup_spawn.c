/* sup_spawn.c - starts a service's process: the spawn plan with its
 * readiness fd and output pipes, fork failures as events (logged once per
 * burst, with the PID budget), exec failures from the report pipe every
 * child shares; and signals to a service's whole tree. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "pidbudget.h"
#include "procscan.h"
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
    pid_t pid = ss->svc.pid;
    if (sig > 0)
        sup_leftovers_signal(ss, sig); /* what a dead main left, if anything */
    if (pid <= 0 || sig <= 0)
        return;
    /* One /proc snapshot serves every stop of this loop tick (a shutdown of
     * 1,000 services is one scan, not 1,000); any reap or a new tick takes a
     * new one, so a SIGKILL after stop_timeout looks the tree up again. */
    uint64_t now = uv_now(sup->env.loop);
    uint64_t reaped = sup->env.reaper->children_reaped;
    if (!sup->snap.all || sup->snap_ms != now || sup->snap_reaped != reaped) {
        proctree_snap_free(&sup->snap);
        if (proctree_snapshot(&sup->snap) < 0)
            sup->snap.n = 0;
        sup->snap_ms = now;
        sup->snap_reaped = reaped;
    }
    pid_t *kids = malloc((sup->snap.n + 1) * sizeof *kids);
    int n = kids ? proctree_descendants_in(&sup->snap, pid, kids, sup->snap.n) : 0;
    if (sup->env.procs->kill(-pid, sig) < 0)
        (void)sup->env.procs->kill(pid, sig); /* it left its own group */
    for (int i = 0; i < n; i++)
        (void)sup->env.procs->kill(kids[i], sig);
    free(kids);
}

/* what failed: "fork", or "pipe" (the pipes of its output, made before;
 * not a fork, so neither counted as one nor blamed on the PID limit). */
static void sup_log_fork_failure(struct sup_service *ss, const char *what, int err)
{
    struct pidbudget b = {0};
    char budget[160] = "";
    const char *dir = ss->sup->env.pids_dir;
    bool fork = strcmp(what, "fork") == 0, known = false;

    /* Every failed fork is counted with the budget at that moment (two
     * small reads; failures come at backoff's pace). */
    if (fork) {
        ss->fork_failures_total++;
        ss->fork_pids_current = ss->fork_pids_max = -1;
        known = (dir && dir[0] ? pidbudget_read_at(dir, &b) : pidbudget_read(&b)) == 0;
        if (known) {
            ss->fork_pids_current = b.current;
            ss->fork_pids_max = b.max;
        }
    }

    /* One line per burst: the first says what and why; the retries are
     * debug lines; the success that ends the burst says how many. */
    if (ss->fork_failures > 1) {
        log_debug("%s: %s: %s (failure %" PRIu32 ")", sup_name(ss), what, strerror(err),
                  ss->fork_failures);
        return;
    }
    struct rlimit nofile;
    /* The directory read to count them holds one more (-1: none was left). */
    int open_files = err == EMFILE ? procscan_count_fds(getpid()) - 1 : -1;
    if (err == EMFILE && getrlimit(RLIMIT_NOFILE, &nofile) == 0)
        snprintf(budget, sizeof budget,
                 " (corral holds %d open files of the %llu it may: raise the container's hard "
                 "`ulimit -n`)",
                 /* none left to count them with: all */
                 open_files >= 0 ? open_files : (int)nofile.rlim_cur,
                 (unsigned long long)nofile.rlim_cur);
    else if (known && b.max >= 0)
        snprintf(budget, sizeof budget, " (pids %ld of %ld in use: the PID limit is reached)",
                 b.current, b.max);
    log_warn("%s: %s: %s%s; retrying with backoff until it works", sup_name(ss), what,
             strerror(err), budget);
}

/* Says why a service's process could not exec (or set itself up). */
static void sup_log_spawn_failure(struct sup_service *ss, const struct spawn_report *r)
{
    const char *stage = spawn_stage_name(r->fail.stage);
    if (ss->sup->env.quiet)
        log_error("%s %s: %s", stage, r->path, strerror(r->fail.err));
    else
        log_error("%s: %s %s: %s", sup_name(ss), stage, r->path, strerror(r->fail.err));
}

void sup_read_spawn_reports(struct supervisor *sup, pid_t exiting, struct pidtab_owner *owner)
{
    struct spawn_report r;
    sup->spawns_unread = 0;
    while (spawn_read_report(sup->report_fds[0], &r) == 1) {
        /* The reaper takes a pid out of the table before its owner hears of
         * the exit: the exiting one is named by the caller. */
        struct pidtab_owner *o = r.pid == exiting ? owner : pidtab_find(sup->env.pids, r.pid);
        if (o && o->on_exit == sup->on_exit) {
            sup_log_spawn_failure((struct sup_service *)o, &r);
        } else if (o && o->on_exit == sup->on_hook_exit) {
            const struct sup_hook *h = (const struct sup_hook *)o;
            log_error("%s: %s: %s %s: %s", sup_record_name(h->ss),
                      h->kind == SUP_HOOK_FINISH ? "finish" : "stop_command",
                      spawn_stage_name(r.fail.stage), r.path, strerror(r.fail.err));
        } else
            log_debug("pid %ld: %s %s: %s", (long)r.pid, spawn_stage_name(r.fail.stage), r.path,
                      strerror(r.fail.err));
    }
}

static void sup_on_spawn_report(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    sup_read_spawn_reports(h->data, 0, NULL);
}

int sup_spawn_reports_open(struct supervisor *sup)
{
    int rc = spawn_report_open(sup->report_fds);
    if (rc < 0) {
        sup->report_fds[0] = sup->report_fds[1] = -1;
        return rc;
    }
    rc = uv_poll_init(sup->env.loop, &sup->report_poll, sup->report_fds[0]);
    if (rc == 0) {
        sup->report_poll.data = sup;
        rc = uv_poll_start(&sup->report_poll, UV_READABLE, sup_on_spawn_report);
        sup->report_polling = true;
    }
    return rc;
}

void sup_spawn_reports_close(struct supervisor *sup)
{
    if (sup->report_polling)
        uv_close((uv_handle_t *)&sup->report_poll, NULL);
    sup->report_polling = false;
    for (int i = 0; i < 2; i++) {
        if (sup->report_fds[i] >= 0)
            close(sup->report_fds[i]);
        sup->report_fds[i] = -1;
    }
}

int sup_spawn(struct sup_service *ss, const char **what)
{
    struct supervisor *sup = ss->sup;
    const struct conf_service *conf = ss->svc.conf;
    bool is_main = ss == sup->main;
    struct spawn_plan plan;
    pid_t pid;

    char notify_env[128];
    char path[SPAWN_PATH_MAX]; /* spawn_resolve fills it (no 4 KiB memset per spawn) */
    sup_cenv_replan(ss);       /* what scripts and oneshots exported since */
    svcplan_fill(&ss->plan, conf, is_main ? -1 : sup->devnull, is_main && sup->env.interactive,
                 path, sizeof path, &plan);
    checks_prepare_spawn(&ss->checks, &plan.keep_fd, notify_env, sizeof notify_env);
    svcplan_add_env(&ss->plan, &plan, notify_env);
    int rc = output_prepare(&ss->output, &plan.stdio[1], &plan.stdio[2]);
    int exec_fd = -1;
    *what = rc < 0 ? "pipe" : "fork";
    if (rc == 0)
        rc = sup->env.procs->spawn(&plan, sup->report_fds[1], &pid, &exec_fd);
    checks_spawned(&ss->checks, rc == 0);
    if (rc < 0) {
        output_abort(&ss->output);
        ss->fork_failures++;
        sup_log_fork_failure(ss, *what, -rc);
        return rc;
    }
    if (ss->fork_failures)
        log_info("%s: started after %" PRIu32 " failed tries", sup_name(ss), ss->fork_failures);
    ss->fork_failures = 0;
    if (ss->output_waits)
        log_info("%s: started: corral's output took its earlier runs' lines", sup_name(ss));
    ss->output_waits = 0;
    ss->svc.pid = pid;
    execwatch_drop(ss->exec);
    ss->exec = exec_fd >= 0 ? execwatch_start(sup->env.loop, exec_fd, sup->on_exec, ss) : NULL;
    sup_orphans_note_spawn(ss, pid); /* its own process group (spawn.c) */
    output_started(&ss->output);
    struct pidtab_owner *was;
    rc = pidtab_claim(sup->env.pids, pid, &ss->owner, &was);
    if (was)
        log_debug("%s: pid %ld was still listed for a process reaped by its own parent",
                  sup_name(ss), (long)pid);
    if (rc < 0)
        log_error("%s: pid table: %s; its exit will be counted as an orphan's", sup_name(ss),
                  strerror(-rc));
    /* A start of hundreds forks them all in one loop tick: read what failed
     * so far every so often (every pid is in the table by now), so that the
     * pipe never fills. */
    if (++sup->spawns_unread >= SUP_REPORT_READ_EVERY)
        sup_read_spawn_reports(sup, 0, NULL);
    return 0;
}
