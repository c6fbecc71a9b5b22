/* ring.c - a byte ring of records. A record is a fixed header then the text,
 * padded to the header's size: records start at multiples of 16 in a
 * power-of-two buffer, so a header never wraps and is read and written in
 * place; only text goes through ring_copy_in/out. A record is one line, or
 * a block: whole lines as a read brought them, each ending in "\n", copied
 * with one memcpy and split into lines only by ring_last. When room is
 * needed the oldest records go; of a block, only its first lines when that
 * is enough (its header moves forward to a line start, a few bytes of
 * padding between header and text keeping it aligned). A block's header
 * keeps its count of lines, so the last few are found by headers alone.
 * Rings are small (64 KiB by default) and read only on request. */
#include "ring.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ring_hdr {
    uint64_t time_ms;
    uint32_t len;        /* bytes of text */
    unsigned lines : 24; /* a block's lines; 0 when not known (RING_LINES_MAX) */
    unsigned stream : 2; /* 1 stdout, 2 stderr */
    unsigned pad : 4;    /* bytes between the header and the text: 0..15 */
    unsigned block : 1;  /* the text is lines ending in "\n" (else one line) */
};

/* A block knows its lines, so that a request for the last few skips whole
 * records by their headers instead of counting every line of the ring; only
 * the oldest record can have lost that count (when room is made by dropping
 * its first lines), and it is counted when asked. */
#define RING_LINES_MAX ((1u << 24) - 1)

_Static_assert(sizeof(struct ring_hdr) == 16, "records are aligned to a header's size");

#define RING_ALIGN sizeof(struct ring_hdr)
#define RING_NONE  ((size_t)-1)

static inline size_t ring_round(size_t n)
{
    return (n + RING_ALIGN - 1) & ~(RING_ALIGN - 1);
}

static inline size_t ring_rec_size(const struct ring_hdr *h)
{
    return ring_round(sizeof *h + h->pad + h->len);
}

/* off is a record's start: a multiple of RING_ALIGN, and the buffer comes
 * from malloc, so the header is aligned. */
static inline struct ring_hdr *ring_hdr_at(const struct ring *r, size_t off)
{
    return (struct ring_hdr *)(void *)(r->buf + (off & (r->cap - 1)));
}

void ring_init(struct ring *r, size_t cap)
{
    memset(r, 0, sizeof *r);
    /* A power of two, so that wrapping is a mask (this is on the path of
     * every line a service prints). */
    size_t c = cap ? 64 : 0;
    while (c && c < cap)
        c <<= 1;
    r->cap = c;
}

void ring_close(struct ring *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* Inline, with the common case (no wrap) first. */
static inline void ring_copy_in(struct ring *r, size_t off, const void *src, size_t n)
{
    off &= r->cap - 1;
    if (off + n <= r->cap) {
        memcpy(r->buf + off, src, n);
        return;
    }
    size_t first = r->cap - off < n ? r->cap - off : n;
    memcpy(r->buf + off, src, first);
    memcpy(r->buf, (const char *)src + first, n - first);
}

static inline void ring_copy_out(const struct ring *r, size_t off, void *dst, size_t n)
{
    off &= r->cap - 1;
    if (off + n <= r->cap) {
        memcpy(dst, r->buf + off, n);
        return;
    }
    size_t first = r->cap - off < n ? r->cap - off : n;
    memcpy(dst, r->buf + off, first);
    memcpy((char *)dst + first, r->buf, n - first);
}

/* The offset (unmasked, from off) of the first "\n" in the n bytes at off,
 * or RING_NONE. */
static size_t ring_find_nl(const struct ring *r, size_t off, size_t n)
{
    size_t at = off & (r->cap - 1), first = r->cap - at < n ? r->cap - at : n;
    const char *p = memchr(r->buf + at, '\n', first);
    if (p)
        return off + (size_t)(p - (r->buf + at));
    p = n > first ? memchr(r->buf, '\n', n - first) : NULL;
    return p ? off + first + (size_t)(p - r->buf) : RING_NONE;
}

/* Drops the oldest lines until need bytes are free. */
static void ring_make_room(struct ring *r, size_t need)
{
    size_t head = r->head, used = r->used;
    while (r->cap - used < need) {
        struct ring_hdr *h = ring_hdr_at(r, head);
        size_t size = ring_rec_size(h), lack = need - (r->cap - used);
        if (h->block && lack < size) {
            /* Keep the block's later lines: its header moves to the
             * aligned offset before the first line that starts at least
             * lack bytes (rounded) further on. */
            size_t text = head + sizeof *h + h->pad, end = text + h->len;
            size_t from = head + ring_round(lack) + sizeof *h; /* > text */
            size_t nl = from < end ? ring_find_nl(r, from - 1, end - from + 1) : RING_NONE;
            if (nl != RING_NONE && nl + 1 < end) {
                struct ring_hdr keep = *h;
                size_t start = nl + 1, at = (start - sizeof *h) & ~(RING_ALIGN - 1);
                keep.pad = (unsigned)(start - at - sizeof *h) & 15;
                keep.len = (uint32_t)(end - start);
                keep.lines = 0;
                *ring_hdr_at(r, at) = keep;
                used -= at - head;
                head = at & (r->cap - 1);
                continue;
            }
        }
        head = (head + size) & (r->cap - 1);
        used -= size;
    }
    r->head = head;
    r->used = used;
}

/* Appends one record of len bytes (len + its header fit the ring). */
static void ring_append(struct ring *r, uint64_t time_ms, int stream, size_t lines, bool block,
                        const char *text, size_t len)
{
    size_t need = ring_round(sizeof(struct ring_hdr) + len);
    ring_make_room(r, need);
    size_t tail = r->head + r->used;
    struct ring_hdr *h = ring_hdr_at(r, tail);
    h->time_ms = time_ms;
    h->len = (uint32_t)len;
    h->lines = lines <= RING_LINES_MAX ? (unsigned)lines : 0;
    h->stream = (unsigned)stream & 3;
    h->pad = 0;
    h->block = block;
    ring_copy_in(r, tail + sizeof *h, text, len);
    r->used += need;
}

static int ring_ready(struct ring *r)
{
    if (r->cap <= sizeof(struct ring_hdr))
        return 0; /* a ring of size 0: keep nothing */
    if (!r->buf) {
        r->buf = malloc(r->cap);
        if (!r->buf)
            return -ENOMEM;
    }
    return 1;
}

int ring_push(struct ring *r, uint64_t time_ms, int stream, const char *text, size_t len)
{
    int rc = ring_ready(r);
    if (rc <= 0)
        return rc;
    if (len > r->cap - sizeof(struct ring_hdr))
        len = r->cap - sizeof(struct ring_hdr);
    ring_append(r, time_ms, stream, 1, false, text, len);
    r->pushed++;
    return 0;
}

int ring_push_lines(struct ring *r, uint64_t time_ms, int stream, const char *data, size_t len,
                    uint64_t n_lines)
{
    int rc = ring_ready(r);
    if (rc <= 0 || len == 0)
        return rc;
    size_t room = r->cap - sizeof(struct ring_hdr), known = (size_t)n_lines;
    if (len > room) {
        /* The last whole lines that fit. */
        size_t cut = len - room;
        const char *p = data[cut - 1] == '\n' ? data + cut : memchr(data + cut, '\n', len - cut);
        if (p && data[cut - 1] != '\n')
            p++;
        if (!p || p == data + len) {
            /* Not even the last line fits: it is cut, as ring_push does. */
            size_t end = len - 1, start = end;
            while (start > 0 && data[start - 1] != '\n')
                start--;
            if (end > start && data[end - 1] == '\r')
                end--;
            r->pushed += n_lines - 1;
            return ring_push(r, time_ms, stream, data + start, end - start);
        }
        len -= (size_t)(p - data);
        data = p;
        known = 0; /* fewer lines than were given: counted when asked */
    }
    ring_append(r, time_ms, stream, known, true, data, len);
    r->pushed += n_lines;
    return 0;
}

/* Lines in the record at off. */
static size_t ring_rec_lines(const struct ring *r, const struct ring_hdr *h, size_t off)
{
    if (!h->block)
        return 1;
    if (h->lines)
        return h->lines;
    size_t lines = 0, text = off + sizeof *h + h->pad, end = text + h->len;
    for (size_t p = text; p < end; lines++) {
        size_t nl = ring_find_nl(r, p, end - p);
        p = nl == RING_NONE ? end : nl + 1;
    }
    return lines;
}

void ring_last(const struct ring *r, size_t n, uint64_t since_ms, ring_cb cb, void *arg)
{
    size_t count = 0, off = r->head;
    for (size_t at = 0; at < r->used;) {
        const struct ring_hdr *h = ring_hdr_at(r, off + at);
        count += ring_rec_lines(r, h, off + at);
        at += ring_rec_size(h);
    }
    size_t skip = n && count > n ? count - n : 0, i = 0, size = 0;
    char *text = NULL;
    for (size_t at = 0; at < r->used;) {
        const struct ring_hdr *h = ring_hdr_at(r, off + at);
        size_t lines = ring_rec_lines(r, h, off + at);
        if (i + lines > skip && h->time_ms >= since_ms) {
            size_t need = h->len ? h->len : 1; /* the text is never NULL */
            if (need > size) {                 /* the largest record yet: at most the ring's size */
                char *t = realloc(text, need);
                if (!t)
                    break;
                text = t;
                size = need;
            }
            struct ring_line line = {h->time_ms, (int)h->stream, text, h->len};
            ring_copy_out(r, off + at + sizeof *h + h->pad, text, h->len);
            if (!h->block) {
                cb(arg, &line);
            } else {
                const char *p = text, *end = text + h->len;
                for (size_t k = 0; p < end; k++) {
                    const char *nl = memchr(p, '\n', (size_t)(end - p));
                    const char *e = nl ? nl : end;
                    line.text = p;
                    line.len = (size_t)(e - p);
                    if (line.len > 0 && p[line.len - 1] == '\r')
                        line.len--;
                    if (i + k >= skip)
                        cb(arg, &line);
                    p = e + 1;
                }
            }
        }
        i += lines;
        at += ring_rec_size(h);
    }
    free(text);
}
