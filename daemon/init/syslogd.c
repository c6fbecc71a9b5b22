/* syslogd.c - the /dev/log socket: datagrams read in bounded batches, each
 * with its sender's credentials (SO_PASSCRED) and ancestor chain from
 * /proc/PID/stat, handed to one callback. Decides nothing about whose
 * message it is: the layer above does. */
#include "syslogd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounds.h"
#include "procdir.h"
#include "syslogmsg.h"
#include "ucred.h"

struct syslogd {
    uv_poll_t poll;
    int fd;
    char path[108];
    syslogd_cb cb;
    void *arg;
    uint64_t received;
    char buf[SYSLOGMSG_MAX];
};

/* The parent of pid from /proc/PID/stat, or 0 when it is gone. */
static pid_t syslogd_parent(pid_t pid)
{
    char buf[512];
    const char *f = procdir_stat(pid, buf, sizeof buf);
    int ppid;
    char state;
    if (!f || sscanf(f, " %c %d", &state, &ppid) != 2)
        return 0;
    return ppid;
}

/* pid, its parent, ... up to pid 1 (excluded). Returns how many. */
static size_t syslogd_chain(pid_t pid, pid_t *chain)
{
    size_t n = 0;
    while (pid > 1 && n < SYSLOGD_CHAIN_MAX) {
        chain[n++] = pid;
        pid = syslogd_parent(pid);
    }
    return n;
}

static void syslogd_on_readable(uv_poll_t *h, int status, int events)
{
    struct syslogd *s = h->data;
    pid_t chain[SYSLOGD_CHAIN_MAX];
    pid_t chain_of = 0; /* a burst from one sender walks /proc once */
    size_t n_chain = 0;
    (void)status;
    (void)events;
    /* A bounded batch: the poll is level-triggered, so what is left is read
     * at the next wakeup, after the loop has served everything else. */
    for (int i = 0; i < SYSLOGD_READ_BATCH;) {
        union {
            struct cmsghdr h;
            char space[CMSG_SPACE(sizeof(struct ucred))];
        } ctl;
        struct iovec iov = {.iov_base = s->buf, .iov_len = sizeof s->buf};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof ctl};
        ssize_t n = recvmsg(s->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return;
        i++;
        s->received++;
        pid_t pid = ucred_sender(&m);
        /* pid 0: a sender outside corral's PID namespace (the kernel gives
         * the pid as the receiver sees it). */
        if (pid <= 0) {
            n_chain = 0;
            chain_of = 0;
        } else if (pid != chain_of) {
            n_chain = syslogd_chain(pid, chain);
            chain_of = pid;
        }
        s->cb(s->arg, chain, n_chain, s->buf, (size_t)n);
    }
}

static void syslogd_closed(uv_handle_t *h)
{
    struct syslogd *s = h->data;
    close(s->fd);
    free(s);
}

int syslogd_open(struct syslogd **out, uv_loop_t *loop, const char *path, uint64_t rcvbuf,
                 syslogd_cb cb, void *arg)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    struct stat st;
    int one = 1, rc;

    if (strlen(path) >= sizeof a.sun_path)
        return -ENAMETOOLONG;
    struct syslogd *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    snprintf(s->path, sizeof s->path, "%s", path);
    memcpy(a.sun_path, path, strlen(path) + 1);
    s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->fd < 0)
        goto err;
    if (setsockopt(s->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
        goto err;
    int size = rcvbuf > (1u << 30) ? (1 << 30) : (int)rcvbuf;
    (void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    /* A socket left by an earlier run, or the link an image ships for a
     * syslog daemon it no longer runs: replaced. Any other file is the
     * user's, and stays. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode) && !S_ISLNK(st.st_mode)) {
            errno = EEXIST;
            goto err;
        }
        if (unlink(path) < 0)
            goto err;
    }
    /* Anyone may log: the file is born 0666, bind(2) giving it the
     * socket's 0777 less the umask. Not a chmod by path after it, which
     * follows a link someone able to write the directory put there
     * meanwhile. */
    mode_t umask_was = umask(0111);
    rc = bind(s->fd, (struct sockaddr *)&a, sizeof a);
    umask(umask_was);
    if (rc < 0)
        goto err;
    s->cb = cb;
    s->arg = arg;
    rc = uv_poll_init(loop, &s->poll, s->fd);
    if (rc < 0) {
        unlink(path);
        close(s->fd);
        free(s);
        return rc;
    }
    s->poll.data = s;
    uv_poll_start(&s->poll, UV_READABLE, syslogd_on_readable);
    *out = s;
    return 0;
err:
    rc = -errno;
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    return rc;
}

void syslogd_close(struct syslogd *s)
{
    if (!s)
        return;
    unlink(s->path);
    uv_close((uv_handle_t *)&s->poll, syslogd_closed);
}

void syslogd_drain(struct syslogd *s)
{
    if (s)
        syslogd_on_readable(&s->poll, 0, UV_READABLE);
}

uint64_t syslogd_received(const struct syslogd *s)
{
    return s ? s->received : 0;
}
