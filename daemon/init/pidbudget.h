/* pidbudget.h - the container's PID budget: pids.current and pids.max of the
 * pids cgroup corral lives in (cgroup v2, or v1's pids controller). */
#ifndef CORRAL_PIDBUDGET_H
#define CORRAL_PIDBUDGET_H

#include <stddef.h>

struct pidbudget {
    long current;
    long max; /* -1: no limit ("max") */
};

/* Finds the directory of corral's pids cgroup (once: it does not change)
 * into dir. Returns 0, or -ENOENT when no pids cgroup is visible. */
int pidbudget_locate(char *dir, size_t len);

/* Reads the budget from a directory found by pidbudget_locate (two small
 * files). Returns 0 or -errno. */
int pidbudget_read_at(const char *dir, struct pidbudget *b);

/* Both at once, for the rare callers without a located directory. */
int pidbudget_read(struct pidbudget *b);

#endif
