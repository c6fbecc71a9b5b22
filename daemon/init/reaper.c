/* reaper.c - drains exited children on SIGCHLD: waitpid(-1, WNOHANG) until
 * 0/ECHILD, each status routed through pidtab to its owner (unknown pid =
 * orphan, counted). Decides nothing: the owners do. One SIGCHLD may stand for
 * many exits (signals do not queue), hence the loop. */
#include "reaper.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

/* The next exited child without reaping it: its pid, 0 when none has
 * exited, -1 with errno. */
static pid_t reaper_peek(void)
{
    siginfo_t si;
    si.si_pid = 0;
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
        return -1;
    return si.si_pid;
}

bool reaper_drain(struct reaper *r)
{
    pid_t group = 0; /* orphans of this group are reaped by group */
    for (;;) {
        int st;
        pid_t pid;
        if (r->on_orphan && group > 0) {
            pid = waitpid(-group, &st, WNOHANG);
            if (pid <= 0) {
                if (pid == 0 || errno != EINTR)
                    group = 0; /* none of it has exited: back to peeking */
                continue;
            }
            if (!pidtab_find(r->pids, pid))
                (void)r->on_orphan(r->orphan_arg, pid, group, false);
        } else if (r->on_orphan) {
            /* Who an orphan came from is only readable while it is a
             * zombie: peek, ask its group, then reap that one pid; the
             * rest of its group's exits are then reaped by group
             * (bench/README.md). */
            pid = reaper_peek();
            if (pid > 0) {
                if (!pidtab_find(r->pids, pid)) {
                    pid_t g = getpgid(pid);
                    if (r->on_orphan(r->orphan_arg, pid, g, true) && g > 0)
                        group = g;
                }
                pid = waitpid(pid, &st, WNOHANG);
            }
        } else {
            pid = waitpid(-1, &st, WNOHANG);
        }
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0)
            return errno == ECHILD;
        if (pid == 0)
            return false;
        r->children_reaped++;
        struct pidtab_owner *owner = pidtab_take(r->pids, pid);
        if (owner) {
            owner->on_exit(owner, pid, st);
        } else {
            r->orphans_reaped++;
            log_debug("reaped orphan %d (status 0x%x)", (int)pid, (unsigned)st);
        }
    }
}

void reaper_on_orphan(struct reaper *r, reaper_orphan_cb cb, void *arg)
{
    r->on_orphan = cb;
    r->orphan_arg = arg;
}

void reaper_init(struct reaper *r, struct pidtab *pids)
{
    r->pids = pids;
    r->orphans_reaped = 0;
    r->children_reaped = 0;
    r->on_orphan = NULL;
    r->orphan_arg = NULL;
    reaper_drain(r);
}
