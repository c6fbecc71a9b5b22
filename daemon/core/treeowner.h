/* treeowner.h - which service's tree each process of a /proc snapshot
 * belongs to: one pass up the parent links, remembered, instead of one walk
 * down per service (a container of 2,000 processes and 50 services is one
 * linear pass). Pure. */
#ifndef CORRAL_TREEOWNER_H
#define CORRAL_TREEOWNER_H

#include <stddef.h>
#include <sys/types.h>

/* pid[i] and ppid[i] describe n processes; roots[j] (m of them, distinct,
 * > 0) are the processes whose trees are asked about. Fills out[i] with the
 * j whose root is pid[i] or an ancestor of it (the nearest one when roots
 * nest), or -1. Returns 0 or -ENOMEM. */
int treeowner_assign(const pid_t *pid, const pid_t *ppid, size_t n, const pid_t *roots, size_t m,
                     int *out);

#endif
