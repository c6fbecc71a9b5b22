/* diag_http.h - the opt-in metrics endpoint (corral.yaml metrics: {listen:
 * "HOST:PORT"}): GET /metrics answered with the metrics text over HTTP/1.0
 * semantics (one request per connection, then close). Bounded: at most
 * DIAG_HTTP_CONNS connections, DIAG_HTTP_REQ_MAX bytes of request, and
 * DIAG_HTTP_TIMEOUT_MS for a connection's whole life, so a slow or silent
 * scraper costs a fixed amount and never blocks the loop. */
#ifndef CORRAL_DIAG_HTTP_H
#define CORRAL_DIAG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "acceptdrop.h"

#define DIAG_HTTP_CONNS      16
#define DIAG_HTTP_REQ_MAX    4096
#define DIAG_HTTP_TIMEOUT_MS 5000

/* The body of GET /metrics (the caller frees it), or NULL when out of
 * memory. */
typedef char *(*diag_http_body_fn)(void *arg, size_t *len);

struct diag_http_conn;

struct diag_http {
    uv_loop_t *loop;
    uv_tcp_t server;
    bool listening;
    diag_http_body_fn body;
    void *arg;
    struct diag_http_conn *conns; /* open ones; each freed after its handles close */
    size_t nconns;
    /* Connections no record could be allocated for: closed unanswered. */
    struct acceptdrop drop;
    uint64_t served, refused; /* requests answered 200; connections over the cap */
};

/* Listens on host:port (an IP literal). Returns 0, or -errno (logged by the
 * caller; nothing is left open). */
int diag_http_listen(struct diag_http *h, uv_loop_t *loop, const char *host, uint16_t port,
                     diag_http_body_fn body, void *arg);

/* Closes the server and every connection. h must outlive the loop's close
 * callbacks (those of the server and of drop's spare). */
void diag_http_close(struct diag_http *h);

#endif
