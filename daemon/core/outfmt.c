/* outfmt.c - formatting of service lines for the prefix and json sinks. The
 * JSON here is only ever written, never parsed: a string escaper that, unlike
 * a JSON library, also carries bytes that are not UTF-8. */
#include "outfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

int outbuf_reserve(struct outbuf *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -ENOMEM;
        b->data = d;
        b->cap = cap;
    }
    return 0;
}

int outfmt_prefixed(struct outbuf *b, const char *head, size_t head_len, const char *text,
                    size_t len)
{
    if (outbuf_reserve(b, head_len + len + 1) < 0)
        return -ENOMEM;
    char *p = b->data + b->len;
    memcpy(p, head, head_len);
    memcpy(p + head_len, text, len);
    p[head_len + len] = '\n';
    b->len += head_len + len + 1;
    return 0;
}

/* 16 bytes at a time: a line of 80 bytes is five loads, five stores and
 * five compares, where a memchr, two memcpy calls and their dispatch cost
 * more than the bytes (bench/README.md, "Measured decisions"). SSE2 where
 * there is SSE2 (every x86-64); elsewhere the compilers' vector extension,
 * which gcc and clang lower to what the machine has. */
#define OUTFMT_SLACK 128 /* room past a line for whole-block stores */

/* Bit i set when byte i of the 16 at s is "\n". */
#if defined(__SSE2__)
static unsigned outfmt_nl16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
}
#else
static unsigned outfmt_nl16(const char *s)
{
    typedef unsigned char v16 __attribute__((vector_size(16)));
    v16 v, nl;
    memcpy(&v, s, sizeof v);
    memset(&nl, '\n', sizeof nl);
    v16 m = (v16)(v == nl);
    unsigned bits = 0;
    for (int i = 0; i < 16; i++)
        bits |= (unsigned)(m[i] & 1) << i;
    return bits;
}
#endif

/* Bit i set when byte i of the 16 at s cannot go into a JSON string as it
 * is: a control byte (the "\n" that ends the line among them), '"', '\\',
 * DEL, or a byte from 0x80 (UTF-8 or not: outfmt_json_chars decides). */
#if defined(__SSE2__)
static unsigned outfmt_json16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    /* A signed compare: bytes from 0x80 are negative, below 0x20 too. */
    __m128i m = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                             _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                          _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')),
                                                       _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)))));
    return (unsigned)_mm_movemask_epi8(m);
}
#else
static unsigned outfmt_json16(const char *s)
{
    unsigned bits = 0;
    for (int i = 0; i < 16; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            bits |= 1u << i;
    }
    return bits;
}
#endif

/* Copies [s, end) to q 16 bytes at a time up to the first byte that flag
 * marks: returns its place (the bytes before it copied, q moved past them;
 * the rest of its block is stored too, within the slack), or NULL when
 * fewer than 16 bytes are left (s and q at the first byte not copied). */
static inline const char *outfmt_copy_until(char **q, const char **s, const char *end,
                                            unsigned (*flag)(const char *))
{
    const char *p = *s;
    char *o = *q;
    const char *hit = NULL;
    while (end - p >= 16) {
        memcpy(o, p, 16);
        unsigned m = flag(p);
        if (m) {
            size_t i = (size_t)__builtin_ctz(m);
            p += i;
            o += i;
            hit = p;
            break;
        }
        p += 16;
        o += 16;
    }
    *s = p;
    *q = o;
    return hit;
}

size_t outfmt_prefix_lines(struct outbuf *b, const char *head, size_t head_len, const char *data,
                           size_t n, size_t max, size_t *lines)
{
    const char *p = data, *end = data + n;
    char hpad[64] = {0}; /* the head padded: one fixed-size copy per line (timestamps too) */
    bool short_head = head_len <= sizeof hpad;
    if (short_head)
        memcpy(hpad, head, head_len);
    *lines = 0;
    while (p < end) {
        size_t left = (size_t)(end - p);
        /* Room for this line whatever its length (all that is left) and
         * for the stores that run past its end; lines of 16 bytes or more
         * make it the only reservation of the block. */
        if (b->cap - b->len < head_len + left + OUTFMT_SLACK &&
            outbuf_reserve(b, head_len + left + (left / 16 + 1) * (head_len + 1) + OUTFMT_SLACK) <
                0)
            break;
        char *q = b->data + b->len;
        if (short_head)
            memcpy(q, hpad, sizeof hpad);
        else
            memcpy(q, head, head_len);
        q += head_len;
        const char *s = p, *eol = outfmt_copy_until(&q, &s, end, outfmt_nl16);
        if (!eol) {
            eol = memchr(s, '\n', (size_t)(end - s));
            if (!eol)
                break; /* unfinished: not taken */
            memcpy(q, s, (size_t)(eol - s));
            q += eol - s;
        }
        if ((size_t)(eol - p) > max)
            break;
        if (eol > p && eol[-1] == '\r')
            q--;
        *q++ = '\n';
        b->len = (size_t)(q - b->data);
        ++*lines;
        p = eol + 1;
    }
    return (size_t)(p - data);
}

size_t outfmt_json_lines(struct outbuf *b, const char *head, size_t head_len, const char *data,
                         size_t n, size_t max, size_t *lines)
{
    const char *p = data, *end = data + n;
    *lines = 0;
    while (p < end) {
        size_t left = (size_t)(end - p), mark = b->len;
        /* Plain bytes are copied one for one: room for all that is left,
         * the head, the stores past the line and its "\"}\n". */
        if (b->cap - b->len < head_len + left + OUTFMT_SLACK &&
            outbuf_reserve(b, head_len + left + (left / 16 + 1) * (head_len + 3) + OUTFMT_SLACK) <
                0)
            break;
        char *q = b->data + b->len;
        memcpy(q, head, head_len);
        q += head_len;
        const char *s = p, *eol = NULL, *text_end = NULL;
        if (outfmt_copy_until(&q, &s, end, outfmt_json16)) {
            if (*s == '\n')
                eol = text_end = s;
            else if (*s == '\r' && s + 1 < end && s[1] == '\n')
                text_end = s, eol = s + 1;
        }
        if (!eol) {
            /* A byte to escape, or the last bytes of the block: the rest of
             * the line goes through the escaper. */
            eol = memchr(s, '\n', (size_t)(end - s));
            if (!eol)
                break; /* unfinished: not taken */
            text_end = eol > s && eol[-1] == '\r' ? eol - 1 : eol;
            b->len = (size_t)(q - b->data);
            if (outfmt_json_chars(b, s, (size_t)(text_end - s)) < 0 || outbuf_reserve(b, 3) < 0) {
                b->len = mark;
                break;
            }
            q = b->data + b->len;
        }
        if ((size_t)(eol - p) > max) {
            b->len = mark;
            break;
        }
        memcpy(q, "\"}\n", 3);
        b->len = (size_t)(q + 3 - b->data);
        ++*lines;
        p = eol + 1;
    }
    return (size_t)(p - data);
}

int outfmt_head(char *buf, size_t len, const struct outfmt_line *l)
{
    struct outbuf b = {0};
    struct outfmt_line h = *l;
    h.text = "";
    h.len = 0;
    if (outfmt_prefix(&b, &h) < 0 || b.len > len) {
        outbuf_free(&b);
        return -ENOMEM;
    }
    int n = (int)b.len - 1; /* without the newline */
    memcpy(buf, b.data, (size_t)n);
    outbuf_free(&b);
    return n;
}

int outbuf_put(struct outbuf *b, const char *s, size_t n)
{
    if (n == 0)
        return 0; /* an empty buffer has no data pointer to copy into */
    if (outbuf_reserve(b, n) < 0)
        return -ENOMEM;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

void outbuf_free(struct outbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int outfmt_prefix(struct outbuf *b, const struct outfmt_line *l)
{
    char head[16];
    int name_len = (int)strlen(l->service);
    int pad = l->name_width > name_len ? l->name_width - name_len : 0;
    int n, rc = 0;
    if (l->stamp) {
        rc |= outbuf_put(b, l->stamp, strlen(l->stamp));
        rc |= outbuf_put(b, " ", 1);
    }
    if (l->color) {
        n = snprintf(head, sizeof head, "\033[%dm", l->color);
        rc |= outbuf_put(b, head, (size_t)n);
    }
    rc |= outbuf_put(b, l->service, (size_t)name_len);
    for (int i = 0; i < pad; i++)
        rc |= outbuf_put(b, " ", 1);
    rc |= outbuf_put(b, l->continuation ? " +" : " |", 2);
    if (l->color)
        rc |= outbuf_put(b, "\033[0m", 4);
    rc |= outbuf_put(b, " ", 1);
    rc |= outbuf_put(b, l->text, l->len);
    rc |= outbuf_put(b, "\n", 1);
    return rc ? -ENOMEM : 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t outfmt_utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || len > n || (s[0] >= 0xf8))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong 3- and 4-byte forms, surrogates, and code points past U+10FFFF. */
    if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
        return 0;
    if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
        return 0;
    return len;
}

size_t outfmt_utf8_clean(const char *str, size_t n, char *out)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = s[i] < 0x80 ? 1 : outfmt_utf8_len(s + i, n - i);
        if (len == 0) { /* the byte as U+00XX, what the JSON sink writes as \u00XX */
            out[o++] = (char)(0xc0 | (s[i] >> 6));
            out[o++] = (char)(0x80 | (s[i] & 0x3f));
            i++;
        } else {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        }
    }
    return o;
}

/* Bytes that go into a JSON string as they are: printable ASCII but the
 * quote and the backslash. */
static inline int outfmt_json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

int outfmt_json_chars(struct outbuf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    /* Room for all of it as it is; each escape (up to 6 bytes for 1) makes
     * room for itself and the rest. */
    if (outbuf_reserve(b, n) < 0)
        return -ENOMEM;
    char *o = b->data + b->len;
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && outfmt_json_plain(s[run]))
            run++;
        memcpy(o, s + i, run - i); /* the common case: all of it at once */
        o += run - i;
        i = run;
        if (i == n)
            break;
        b->len = (size_t)(o - b->data);
        if (outbuf_reserve(b, 6 + (n - i)) < 0)
            return -ENOMEM;
        o = b->data + b->len;
        unsigned char c = s[i];
        size_t len = c >= 0x80 ? outfmt_utf8_len(s + i, n - i) : 0;
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
            i++;
        } else if (len > 0) {
            memcpy(o, s + i, len);
            o += len;
            i += len;
        } else { /* a control character, DEL, or a byte that is not UTF-8 */
            static const char hex[] = "0123456789abcdef";
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 0xf];
            o += 6;
            i++;
        }
    }
    b->len = (size_t)(o - b->data);
    return 0;
}

int outfmt_json_string(struct outbuf *b, const char *str, size_t n)
{
    int rc = outbuf_put(b, "\"", 1);
    if (rc == 0)
        rc = outfmt_json_chars(b, str, n);
    if (rc == 0)
        rc = outbuf_put(b, "\"", 1);
    return rc;
}

int outfmt_json(struct outbuf *b, const struct outfmt_line *l)
{
    int rc = outbuf_put(b, "{\"time\":\"", 9);
    if (rc == 0 && l->stamp)
        rc = outbuf_put(b, l->stamp, strlen(l->stamp));
    if (rc == 0)
        rc = outbuf_put(b, "\",\"service\":", 12);
    if (rc == 0)
        rc = outfmt_json_string(b, l->service, strlen(l->service));
    if (rc == 0)
        rc = l->stream == 2 ? outbuf_put(b, ",\"stream\":\"stderr\"", 18)
                            : outbuf_put(b, ",\"stream\":\"stdout\"", 18);
    if (rc == 0 && l->continuation)
        rc = outbuf_put(b, ",\"continued\":true", 17);
    if (rc == 0 && l->replay)
        rc = outbuf_put(b, ",\"replay\":true", 14);
    if (rc == 0)
        rc = outbuf_put(b, ",\"line\":", 8);
    if (rc == 0)
        rc = outfmt_json_string(b, l->text, l->len);
    if (rc == 0)
        rc = outbuf_put(b, "}\n", 2);
    return rc;
}

void outfmt_stamp(uint64_t unix_ms, char *buf, size_t len)
{
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(unix_ms % 1000));
}
