/* reaper.h - drains exited children on SIGCHLD (which signals.c reads):
 * waitpid(-1, WNOHANG) until 0 or ECHILD, each status routed through the pid
 * table to its owner (an unknown pid is an adopted orphan: reaped and
 * counted). Decides nothing. */
#ifndef CORRAL_REAPER_H
#define CORRAL_REAPER_H

#include <stdbool.h>
#include <stdint.h>

#include "pidtab.h"

struct reaper {
    struct pidtab *pids;
    uint64_t orphans_reaped;
    uint64_t children_reaped;
};

/* Prepares the reaper and drains once (corral may have inherited zombies
 * before it could listen for SIGCHLD). */
void reaper_init(struct reaper *r, struct pidtab *pids);

/* Reaps everything that has exited now (call it on SIGCHLD); returns true
 * when no child is left. */
bool reaper_drain(struct reaper *r);

#endif
