/* maincmd.c - runs the main command: spawn with fork-failure retry, exit
 * status capture, signal delivery to its process group. */
#include "maincmd.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corral.h"
#include "exitstatus.h"
#include "log.h"
#include "pidbudget.h"
#include "spawn.h"

extern char **environ;

/* Fork failures retry from 100 ms up to 5 s: a PID limit frees up when
 * something exits, so keep trying, but without spinning. */
static const struct backoff_policy maincmd_fork_policy = {
    .initial_ms = 100,
    .max_ms = 5000,
    .factor = 2,
    .reset_after_ms = 0,
};

static void maincmd_on_exit(struct pidtab_owner *owner, pid_t pid, int wstatus)
{
    struct maincmd *m = (struct maincmd *)owner;
    (void)pid;
    m->pid = 0;
    m->exited = true;
    m->wstatus = wstatus;
    shutdown_on_main_exit(&m->corral->shutdown);
}

static void maincmd_on_retry(uv_timer_t *t)
{
    maincmd_start(t->data);
}

int maincmd_init(struct maincmd *m, struct corral *c, char **argv)
{
    memset(m, 0, sizeof *m);
    m->owner.on_exit = maincmd_on_exit;
    m->corral = c;
    m->argv = argv;
    m->path_err = -spawn_resolve(argv[0], getenv("PATH"), m->path, sizeof m->path);
    int rc = uv_timer_init(c->loop, &m->retry);
    if (rc < 0)
        return rc;
    m->retry.data = m;
    return 0;
}

static void maincmd_log_fork_failure(struct maincmd *m, int rc, uint64_t delay_ms)
{
    struct pidbudget b;
    char budget[96] = "";

    /* One line per burst of failures: the first says what and why, the
     * rest go to debug, and the success that ends the burst says how many. */
    if (m->fork_failures > 1) {
        log_debug("main: fork: %s; retry %" PRIu32 " in %" PRIu64 " ms", strerror(-rc),
                  m->fork_failures, delay_ms);
        return;
    }
    if (pidbudget_read(&b) == 0 && b.max >= 0)
        snprintf(budget, sizeof budget, " (pids %ld of %ld in use: the PID limit is reached)",
                 b.current, b.max);
    log_warn("main: fork: %s%s; retrying every %" PRIu64 "ms or more until it works", strerror(-rc),
             budget, delay_ms);
}

void maincmd_start(struct maincmd *m)
{
    struct corral *c = m->corral;
    struct spawn_failure fail;
    struct spawn_plan plan = {
        .path = m->path,
        .path_err = m->path_err,
        .argv = m->argv,
        .envp = environ,
        .stdio = {-1, -1, -1},
        .keep_fd = -1,
        .foreground = c->interactive,
        .umask = -1,
    };
    pid_t pid;

    if (m->given_up)
        return;
    int rc = spawn_start(&plan, &pid, &fail);
    if (rc < 0) {
        m->fork_failures++;
        uint64_t delay = backoff_after_error(&maincmd_fork_policy, &m->backoff);
        maincmd_log_fork_failure(m, rc, delay);
        uv_timer_start(&m->retry, maincmd_on_retry, delay, 0);
        return;
    }
    if (m->fork_failures)
        log_info("main: started after %" PRIu32 " failed forks", m->fork_failures);
    m->fork_failures = 0;
    m->backoff.failures = 0;
    m->pid = pid;
    rc = pidtab_add(&c->pids, pid, &m->owner);
    if (rc < 0) /* cannot happen with one child; the reaper would count it an orphan */
        log_error("main: pid table: %s", strerror(-rc));
    if (fail.stage != SPAWN_STAGE_NONE)
        log_error("%s %s: %s", spawn_stage_name(fail.stage),
                  fail.stage == SPAWN_STAGE_EXEC ? m->path : m->argv[0], strerror(fail.err));
    else
        log_debug("main: started %s as pid %d", m->path, (int)pid);
}

int maincmd_signal(struct maincmd *m, int sig)
{
    if (m->pid <= 0)
        return -ESRCH;
    if (m->corral->opts.single_child)
        return kill(m->pid, sig) == 0 ? 0 : -errno;
    /* The group first: a shell's children get the signal too. A main that
     * moved itself to another group (setsid) still gets it directly. */
    if (kill(-m->pid, sig) == 0)
        return 0;
    return kill(m->pid, sig) == 0 ? 0 : -errno;
}

void maincmd_give_up(struct maincmd *m)
{
    m->given_up = true;
    uv_timer_stop(&m->retry);
}

void maincmd_close(struct maincmd *m)
{
    uv_close((uv_handle_t *)&m->retry, NULL);
}
