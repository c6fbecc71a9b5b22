/* pidbudget.h - the container's PID budget: pids.current and pids.max of the
 * pids cgroup corral lives in (cgroup v2, or v1's pids controller). */
#ifndef CORRAL_PIDBUDGET_H
#define CORRAL_PIDBUDGET_H

struct pidbudget {
    long current;
    long max; /* -1: no limit ("max") */
};

/* Reads the budget. Returns 0, or -ENOENT when no pids cgroup is visible. */
int pidbudget_read(struct pidbudget *b);

#endif
