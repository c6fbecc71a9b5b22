/* output.c - reads services' pipes and routes their lines: prefix and json
 * sinks through the non-blocking writers, the file sink, the ring, the
 * followers. A service with bytes waiting for corral's output is not read
 * (back-pressure) until they are written, and is then read as the output
 * takes more; with logs.overflow: drop it is read on and loses the lines
 * that pass OUTPUT_QUEUE_HIGH, counted. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "clock.h"
#include "linesplit.h"
#include "log.h"
#include "outfmt.h"

struct output_stream {
    uv_pipe_t pipe;
    uv_timer_t partial;
    struct output_svc *svc;
    struct output_stream *next;
    int stream; /* 1 stdout, 2 stderr */
    struct linesplit ls;
    bool cont; /* the next piece continues a split line */
    bool reading;
    bool idle;           /* its last read found nothing (or it was never read): not pulled */
    int closing;         /* handles still to close */
    size_t read_size;    /* the next read's size: see output_fit_read */
    int full_reads;      /* reads that found the pipe full, or -1: see output_grow_pipe */
    uint64_t full_since; /* loop time of the first of them */
    size_t grown;        /* its pipe's size when corral grew it (in out->pipes_grown), or 0 */
};

/* What one read produces, gathered so that each writer gets one write. */
struct output_batch {
    struct output_stream *st;
    char stamp[32]; /* formatted on first use: "" until then */
    uint64_t now_ms;
    struct outbuf *to_out, *to_err, *to_file; /* the output's, reused */
    size_t lines;
};

static void output_on_pull(uv_check_t *h);

/* corral's own stdout or stderr lost lines for a reason that may pass (a
 * full disk), or takes them again: said on corral's log, which is on the
 * other one when only one fails. */
static void output_on_trouble(struct writer *w, int err, uint64_t lost, void *arg)
{
    struct output *o = arg;
    const char *which = w == &o->out ? "stdout" : "stderr";
    if (err)
        log_warn("corral's %s: %s: lines are dropped until it takes them again", which,
                 strerror(err));
    else
        log_warn("corral's %s takes lines again: %" PRIu64 " bytes were dropped", which, lost);
}

int output_init(struct output *o, uv_loop_t *loop, const struct conf_global *g,
                const struct conf_set *set)
{
    memset(o, 0, sizeof *o);
    o->loop = loop;
    uv_check_init(loop, &o->pull);
    o->pull.data = o;
    o->timestamps = g->timestamps;
    o->json = g->log_format == CONF_LOG_FORMAT_JSON;
    const char *no_color = getenv("NO_COLOR");
    o->color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
    output_set_width(o, set);
    o->readbuf = malloc(OUTPUT_READ_SIZE);
    if (!o->readbuf)
        return -ENOMEM;
    o->out_pipe = OUTPUT_READ_SIZE;
    int cap = fcntl(STDOUT_FILENO, F_GETPIPE_SZ);
    if (cap > 0)
        o->out_pipe = (size_t)cap;
    int rc = writer_open(&o->out, loop, STDOUT_FILENO);
    if (rc == 0)
        rc = writer_open(&o->err, loop, STDERR_FILENO);
    o->out.on_trouble = o->err.on_trouble = output_on_trouble;
    o->out.trouble_arg = o->err.trouble_arg = o;
    return rc;
}

void output_set_width(struct output *o, const struct conf_set *set)
{
    o->name_width = 0;
    for (size_t i = 0; i < set->n; i++) {
        int len = (int)strlen(set->services[i]->name);
        if (len > o->name_width)
            o->name_width = len;
    }
}

void output_svc_rehead(struct output_svc *s)
{
    for (int cont = 0; cont < 2; cont++) {
        struct outfmt_line l = {.service = s->conf->name,
                                .name_width = s->out->name_width,
                                .color = s->color,
                                .continuation = cont};
        s->head_len[cont] = outfmt_head(s->head[cont], sizeof s->head[cont], &l);
    }
}

void output_svc_init(struct output_svc *s, struct output *o, const struct conf_service *conf,
                     bool piped, int index)
{
    memset(s, 0, sizeof *s);
    s->out = o;
    s->conf = conf;
    s->piped = piped;
    s->child_fds[0] = s->child_fds[1] = -1;
    s->parent_fds[0] = s->parent_fds[1] = -1;
    s->color = o->color ? 31 + index % 6 : 0;
    output_svc_rehead(s);
    s->file.fd = -1;
    ring_init(&s->ring, conf->logs.ring_size);
}

/* ---- lines ---------------------------------------------------------------- */

static void output_batch_begin(struct output_batch *b, struct output_stream *st)
{
    struct output *o = st->svc->out;
    memset(b, 0, sizeof *b);
    b->st = st;
    b->to_out = &o->to_out;
    b->to_err = &o->to_err;
    b->to_file = &o->to_file;
    b->to_out->len = b->to_err->len = b->to_file->len = 0;
    b->now_ms = clock_wall_ms();
}

/* The batch's time as text, made only for the sinks that print it (a
 * gmtime and a snprintf per read, wasted on the prefix sink alone). */
static const char *output_batch_stamp(struct output_batch *b)
{
    if (!b->stamp[0])
        outfmt_stamp(b->now_ms, b->stamp, sizeof b->stamp);
    return b->stamp;
}

static void output_on_piece(void *arg, const char *data, size_t len, int flags)
{
    struct output_batch *b = arg;
    struct output_stream *st = b->st;
    struct output_svc *s = st->svc;
    unsigned sinks = s->conf->logs.sinks;
    struct outfmt_line l = {
        .service = s->conf->name,
        .name_width = s->out->name_width,
        .color = s->color,
        .stream = st->stream,
        .continuation = st->cont,
        .text = data,
        .len = len,
    };
    struct ring_line rl = {b->now_ms, st->stream, data, len};

    st->cont = (flags & (LINESPLIT_CONT | LINESPLIT_PARTIAL)) != 0;
    b->lines++;
    (void)ring_push(&s->ring, b->now_ms, st->stream, data, len);
    if (s->on_line)
        s->on_line(s->on_line_arg, data, len);
    for (struct output_follower *f = s->followers; f;) {
        struct output_follower *next = f->next; /* it may unfollow itself */
        f->on_line(f, &rl);
        f = next;
    }
    if ((sinks & CONF_LOG_PREFIX) && !s->out->json) {
        struct outbuf *dst = st->stream == 2 ? b->to_err : b->to_out;
        int h = s->head_len[l.continuation];
        if (!s->out->timestamps && h >= 0) {
            (void)outfmt_prefixed(dst, s->head[l.continuation], (size_t)h, data, len);
        } else {
            l.stamp = s->out->timestamps ? output_batch_stamp(b) : NULL;
            (void)outfmt_prefix(dst, &l);
        }
    }
    /* log_format: json turns the prefix sink into JSON lines too. */
    if ((sinks & CONF_LOG_JSON) || ((sinks & CONF_LOG_PREFIX) && s->out->json)) {
        l.stamp = output_batch_stamp(b);
        l.color = 0;
        (void)outfmt_json(b->to_out, &l);
    }
    if ((sinks & CONF_LOG_FILE) && s->conf->logs.file) {
        (void)outbuf_put(b->to_file, data, len);
        if (!(flags & LINESPLIT_CONT))
            (void)outbuf_put(b->to_file, "\n", 1);
    }
}

static void output_pause(struct output_svc *s, bool pause);

/* The batch's lines into the log file. A failed write (a full disk, a
 * file gone read-only) loses the batch, never a part of a line, and never
 * slows the service: the loss is counted, said once when it starts and once
 * when the file takes writes again (for OUTPUT_FILE_RECOVERED_MS after the
 * last failure), and the next batch tries again. */
static void output_file_write(struct output_svc *s, struct output_batch *b)
{
    int rc = 0;
    if (!s->file.path)
        rc = logfile_open(&s->file, s->conf->logs.file, s->conf->logs.max_size, s->conf->logs.keep);
    if (rc == 0)
        rc = logfile_write(&s->file, b->to_file->data, b->to_file->len);
    uint64_t now = uv_now(s->out->loop);
    if (rc < 0) {
        if (!s->file_failing)
            log_warn("%s: log file %s: %s; its lines are lost until it takes writes again",
                     s->conf->name, s->conf->logs.file, strerror(-rc));
        s->file_failing = true;
        s->file_failed_ms = now;
        s->file_lost_lines += b->lines;
        s->file_lost_episode += b->lines;
    } else if (s->file_failing && now - s->file_failed_ms >= OUTPUT_FILE_RECOVERED_MS) {
        /* A nearly full disk takes a small batch between two that do not
         * fit: only writes that go on working end the episode. */
        log_warn("%s: log file %s: written again; %llu lines were lost", s->conf->name,
                 s->conf->logs.file, (unsigned long long)s->file_lost_episode);
        s->file_failing = false;
        s->file_lost_episode = 0;
    }
}

static void output_emit(struct output_svc *s, struct output_batch *b)
{
    struct output *o = s->out;
    bool drop = s->conf->logs.overflow == CONF_OVERFLOW_DROP;

    if (drop && s->owner.queued > OUTPUT_QUEUE_HIGH) {
        s->dropped_lines += b->lines;
        s->run_dropped_lines += b->lines;
    } else {
        (void)writer_write(&o->out, &s->owner, b->to_out->data, b->to_out->len);
        (void)writer_write(&o->err, &s->owner, b->to_err->data, b->to_err->len);
    }
    if (b->to_file->len)
        output_file_write(s, b);
    if (!drop && s->owner.queued > 0)
        output_pause(s, true);
    b->to_out->len = b->to_err->len = b->to_file->len = 0;
}

/* ---- pipes ------------------------------------------------------------------ */

static void output_on_partial(uv_timer_t *t)
{
    struct output_stream *st = t->data;
    struct output_batch b;
    output_batch_begin(&b, st);
    linesplit_flush(&st->ls, output_on_piece, &b);
    output_emit(st->svc, &b);
}

static void output_on_closed(uv_handle_t *h)
{
    struct output_stream *st = h->data;
    if (--st->closing == 0) {
        linesplit_close(&st->ls);
        free(st);
    }
}

static void output_stream_unlink(struct output_svc *s, struct output_stream *st)
{
    for (struct output_stream **pp = &s->streams; *pp; pp = &(*pp)->next)
        if (*pp == st) {
            *pp = st->next;
            break;
        }
    st->next = NULL;
}

static void output_stream_close(struct output_stream *st)
{
    st->svc->out->pipes_grown -= st->grown;
    st->grown = 0;
    output_stream_unlink(st->svc, st);
    st->closing = 2;
    uv_close((uv_handle_t *)&st->pipe, output_on_closed);
    uv_close((uv_handle_t *)&st->partial, output_on_closed);
}

/* The head of each line of a batch on the fast path: "web  | " (with
 * timestamps "2026-11-24T21:36:39.123Z web  | "), or for JSON the object
 * up to the opening quote of "line" (the time is the batch's). Returns its
 * length, or -1. */
static int output_fast_head(struct output_batch *b, bool json, char *buf, size_t size)
{
    struct output_svc *s = b->st->svc;
    if (json) {
        struct outfmt_line l = {.service = s->conf->name,
                                .stamp = output_batch_stamp(b),
                                .stream = b->st->stream,
                                .text = "",
                                .len = 0};
        struct outbuf *t = &s->out->scratch;
        t->len = 0;
        /* {...,"line":""}\n less its last 3 bytes */
        if (outfmt_json(t, &l) < 0 || t->len - 3 > size)
            return -1;
        memcpy(buf, t->data, t->len - 3);
        return (int)(t->len - 3);
    }
    size_t h = (size_t)s->head_len[0];
    if (!s->out->timestamps) {
        memcpy(buf, s->head[0], h);
        return (int)h;
    }
    const char *stamp = output_batch_stamp(b);
    size_t n = strlen(stamp);
    if (n + 1 + h > size)
        return -1;
    memcpy(buf, stamp, n);
    buf[n] = ' ';
    memcpy(buf + n + 1, s->head[0], h);
    return (int)(n + 1 + h);
}

/* The common case, on the path of every byte: one sink, prefix or json,
 * and no file, follower or line hook, at a line boundary. Whole lines go
 * out as head + text + "\n" (JSON: head + escaped text + "\"}\n") with no
 * callback in between, and into the ring as one block; what
 * output_on_piece would do for them, in fewer steps. Returns the bytes
 * taken: whole lines up to the first one that linesplit must see (too
 * long, or unfinished). */
static size_t output_fast(struct output_batch *b, const char *data, size_t n)
{
    struct output_stream *st = b->st;
    struct output_svc *s = st->svc;
    unsigned sinks = s->conf->logs.sinks;
    bool json = sinks == CONF_LOG_JSON || (sinks == CONF_LOG_PREFIX && s->out->json);
    if ((sinks != CONF_LOG_PREFIX && sinks != CONF_LOG_JSON) || s->followers || s->on_line ||
        st->cont || linesplit_pending(&st->ls) || s->head_len[0] < 0)
        return 0;
    char head[256];
    int hl = output_fast_head(b, json, head, sizeof head);
    if (hl < 0)
        return 0;
    struct outbuf *dst = st->stream == 2 && !json ? b->to_err : b->to_out;
    size_t h = (size_t)hl, lines = 0;
    const char *p = data;
    if (!json)
        p += outfmt_prefix_lines(dst, head, h, data, n, OUTPUT_LINE_MAX, &lines);
    else
        p += outfmt_json_lines(dst, head, h, data, n, OUTPUT_LINE_MAX, &lines);
    (void)ring_push_lines(&s->ring, b->now_ms, st->stream, data, (size_t)(p - data), lines);
    b->lines += lines;
    return (size_t)(p - data);
}

/* Sizes the stream's next read so that what it prints fits corral's stdout
 * pipe at once, from what the last read printed per byte read: a 64 KiB
 * read prefixed is more than a 64 KiB pipe takes, and the rest cost a
 * second writev after a wake-up, and a copy into the writer's queue. */
static void output_fit_read(struct output_stream *st, size_t in, size_t out)
{
    size_t pipe = st->svc->out->out_pipe, size = OUTPUT_READ_SIZE;
    if (in < OUTPUT_FIT_MIN || out == 0)
        return; /* too little to tell; keep the last size */
    if (out > in) {
        size = (size_t)((uint64_t)pipe * in / out) & ~(size_t)(OUTPUT_FIT_MIN - 1);
        if (size < OUTPUT_FIT_MIN)
            size = OUTPUT_FIT_MIN;
        if (size > OUTPUT_READ_SIZE)
            size = OUTPUT_READ_SIZE;
    }
    st->read_size = size;
}

static void output_feed(struct output_stream *st, const char *data, size_t n, bool eof)
{
    struct output_batch b;
    size_t read = n;
    output_batch_begin(&b, st);
    if (n > 0) { /* at EOF there is nothing (data NULL: NULL + 0 is undefined in C) */
        if (linesplit_pending(&st->ls) || st->cont) {
            /* The end of a line the last read cut: through linesplit,
             * and the lines after it on the fast path. */
            const char *nl = memchr(data, '\n', n);
            size_t first = nl ? (size_t)(nl + 1 - data) : n;
            (void)linesplit_feed(&st->ls, data, first, output_on_piece, &b);
            data += first;
            n -= first;
        }
        size_t fast = n > 0 ? output_fast(&b, data, n) : 0;
        if (fast < n)
            (void)linesplit_feed(&st->ls, data + fast, n - fast, output_on_piece, &b);
    }
    if (eof)
        linesplit_flush(&st->ls, output_on_piece, &b);
    output_fit_read(st, read, b.to_out->len + b.to_err->len);
    output_emit(st->svc, &b);
    /* A partial line waits a little for the rest, and no longer; but only
     * while corral reads on: a line cut by a read before a pause is not
     * the service's doing (output_pause starts the wait again). */
    if (!eof && linesplit_pending(&st->ls) && st->reading)
        uv_timer_start(&st->partial, output_on_partial, OUTPUT_PARTIAL_MS, 0);
    else
        uv_timer_stop(&st->partial);
}

/* A service that keeps its pipe full waits for corral at every 64 KiB it
 * writes: a larger pipe lets it write on while corral is busy writing (the
 * writer, corral and whoever reads corral's stdout then overlap). A read
 * that took all it asked for, and left so little that the pipe held its
 * size less a page, found it full; OUTPUT_PIPE_GROW_READS of those within
 * OUTPUT_PIPE_GROW_MS grow the pipe to OUTPUT_PIPE_GROWN, once, within the
 * budget; where the kernel refuses (past pipe-max-size or the user's soft
 * limit, without CAP_SYS_RESOURCE) it stays as it is. Called after a read
 * of the service's pipe while corral reads on (not the drains). */
static void output_grow_pipe(struct output_stream *st, size_t asked, size_t got)
{
    struct output *o = st->svc->out;
    uv_os_fd_t fd;
    int left = 0;
    if (got < asked || st->full_reads < 0 || uv_fileno((uv_handle_t *)&st->pipe, &fd) < 0 ||
        ioctl(fd, FIONREAD, &left) < 0 || got + (size_t)left + 4096 < OUTPUT_READ_SIZE)
        return;
    uint64_t now = uv_now(o->loop);
    if (st->full_reads == 0 || now - st->full_since > OUTPUT_PIPE_GROW_MS) {
        st->full_reads = 0;
        st->full_since = now;
    }
    if (++st->full_reads < OUTPUT_PIPE_GROW_READS)
        return;
    st->full_reads = -1; /* once per pipe, whatever comes of it */
    if (o->pipes_grown + OUTPUT_PIPE_GROWN > OUTPUT_PIPE_BUDGET)
        return;
    int before = fcntl(fd, F_GETPIPE_SZ);
    int size = fcntl(fd, F_SETPIPE_SZ, OUTPUT_PIPE_GROWN);
    if (before < 0 || size <= before)
        return;
    st->grown = (size_t)size;
    o->pipes_grown += st->grown;
    log_debug("%s: its %s pipe grown to %d KiB: it keeps it full", st->svc->conf->name,
              st->stream == 1 ? "stdout" : "stderr", size / 1024);
}

static void output_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct output_stream *st = h->data;
    (void)suggested;
    buf->base = st->svc->out->readbuf;
    buf->len = st->read_size;
}

/* EOF (every writer of the pipe is gone) or an error: the cut last line
 * goes out, and the stream closes (unless what its lines caused closed it:
 * a readiness pattern can end the service's record). */
static void output_stream_eof(struct output_stream *st)
{
    output_feed(st, NULL, 0, true);
    if (!uv_is_closing((uv_handle_t *)&st->pipe))
        output_stream_close(st);
}

static void output_on_read(uv_stream_t *h, ssize_t n, const uv_buf_t *buf)
{
    struct output_stream *st = h->data;
    st->idle = n <= 0;
    if (n > 0) {
        output_grow_pipe(st, buf->len, (size_t)n);
        output_feed(st, buf->base, (size_t)n, false);
    } else if (n < 0) {
        output_stream_eof(st);
    }
}

/* Whether a stream of s is read by the loop. While s's bytes wait in the
 * queue, only a stream that has said nothing lately (most stderrs) is: it
 * costs nothing until it speaks, and its first read then pauses it too.
 * Each run of a service brings new streams, so that is bounded too: past
 * OUTPUT_QUEUE_HIGH waiting, no stream of s is read. */
static bool output_stream_watched(const struct output_stream *st)
{
    const struct output_svc *s = st->svc;
    return !s->paused || (st->idle && s->owner.queued <= OUTPUT_QUEUE_HIGH);
}

/* Stops reading a service's streams while its bytes wait in the queue, or
 * reads them again. */
static void output_pause(struct output_svc *s, bool pause)
{
    s->paused = pause;
    for (struct output_stream *st = s->streams; st; st = st->next) {
        bool want = output_stream_watched(st);
        if (st->reading && !want) {
            uv_read_stop((uv_stream_t *)&st->pipe);
            uv_timer_stop(&st->partial);
        } else if (!st->reading && want) {
            uv_read_start((uv_stream_t *)&st->pipe, output_alloc, output_on_read);
            if (linesplit_pending(&st->ls))
                uv_timer_start(&st->partial, output_on_partial, OUTPUT_PARTIAL_MS, 0);
        }
        st->reading = want;
    }
}

/* One read of a stream's pipe outside the loop's watch, fed as
 * output_on_read feeds it (the pull, and the drain at a service's exit).
 * Returns the bytes read; 0 at EOF (the stream is closed then); -EAGAIN
 * when the pipe is empty; -EBADF when the stream is closing; or another
 * -errno. */
static ssize_t output_read_direct(struct output_stream *st, size_t size, bool grow)
{
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&st->pipe, &fd) < 0) /* fails once closing */
        return -EBADF;
    char *buf = st->svc->out->readbuf;
    ssize_t n;
    do
        n = read(fd, buf, size);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    if (n == 0) {
        output_stream_eof(st);
        return 0;
    }
    st->idle = false;
    if (grow)
        output_grow_pipe(st, size, (size_t)n);
    output_feed(st, buf, (size_t)n, false);
    return n;
}

/* Reads a paused stream straight from its pipe while everything it prints
 * is written at once. Returns true when the stream is dry or gone (the loop
 * may watch it again), false when its bytes wait in the queue once more. */
static bool output_pull_stream(struct output_stream *st)
{
    for (int i = 0; i < OUTPUT_PULL_READS; i++) {
        size_t size = st->read_size;
        ssize_t n = output_read_direct(st, size, true);
        if (n == -EAGAIN)
            st->idle = true;
        else if (n < 0 && n != -EBADF)
            output_stream_eof(st); /* an error, as output_on_read takes it */
        if (n <= 0)
            return true;
        if (st->svc->owner.queued > 0)
            return false;
        if ((size_t)n < size)
            return true; /* most likely empty: the loop says when it is not */
    }
    return true;
}

/* The pull: a service stopped being read because its bytes waited for
 * corral's output, and they are all written now. Rather than watch its
 * pipes on the loop again (an epoll_ctl each way, and a wake-up for every
 * write the service makes while the output is full), its pipes are read
 * here until the output is full again, as a blocking relay would: the
 * service's pipe has filled meanwhile, so each read is a full one. Only a
 * dry pipe goes back to the loop. */
static void output_pull(struct output_svc *s)
{
    struct output_stream *st = s->streams;
    while (st && s->owner.queued == 0) {
        struct output_stream *next = st->next; /* st may close at its EOF */
        /* A stream that has said nothing lately (most stderrs) is watched
         * by the loop all along: a read of it here would find nothing. */
        if (!st->reading && !output_pull_stream(st) && !uv_is_closing((uv_handle_t *)&st->pipe)) {
            /* It filled the output: it goes last, so that the next pull
             * begins with the service's other streams (stdout and stderr
             * both into one slow pipe, a run's leftover writer) and none
             * waits for ever behind a busy one. */
            output_stream_unlink(s, st);
            struct output_stream **pp = &s->streams;
            while (*pp)
                pp = &(*pp)->next;
            *pp = st;
            break;
        }
        st = next;
    }
    if (s->owner.queued == 0 && s->paused)
        output_pause(s, false);
}

static void output_on_pull(uv_check_t *h)
{
    struct output *o = h->data;
    uv_check_stop(h);
    while (o->pull_head) {
        struct output_svc *s = o->pull_head;
        o->pull_head = s->pull_next;
        s->pull_next = NULL;
        s->pull_pending = false;
        if (s->paused && s->owner.queued == 0)
            output_pull(s);
    }
}

static void output_pull_cancel(struct output_svc *s)
{
    if (!s->pull_pending)
        return;
    for (struct output_svc **pp = &s->out->pull_head; *pp; pp = &(*pp)->pull_next)
        if (*pp == s) {
            *pp = s->pull_next;
            break;
        }
    s->pull_next = NULL;
    s->pull_pending = false;
}

/* logs.overflow: drop says what it dropped once the queue has drained, or
 * when the service goes. */
static void output_say_dropped(struct output_svc *s)
{
    if (!s->dropped_lines)
        return;
    log_warn("%s: dropped %llu lines while corral's output was too slow", s->conf->name,
             (unsigned long long)s->dropped_lines);
    s->dropped_lines = 0;
}

/* From within the writer, when the service's queued bytes have all been
 * written: nothing is read here (the writer is mid-pump); the pull runs in
 * the check phase of this loop turn. */
static void output_on_drain(struct writer_owner *o)
{
    struct output_svc *s = (struct output_svc *)((char *)o - offsetof(struct output_svc, owner));
    output_say_dropped(s);
    if (!s->paused || s->pull_pending || s->out->closed)
        return;
    s->pull_pending = true;
    s->pull_next = NULL;
    struct output_svc **pp = &s->out->pull_head;
    while (*pp) /* in the order they drained: each gets its turn at the output */
        pp = &(*pp)->pull_next;
    *pp = s;
    uv_check_start(&s->out->pull, output_on_pull);
}

int output_prepare(struct output_svc *s, int *out_fd, int *err_fd)
{
    int p[2][2];

    *out_fd = *err_fd = -1;
    if (!s->piped)
        return 0;
    s->owner.on_drain = output_on_drain;
    if (pipe2(p[0], O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(p[1], O_CLOEXEC) < 0) {
        int rc = -errno;
        close(p[0][0]);
        close(p[0][1]);
        return rc;
    }
    for (int i = 0; i < 2; i++) {
        s->parent_fds[i] = p[i][0];
        s->child_fds[i] = p[i][1];
    }
    *out_fd = p[0][1];
    *err_fd = p[1][1];
    return 0;
}

void output_abort(struct output_svc *s)
{
    for (int i = 0; i < 2; i++) {
        if (s->parent_fds[i] >= 0)
            close(s->parent_fds[i]);
        if (s->child_fds[i] >= 0)
            close(s->child_fds[i]);
        s->parent_fds[i] = s->child_fds[i] = -1;
    }
}

int output_svc_held(const struct output_svc *s)
{
    int n = 0;
    for (const struct output_stream *st = s->streams; st; st = st->next)
        n += !st->reading; /* a closing stream is out of the list already */
    return n;
}

void output_started(struct output_svc *s)
{
    s->run_first_line = s->ring.pushed;
    s->run_dropped_lines = 0;
    for (int i = 0; i < 2; i++) {
        if (s->child_fds[i] >= 0)
            close(s->child_fds[i]);
        s->child_fds[i] = -1;
        if (s->parent_fds[i] < 0)
            continue;
        struct output_stream *st = calloc(1, sizeof *st);
        if (!st || uv_pipe_init(s->out->loop, &st->pipe, 0) < 0) {
            free(st);
            close(s->parent_fds[i]);
            s->parent_fds[i] = -1;
            continue;
        }
        st->svc = s;
        st->stream = i + 1;
        st->idle = true;
        st->read_size = OUTPUT_READ_SIZE;
        st->pipe.data = st;
        linesplit_init(&st->ls, OUTPUT_LINE_MAX);
        uv_timer_init(s->out->loop, &st->partial);
        st->partial.data = st;
        uv_pipe_open(&st->pipe, s->parent_fds[i]);
        s->parent_fds[i] = -1;
        st->next = s->streams;
        s->streams = st;
        /* Idle until it speaks: watched even while the service is paused,
         * within bounds. */
        st->reading = output_stream_watched(st);
        if (st->reading)
            uv_read_start((uv_stream_t *)&st->pipe, output_alloc, output_on_read);
    }
}

void output_svc_drain(struct output_svc *s, bool all)
{
    bool drop = s->conf->logs.overflow == CONF_OVERFLOW_DROP;
    bool room = s->owner.queued <= OUTPUT_QUEUE_HIGH;
    /* stdout first: which of two pipes was written last cannot be known,
     * and a program that fails says why on stderr after its progress on
     * stdout, so that the cause is the last of the lines under its exit
     * (a stream that closes is unlinked at once: each pass walks anew). */
    for (int stream = 1; stream <= 2; stream++)
        for (struct output_stream *st = s->streams, *next; st; st = next) {
            next = st->next;
            if (st->stream != stream)
                continue;
            /* Past the bound, what is left stays in the pipe for the pull:
             * a crash loop on a stalled stdout must not queue each run's
             * lines; but when the queue had room as the drain began,
             * stderr gets one read, so that what stdout brought does not
             * keep its last words from the lines under the exit (one read
             * holds OUTPUT_READ_SIZE at most).
             * At EOF the stream closes: its run is over. At corral's exit
             * every pipe is read to its end (its writers are gone: it
             * holds no more than its size, at most OUTPUT_PIPE_GROWN), for
             * the writers' last flush. */
            for (int reads = 0; all ? reads <= OUTPUT_PIPE_GROWN / OUTPUT_READ_SIZE
                                    : drop || s->owner.queued <= OUTPUT_QUEUE_HIGH ||
                                          (reads == 0 && room && stream == 2);
                 reads++)
                if (output_read_direct(st, OUTPUT_READ_SIZE, false) <= 0)
                    break;
        }
}

struct output_tail {
    struct output_svc *s;
    struct outbuf buf;
    size_t lines;
};

static void output_tail_line(void *arg, const struct ring_line *line)
{
    struct output_tail *t = arg;
    struct outfmt_line l = {
        .service = t->s->conf->name,
        .name_width = t->s->out->name_width,
        .color = t->s->color,
        .stream = line->stream,
        .text = line->text,
        .len = line->len,
        .replay = true,
    };
    /* JSON always carries the time; with timestamps on, a text line shows
     * when it was read, as it did on stdout. */
    char stamp[32];
    if (t->s->out->json || t->s->out->timestamps) {
        outfmt_stamp(line->time_ms, stamp, sizeof stamp);
        l.stamp = stamp;
    }
    if (t->s->out->json) {
        l.color = 0;
        (void)outfmt_json(&t->buf, &l);
    } else {
        (void)outfmt_prefix(&t->buf, &l);
    }
    t->lines++;
}

void output_print_tail(struct output_svc *s, int n)
{
    struct output_tail t = {.s = s};
    uint64_t this_run = s->ring.pushed - s->run_first_line;
    bool shown = s->conf->logs.sinks & (CONF_LOG_PREFIX | CONF_LOG_JSON);
    /* Printed live already: twice would double a crash loop's log (and a
     * collector would count each line twice). */
    if (!s->piped || this_run == 0 || (shown && s->run_dropped_lines == 0))
        return;
    /* Only this run's lines (the last ones pushed): an older run's would
     * mislead. */
    ring_last(&s->ring, this_run < (uint64_t)n ? (size_t)this_run : (size_t)n, 0, output_tail_line,
              &t);
    if (t.lines == 0)
        return;
    if (t.lines == 1)
        log_info("%s: its last line:", s->conf->name);
    else
        log_info("%s: its last %zu lines:", s->conf->name, t.lines);
    log_write_block(t.buf.data, t.buf.len, t.lines);
    outbuf_free(&t.buf);
}

void output_follow(struct output_svc *s, struct output_follower *f)
{
    f->next = s->followers;
    s->followers = f;
}

void output_unfollow(struct output_svc *s, struct output_follower *f)
{
    for (struct output_follower **pp = &s->followers; *pp; pp = &(*pp)->next)
        if (*pp == f) {
            *pp = f->next;
            return;
        }
}

/* Nothing of the writers or the pull list may point at s once it is
 * closed: its memory goes with its record's. */
static void output_svc_detach(struct output_svc *s)
{
    output_say_dropped(s);
    output_pull_cancel(s);
    if (s->out) {
        writer_disown(&s->out->out, &s->owner);
        writer_disown(&s->out->err, &s->owner);
    }
}

void output_svc_close(struct output_svc *s)
{
    /* A last line held for the rest of it (OUTPUT_PARTIAL_MS) goes out
     * now: nothing will end it, and its stream's timer closes. It goes to
     * the sinks only: what the record's lines meant to it (readiness.log)
     * is over. */
    s->on_line = NULL;
    for (struct output_stream *st = s->streams; st; st = st->next)
        if (linesplit_pending(&st->ls))
            output_on_partial(&st->partial);
    output_svc_detach(s);
    output_abort(s);
    while (s->streams)
        output_stream_close(s->streams);
}

void output_svc_free(struct output_svc *s)
{
    output_svc_detach(s);
    ring_close(&s->ring);
    logfile_close(&s->file);
}

void output_close(struct output *o)
{
    writer_flush(&o->out, 1000);
    writer_flush(&o->err, 1000);
    o->closed = true; /* no more pulls: corral is exiting */
    o->pull_head = NULL;
    uv_close((uv_handle_t *)&o->pull, NULL);
    writer_close(&o->out);
    writer_close(&o->err);
    outbuf_free(&o->to_out);
    outbuf_free(&o->to_err);
    outbuf_free(&o->to_file);
    outbuf_free(&o->scratch);
    free(o->readbuf);
    o->readbuf = NULL;
}
