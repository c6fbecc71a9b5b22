/* diag_http.c - a minimal HTTP responder for GET /metrics: reads the request
 * head (bounded), answers 200 with the metrics text, 404 for another path,
 * 405 for another method, 400 for what is not HTTP, then closes. Every
 * connection has one timer that ends it, whatever state it is in; a
 * connection's memory goes after the close callbacks of its two handles
 * (docs/dev/STYLE.md §5a). One that no memory can be had for is closed
 * unanswered (acceptdrop.h). */
#include "diag_http.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct diag_http_conn {
    uv_tcp_t tcp; /* first: the handle's data is the connection */
    uv_timer_t timer;
    struct diag_http *h; /* NULL once the server has let go of it */
    struct diag_http_conn *next, **prev;
    char in[DIAG_HTTP_REQ_MAX];
    size_t in_len;
    bool answered, closing;
    int closes_pending;
    uv_write_t write;
    char *out; /* owned while the write is in flight */
};

static void diag_http_unlink(struct diag_http_conn *c)
{
    if (!c->prev)
        return;
    *c->prev = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = NULL;
    c->next = NULL;
    if (c->h)
        c->h->nconns--;
}

static void diag_http_on_closed(uv_handle_t *hd)
{
    struct diag_http_conn *c = hd->data;
    if (--c->closes_pending > 0)
        return;
    free(c->out);
    free(c);
}

static void diag_http_end(struct diag_http_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    diag_http_unlink(c);
    c->closes_pending = 2;
    uv_close((uv_handle_t *)&c->timer, diag_http_on_closed);
    uv_close((uv_handle_t *)&c->tcp, diag_http_on_closed);
}

static void diag_http_on_timeout(uv_timer_t *t)
{
    diag_http_end(t->data);
}

static void diag_http_on_written(uv_write_t *w, int status)
{
    (void)status;
    struct diag_http_conn *c = w->data;
    free(c->out);
    c->out = NULL;
    diag_http_end(c);
}

/* Sends the status line, the headers and body (body_len bytes, taken). */
static void diag_http_reply(struct diag_http_conn *c, const char *status, const char *extra,
                            char *body, size_t body_len)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: close\r\n\r\n",
                     status,
                     strncmp(status, "200", 3) == 0 ? "text/plain; version=0.0.4; charset=utf-8"
                                                    : "text/plain; charset=utf-8",
                     body_len, extra ? extra : "");
    c->answered = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->out = malloc((size_t)n + body_len);
    if (!c->out) {
        free(body);
        diag_http_end(c);
        return;
    }
    memcpy(c->out, head, (size_t)n);
    memcpy(c->out + n, body, body_len);
    free(body);
    uv_buf_t b = uv_buf_init(c->out, (unsigned)((size_t)n + body_len));
    c->write.data = c;
    if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &b, 1, diag_http_on_written) < 0)
        diag_http_end(c);
}

static void diag_http_plain(struct diag_http_conn *c, const char *status, const char *extra,
                            const char *text)
{
    char *body = strdup(text);
    diag_http_reply(c, status, extra, body, body ? strlen(text) : 0);
}

/* The request head is complete: "METHOD TARGET HTTP/x.y". */
static void diag_http_answer(struct diag_http_conn *c)
{
    char method[16], target[256], version[16];
    char *eol = memchr(c->in, '\n', c->in_len);
    *eol = '\0';
    if (sscanf(c->in, "%15s %255s %15s", method, target, version) != 3 ||
        strncmp(version, "HTTP/1.", 7) != 0) {
        diag_http_plain(c, "400 Bad Request", NULL, "bad request\n");
        return;
    }
    if (strcmp(method, "GET") != 0) {
        diag_http_plain(c, "405 Method Not Allowed", "Allow: GET\r\n", "only GET\n");
        return;
    }
    size_t plen = strcspn(target, "?");
    if (plen != 8 || strncmp(target, "/metrics", 8) != 0) {
        diag_http_plain(c, "404 Not Found", NULL, "corral serves /metrics only\n");
        return;
    }
    size_t len = 0;
    char *body = c->h ? c->h->body(c->h->arg, &len) : NULL;
    if (!body) {
        diag_http_plain(c, "500 Internal Server Error", NULL, "out of memory\n");
        return;
    }
    c->h->served++;
    diag_http_reply(c, "200 OK", NULL, body, len);
}

static void diag_http_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct diag_http_conn *c = hd->data;
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(sizeof c->in - 1 - c->in_len));
}

static void diag_http_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    struct diag_http_conn *c = s->data;
    if (n < 0) {
        diag_http_end(c);
        return;
    }
    c->in_len += (size_t)n;
    c->in[c->in_len] = '\0';
    /* Searched over every byte read: a NUL in the request is no end of it
     * (string functions would stop there and never see the blank line). */
    if (memmem(c->in, c->in_len, "\r\n\r\n", 4) || memmem(c->in, c->in_len, "\n\n", 2)) {
        diag_http_answer(c);
        return;
    }
    if (c->in_len >= sizeof c->in - 1)
        diag_http_plain(c, "431 Request Header Fields Too Large", NULL, "request too large\n");
}

/* Accepts the connection libuv holds. */
static void diag_http_take(struct diag_http *h)
{
    struct diag_http_conn *c = calloc(1, sizeof *c);
    if (!c) { /* else libuv would watch the socket no more (acceptdrop.h) */
        acceptdrop_drop(&h->drop);
        return;
    }
    uv_stream_t *server = (uv_stream_t *)&h->server;
    c->h = h;
    uv_tcp_init(h->loop, &c->tcp);
    uv_timer_init(h->loop, &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = &c->next;
    c->prev = &h->conns;
    h->conns = c;
    h->nconns++;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        diag_http_end(c);
        return;
    }
    if (h->nconns > DIAG_HTTP_CONNS) {
        h->refused++;
        diag_http_end(c);
        return;
    }
    uv_timer_start(&c->timer, diag_http_on_timeout, DIAG_HTTP_TIMEOUT_MS, 0);
    if (uv_read_start((uv_stream_t *)&c->tcp, diag_http_alloc, diag_http_on_read) < 0)
        diag_http_end(c);
}

static void diag_http_retry(struct acceptdrop *d)
{
    diag_http_take((struct diag_http *)((char *)d - offsetof(struct diag_http, drop)));
}

static void diag_http_on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    diag_http_take(server->data);
}

int diag_http_listen(struct diag_http *h, uv_loop_t *loop, const char *host, uint16_t port,
                     diag_http_body_fn body, void *arg)
{
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
    } addr;
    memset(h, 0, sizeof *h);
    h->loop = loop;
    h->body = body;
    h->arg = arg;
    int rc =
        strchr(host, ':') ? uv_ip6_addr(host, port, &addr.in6) : uv_ip4_addr(host, port, &addr.in4);
    if (rc < 0)
        return rc;
    rc = uv_tcp_init(loop, &h->server);
    if (rc < 0)
        return rc;
    h->server.data = h;
    acceptdrop_init(&h->drop, (uv_stream_t *)&h->server, diag_http_retry);
    h->listening = true; /* from here on, closing is needed */
    rc = uv_tcp_bind(&h->server, &addr.sa, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&h->server, DIAG_HTTP_CONNS, diag_http_on_connection);
    if (rc < 0)
        diag_http_close(h);
    return rc;
}

void diag_http_close(struct diag_http *h)
{
    if (!h->listening)
        return;
    h->listening = false;
    acceptdrop_close(&h->drop);
    uv_close((uv_handle_t *)&h->server, NULL);
    while (h->conns) {
        struct diag_http_conn *c = h->conns;
        diag_http_end(c); /* unlinks it */
        c->h = NULL;
    }
}
