/* ucred.c - a datagram's sender, see ucred.h. */
#include "ucred.h"

#include <string.h>
#include <unistd.h>

pid_t ucred_sender(struct msghdr *m)
{
    pid_t pid = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            pid = cred.pid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            /* sd_notify may pass fds (FDSTORE), anyone may to /dev/log. */
            int *fds = (int *)CMSG_DATA(c);
            for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++)
                close(fds[k]);
        }
    }
    return pid;
}
