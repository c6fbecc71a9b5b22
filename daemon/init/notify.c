/* notify.c - the two notification channels a service may use to say it is
 * ready. Both are read on the loop; neither trusts what it reads beyond one
 * newline or one datagram from a known process. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct notify_fd {
    uv_pipe_t pipe;
    notify_fd_cb cb; /* NULL once dropped or fired */
    void *arg;
    bool started;
};

static void notify_fd_closed(uv_handle_t *h)
{
    free(h->data);
}

static void notify_fd_close(struct notify_fd *n)
{
    n->cb = NULL;
    if (!uv_is_closing((uv_handle_t *)&n->pipe))
        uv_close((uv_handle_t *)&n->pipe, notify_fd_closed);
}

struct notify_fd *notify_fd_new(uv_loop_t *loop, notify_fd_cb cb, void *arg, int *child_fd)
{
    int p[2];
    struct notify_fd *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    if (pipe2(p, O_CLOEXEC) < 0) {
        free(n);
        return NULL;
    }
    uv_pipe_init(loop, &n->pipe, 0);
    uv_pipe_open(&n->pipe, p[0]);
    n->pipe.data = n;
    n->cb = cb;
    n->arg = arg;
    *child_fd = p[1];
    return n;
}

static void notify_fd_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char chunk[512];
    (void)h;
    (void)suggested;
    buf->base = chunk;
    buf->len = sizeof chunk;
}

static void notify_fd_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct notify_fd *n = s->data;
    if (nread > 0 && memchr(buf->base, '\n', (size_t)nread) && n->cb) {
        notify_fd_cb cb = n->cb;
        n->cb = NULL;
        uv_read_stop(s);
        cb(n->arg);
        return;
    }
    /* One newline is all it says; EOF or an error ends the channel. The
     * owner frees the reader (notify_fd_drop): never itself, so that the
     * owner's pointer cannot dangle. */
    if (nread < 0)
        uv_read_stop(s);
}

void notify_fd_start(struct notify_fd *n, int child_fd)
{
    close(child_fd);
    n->started = true;
    uv_read_start((uv_stream_t *)&n->pipe, notify_fd_alloc, notify_fd_read);
}

void notify_fd_drop(struct notify_fd *n)
{
    if (n)
        notify_fd_close(n);
}

/* ---- sd_notify -------------------------------------------------------------- */

struct sdnotify {
    uv_poll_t poll;
    int fd;
    sdnotify_cb cb;
    void *arg;
};

static void sdnotify_on_readable(uv_poll_t *h, int status, int events)
{
    struct sdnotify *s = h->data;
    (void)status;
    (void)events;
    for (;;) {
        char buf[4096];
        union {
            struct cmsghdr h;
            char space[CMSG_SPACE(sizeof(struct ucred))];
        } ctl;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf - 1};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof ctl};
        ssize_t n = recvmsg(s->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return;
        pid_t pid = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                struct ucred cred;
                memcpy(&cred, CMSG_DATA(c), sizeof cred);
                pid = cred.pid;
            } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                /* sd_notify may pass fds (FDSTORE): we keep none. */
                int *fds = (int *)CMSG_DATA(c);
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
                    close(fds[i]);
            }
        }
        buf[n] = '\0';
        /* pid 0: a sender outside corral's PID namespace (or no credentials
         * at all); the callback refuses it by name. */
        s->cb(s->arg, pid, buf, (size_t)n);
    }
}

int sdnotify_open(struct sdnotify **out, uv_loop_t *loop, sdnotify_cb cb, void *arg,
                  char *env_value, size_t env_len)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    unsigned char rnd[8];
    int one = 1;

    struct sdnotify *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->fd < 0)
        goto err;
    if (setsockopt(s->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
        goto err;
    /* An abstract name: nothing on the filesystem, so it works with a
     * read-only root; random, so that two corrals never collide. */
    if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd)
        memset(rnd, 0, sizeof rnd), rnd[0] = (unsigned char)getpid();
    int len = snprintf(a.sun_path + 1, sizeof a.sun_path - 1,
                       "corral-notify-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
                       rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    if (bind(s->fd, (struct sockaddr *)&a,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) < 0)
        goto err;
    snprintf(env_value, env_len, "@%s", a.sun_path + 1);
    s->cb = cb;
    s->arg = arg;
    int rc = uv_poll_init(loop, &s->poll, s->fd);
    if (rc < 0) {
        close(s->fd);
        free(s);
        return rc;
    }
    s->poll.data = s;
    uv_poll_start(&s->poll, UV_READABLE, sdnotify_on_readable);
    *out = s;
    return 0;
err:
    rc = -errno;
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    return rc;
}

static void sdnotify_closed(uv_handle_t *h)
{
    struct sdnotify *s = h->data;
    close(s->fd);
    free(s);
}

void sdnotify_close(struct sdnotify *s)
{
    if (s)
        uv_close((uv_handle_t *)&s->poll, sdnotify_closed);
}

bool notify_pid_in_tree(pid_t pid, pid_t root)
{
    /* Up the parent chain; a bounded walk (a loop in /proc cannot happen,
     * but a racing exit can make a pid vanish: then it is not ours). */
    for (int depth = 0; pid > 1 && depth < 64; depth++) {
        if (pid == root)
            return true;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            return false;
        buf[n] = '\0';
        char *rp = strrchr(buf, ')');
        int ppid;
        char state;
        if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2)
            return false;
        pid = ppid;
    }
    return pid == root;
}
