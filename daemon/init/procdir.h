/* procdir.h - one walk over /proc's processes into an array of records,
 * for proctree (who is whose parent) and procscan (what each one uses):
 * each reads what it needs of a process, the walk does the rest. */
#ifndef CORRAL_PROCDIR_H
#define CORRAL_PROCDIR_H

#include <stddef.h>
#include <sys/types.h>

/* Fills the record at slot for pid: 0 keeps it, anything else skips the
 * process (it vanished while /proc was read, or is not readable). */
typedef int (*procdir_fill_cb)(void *arg, pid_t pid, void *slot);

/* Reads every process of /proc, up to PROCTREE_MAX, into *out: a malloc'd
 * array of *n records of size bytes each, filled by fill (the caller frees
 * it). Returns 0 or -errno (then *out is NULL and *n 0). */
int procdir_read(size_t size, procdir_fill_cb fill, void *arg, void **out, size_t *n);

/* Reads /proc/PID/stat into buf and returns what follows comm: " S PPID
 * PGRP ...", field 3 on (comm itself may hold spaces and ')'), or NULL when
 * pid is gone or unreadable. */
const char *procdir_stat(pid_t pid, char *buf, size_t size);

#endif
