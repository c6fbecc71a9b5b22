/* writer.h - corral's own stdout or stderr, written without ever blocking the
 * loop: what cannot be written now is queued, per owner (a service), and the
 * owner is told when its share has all been written (or dropped, when the
 * reader went away) so that it can read again. */
#ifndef CORRAL_WRITER_H
#define CORRAL_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct writer_owner;
struct writer;
typedef void (*writer_drain_cb)(struct writer_owner *o);

/* Whoever queues bytes: a service's output, or corral's own log. */
struct writer_owner {
    size_t queued;            /* bytes of this owner in the queue */
    writer_drain_cb on_drain; /* called, from within the writer, when queued falls to 0 */
};

struct writer_chunk;

enum writer_mode {
    WRITER_NONBLOCK, /* our own O_NONBLOCK description of the pipe or tty */
    WRITER_SEND,     /* a socket: send(MSG_DONTWAIT) */
    WRITER_PLAIN,    /* a regular file or /dev/null: writes do not block */
};

/* A write failed for a reason that may pass (a full disk: ENOSPC, EDQUOT,
 * EFBIG, EIO), err its errno; or, err 0, the fd has taken writes again
 * (see WRITER_RECOVERED), lost the bytes dropped meanwhile. Called once per
 * change, at the end of a write or pump: it may write (corral's log). */
/* What a failing fd must take, in all since its last failed write, for
 * the failure to be over (see writer_took). */
#define WRITER_RECOVERED 4096

typedef void (*writer_trouble_cb)(struct writer *w, int err, uint64_t lost, void *arg);

struct writer {
    int fd;
    enum writer_mode mode;
    bool own_fd;  /* fd is ours to close */
    bool regular; /* a regular file */
    bool broken;  /* the reader went away: drop everything */
    /* A write that failed for a reason that may pass drops its bytes, and
     * the next write tries again: a full disk loses lines while it is
     * full, not every line after. */
    int failing;       /* that errno; 0 while writes are taken */
    uint64_t lost;     /* bytes dropped since it began failing */
    size_t taken;      /* bytes the fd took since the last failed write */
    size_t given_back; /* bytes that write took, then took back (whole lines) */
    bool line_open;    /* the last byte the fd took ends no line */
    bool torn;         /* a drop cut a line: a newline goes first */
    bool told_failing; /* on_trouble was last told of a failure */
    writer_trouble_cb on_trouble;
    void *trouble_arg;
    uv_poll_t poll;
    bool poll_ready, polling;
    struct writer_chunk *head, *tail;
    struct writer_chunk *spare; /* the last chunk written, for reuse */
    size_t queued;
    uint64_t dropped_bytes;
    struct writer_owner orphans; /* the queued bytes of owners gone (writer_disown) */
};

/* Sets w up to write to target_fd (1 or 2). Never changes the flags of
 * target_fd's file description, which children may share: a pipe or a tty
 * is reopened through /proc/self/fd with O_NONBLOCK, a socket is written
 * with MSG_DONTWAIT. Returns 0 or -errno. */
int writer_open(struct writer *w, uv_loop_t *loop, int target_fd);

/* Writes or queues len bytes for owner (copied). Returns 0, or -EPIPE when
 * the reader is gone (the bytes are dropped). */
int writer_write(struct writer *w, struct writer_owner *owner, const char *data, size_t len);

/* The owner goes away (its memory is about to be freed): its bytes still
 * queued stay queued, in order, but are no longer counted to it and its
 * drain callback is never called again. */
void writer_disown(struct writer *w, struct writer_owner *owner);

/* Before exit: writes what is queued, waiting at most timeout_ms for the
 * reader. */
void writer_flush(struct writer *w, int timeout_ms);

void writer_close(struct writer *w);

#endif
