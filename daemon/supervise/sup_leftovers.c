/* sup_leftovers.c - what a dead main process left of its tree: the rest of
 * its process group and what runs below them (workers keep a port, a leaker
 * keeps the PID budget). A long-running service's leftovers get its stop
 * signal, SIGKILL after its stop_timeout, and its exit counts only once they
 * are gone, so that a restart never meets the previous run; a oneshot's
 * (a daemon started on purpose) are named and left to the shutdown. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "signame.h"
#include "supervisor_int.h"
#include "units.h"

/* Leftovers named in one log line; the rest are counted. */
#define SUP_LEFTOVERS_NAMED 8

/* After the SIGKILL: how long their exits may take to be reaped. */
#define SUP_LEFTOVERS_KILL_WAIT_MS 1000

static bool sup_group_exists(const struct supervisor *sup, pid_t pgid)
{
    return sup->env.procs->kill(-pgid, 0) == 0 || errno == EPERM;
}

/* Finds the group's live members (and what runs below them) now. */
static int sup_leftovers_find(pid_t pgid, pid_t **out)
{
    struct proctree_snap snap;
    *out = NULL;
    if (proctree_snapshot(&snap) < 0)
        return 0;
    pid_t *found = malloc((snap.n + 1) * sizeof *found);
    int n = found ? proctree_group_in(&snap, pgid, found, snap.n) : 0;
    proctree_snap_free(&snap);
    if (n <= 0) {
        free(found);
        return 0;
    }
    *out = found;
    return n;
}

static void sup_leftovers_describe(const pid_t *pids, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && i < SUP_LEFTOVERS_NAMED && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? " " : "", (int)pids[i]);
    if (n > SUP_LEFTOVERS_NAMED && used < len)
        snprintf(buf + used, len - used, " and %d more", n - SUP_LEFTOVERS_NAMED);
}

static void sup_leftovers_on_timeout(uv_timer_t *t);

/* Forgets the leftovers corral will hear no exit of: gone without corral
 * reaping them (their own parent did, a shell's wait or a prefork master),
 * their pid given again since (to a child of corral's, or another process:
 * the start time tells), or claimed by a child of corral's. Kept, their
 * slots in the pid table would wait for exits that never come, a later
 * child given the same pid would find it taken, and a signal meant for
 * them would reach another process. */
static void sup_leftovers_prune(struct sup_service *ss)
{
    struct pidtab *pids = ss->sup->env.pids;
    size_t kept = 0;
    for (size_t i = 0; i < ss->n_leftovers; i++) {
        struct sup_leftover l = ss->leftovers[i];
        bool ours = pidtab_find(pids, l.pid) == &ss->leftover_owner;
        /* A zombie is still there: its exit comes, whoever reaps it. */
        bool gone = ours && proctree_started(l.pid) != l.started;
        if (gone)
            (void)pidtab_drop(pids, l.pid, &ss->leftover_owner);
        if (ours && !gone)
            ss->leftovers[kept++] = l;
    }
    ss->n_leftovers = kept;
}

/* One timer for both: a look at the next loop turn when one is asked
 * for, else their deadline. */
static void sup_leftovers_arm(struct sup_service *ss)
{
    uint64_t now = uv_now(ss->sup->env.loop);
    uint64_t delay =
        ss->leftover_look_soon || ss->leftover_deadline <= now ? 0 : ss->leftover_deadline - now;
    uv_timer_start(&ss->leftover_timer, sup_leftovers_on_timeout, delay, 0);
}

/* Looks again at the next loop turn, once every exit of this one is in: a
 * burst of thousands of exits costs one look, not one each. */
static void sup_leftovers_look_soon(struct sup_service *ss)
{
    if (ss->leftover_look_soon)
        return;
    ss->leftover_look_soon = true;
    sup_leftovers_arm(ss);
}

void sup_leftovers_signal(struct sup_service *ss, int sig)
{
    struct supervisor *sup = ss->sup;
    const struct sup_procs *procs = sup->env.procs;
    if (!ss->n_leftovers)
        return;
    sup_leftovers_prune(ss);
    /* The group, unless its number is a child's of corral's now (a new
     * run's own group). */
    if (!pidtab_find(sup->env.pids, ss->leftover_pgid))
        (void)procs->kill(-ss->leftover_pgid, sig);
    for (size_t i = 0; i < ss->n_leftovers; i++)
        (void)procs->kill(ss->leftovers[i].pid, sig);
    if (!ss->n_leftovers)
        sup_leftovers_look_soon(ss);
}

void sup_leftovers_close(struct sup_service *ss)
{
    /* Their exits are still reaped, never told to this record. */
    sup_leftovers_prune(ss);
    for (size_t i = 0; i < ss->n_leftovers; i++)
        pidtab_abandon(ss->sup->env.pids, ss->leftovers[i].pid, &ss->leftover_owner);
    free(ss->leftovers);
    ss->leftovers = NULL;
    ss->n_leftovers = 0;
    ss->leftover_waiting = false;
    ss->leftover_look_soon = false;
}

/* Takes found's pids into the pid table as ss's leftovers (found is
 * freed); returns how many. */
static size_t sup_leftovers_track(struct sup_service *ss, pid_t *found, int n)
{
    struct supervisor *sup = ss->sup;
    struct sup_leftover *kept = malloc((size_t)n * sizeof *kept);
    size_t k = 0;
    for (int i = 0; kept && i < n; i++) {
        unsigned long long started = proctree_started(found[i]);
        if (started && pidtab_add(sup->env.pids, found[i], &ss->leftover_owner) == 0)
            kept[k++] = (struct sup_leftover){.pid = found[i], .started = started};
    }
    free(found);
    free(ss->leftovers);
    ss->leftovers = kept;
    ss->n_leftovers = k;
    return k;
}

/* Once none of those tracked is left: whatever they forked meanwhile is in
 * the group too. Returns true when some were found (and are tracked now). */
static bool sup_leftovers_refind(struct sup_service *ss)
{
    pid_t *found;
    int n = sup_group_exists(ss->sup, ss->leftover_pgid)
                ? sup_leftovers_find(ss->leftover_pgid, &found)
                : 0;
    return n > 0 && sup_leftovers_track(ss, found, n) > 0;
}

/* Every leftover is gone: the run's exit counts now. */
static void sup_leftovers_done(struct sup_service *ss)
{
    sup_leftovers_close(ss); /* none left to let go of */
    uv_timer_stop(&ss->leftover_timer);
    ss->sup->on_leftovers_gone(ss, ss->leftover_wstatus);
}

/* Their time is up, or a look is due (sup_leftovers_look_soon). */
static void sup_leftovers_on_timeout(uv_timer_t *t)
{
    struct sup_service *ss = t->data;
    /* Exits the loop has not read yet count first (sup_reap_pending). */
    sup_reap_pending(ss->sup);
    if (!ss->leftover_waiting || uv_is_active((uv_handle_t *)t))
        return; /* they went meanwhile; or a new run's leftovers, with their own time */
    ss->leftover_look_soon = false;
    sup_leftovers_prune(ss);
    bool found = !ss->n_leftovers && sup_leftovers_refind(ss);
    if (!ss->n_leftovers) {
        sup_leftovers_done(ss);
        return;
    }
    uint64_t now = uv_now(ss->sup->env.loop);
    if (now < ss->leftover_deadline) {
        if (found)
            sup_leftovers_signal(ss, ss->leftover_killed ? SIGKILL : ss->svc.conf->stop_signal);
        sup_leftovers_arm(ss); /* a look first if the signal found them gone */
        return;
    }
    if (!ss->leftover_killed) {
        log_warn("%s: %zu leftover processes did not exit in time: sending SIGKILL",
                 sup_record_name(ss), ss->n_leftovers);
        sup_leftovers_signal(ss, SIGKILL);
        ss->leftover_killed = true;
        ss->leftover_deadline = now + SUP_LEFTOVERS_KILL_WAIT_MS;
        sup_leftovers_arm(ss);
        return;
    }
    /* Not ours to reap after all (corral is neither PID 1 nor a subreaper),
     * or stuck in the kernel: the run is over anyway. */
    log_warn("%s: %zu leftover processes still there after SIGKILL; restarting anyway",
             sup_record_name(ss), ss->n_leftovers);
    sup_leftovers_close(ss);
    ss->sup->on_leftovers_gone(ss, ss->leftover_wstatus);
}

static void sup_leftover_on_exit(struct pidtab_owner *owner, pid_t pid, int wstatus)
{
    struct sup_service *ss =
        (struct sup_service *)((char *)owner - offsetof(struct sup_service, leftover_owner));
    (void)wstatus;
    for (size_t i = 0; i < ss->n_leftovers; i++)
        if (ss->leftovers[i].pid == pid) {
            ss->leftovers[i] = ss->leftovers[--ss->n_leftovers];
            break;
        }
    /* The one reaped may have reaped others (a shell's wait): they are
     * gone too, and corral hears nothing of them. */
    if (ss->n_leftovers) {
        sup_leftovers_look_soon(ss);
        return;
    }
    if (sup_leftovers_refind(ss)) {
        sup_leftovers_signal(ss, ss->leftover_killed ? SIGKILL : ss->svc.conf->stop_signal);
        return;
    }
    sup_leftovers_done(ss);
}

bool sup_leftovers_begin(struct sup_service *ss, pid_t pid, int wstatus)
{
    struct supervisor *sup = ss->sup;
    const struct conf_service *conf = ss->svc.conf;
    char list[160], sig[32], dur[32];
    pid_t *found;

    /* One syscall when nothing is left, the common case; the main of the
     * container ends it anyway (the shutdown sweeps everything). */
    if (conf->main || !sup_group_exists(sup, pid))
        return false;
    int n = sup_leftovers_find(pid, &found);
    if (n <= 0)
        return false;
    sup_leftovers_describe(found, n, list, sizeof list);
    if (conf->type == CONF_TYPE_ONESHOT) {
        log_info("%s: exited and left %d processes running (%s)", sup_record_name(ss), n, list);
        free(found);
        return false;
    }
    ss->leftover_owner.on_exit = sup_leftover_on_exit;
    ss->leftover_pgid = pid;
    ss->leftover_killed = false;
    ss->leftover_look_soon = false;
    ss->leftover_wstatus = wstatus;
    if (sup_leftovers_track(ss, found, n) == 0)
        return false;
    ss->leftover_waiting = true;
    uv_update_time(sup->env.loop); /* from their signal, not from the start of a long turn */
    ss->leftover_deadline = uv_now(sup->env.loop) + conf->stop_timeout_ms;
    log_warn("%s: exited but left %d processes (%s): stopping them with %s, SIGKILL after %s",
             sup_record_name(ss), n, list, signame_format(conf->stop_signal, sig, sizeof sig),
             units_format_duration(conf->stop_timeout_ms, dur, sizeof dur));
    sup_leftovers_signal(ss, conf->stop_signal);
    sup_leftovers_arm(ss);
    return true;
}
