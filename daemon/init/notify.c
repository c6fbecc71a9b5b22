/* notify.c - the two notification channels a service may use to say it is
 * ready. Both are read on the loop; neither trusts what it reads beyond one
 * newline or one datagram from a known process, and a flood of datagrams
 * from strangers costs a bounded batch per wakeup and one line per
 * interval. */
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

#include "bounds.h"
#include "log.h"
#include "procdir.h"
#include "ucred.h"

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

static void notify_sender_walk(struct notify_sender *from, pid_t pid)
{
    char buf[512];
    from->pid = pid;
    from->n = 0;
    for (int depth = 0; pid > 1 && depth < NOTIFY_DEPTH_MAX; depth++) {
        from->chain[from->n++] = pid;
        const char *f = procdir_stat(pid, buf, sizeof buf);
        int ppid;
        char state;
        if (!f || sscanf(f, " %c %d", &state, &ppid) != 2)
            return;
        pid = ppid;
    }
    from->chain[from->n++] = pid;
}

bool notify_sender_in_tree(const struct notify_sender *from, pid_t root)
{
    for (size_t i = 0; i < from->n; i++)
        if (from->chain[i] == root)
            return true;
    return false;
}

struct sdnotify {
    uv_poll_t poll;
    uv_timer_t hush; /* while armed, refusals are counted, not logged */
    int fd;
    sdnotify_cb cb;
    void *arg;
    bool hushed;
    uint64_t ignored; /* datagrams refused since the last line */
    int closes_pending;
    struct notify_sender from; /* a burst from one sender walks /proc once */
};

/* The end of an interval after a line about refusals: the datagrams refused
 * meanwhile are said in one line, which starts another interval; with none,
 * the next refusal is logged at once. */
static void sdnotify_on_hush(uv_timer_t *t)
{
    struct sdnotify *s = t->data;
    if (!s->ignored) {
        s->hushed = false;
        return;
    }
    log_warn("sd_notify: %llu more datagrams ignored in the last %ds: not from a process of a "
             "service that uses notify: systemd",
             (unsigned long long)s->ignored, REFUSED_LOG_INTERVAL_MS / 1000);
    s->ignored = 0;
    uv_timer_start(&s->hush, sdnotify_on_hush, REFUSED_LOG_INTERVAL_MS, 0);
}

/* A datagram nobody takes: one line per interval at most, whoever floods. */
static void sdnotify_refuse(struct sdnotify *s, pid_t pid)
{
    if (s->hushed) {
        s->ignored++;
        return;
    }
    if (pid > 0)
        log_warn("sd_notify from pid %d ignored: not a process of a service that uses notify: "
                 "systemd",
                 (int)pid);
    else
        log_warn("sd_notify from a process outside corral's PID namespace ignored");
    s->hushed = true;
    uv_timer_start(&s->hush, sdnotify_on_hush, REFUSED_LOG_INTERVAL_MS, 0);
}

static void sdnotify_on_readable(uv_poll_t *h, int status, int events)
{
    struct sdnotify *s = h->data;
    (void)status;
    (void)events;
    s->from.pid = 0; /* parents change between wakeups: walked again */
    /* A bounded batch: the poll is level-triggered, so what is left is read
     * at the next wakeup, after the loop has served everything else. */
    for (int i = 0; i < SDNOTIFY_READ_BATCH;) {
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
        i++;
        pid_t pid = ucred_sender(&m);
        buf[n] = '\0';
        /* pid 0: a sender outside corral's PID namespace (the kernel gives
         * the pid as the receiver sees it), or no credentials at all. */
        bool taken = false;
        if (pid > 0) {
            if (s->from.pid != pid)
                notify_sender_walk(&s->from, pid);
            taken = s->cb(s->arg, &s->from, buf, (size_t)n);
        }
        if (!taken)
            sdnotify_refuse(s, pid);
    }
}

static void sdnotify_closed(uv_handle_t *h)
{
    struct sdnotify *s = h->data;
    if (--s->closes_pending > 0)
        return;
    close(s->fd);
    free(s);
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
    s->cb = cb;
    s->arg = arg;
    int rc = uv_poll_init(loop, &s->poll, s->fd);
    if (rc < 0) {
        close(s->fd);
        free(s);
        return rc;
    }
    snprintf(env_value, env_len, "@%s", a.sun_path + 1);
    s->poll.data = s;
    uv_timer_init(loop, &s->hush);
    s->hush.data = s;
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

void sdnotify_close(struct sdnotify *s)
{
    if (!s)
        return;
    s->closes_pending = 2;
    uv_close((uv_handle_t *)&s->poll, sdnotify_closed);
    uv_close((uv_handle_t *)&s->hush, sdnotify_closed);
}
