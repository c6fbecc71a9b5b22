/* signals.h - every catchable signal sent to corral, as uv_signal_t handles.
 * SIGCHLD belongs to the reaper; faults (SEGV, BUS, ...) stay fatal so that a
 * bug in corral shows; PIPE, TTIN and TTOU are ignored by main.c. */
#ifndef CORRAL_SIGNALS_H
#define CORRAL_SIGNALS_H

#include <signal.h>

#include <uv.h>

typedef void (*signals_cb)(void *data, int sig);

struct signals {
    uv_signal_t handles[NSIG];
    int active[NSIG];
    signals_cb cb;
    void *data;
};

/* Starts a handle for each forwardable signal. Returns 0 or -errno. */
int signals_start(struct signals *s, uv_loop_t *loop, signals_cb cb, void *data);

/* True for a signal corral catches and forwards. */
int signals_is_forwarded(int sig);

void signals_close(struct signals *s);

#endif
