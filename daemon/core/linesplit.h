/* linesplit.h - splits a byte stream into lines: complete lines come out
 * without their "\n" (and without a "\r" before it); a line longer than the
 * buffer comes out in pieces marked LINESPLIT_CONT; a partial line waits
 * until linesplit_flush. Pure: no I/O, allocates only the pending buffer. */
#ifndef CORRAL_LINESPLIT_H
#define CORRAL_LINESPLIT_H

#include <stddef.h>

#define LINESPLIT_CONT    0x1 /* the line goes on in the next piece */
#define LINESPLIT_PARTIAL 0x2 /* flushed without a newline */

/* Called for each line or piece; data is not NUL-terminated. */
typedef void (*linesplit_cb)(void *arg, const char *data, size_t len, int flags);

struct linesplit {
    char *buf; /* pending partial line; NULL when none */
    size_t len;
    size_t cap; /* the longest line kept whole */
};

void linesplit_init(struct linesplit *ls, size_t max_line);
void linesplit_close(struct linesplit *ls);

/* Feeds n bytes; calls cb for every line they complete. Returns 0, or
 * -ENOMEM (the bytes are then passed on as pieces, nothing is lost). */
int linesplit_feed(struct linesplit *ls, const char *data, size_t n, linesplit_cb cb, void *arg);

/* Emits the pending partial line, if any, with LINESPLIT_PARTIAL. */
void linesplit_flush(struct linesplit *ls, linesplit_cb cb, void *arg);

/* True when a partial line waits. */
int linesplit_pending(const struct linesplit *ls);

#endif
