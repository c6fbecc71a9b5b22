/* proctree.h - the processes below a pid, found by walking /proc: a service's
 * whole tree (a grandchild that called setsid has left the process group but
 * not the tree), what is left of a process group whose leader died, or
 * everything left at shutdown. */
#ifndef CORRAL_PROCTREE_H
#define CORRAL_PROCTREE_H

#include <stddef.h>
#include <sys/types.h>

struct proctree_pair {
    pid_t pid;
    pid_t ppid;
    pid_t pgrp;
    char state; /* 'Z' for a zombie */
};

/* Who is whose parent, read once from /proc. Stopping many services at once
 * walks one snapshot instead of reading /proc once per service (which made
 * stopping N services cost N full scans). */
struct proctree_snap {
    struct proctree_pair *all; /* owned */
    size_t n;
};

/* Reads /proc into s. Returns 0 or -errno. */
int proctree_snapshot(struct proctree_snap *s);
void proctree_snap_free(struct proctree_snap *s);

/* Fills out with up to cap descendants of root found in s (root itself
 * excluded), parents before children. Returns how many. */
int proctree_descendants_in(const struct proctree_snap *s, pid_t root, pid_t *out, size_t cap);

/* Fills out with up to cap live processes of s (zombies excluded) in
 * process group pgrp, or below one that is: what a dead group leader left.
 * Returns how many. */
int proctree_group_in(const struct proctree_snap *s, pid_t pgrp, pid_t *out, size_t cap);

/* A snapshot and a walk at once. Returns how many, or -errno when /proc
 * cannot be read. */
int proctree_descendants(pid_t root, pid_t *out, size_t cap);

/* When pid started (clock ticks after boot, /proc/PID/stat's field 22; a
 * zombie still has it), or 0 when no process has that pid. A pid given
 * again names a process with another start: the two tell a process from a
 * later one of the same pid. */
unsigned long long proctree_started(pid_t pid);

/* Writes "123 (sleep 1000)": the pid and its command line, or its comm for a
 * kernel thread or zombie. Returns buf. */
const char *proctree_describe(pid_t pid, char *buf, size_t len);

#endif
