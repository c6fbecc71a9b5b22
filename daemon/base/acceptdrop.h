/* acceptdrop.h - closes a connection a server has no memory to serve.
 *
 * Once libuv has accepted a connection for a server and the connection
 * callback has not taken it with uv_accept, libuv watches the listening
 * socket no more (uv__server_io stops its watcher) until uv_accept is
 * called: a server that returns when no record can be allocated goes deaf
 * for good. acceptdrop takes such a connection into a spare handle kept in
 * its own struct, which needs no memory, and closes it at once: the peer
 * sees its connection end, and the next connection is offered. One that
 * libuv holds while the spare still closes waits for the spare's close
 * callback, which hands it to retry (the server tries for a record
 * again).
 *
 * Lifetime (docs/dev/STYLE.md §5a): the struct must outlive the spare's
 * close callback, i.e. live until the loop has run once more after
 * acceptdrop_close. */
#ifndef CORRAL_ACCEPTDROP_H
#define CORRAL_ACCEPTDROP_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

struct acceptdrop {
    uv_stream_t *server; /* a uv_tcp_t or uv_pipe_t that listens */
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } spare;
    bool closing;     /* the spare is open or closing */
    bool pending;     /* a connection waits for the spare's close callback */
    bool closed;      /* acceptdrop_close: no more retries */
    uint64_t dropped; /* connections closed unanswered */
    /* Called from the spare's close callback for a connection that waited:
     * the server accepts it (or calls acceptdrop_drop again). */
    void (*retry)(struct acceptdrop *d);
};

void acceptdrop_init(struct acceptdrop *d, uv_stream_t *server,
                     void (*retry)(struct acceptdrop *d));

/* Closes the connection libuv holds for d's server, unanswered. */
void acceptdrop_drop(struct acceptdrop *d);

/* The server closes: a connection that waits is not retried. */
void acceptdrop_close(struct acceptdrop *d);

#endif
