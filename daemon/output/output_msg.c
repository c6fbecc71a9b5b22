/* output_msg.c - a line that corral hands to a service's sinks itself (a
 * syslog message of its process tree), formatted as its own lines are, and
 * never allowed to queue past OUTPUT_QUEUE_HIGH: a datagram sender cannot
 * be paused, so its lines are dropped and counted instead. */
#include "output_msg.h"

#include <string.h>

#include "bounds.h"
#include "clock.h"
#include "outfmt.h"

/* {"time":...,"service":...,"stream":"syslog","facility":...,"severity":...,"line":...} */
static int output_msg_json(struct outbuf *b, const struct output_svc *s, const char *stamp,
                           const struct output_msg *m)
{
    int rc = outbuf_put(b, "{\"time\":\"", 9);
    if (rc == 0)
        rc = outbuf_put(b, stamp, strlen(stamp));
    if (rc == 0)
        rc = outbuf_put(b, "\",\"service\":", 12);
    if (rc == 0)
        rc = outfmt_json_string(b, s->conf->name, strlen(s->conf->name));
    if (rc == 0)
        rc = outbuf_put(b, ",\"stream\":\"syslog\"", 18);
    if (rc == 0 && m->facility) {
        rc = outbuf_put(b, ",\"facility\":", 12);
        if (rc == 0)
            rc = outfmt_json_string(b, m->facility, strlen(m->facility));
    }
    if (rc == 0 && m->severity) {
        rc = outbuf_put(b, ",\"severity\":", 12);
        if (rc == 0)
            rc = outfmt_json_string(b, m->severity, strlen(m->severity));
    }
    if (rc == 0)
        rc = outbuf_put(b, ",\"line\":", 8);
    if (rc == 0)
        rc = outfmt_json_string(b, m->text, m->len);
    if (rc == 0)
        rc = outbuf_put(b, "}\n", 2);
    return rc;
}

static void output_msg_file(struct output_svc *s, const struct output_msg *m)
{
    int rc = 0;
    if (!s->file.path)
        rc = logfile_open(&s->file, s->conf->logs.file, s->conf->logs.max_size, s->conf->logs.keep);
    /* One write per line keeps the line whole in the file. */
    struct outbuf line = {0};
    if (rc == 0)
        rc = outbuf_put(&line, m->text, m->len);
    if (rc == 0)
        rc = outbuf_put(&line, "\n", 1);
    if (rc == 0)
        rc = logfile_write(&s->file, line.data, line.len);
    if (rc < 0)
        s->file_lost_lines++;
    outbuf_free(&line);
}

bool output_svc_message(struct output_svc *s, const struct output_msg *m)
{
    struct output *o = s->out;
    unsigned sinks = s->conf->logs.sinks;
    uint64_t now_ms = clock_wall_ms();
    char stamp[32];
    struct ring_line rl = {now_ms, 1, m->text, m->len};
    bool kept = true;

    outfmt_stamp(now_ms, stamp, sizeof stamp);
    (void)ring_push(&s->ring, now_ms, 1, m->text, m->len);
    if (s->on_line)
        s->on_line(s->on_line_arg, m->text, m->len);
    for (struct output_follower *f = s->followers; f;) {
        struct output_follower *next = f->next; /* it may unfollow itself */
        f->on_line(f, &rl);
        f = next;
    }
    if ((sinks & CONF_LOG_FILE) && s->conf->logs.file)
        output_msg_file(s, m);
    if (!(sinks & (CONF_LOG_PREFIX | CONF_LOG_JSON)))
        return true;
    if (s->owner.queued > OUTPUT_QUEUE_HIGH)
        return false;
    struct outbuf b = {0};
    if (o->json || (sinks & CONF_LOG_JSON)) {
        if (output_msg_json(&b, s, stamp, m) < 0)
            kept = false;
    }
    if ((sinks & CONF_LOG_PREFIX) && !o->json) {
        struct outfmt_line l = {.service = s->conf->name,
                                .name_width = o->name_width,
                                .color = s->color,
                                .stamp = o->timestamps ? stamp : NULL,
                                .stream = 1,
                                .text = m->text,
                                .len = m->len};
        if (outfmt_prefix(&b, &l) < 0)
            kept = false;
    }
    if (b.len)
        (void)writer_write(&o->out, &s->owner, b.data, b.len);
    outbuf_free(&b);
    return kept;
}
