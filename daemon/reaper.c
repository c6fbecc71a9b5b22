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

static void reaper_on_sigchld(uv_signal_t *h, int signum)
{
    struct reaper *r = h->data;
    (void)signum;
    bool none = reaper_drain(r);
    if (r->on_drained)
        r->on_drained(r, none);
}

int reaper_start(struct reaper *r, uv_loop_t *loop, struct pidtab *pids, reaper_drained_cb cb)
{
    r->pids = pids;
    r->on_drained = cb;
    r->orphans_reaped = 0;
    r->children_reaped = 0;
    int rc = uv_signal_init(loop, &r->sigchld);
    if (rc < 0)
        return rc;
    r->sigchld.data = r;
    rc = uv_signal_start(&r->sigchld, reaper_on_sigchld, SIGCHLD);
    if (rc < 0)
        return rc;
    /* The signal handle keeps the loop alive but nothing else should. */
    uv_unref((uv_handle_t *)&r->sigchld);
    reaper_drain(r);
    return 0;
}

void reaper_close(struct reaper *r)
{
    if (!uv_is_closing((uv_handle_t *)&r->sigchld))
        uv_close((uv_handle_t *)&r->sigchld, NULL);
}
