/* outfmt.h - how a line of a service looks on corral's output: "web   | text"
 * (padded name, optional timestamp and colour, "+" for the continuation of a
 * split line) or one JSON object. Pure: appends to a growable buffer. */
#ifndef CORRAL_OUTFMT_H
#define CORRAL_OUTFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outbuf {
    char *data;
    size_t len, cap;
};

/* Appends n bytes; returns 0 or -ENOMEM. */
int outbuf_put(struct outbuf *b, const char *s, size_t n);
void outbuf_free(struct outbuf *b);

struct outfmt_line {
    const char *service;
    int name_width;    /* pad the name to this width */
    int color;         /* ANSI colour 31..36, or 0 for none */
    const char *stamp; /* "2026-11-24T21:36:39.123Z" or NULL */
    int stream;        /* 1 stdout, 2 stderr */
    bool continuation; /* this piece continues the previous one */
    bool replay;       /* printed again under a failed exit (JSON: "replay":true) */
    const char *text;
    size_t len;
};

/* Makes room for n more bytes. Returns 0 or -ENOMEM. */
int outbuf_reserve(struct outbuf *b, size_t n);

/* Writes the prefix of l (everything before the text, l->text ignored) into
 * buf; returns its length, or -ENOMEM when it does not fit. */
int outfmt_head(char *buf, size_t len, const struct outfmt_line *l);

/* Appends head, text and "\n" with one reservation: the fast path of the
 * prefix sink, with the head made once by outfmt_head. */
int outfmt_prefixed(struct outbuf *b, const char *head, size_t head_len, const char *text,
                    size_t len);

/* The prefix sink over a block of lines, in one pass that scans and copies
 * together: for each line of data (its bytes up to "\n"; a "\r" before the
 * "\n" is not part of it) appends head, the line and "\n", as
 * outfmt_prefixed would. Stops before the first line that is longer than max
 * or has no "\n" in data, or when memory runs out. Returns the bytes of data
 * taken (whole lines, all in b) and sets *lines to their number. */
size_t outfmt_prefix_lines(struct outbuf *b, const char *head, size_t head_len, const char *data,
                           size_t n, size_t max, size_t *lines);

/* The JSON sink over a block of lines, as outfmt_prefix_lines is for the
 * prefix: for each line appends head (the object up to the opening quote of
 * "line"), the line escaped as outfmt_json_chars escapes and "\"}\n", with
 * runs of bytes that need no escape copied 16 at a time. The same stops and
 * return value. */
size_t outfmt_json_lines(struct outbuf *b, const char *head, size_t head_len, const char *data,
                         size_t n, size_t max, size_t *lines);

/* "[stamp ][colour]name  |[reset] text\n" ("+" instead of "|" for a
 * continuation). Returns 0 or -ENOMEM. */
int outfmt_prefix(struct outbuf *b, const struct outfmt_line *l);

/* {"time":"...","service":"web","stream":"stdout","line":"..."}\n. Bytes that
 * are not valid UTF-8 are written as \u00XX, so nothing is lost and every
 * line parses. Returns 0 or -ENOMEM. */
int outfmt_json(struct outbuf *b, const struct outfmt_line *l);

/* Appends s as a JSON string (quotes included), escaping as above. */
int outfmt_json_string(struct outbuf *b, const char *s, size_t n);

/* The same without the quotes: what goes between them. */
int outfmt_json_chars(struct outbuf *b, const char *s, size_t n);

/* Copies s into out (room for 2n bytes) as valid UTF-8: each byte that is
 * not part of a valid sequence becomes U+00XX, as outfmt_json_string writes
 * it. Returns the length written. */
size_t outfmt_utf8_clean(const char *s, size_t n, char *out);

/* Formats a wall-clock time in ms as RFC 3339 UTC with milliseconds. */
void outfmt_stamp(uint64_t unix_ms, char *buf, size_t len);

#endif
