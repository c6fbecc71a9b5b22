/* ring.c - a byte ring of line records. A record is a fixed header then the
 * text, padded to the header's size: records start at multiples of 16 in a
 * power-of-two buffer, so a header never wraps and is read and written in
 * place; only text goes through ring_copy_in/out. Lookups walk from the
 * oldest record; rings are small (64 KiB by default) and read only on
 * request. */
#include "ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ring_hdr {
    uint64_t time_ms;
    uint32_t len;
    uint32_t stream;
};

#define RING_ALIGN sizeof(struct ring_hdr)

static inline size_t ring_rec_size(size_t len)
{
    return (sizeof(struct ring_hdr) + len + RING_ALIGN - 1) & ~(RING_ALIGN - 1);
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

/* Inline, with the common case (no wrap) first: on the path of every line. */
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

int ring_push(struct ring *r, uint64_t time_ms, int stream, const char *text, size_t len)
{
    if (r->cap <= sizeof(struct ring_hdr))
        return 0; /* a ring of size 0: keep nothing */
    if (!r->buf) {
        r->buf = malloc(r->cap);
        if (!r->buf)
            return -ENOMEM;
    }
    if (len > r->cap - sizeof(struct ring_hdr))
        len = r->cap - sizeof(struct ring_hdr);
    /* The counters are worked on in locals and stored once: updated in
     * place, gcc pairs used and count into one 16-byte load that follows
     * two 8-byte stores, and that load stalls (no store forwarding). */
    size_t need = ring_rec_size(len), head = r->head, used = r->used, count = r->count;
    while (r->cap - used < need) {
        size_t n = ring_rec_size(ring_hdr_at(r, head)->len); /* drop the oldest */
        head = (head + n) & (r->cap - 1);
        used -= n;
        count--;
    }
    size_t tail = head + used;
    struct ring_hdr *h = ring_hdr_at(r, tail);
    h->time_ms = time_ms;
    h->len = (uint32_t)len;
    h->stream = (uint32_t)stream;
    ring_copy_in(r, tail + sizeof *h, text, len);
    r->head = head;
    r->used = used + need;
    r->count = count + 1;
    r->pushed++;
    return 0;
}

void ring_last(const struct ring *r, size_t n, uint64_t since_ms, ring_cb cb, void *arg)
{
    size_t skip = n && r->count > n ? r->count - n : 0, off = r->head;
    char *text = r->count ? malloc(r->cap) : NULL;

    if (!text)
        return;
    for (size_t i = 0; i < r->count; i++) {
        const struct ring_hdr *h = ring_hdr_at(r, off);
        if (i >= skip && h->time_ms >= since_ms) {
            ring_copy_out(r, off + sizeof *h, text, h->len);
            struct ring_line line = {h->time_ms, (int)h->stream, text, h->len};
            cb(arg, &line);
        }
        off = (off + ring_rec_size(h->len)) & (r->cap - 1);
    }
    free(text);
}
