/* proctree.h - the processes below a pid, found by walking /proc: a service's
 * whole tree (a grandchild that called setsid has left the process group but
 * not the tree), or everything left at shutdown. */
#ifndef CORRAL_PROCTREE_H
#define CORRAL_PROCTREE_H

#include <stddef.h>
#include <sys/types.h>

/* Fills out with up to cap descendants of root (root itself excluded),
 * parents before children. Returns how many, or -errno when /proc cannot be
 * read. */
int proctree_descendants(pid_t root, pid_t *out, size_t cap);

/* Writes "123 (sleep 1000)": the pid and its command line, or its comm for a
 * kernel thread or zombie. Returns buf. */
const char *proctree_describe(pid_t pid, char *buf, size_t len);

#endif
