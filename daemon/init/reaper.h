/* reaper.h - drains exited children on SIGCHLD (which signals.c reads):
 * waitpid(-1, WNOHANG) until 0 or ECHILD, each status routed through the pid
 * table to its owner (an unknown pid is an adopted orphan: reaped and
 * counted). Decides nothing. */
#ifndef CORRAL_REAPER_H
#define CORRAL_REAPER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pidtab.h"

/* An adopted orphan and its process group (docs/diagnosing.md "Orphans").
 * With zombie true it is not reaped yet (getsid(pid) works during the
 * call); pgid is -1 when it could not be read. Returns true when the group
 * alone said where it came from: the reaper then reaps that group's next
 * exits by group, one waitpid(-pgid) each (a burst of orphans costs what
 * it cost without attribution), and reports each orphan among them with
 * zombie false, already reaped. */
typedef bool (*reaper_orphan_cb)(void *arg, pid_t pid, pid_t pgid, bool zombie);

struct reaper {
    struct pidtab *pids;
    uint64_t orphans_reaped;
    uint64_t children_reaped;
    reaper_orphan_cb on_orphan; /* NULL: orphans are reaped unexamined */
    void *orphan_arg;
};

/* Prepares the reaper and drains once (corral may have inherited zombies
 * before it could listen for SIGCHLD). */
void reaper_init(struct reaper *r, struct pidtab *pids);

/* Reaps everything that has exited now (call it on SIGCHLD); returns true
 * when no child is left. */
bool reaper_drain(struct reaper *r);

/* Orphans are shown to cb before they are reaped (NULL: no longer). */
void reaper_on_orphan(struct reaper *r, reaper_orphan_cb cb, void *arg);

#endif
