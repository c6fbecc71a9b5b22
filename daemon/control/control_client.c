/* control_client.c - one connection: writing replies without ever blocking
 * the loop or buffering without bound, its one stream (a reader that falls
 * behind loses items, counted and told, never its connection), and its
 * lifetime (docs/dev/STYLE.md §5a). See control_client.h. */
#include "control_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "control_line.h"
#include "log.h"

/* The pipe, the deadline and, once it has waited with a timeout, the wait
 * timer: its memory goes after the last of their close callbacks (libuv:
 * memory holding a handle is freed only after that handle's close
 * callback). */
static void control_client_on_closed(uv_handle_t *h)
{
    struct control_client *cl = h->data;
    if (--cl->closes_pending > 0)
        return;
    free(cl->in);
    free(cl);
}

struct control_client *control_client_new(struct control *ctl, uv_loop_t *loop)
{
    struct control_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->ctl = ctl;
    uv_pipe_init(loop, &cl->pipe, 0);
    cl->pipe.data = cl;
    uv_timer_init(loop, &cl->deadline);
    cl->deadline.data = cl;
    cl->next = ctl->clients;
    ctl->clients = cl;
    ctl->nclients++;
    return cl;
}

void control_client_unfollow(struct control_client *cl)
{
    if (!cl->following)
        return;
    sup_unfollow(cl->following, &cl->follower);
    cl->following = NULL;
}

void control_client_close(struct control_client *cl)
{
    struct control *ctl = cl->ctl;
    if (cl->closing)
        return;
    cl->closing = true;
    control_client_unfollow(cl);
    if (cl->waiting) {
        cl->waiting = false;
        proto_request_close(&cl->wait_req);
    }
    for (struct control_client **pp = &ctl->clients; *pp; pp = &(*pp)->next)
        if (*pp == cl) {
            *pp = cl->next;
            break;
        }
    ctl->nclients--;
    cl->closes_pending = 2;
    uv_close((uv_handle_t *)&cl->deadline, control_client_on_closed);
    if (cl->wait_timer_ready) {
        cl->closes_pending++;
        uv_close((uv_handle_t *)&cl->wait_timer, control_client_on_closed);
    }
    uv_close((uv_handle_t *)&cl->pipe, control_client_on_closed);
}

/* ---- writing ----------------------------------------------------------------- */

struct control_write {
    uv_write_t req;
    struct control_client *cl;
    size_t len;
    char data[];
};

/* Once a lagging reader has caught up: tells it how many items it lost, as
 * one {"dropped":N} item, and streams again. */
static void control_client_stream_resume(struct control_client *cl)
{
    if (!cl->stream_lagging || cl->closing || cl->out_queued > CONTROL_STREAM_MAX / 2)
        return;
    cl->stream_lagging = false;
    json_t *gap = json_pack("{s:I}", "dropped", (json_int_t)cl->stream_dropped);
    cl->stream_dropped = 0;
    control_client_stream(cl, gap);
}

static void control_client_on_written(uv_write_t *req, int status)
{
    struct control_write *w = (struct control_write *)req;
    w->cl->out_queued -= w->len;
    if (status < 0 && status != UV_ECANCELED)
        control_client_close(w->cl);
    else
        control_client_stream_resume(w->cl);
    free(w);
}

int control_client_send(struct control_client *cl, char *line, size_t len)
{
    if (cl->closing) {
        free(line);
        return -EPIPE;
    }
    /* A client that does not read its replies is cut off, not buffered
     * without bound. */
    if (cl->out_queued + len > CONTROL_OUT_MAX) {
        free(line);
        log_debug("control: pid %d reads too slowly; closing its connection", (int)cl->pid);
        control_client_close(cl);
        return -EPIPE;
    }
    struct control_write *w = malloc(sizeof *w + len);
    if (!w) {
        free(line);
        return -ENOMEM;
    }
    memcpy(w->data, line, len);
    free(line);
    w->cl = cl;
    w->len = len;
    uv_buf_t buf = uv_buf_init(w->data, (unsigned)len);
    cl->out_queued += len;
    int rc = uv_write(&w->req, (uv_stream_t *)&cl->pipe, &buf, 1, control_client_on_written);
    if (rc < 0) {
        cl->out_queued -= len;
        free(w);
        control_client_close(cl);
        return -EPIPE;
    }
    return 0;
}

void control_client_ok(struct control_client *cl, int64_t id, json_t *result)
{
    char *line;
    size_t len;
    if (proto_encode_ok(id, result, &line, &len) == 0)
        control_client_send(cl, line, len);
}

void control_client_error(struct control_client *cl, int64_t id, enum proto_err code,
                          const char *fmt, ...)
{
    char msg[PROTO_MSG_MAX], *line;
    size_t len;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (proto_encode_error(id, code, msg, NULL, &line, &len) == 0)
        control_client_send(cl, line, len);
}

/* ---- its stream ------------------------------------------------------------- */

bool control_client_stream_busy(struct control_client *cl, const struct proto_request *req)
{
    if (!cl->events && !cl->following)
        return false;
    control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST,
                         "one stream per connection: this one already streams (request %lld)",
                         (long long)cl->stream_id);
    return true;
}

/* A reader that does not keep up with a stream loses items, never its
 * connection, and never makes corral buffer without bound: past
 * CONTROL_STREAM_MAX queued bytes, items are counted instead of sent. */
bool control_client_stream_room(struct control_client *cl)
{
    if (!cl->stream_lagging && cl->out_queued >= CONTROL_STREAM_MAX)
        cl->stream_lagging = true;
    if (cl->stream_lagging)
        cl->stream_dropped++;
    return !cl->stream_lagging;
}

void control_client_stream(struct control_client *cl, json_t *item)
{
    char *line;
    size_t len;
    if (proto_encode_stream(cl->stream_id, item, &line, &len) == 0)
        control_client_send(cl, line, len);
}

static void control_client_on_line(struct output_follower *f, const struct ring_line *l)
{
    struct control_client *cl =
        (struct control_client *)((char *)f - offsetof(struct control_client, follower));
    /* A follower that does not keep up loses lines (counted, and told):
     * it never slows the service down. */
    if (!control_client_stream_room(cl))
        return;
    json_t *item = control_line_json(l);
    if (item)
        control_client_stream(cl, item);
}

void control_client_follow(struct control_client *cl, struct sup_service *ss, int64_t id)
{
    cl->stream_id = id;
    cl->following = ss;
    cl->follower.on_line = control_client_on_line;
    sup_follow(ss, &cl->follower);
}
