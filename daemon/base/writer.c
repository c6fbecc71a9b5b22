/* writer.c - the bounded, non-blocking writer behind every line corral
 * prints. A chunk queue with per-owner byte counts; writev on writable.
 * Owners enforce their own bound (output.c stops reading a service whose
 * queued bytes pass the high mark); this module reports when they drain. */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bounds.h"
#include "strjoin.h"

struct writer_chunk {
    struct writer_chunk *next;
    struct writer_owner *owner;
    size_t len, off, cap;
    char data[];
};

/* A written chunk is kept as the spare for the next one: a busy stream
 * queues a batch at nearly every read, and a malloc/free of ~64 KiB each
 * time made glibc trim and regrow the heap, a page fault per page. */
static void writer_chunk_free(struct writer *w, struct writer_chunk *c)
{
    if (!w->spare || w->spare->cap < c->cap) {
        free(w->spare);
        w->spare = c;
    } else {
        free(c);
    }
}

static struct writer_chunk *writer_chunk_new(struct writer *w, size_t len)
{
    struct writer_chunk *c = w->spare;
    if (c && c->cap >= len) {
        w->spare = NULL;
        return c;
    }
    c = malloc(sizeof *c + len);
    if (c)
        c->cap = len;
    return c;
}

int writer_open(struct writer *w, uv_loop_t *loop, int target_fd)
{
    struct stat st;
    char path[64];

    memset(w, 0, sizeof *w);
    w->fd = target_fd;
    w->mode = WRITER_PLAIN;
    if (fstat(target_fd, &st) < 0)
        return -errno;
    w->regular = S_ISREG(st.st_mode);
    if (S_ISSOCK(st.st_mode)) {
        w->mode = WRITER_SEND;
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        /* A new open file description of the same pipe or terminal: its
         * O_NONBLOCK is ours alone (fcntl on target_fd would change it for
         * every child that inherited it). /dev/null is a char device too:
         * fine either way. */
        char num[STRJOIN_ULONG_MAX];
        strjoin(path, sizeof path, "/proc/self/fd/", strjoin_ulong(num, (unsigned)target_fd), NULL);
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
            w->fd = fd;
            w->own_fd = true;
            w->mode = WRITER_NONBLOCK;
        }
    }
    if (w->mode != WRITER_PLAIN) {
        int rc = uv_poll_init(loop, &w->poll, w->fd);
        if (rc == UV_EPERM) {
            /* epoll refuses fds that never block (/dev/null, some char
             * devices): plain writes are right for them. */
            w->mode = WRITER_PLAIN;
            return 0;
        }
        if (rc < 0)
            return rc;
        w->poll.data = w;
        w->poll_ready = true;
    }
    return 0;
}

static ssize_t writer_sys_writev(struct writer *w, const struct iovec *iov, int n)
{
    if (w->mode == WRITER_SEND) {
        struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n};
        return sendmsg(w->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    return writev(w->fd, iov, n);
}

/* Whether nothing written to the fd can ever arrive again (the reader
 * went away), as against a failure that may pass (a full disk). */
static bool writer_gone(int err)
{
    return err == EPIPE || err == EBADF || err == ECONNRESET || err == ENOTCONN ||
           err == ESHUTDOWN || err == EDESTADDRREQ;
}

/* The fd took n bytes. A failure is over once it has taken a page more
 * than the last failed write gave back: on a full disk, that room lets a
 * few smaller writes through, and each would otherwise end the failure
 * and start another. */
static void writer_took(struct writer *w, size_t n)
{
    if (!w->failing)
        return;
    w->taken += n;
    if (w->taken >= w->given_back + WRITER_RECOVERED)
        w->failing = 0;
}

/* A write failed with err, which may pass: n bytes are dropped; a line the
 * fd took the start of is ended before anything else is written. */
static void writer_fail(struct writer *w, int err, size_t n)
{
    if (!w->failing) {
        w->failing = err;
        if (!w->told_failing) /* else the episode told goes on */
            w->lost = 0;
    }
    w->taken = w->given_back = 0;
    w->lost += n;
    w->dropped_bytes += n;
    if (w->line_open)
        w->torn = true;
}

/* Tells on_trouble of a change since it was last told: a failure that
 * ended and began again within one call is one failure. */
static void writer_tell(struct writer *w)
{
    if ((w->failing != 0) == w->told_failing)
        return;
    w->told_failing = w->failing != 0;
    if (w->on_trouble)
        w->on_trouble(w, w->failing, w->lost, w->trouble_arg);
}

/* Writes iov[0..n) (n >= 1, bytes in each) after the newline a torn line
 * owes, if any. Returns what the fd took of iov (0: the newline alone), or
 * -1 with errno set; an fd that takes nothing at all is gone (EPIPE). The
 * newline, when the fd took it, is added to *mended. */
static ssize_t writer_writev_mended(struct writer *w, const struct iovec *iov, int n,
                                    size_t *mended)
{
    struct iovec v[65];
    const struct iovec *out = iov;
    if (w->torn) { /* rare: only then are the iovecs copied behind it */
        v[0] = (struct iovec){.iov_base = "\n", .iov_len = 1};
        memcpy(v + 1, iov, (size_t)n * sizeof *iov);
        out = v;
        n++;
    }
    ssize_t wrote;
    do
        wrote = writer_sys_writev(w, out, n);
    while (wrote < 0 && errno == EINTR);
    if (wrote == 0) {
        errno = EPIPE;
        return -1;
    }
    if (wrote > 0)
        writer_took(w, (size_t)wrote);
    if (wrote > 0 && w->torn) {
        w->torn = false;
        w->line_open = false;
        wrote--;
        ++*mended;
    }
    return wrote;
}

/* A full disk took part of a call's bytes (n of them, from offset
 * before), often ending inside a line: in a regular file they go, so the
 * file holds whole lines only, when they are its last bytes and nothing
 * else wrote since (the offset moved by n alone, and the file ends there).
 * Returns true when they went. */
static bool writer_take_back(struct writer *w, off_t before, size_t n)
{
    struct stat st;
    off_t end = before + (off_t)n;
    return before >= 0 && lseek(w->fd, 0, SEEK_CUR) == end && fstat(w->fd, &st) == 0 &&
           st.st_size == end && ftruncate(w->fd, before) == 0 &&
           lseek(w->fd, before, SEEK_SET) == before;
}

/* Gives back n bytes of o's share, written or dropped. Its drain callback
 * runs when the share falls to nothing, and may queue more (the log's does):
 * the caller has taken the chunk out of the list before this call. */
static void writer_release(struct writer *w, struct writer_owner *o, size_t n)
{
    o->queued -= n;
    w->queued -= n;
    if (o->on_drain && n > 0 && o->queued == 0)
        o->on_drain(o);
}

/* Discards the queue of a broken or closing writer. A broken writer tells
 * each owner its share is gone (a paused service reads again, and what it
 * writes is dropped: it must not wait for a reader that left); a closing
 * one tells nobody (corral is exiting). */
static void writer_drop_all(struct writer *w, bool tell)
{
    struct writer_chunk *c = w->head;
    w->head = w->tail = NULL;
    while (c) {
        struct writer_chunk *next = c->next;
        size_t n = c->len - c->off;
        w->dropped_bytes += n;
        if (tell) {
            writer_release(w, c->owner, n);
        } else {
            c->owner->queued -= n;
            w->queued -= n;
        }
        writer_chunk_free(w, c);
        c = next;
    }
}

static void writer_on_writable(uv_poll_t *h, int status, int events);

static void writer_set_polling(struct writer *w, bool on)
{
    if (!w->poll_ready || on == w->polling)
        return;
    w->polling = on;
    if (on)
        uv_poll_start(&w->poll, UV_WRITABLE, writer_on_writable);
    else
        uv_poll_stop(&w->poll);
}

/* Writes as much of the queue as the fd takes now. */
static void writer_pump(struct writer *w)
{
    while (w->head) {
        struct iovec iov[64];
        int n = 0;
        for (struct writer_chunk *c = w->head; c && n < 64; c = c->next, n++) {
            iov[n].iov_base = c->data + c->off;
            iov[n].iov_len = c->len - c->off;
        }
        size_t mended = 0;
        ssize_t wrote = writer_writev_mended(w, iov, n, &mended);
        if (wrote < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (wrote < 0 && !writer_gone(errno)) {
            /* A full disk and the like: what waits is dropped (its owners
             * read again), and the next write tries again. */
            writer_fail(w, errno, 0);
            w->lost += w->queued; /* writer_drop_all counts them as dropped */
            writer_drop_all(w, true);
            break;
        }
        if (wrote < 0) {
            /* EPIPE and friends: nobody reads corral's output any more. */
            w->broken = true;
            writer_drop_all(w, true);
            break;
        }
        size_t left = (size_t)wrote;
        while (left > 0 && w->head) {
            struct writer_chunk *c = w->head;
            size_t take = c->len - c->off < left ? c->len - c->off : left;
            c->off += take;
            left -= take;
            w->line_open = c->data[c->off - 1] != '\n';
            struct writer_owner *o = c->owner;
            if (c->off == c->len) {
                w->head = c->next;
                if (!w->head)
                    w->tail = NULL;
                writer_chunk_free(w, c);
            }
            writer_release(w, o, take);
        }
    }
    /* Polling goes on when something is queued, and off only when a
     * writable event finds nothing to do: a busy stream does not flip it
     * (an epoll_ctl) for every batch. */
    if (w->head)
        writer_set_polling(w, true);
    writer_tell(w);
}

static void writer_on_writable(uv_poll_t *h, int status, int events)
{
    struct writer *w = h->data;
    (void)events;
    if (status < 0) {
        w->broken = true;
        writer_drop_all(w, true);
        writer_set_polling(w, false);
        return;
    }
    if (!w->head)
        writer_set_polling(w, false);
    else
        writer_pump(w);
}

int writer_write(struct writer *w, struct writer_owner *owner, const char *data, size_t len)
{
    if (w->broken)
        return -EPIPE;
    if (len == 0)
        return 0;
    /* Fast path: nothing queued, so write at once. A regular file or
     * /dev/null never blocks and has no poll to say when to go on: what a
     * short write left is written now, or never (nothing would pump it). */
    off_t before = w->regular ? lseek(w->fd, 0, SEEK_CUR) : -1;
    bool was_open = w->line_open, was_torn = w->torn;
    size_t done = 0, mended = 0; /* of data, and the newline, that the fd took */
    while (!w->head) {
        struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
        ssize_t n = writer_writev_mended(w, &iov, 1, &mended);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            int err = errno;
            if (writer_gone(err)) {
                w->broken = true;
                return -EPIPE;
            }
            size_t back = 0;
            if (done + mended > 0 && writer_take_back(w, before, done + mended)) {
                w->line_open = was_open;
                w->torn = was_torn;
                len += done;
                back = done + mended;
            }
            writer_fail(w, err, len); /* these bytes, not the next */
            w->given_back = back;
            writer_tell(w);
            return -EIO;
        }
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            done += (size_t)n;
            w->line_open = data[-1] != '\n';
        }
        if (len == 0) {
            writer_tell(w);
            return 0;
        }
        if (w->poll_ready)
            break;
        if (n < 0) { /* EAGAIN from a file that has no poll: as broken */
            w->broken = true;
            w->dropped_bytes += len;
            return -EPIPE;
        }
    }
    struct writer_chunk *c = writer_chunk_new(w, len);
    if (!c) {
        w->dropped_bytes += len;
        writer_tell(w);
        return -ENOMEM;
    }
    c->next = NULL;
    c->owner = owner;
    c->len = len;
    c->off = 0;
    memcpy(c->data, data, len);
    if (w->tail)
        w->tail->next = c;
    else
        w->head = c;
    w->tail = c;
    owner->queued += len;
    w->queued += len;
    writer_set_polling(w, true);
    writer_tell(w);
    return 0;
}

void writer_disown(struct writer *w, struct writer_owner *owner)
{
    if (owner->queued == 0 || owner == &w->orphans)
        return;
    for (struct writer_chunk *c = w->head; c; c = c->next)
        if (c->owner == owner) {
            size_t n = c->len - c->off;
            c->owner = &w->orphans;
            owner->queued -= n;
            w->orphans.queued += n;
        }
}

void writer_flush(struct writer *w, int timeout_ms)
{
    struct pollfd p = {.fd = w->fd, .events = POLLOUT};
    while (w->head && !w->broken) {
        writer_pump(w);
        if (!w->head || poll(&p, 1, timeout_ms) <= 0)
            break;
    }
    writer_set_polling(w, false);
}

static void writer_on_closed(uv_handle_t *h)
{
    struct writer *w = h->data;
    if (w->own_fd)
        close(w->fd);
}

void writer_close(struct writer *w)
{
    w->broken = true; /* nothing is queued into a closing writer */
    writer_drop_all(w, false);
    free(w->spare);
    w->spare = NULL;
    if (w->poll_ready)
        uv_close((uv_handle_t *)&w->poll, writer_on_closed);
    else if (w->own_fd)
        close(w->fd);
}
