/* acceptdrop.c - closes a connection a server has no memory to serve
 * (acceptdrop.h). */
#include "acceptdrop.h"

void acceptdrop_init(struct acceptdrop *d, uv_stream_t *server, void (*retry)(struct acceptdrop *d))
{
    *d = (struct acceptdrop){.server = server, .retry = retry};
}

static void acceptdrop_on_closed(uv_handle_t *h)
{
    struct acceptdrop *d = h->data;
    d->closing = false;
    if (d->pending && !d->closed) {
        d->pending = false;
        d->retry(d);
    }
}

void acceptdrop_drop(struct acceptdrop *d)
{
    if (d->closing) {
        d->pending = true;
        return;
    }
    uv_loop_t *loop = d->server->loop;
    if (d->server->type == UV_TCP)
        (void)uv_tcp_init(loop, &d->spare.tcp);
    else
        (void)uv_pipe_init(loop, &d->spare.pipe, 0);
    uv_handle_t *h = (uv_handle_t *)&d->spare;
    h->data = d;
    d->closing = true;
    d->dropped++;
    (void)uv_accept(d->server, (uv_stream_t *)h);
    uv_close(h, acceptdrop_on_closed);
}

void acceptdrop_close(struct acceptdrop *d)
{
    d->closed = true;
    d->pending = false;
}
