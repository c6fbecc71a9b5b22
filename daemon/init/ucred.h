/* ucred.h - the sender of a datagram read with SO_PASSCRED on: its pid from
 * SCM_CREDENTIALS, and any file descriptors it passed (SCM_RIGHTS) closed,
 * since corral keeps none. The sd_notify socket and /dev/log read their
 * senders this way. */
#ifndef CORRAL_UCRED_H
#define CORRAL_UCRED_H

#include <sys/socket.h>
#include <sys/types.h>

/* Returns the sender's pid in corral's PID namespace (0 when the message
 * carries none: a sender outside that namespace) and closes every fd the
 * message passed. */
pid_t ucred_sender(struct msghdr *m);

#endif
