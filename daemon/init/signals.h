/* signals.h - every signal corral handles arrives on one signalfd watched by
 * the loop: SIGCHLD for the reaper, and the signals corral forwards. Faults
 * (SEGV, BUS, ...) stay fatal so that a bug in corral shows; PIPE, TTIN and
 * TTOU are ignored by main.c. */
#ifndef CORRAL_SIGNALS_H
#define CORRAL_SIGNALS_H

#include <signal.h>

#include <uv.h>

/* Called once per signal read; SIGCHLD at most once per batch (one SIGCHLD
 * stands for any number of exits anyway). */
typedef void (*signals_cb)(void *data, int sig);

struct signals {
    uv_poll_t poll;
    int fd;
    sigset_t set;
    signals_cb cb;
    void *data;
};

/* Blocks the handled signals and starts reading them. Returns 0 or -errno. */
int signals_start(struct signals *s, uv_loop_t *loop, signals_cb cb, void *data);

void signals_close(struct signals *s);

#endif
