/* reaper.c - drains exited children on SIGCHLD: waitpid(-1, WNOHANG) until
 * 0/ECHILD, each status routed through pidtab to its owner (unknown pid =
 * orphan, counted). Decides nothing: the owners do. One SIGCHLD may stand for
 * many exits (signals do not queue), hence the loop. */
#include "reaper.h"

#include <errno.h>
#include <sys/wait.h>

#include "log.h"

bool reaper_drain(struct reaper *r)
{
    for (;;) {
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
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

void reaper_init(struct reaper *r, struct pidtab *pids)
{
    r->pids = pids;
    r->orphans_reaped = 0;
    r->children_reaped = 0;
    reaper_drain(r);
}
