/* shutdown.h - the way out: stop the main (its signal, then SIGKILL of its
 * group after the stop timeout), sweep whatever is left (SIGTERM, grace,
 * SIGKILL: kill(-1) as PID 1, the descendants of corral as a subreaper),
 * reap until nothing is left, and stop the loop with the exit code. */
#ifndef CORRAL_SHUTDOWN_H
#define CORRAL_SHUTDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

struct corral;

enum shutdown_phase {
    SHUTDOWN_RUNNING,
    SHUTDOWN_STOPPING,   /* stop signal sent to main, stop timer armed */
    SHUTDOWN_SWEEP_TERM, /* main gone; SIGTERM sent to the rest, grace armed */
    SHUTDOWN_SWEEP_KILL, /* SIGKILL sent to the rest; reaping the last */
    SHUTDOWN_DONE,
};

struct shutdown {
    struct corral *corral;
    enum shutdown_phase phase;
    int requested_by; /* the signal that asked for it, 0 if none */
    uv_timer_t timer; /* stop timeout, then grace, then the final bound */
};

int shutdown_init(struct shutdown *s, struct corral *c);

/* A SIGTERM or SIGINT arrived (already forwarded to the main). The first
 * starts the stop; a second skips ahead one step. */
void shutdown_request(struct shutdown *s, int sig);

/* The main command has exited: sweep the rest, then finish. */
void shutdown_on_main_exit(struct shutdown *s);

/* After each reaper drain: finishes the sweep once no child is left. */
void shutdown_on_drained(struct shutdown *s, bool no_children);

void shutdown_close(struct shutdown *s);

#endif
