/* procscan.h - one pass over /proc for the diagnostics (docs/diagnosing.md):
 * each process's parent, group, state, command name, threads, CPU time and
 * resident memory, and on request its open fds. Only ever run because
 * someone asked (status, top, metrics) or a warning needs a name: never on
 * a timer while healthy. */
#ifndef CORRAL_PROCSCAN_H
#define CORRAL_PROCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procscan_entry {
    pid_t pid, ppid, pgrp;
    char state;         /* 'Z' for a zombie */
    char comm[16];      /* the kernel's name of the command */
    long threads;       /* tasks: what a pids cgroup counts */
    uint64_t cpu_ticks; /* utime + stime, in clock ticks */
    uint64_t rss_kib;
    int fds; /* -1: not counted (or not readable) */
};

struct procscan {
    struct procscan_entry *all; /* owned */
    size_t n;
};

/* Reads every process of /proc (up to PROCTREE_MAX) into s; with fds, also
 * counts each one's open fds (a directory read each: only for top).
 * Returns 0 or -errno. */
int procscan_read(struct procscan *s, bool fds);
void procscan_free(struct procscan *s);

/* The open fds of pid (of corral itself, the directory read counts too),
 * or -1 when unreadable. */
int procscan_count_fds(pid_t pid);

/* One process alone (corral's own line of top). Returns 0 or -errno. */
int procscan_one(pid_t pid, bool fds, struct procscan_entry *e);

/* Clock ticks per second (for the CPU figures). */
long procscan_ticks_per_second(void);

#endif
