/* ring.h - the last lines of a service, kept for `corralctl logs` and for the
 * lines printed under a failed exit: a byte ring of records {time, stream,
 * text}, a record being one line or the bytes of a run of whole lines as a
 * read brought them (split into lines only when someone asks); the oldest
 * lines go when new ones do not fit. Pure. */
#ifndef CORRAL_RING_H
#define CORRAL_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
    char *buf; /* allocated on the first line */
    size_t cap;
    size_t head;     /* offset of the oldest record */
    size_t used;     /* bytes in use */
    uint64_t pushed; /* lines ever pushed: a run's lines are the last (pushed - at its start) */
};

struct ring_line {
    uint64_t time_ms;
    int stream; /* 1 stdout, 2 stderr */
    const char *text;
    size_t len;
};

/* cap is rounded up to a power of two (0 keeps nothing). */
void ring_init(struct ring *r, size_t cap);
void ring_close(struct ring *r);

/* Adds a line (cut to fit the ring when longer). Returns 0 or -ENOMEM. */
int ring_push(struct ring *r, uint64_t time_ms, int stream, const char *text, size_t len);

/* Adds n_lines whole lines at once: len bytes, each line ending in "\n"
 * (a "\r" before it is not part of the line). The bytes are kept as they
 * are; when they do not fit the ring, their last lines that do. Returns 0
 * or -ENOMEM. */
int ring_push_lines(struct ring *r, uint64_t time_ms, int stream, const char *data, size_t len,
                    uint64_t n_lines);

/* Calls cb for the last n lines (all when n is 0) with time >= since_ms,
 * oldest first. The text is valid during the call only. */
typedef void (*ring_cb)(void *arg, const struct ring_line *line);
void ring_last(const struct ring *r, size_t n, uint64_t since_ms, ring_cb cb, void *arg);

#endif
