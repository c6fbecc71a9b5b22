/* ring.h - the last lines of a service, kept for `corralctl logs` and for the
 * lines printed under a failed exit: a byte ring of records {time, stream,
 * length, text}; the oldest go when a new one does not fit. Pure. */
#ifndef CORRAL_RING_H
#define CORRAL_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
    char *buf; /* allocated on the first line */
    size_t cap;
    size_t head;     /* offset of the oldest record */
    size_t used;     /* bytes in use */
    size_t count;    /* records */
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

/* Calls cb for the last n lines (all when n is 0) with time >= since_ms,
 * oldest first. The text is valid during the call only. */
typedef void (*ring_cb)(void *arg, const struct ring_line *line);
void ring_last(const struct ring *r, size_t n, uint64_t since_ms, ring_cb cb, void *arg);

#endif
