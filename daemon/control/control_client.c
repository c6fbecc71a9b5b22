/* control_client.c - one connection: writing replies without ever blocking
 * the loop or buffering without bound, its one stream (a reader that falls
 * behind loses items, counted and told, never its connection), and its
 * lifetime (docs/dev/STYLE.md §5a). See control_client.h. */
#include "control_client.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bounds.h"
#include "control_line.h"
#include "log.h"

/* What malloc costs beside the bytes asked for (glibc, musl: about this). */
#define CONTROL_ALLOC_OVERHEAD 16

/* Changes what cl holds by delta bytes (and what every client holds, which
 * has a cap of its own). */
static void control_client_account(struct control_client *cl, size_t add, size_t sub)
{
    cl->out_queued = cl->out_queued + add - sub;
    cl->ctl->out_queued = cl->ctl->out_queued + add - sub;
    if (cl->ctl->out_queued > cl->ctl->out_queued_peak)
        cl->ctl->out_queued_peak = cl->ctl->out_queued;
}

/* The pipe, the deadline, the turn and, once it has waited with a timeout
 * or watched for its hang-up, the wait timer and the hang-up watch: its
 * memory goes after the last of their close callbacks (libuv: memory
 * holding a handle is freed only after that handle's close callback; a
 * polled fd is closed only after its handle). */
static void control_client_on_closed(uv_handle_t *h)
{
    struct control_client *cl = h->data;
    struct control *ctl = cl->ctl;
    if (h == (uv_handle_t *)&cl->hangup)
        close(cl->hangup_fd);
    if (--cl->closes_pending > 0)
        return;
    /* The write in flight was cancelled before any close callback ran. */
    if (cl->pending)
        control_client_account(cl, 0, cl->pending_size + CONTROL_ALLOC_OVERHEAD);
    free(cl->pending);
    outbuf_free(&cl->in);
    free(cl);
#ifdef __GLIBC__
    /* Slow readers gone: what they made corral hold goes back to the
     * system, not only to malloc (glibc keeps freed memory otherwise). */
    if (ctl->out_queued == 0 && ctl->out_queued_peak > CONTROL_TRIM_AFTER) {
        ctl->out_queued_peak = 0;
        (void)malloc_trim(0);
    }
#else
    (void)ctl;
#endif
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
    uv_idle_init(loop, &cl->turn);
    cl->turn.data = cl;
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

/* Ends its stream and its wait, answered or not. */
static void control_client_drop_business(struct control_client *cl)
{
    control_client_unfollow(cl);
    cl->events = false;
    if (cl->waiting) {
        cl->waiting = false;
        if (cl->wait_timer_ready)
            uv_timer_stop(&cl->wait_timer);
        proto_request_close(&cl->wait_req);
    }
}

void control_client_close(struct control_client *cl)
{
    struct control *ctl = cl->ctl;
    if (cl->closing)
        return;
    cl->closing = true;
    control_client_drop_business(cl);
    for (struct control_client **pp = &ctl->clients; *pp; pp = &(*pp)->next)
        if (*pp == cl) {
            *pp = cl->next;
            break;
        }
    ctl->nclients--;
    cl->closes_pending = 3;
    uv_close((uv_handle_t *)&cl->deadline, control_client_on_closed);
    uv_close((uv_handle_t *)&cl->turn, control_client_on_closed);
    if (cl->wait_timer_ready) {
        cl->closes_pending++;
        uv_close((uv_handle_t *)&cl->wait_timer, control_client_on_closed);
    }
    if (cl->hangup_ready) {
        cl->closes_pending++;
        uv_close((uv_handle_t *)&cl->hangup, control_client_on_closed);
    }
    uv_close((uv_handle_t *)&cl->pipe, control_client_on_closed);
}

/* ---- writing ----------------------------------------------------------------- */

/* Past the cap of every stream together, a reader that holds more than a
 * reader keeping up would lags too (one that keeps up holds little). */
static bool control_client_crowded(const struct control_client *cl)
{
    return cl->ctl->out_queued >= CONTROL_STREAMS_MAX &&
           cl->out_queued >= CONTROL_STREAM_KEEPING_UP;
}

/* Once a lagging reader has caught up: tells it how many items it lost, as
 * one {"dropped":N} item, and streams again. */
static void control_client_stream_resume(struct control_client *cl)
{
    if (!cl->stream_lagging || cl->closing || cl->out_queued > CONTROL_STREAM_MAX / 2 ||
        control_client_crowded(cl))
        return;
    cl->stream_lagging = false;
    json_t *gap = json_pack("{s:I}", "dropped", (json_int_t)cl->stream_dropped);
    cl->stream_dropped = 0;
    control_client_stream(cl, gap);
}

static void control_client_on_written(uv_write_t *req, int status);
static void control_client_pump(struct control_client *cl);
static void control_client_settle(struct control_client *cl);

/* Hands buf (taken) to libuv as the one write in flight. */
static int control_client_write(struct control_client *cl, char *buf, size_t len, size_t size)
{
    cl->inflight = buf;
    cl->inflight_len = len;
    cl->inflight_size = size;
    uv_buf_t b = uv_buf_init(buf, (unsigned)len);
    int rc = uv_write(&cl->write_req, (uv_stream_t *)&cl->pipe, &b, 1, control_client_on_written);
    if (rc < 0) {
        cl->inflight = NULL;
        control_client_account(cl, 0, size + CONTROL_ALLOC_OVERHEAD);
        free(buf);
    }
    return rc;
}

static void control_client_on_written(uv_write_t *req, int status)
{
    struct control_client *cl =
        (struct control_client *)((char *)req - offsetof(struct control_client, write_req));
    free(cl->inflight);
    cl->inflight = NULL;
    control_client_account(cl, 0, cl->inflight_size + CONTROL_ALLOC_OVERHEAD);
    if (status < 0) {
        if (status != UV_ECANCELED) /* cancelled: closing already */
            control_client_close(cl);
        return;
    }
    if (cl->pending_len) {
        char *buf = cl->pending;
        size_t len = cl->pending_len, size = cl->pending_size;
        cl->pending = NULL;
        cl->pending_len = cl->pending_size = 0;
        if (control_client_write(cl, buf, len, size) < 0) {
            control_client_close(cl);
            return;
        }
    }
    if (cl->ended)
        control_client_settle(cl); /* after what was just handed to libuv */
    control_client_stream_resume(cl);
    /* Its replies may have held its requests, and its reading. */
    if (!cl->closing && cl->on_line && (cl->in.len || !cl->reading))
        control_client_pump(cl);
}

/* Appends line to what waits for the write in flight. */
static int control_client_queue(struct control_client *cl, const char *line, size_t len)
{
    if (cl->pending_len + len > cl->pending_size) {
        size_t size = cl->pending_size ? 2 * cl->pending_size : 4096;
        while (size < cl->pending_len + len)
            size *= 2;
        char *bigger = realloc(cl->pending, size);
        if (!bigger)
            return -ENOMEM;
        control_client_account(cl, size + (cl->pending ? 0 : CONTROL_ALLOC_OVERHEAD),
                               cl->pending_size);
        cl->pending = bigger;
        cl->pending_size = size;
    }
    memcpy(cl->pending + cl->pending_len, line, len);
    cl->pending_len += len;
    return 0;
}

int control_client_send(struct control_client *cl, char *line, size_t len)
{
    if (cl->closing || cl->shut) {
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
    if (cl->inflight) {
        int rc = control_client_queue(cl, line, len);
        free(line);
        return rc;
    }
    control_client_account(cl, len + 1 + CONTROL_ALLOC_OVERHEAD, 0);
    if (control_client_write(cl, line, len, len + 1) < 0) {
        control_client_close(cl);
        return -EPIPE;
    }
    /* The last reply of a client that sent all it will (a wait answered,
     * a stream ended): EOF follows it. */
    control_client_settle(cl);
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

/* ---- reading ------------------------------------------------------------------ */

static void control_client_on_turn(uv_idle_t *h)
{
    control_client_pump(h->data);
}

static void control_client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char chunk[16384];
    (void)h;
    (void)suggested;
    buf->base = chunk;
    buf->len = sizeof chunk;
}

static void control_client_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct control_client *cl = s->data;

    if (n == UV_EOF) { /* no more requests: the replies queued still go out */
        control_client_end(cl);
        return;
    }
    if (n < 0) {
        control_client_close(cl);
        return;
    }
    if (outbuf_put(&cl->in, buf->base, (size_t)n) < 0) {
        control_client_close(cl);
        return;
    }
    control_client_pump(cl);
}

static bool control_client_whole_line(const struct control_client *cl)
{
    return cl->in.len && memchr(cl->in.data, '\n', cl->in.len);
}

/* Handles the whole lines that wait, as many as this turn allows, then
 * reads again only once none is left. */
static void control_client_pump(struct control_client *cl)
{
    size_t at = 0;
    int budget = CONTROL_REQUESTS_PER_TURN;
    bool too_large = false;

    while (!cl->closing && !cl->ended && budget > 0 && cl->out_queued < CONTROL_REPLIES_HELD) {
        if (at == cl->in.len)
            break;
        char *nl = memchr(cl->in.data + at, '\n', cl->in.len - at);
        size_t len = nl ? (size_t)(nl - (cl->in.data + at)) : cl->in.len - at;
        if (len + 1 > PROTO_LINE_MAX) {
            too_large = true;
            break;
        }
        if (!nl)
            break;
        cl->on_line(cl, cl->in.data + at, len);
        at += len + 1;
        budget--;
    }
    if (cl->closing)
        return;
    if (too_large) {
        /* The reply goes out, then the connection closes: the rest of an
         * oversized line cannot be told from a new request. */
        control_client_error(cl, PROTO_ID_NONE, PROTO_ERR_TOO_LARGE,
                             "request line longer than %d bytes", PROTO_LINE_MAX);
        control_client_drop_business(cl);
        control_client_end(cl);
        return;
    }
    if (cl->ended)
        return;
    if (at) {
        memmove(cl->in.data, cl->in.data + at, cl->in.len - at);
        cl->in.len -= at;
    }
    if (!cl->in.len) /* a client that waits holds no buffer */
        outbuf_free(&cl->in);
    bool whole = control_client_whole_line(cl);
    bool held = cl->out_queued >= CONTROL_REPLIES_HELD; /* until a write is done */
    if (whole && !held)
        uv_idle_start(&cl->turn, control_client_on_turn);
    else
        uv_idle_stop(&cl->turn);
    if (whole || held) {
        if (cl->reading)
            uv_read_stop((uv_stream_t *)&cl->pipe);
        cl->reading = false;
    } else if (!cl->reading) {
        cl->reading = uv_read_start((uv_stream_t *)&cl->pipe, control_client_alloc,
                                    control_client_on_read) == 0;
    }
}

void control_client_read(struct control_client *cl,
                         void (*on_line)(struct control_client *cl, const char *line, size_t len))
{
    cl->on_line = on_line;
    control_client_pump(cl);
}

bool control_client_has_input(const struct control_client *cl)
{
    uv_os_fd_t fd;
    int unread = 0;
    if (control_client_whole_line(cl))
        return true;
    return uv_fileno((const uv_handle_t *)&cl->pipe, &fd) == 0 &&
           ioctl(fd, FIONREAD, &unread) == 0 && unread > 0;
}

static void control_client_on_shutdown(uv_shutdown_t *req, int status)
{
    struct control_client *cl = req->data;
    (void)status;
    free(req);
    control_client_close(cl);
}

/* Closes its sending side once the write in flight is done: a write queued
 * after that would fail, so it is issued only once nothing is pending. */
static void control_client_shutdown(struct control_client *cl)
{
    if (cl->closing || cl->shut)
        return;
    cl->shut = true;
    uv_shutdown_t *sd = malloc(sizeof *sd);
    if (sd)
        sd->data = cl;
    if (!sd || uv_shutdown(sd, (uv_stream_t *)&cl->pipe, control_client_on_shutdown) < 0) {
        free(sd);
        control_client_close(cl);
    }
}

static void control_client_on_hangup(uv_poll_t *h, int status, int events)
{
    struct control_client *cl = h->data;
    (void)status;
    (void)events;
    log_debug("control: pid %d hung up with a wait or a stream open", (int)cl->pid);
    control_client_close(cl);
}

/* Watches an ended client for its hang-up (see control_client.h). Polled
 * for UV_PRIORITIZED, which a Unix socket never reports, it wakes for
 * EPOLLHUP (or an error) alone; the half-close it has made already would
 * wake a watch for readable or UV_DISCONNECT at every turn. Without the
 * fd for it, the client is closed: it cannot be told apart from one that
 * has gone. */
static void control_client_watch_hangup(struct control_client *cl)
{
    uv_os_fd_t fd;
    if (cl->hangup_ready)
        return;
    if (uv_fileno((const uv_handle_t *)&cl->pipe, &fd) < 0 ||
        (cl->hangup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        control_client_close(cl);
        return;
    }
    if (uv_poll_init(cl->pipe.loop, &cl->hangup, cl->hangup_fd) < 0) {
        close(cl->hangup_fd);
        control_client_close(cl);
        return;
    }
    cl->hangup.data = cl;
    cl->hangup_ready = true;
    if (uv_poll_start(&cl->hangup, UV_PRIORITIZED, control_client_on_hangup) < 0)
        control_client_close(cl);
}

/* An ended client's connection shuts down once every reply is handed to
 * libuv (a write in flight goes out first) and nothing more is owed: no
 * wait unanswered, no stream (which runs until the client hangs up).
 * While something is owed, its hang-up is watched for. */
static void control_client_settle(struct control_client *cl)
{
    if (!cl->ended || cl->closing)
        return;
    if (cl->waiting || cl->following || cl->events) {
        control_client_watch_hangup(cl);
        return;
    }
    if (cl->hangup_ready)
        uv_poll_stop(&cl->hangup); /* its own shutdown makes the hang-up */
    if (!cl->pending_len)
        control_client_shutdown(cl);
}

void control_client_end(struct control_client *cl)
{
    if (cl->closing || cl->ended)
        return;
    cl->ended = true;
    uv_idle_stop(&cl->turn);
    if (cl->reading)
        uv_read_stop((uv_stream_t *)&cl->pipe);
    cl->reading = false;
    control_client_settle(cl);
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
    if (!cl->stream_lagging && (cl->out_queued >= CONTROL_STREAM_MAX || control_client_crowded(cl)))
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
