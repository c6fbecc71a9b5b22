/* log.c - formats corral's own messages and writes each as one line to
 * stderr. Keeps errno intact so callers may log before reporting it. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "clock.h"
#include "outfmt.h"
#include "writer.h"

enum log_level log_max_level = LOG_INFO;

static struct writer *log_writer;
static struct writer_owner *log_owner;
static bool log_json;
static bool log_stamps;
static unsigned long long log_dropped;

/* Called by the writer, from within its pump, when all of corral's own
 * queued lines have been written: safe to queue a line then (it goes after
 * what is queued). */
static void log_on_drain(struct writer_owner *o)
{
    (void)o;
    if (log_dropped == 0 || !log_writer)
        return;
    unsigned long long n = log_dropped;
    log_dropped = 0;
    log_warn("%llu of corral's own lines were dropped while its stderr did not keep up", n);
}

void log_set_writer(struct writer *w, struct writer_owner *owner)
{
    if (log_owner)
        log_owner->on_drain = NULL;
    log_writer = w;
    log_owner = owner;
    if (owner)
        owner->on_drain = log_on_drain;
}

void log_set_json(bool json)
{
    log_json = json;
}

void log_set_timestamps(bool on)
{
    log_stamps = on;
}

void log_write_block(const char *p, size_t len, size_t lines)
{
    if (log_writer) {
        /* A stalled stderr must not grow corral's memory without bound. */
        if (log_owner->queued > LOG_QUEUE_MAX) {
            log_dropped += lines;
            return;
        }
        (void)writer_write(log_writer, log_owner, p, len);
        return;
    }
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        len -= (size_t)w;
    }
}

static void log_out_json(enum log_level level, const char *msg, size_t len)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    struct outbuf b = {0};
    char stamp[32];

    outfmt_stamp(clock_wall_ms(), stamp, sizeof stamp);
    int rc = outbuf_put(&b, "{\"time\":\"", 9);
    rc |= outbuf_put(&b, stamp, strlen(stamp));
    rc |= outbuf_put(&b, "\",\"service\":\"corral\",\"stream\":\"stderr\",\"level\":\"", 48);
    rc |= outbuf_put(&b, names[level], strlen(names[level]));
    rc |= outbuf_put(&b, "\",\"line\":", 9);
    rc |= outfmt_json_string(&b, msg, len);
    rc |= outbuf_put(&b, "}\n", 2);
    if (rc == 0)
        log_write_block(b.data, b.len, 1);
    outbuf_free(&b);
}

void log_write(enum log_level level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    int saved = errno;
    int n = 0;
    va_list ap;

    /* Stamped like the service lines next to them, so that the two can be
     * read against each other (JSON lines carry their own time). */
    if (log_stamps && !log_json) {
        outfmt_stamp(clock_wall_ms(), line, 32);
        n = (int)strlen(line);
        line[n++] = ' ';
    }
    memcpy(line + n, "corral: ", 8);
    n += 8;

    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2; /* truncated: keep the newline */
    if (log_json)
        log_out_json(level, line + n, len - (size_t)n);
    else {
        line[len++] = '\n';
        log_write_block(line, len, 1);
    }
    errno = saved;
}
