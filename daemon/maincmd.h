/* maincmd.h - the main command of pure init mode (`corral -- CMD`): started
 * once, retried with backoff while fork fails, the target of forwarded
 * signals, and the source of corral's exit code. */
#ifndef CORRAL_MAINCMD_H
#define CORRAL_MAINCMD_H

#include <stdbool.h>
#include <sys/types.h>

#include <uv.h>

#include "backoff.h"
#include "bounds.h"
#include "pidtab.h"

struct corral;

struct maincmd {
    struct pidtab_owner owner;
    struct corral *corral;
    char **argv;
    char path[SPAWN_PATH_MAX];
    int path_err;
    pid_t pid; /* > 0 while running */
    bool exited;
    int wstatus;
    bool given_up; /* shutdown came before it could start */
    uv_timer_t retry;
    struct backoff backoff;
    uint32_t fork_failures;
};

/* Prepares the command (resolves its path) and the retry timer. */
int maincmd_init(struct maincmd *m, struct corral *c, char **argv);

/* Starts it, or arms a retry when fork fails. Never fails itself. */
void maincmd_start(struct maincmd *m);

/* Sends sig to its process group (to the process when it has left its
 * group). Returns 0, or -ESRCH when it is not running. */
int maincmd_signal(struct maincmd *m, int sig);

/* Stops retrying a start that has not happened yet. */
void maincmd_give_up(struct maincmd *m);

void maincmd_close(struct maincmd *m);

#endif
