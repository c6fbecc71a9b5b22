/* reaper.h - drains exited children on SIGCHLD: waitpid(-1, WNOHANG) until
 * 0 or ECHILD, each status routed through the pid table to its owner (an
 * unknown pid is an adopted orphan: reaped and counted). Decides nothing. */
#ifndef CORRAL_REAPER_H
#define CORRAL_REAPER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "pidtab.h"

struct reaper;

/* Called after each drain; no_children is true when waitpid said ECHILD. */
typedef void (*reaper_drained_cb)(struct reaper *r, bool no_children);

struct reaper {
    uv_signal_t sigchld;
    struct pidtab *pids;
    uint64_t orphans_reaped;
    uint64_t children_reaped;
    reaper_drained_cb on_drained;
    void *data;
};

/* Starts listening for SIGCHLD on loop and drains once at once (corral may
 * have inherited zombies before it could listen). Returns 0 or -errno. */
int reaper_start(struct reaper *r, uv_loop_t *loop, struct pidtab *pids, reaper_drained_cb cb);

/* Reaps everything that has exited now; returns true when no child is left. */
bool reaper_drain(struct reaper *r);

void reaper_close(struct reaper *r);

#endif
