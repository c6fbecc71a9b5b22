/* test_outfmt.c - how a service's line looks: the prefix, and JSON strings
 * that carry any bytes (escapes, UTF-8 kept, other bytes as \u00XX). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "outfmt.h"

static char *json(const char *s, size_t n)
{
    struct outbuf b = {0};
    assert_int_equal(outfmt_json_string(&b, s, n), 0);
    char *out = calloc(1, b.len + 1);
    memcpy(out, b.data, b.len);
    outbuf_free(&b);
    return out;
}

static void plain_text_is_copied_and_quotes_and_backslashes_escaped(void **state)
{
    (void)state;
    char *s = json("say \"hi\" \\ ok", 13);
    assert_string_equal(s, "\"say \\\"hi\\\" \\\\ ok\"");
    free(s);
}

static void control_bytes_del_and_bytes_not_utf8_become_u00xx(void **state)
{
    (void)state;
    const char in[] = "a\tb\x01"
                      "c\x7f"
                      "d\xff"
                      "e\xc3";
    char *s = json(in, sizeof in - 1);
    assert_string_equal(s, "\"a\\u0009b\\u0001c\\u007fd\\u00ffe\\u00c3\"");
    free(s);
}

static void valid_utf8_is_kept(void **state)
{
    (void)state;
    const char in[] = "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x84";
    char *s = json(in, sizeof in - 1);
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", in);
    assert_string_equal(s, want);
    free(s);
}

static void overlong_forms_and_surrogates_are_not_utf8(void **state)
{
    (void)state;
    const char in[] = "\xe0\x80\xaf|\xed\xa0\x80";
    char *s = json(in, sizeof in - 1);
    assert_string_equal(s, "\"\\u00e0\\u0080\\u00af|\\u00ed\\u00a0\\u0080\"");
    free(s);
}

/* Long runs of escapes grow the buffer as they go (1 byte in, 6 out). */
static void a_line_of_escapes_grows_the_buffer(void **state)
{
    (void)state;
    char in[5000];
    memset(in, '\x01', sizeof in);
    struct outbuf b = {0};
    assert_int_equal(outbuf_put(&b, "x", 1), 0);
    assert_int_equal(outfmt_json_chars(&b, in, sizeof in), 0);
    assert_int_equal(b.len, 1 + 6 * sizeof in);
    assert_memory_equal(b.data + 1 + 6 * 4999, "\\u0001", 6);
    outbuf_free(&b);
}

/* Seeds rand() from CORRAL_SEED, or the time, and says which. */
static void random_seed(const char *what)
{
    const char *env = getenv("CORRAL_SEED");
    unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    printf("test_outfmt: %s seed=%u (replay: CORRAL_SEED=%u)\n", what, seed, seed);
    srand(seed);
}

/* Random bytes: the escaper's output is exactly the byte-by-byte rule. */
static void random_bytes_follow_the_rule_byte_by_byte(void **state)
{
    (void)state;
    random_seed("random bytes");
    for (int round = 0; round < 2000; round++) {
        unsigned char in[64];
        size_t n = (size_t)(rand() % 64);
        for (size_t i = 0; i < n; i++) /* mostly ASCII, some of everything */
            in[i] = (unsigned char)(rand() % 4 ? 0x20 + rand() % 0x60 : rand() % 256);
        struct outbuf b = {0};
        assert_int_equal(outfmt_json_chars(&b, (const char *)in, n), 0);
        /* Check it by the other form of the same rule: outfmt_utf8_clean
         * keeps valid UTF-8 and turns every other byte into U+00XX. */
        char clean[128];
        size_t cl = outfmt_utf8_clean((const char *)in, n, clean);
        size_t o = 0;
        for (size_t i = 0; i < cl;) {
            unsigned char c = (unsigned char)clean[i];
            char want[8];
            size_t wl;
            if (c == '"' || c == '\\') {
                want[0] = '\\';
                want[1] = (char)c;
                wl = 2;
                i++;
            } else if (c < 0x20 || c == 0x7f) {
                wl = (size_t)snprintf(want, sizeof want, "\\u%04x", c);
                i++;
            } else if (c == 0xc2 || c == 0xc3) {
                /* U+0080..U+00FF: a byte that was not UTF-8 (\u00XX), or
                 * a valid 2-byte sequence copied as it is */
                unsigned v = ((c & 0x1fu) << 6) | ((unsigned char)clean[i + 1] & 0x3fu);
                if (b.len - o >= 6 && memcmp(b.data + o, "\\u00", 4) == 0) {
                    wl = (size_t)snprintf(want, sizeof want, "\\u%04x", v);
                } else {
                    memcpy(want, clean + i, 2);
                    wl = 2;
                }
                i += 2;
            } else {
                want[0] = (char)c;
                wl = 1;
                i++;
            }
            assert_true(o + wl <= b.len);
            assert_memory_equal(b.data + o, want, wl);
            o += wl;
        }
        assert_int_equal(o, b.len);
        outbuf_free(&b);
    }
}

/* The block formatters done the plain way, line by line: memchr for the
 * end, "\r" before "\n" dropped, stop at the first line too long or
 * unfinished; then outfmt_prefixed for a line, or head, the escaper and the
 * end of the object. */
static size_t lines_ref(struct outbuf *b, const char *head, size_t h, const char *data, size_t n,
                        size_t max, size_t *lines, bool json)
{
    const char *p = data, *end = data + n;
    *lines = 0;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || (size_t)(nl - p) > max)
            break;
        size_t len = (size_t)(nl - p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (!json) {
            assert_int_equal(outfmt_prefixed(b, head, h, p, len), 0);
        } else {
            assert_int_equal(outbuf_put(b, head, h), 0);
            assert_int_equal(outfmt_json_chars(b, p, len), 0);
            assert_int_equal(outbuf_put(b, "\"}\n", 3), 0);
        }
        ++*lines;
        p = nl + 1;
    }
    return (size_t)(p - data);
}

static size_t prefix_lines_ref(struct outbuf *b, const char *head, size_t h, const char *data,
                               size_t n, size_t max, size_t *lines)
{
    return lines_ref(b, head, h, data, n, max, lines, false);
}

static size_t json_lines_ref(struct outbuf *b, const char *head, size_t h, const char *data,
                             size_t n, size_t max, size_t *lines)
{
    return lines_ref(b, head, h, data, n, max, lines, true);
}

/* A block formatter (outfmt_prefix_lines, outfmt_json_lines) or its plain
 * counterpart. */
typedef size_t (*lines_fn)(struct outbuf *b, const char *head, size_t h, const char *data, size_t n,
                           size_t max, size_t *lines);

static void lines_check(lines_fn fn, lines_fn ref, const char *head, size_t h, const char *data,
                        size_t n, size_t max)
{
    struct outbuf got = {0}, want = {0};
    size_t got_lines = 99, want_lines = 0;
    /* What is already in the buffer stays, and the lines go after it. */
    assert_int_equal(outbuf_put(&got, "x", 1), 0);
    assert_int_equal(outbuf_put(&want, "x", 1), 0);
    size_t taken = fn(&got, head, h, data, n, max, &got_lines);
    size_t want_taken = ref(&want, head, h, data, n, max, &want_lines);
    assert_int_equal(taken, want_taken);
    assert_int_equal(got_lines, want_lines);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    outbuf_free(&got);
    outbuf_free(&want);
}

static void prefix_lines_are_head_line_newline_and_stop_at_an_unfinished_line(void **state)
{
    (void)state;
    struct outbuf b = {0};
    size_t lines;
    const char in[] = "one\ntwo\r\n\nthree without end";
    size_t taken = outfmt_prefix_lines(&b, "w | ", 4, in, sizeof in - 1, 100, &lines);
    assert_int_equal(lines, 3);
    assert_int_equal(taken, strlen("one\ntwo\r\n\n"));
    assert_int_equal(b.len, strlen("w | one\nw | two\nw | \n"));
    assert_memory_equal(b.data, "w | one\nw | two\nw | \n", b.len);
    /* A line longer than max is not taken, nor anything after it. */
    b.len = 0;
    taken = outfmt_prefix_lines(&b, "w | ", 4, "ab\nabcdef\nc\n", 12, 5, &lines);
    assert_int_equal(taken, 3);
    assert_int_equal(lines, 1);
    assert_memory_equal(b.data, "w | ab\n", 7);
    outbuf_free(&b);
}

/* Random blocks: line lengths around the 16-byte steps and the buffer's
 * growth, "\r" and "\n" anywhere, bytes to escape, heads short and long
 * (past the 64 bytes copied whole), unfinished tails, lines longer than
 * max; the prefix and the JSON loops each against the plain way. */
static void random_blocks_format_as_line_by_line_does(void **state)
{
    (void)state;
    random_seed("random line blocks");
    char head[80];
    for (size_t i = 0; i < sizeof head; i++)
        head[i] = (char)('a' + i % 26);
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(rand() % 3000);
        char *data = malloc(n + 1);
        /* Plain text, with now and then a quote, a backslash, a control
         * byte, UTF-8 (valid or cut) or any byte at all. */
        static const char *const odd[] = {
            "\"",   "\\",   "\t",      "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
            "\xc3", "\xff", "\xe2\x82"};
        for (size_t i = 0; i < n; i++) {
            int r = rand() % 100;
            data[i] = r < 4 ? '\n' : r < 6 ? '\r' : (char)(' ' + rand() % 95);
            if (r == 99) {
                const char *o = odd[rand() % 10];
                for (size_t k = 0; o[k] && i < n; k++)
                    data[i++] = o[k];
                i--;
            } else if (r == 98) {
                data[i] = (char)(rand() % 256);
            }
        }
        if (rand() % 2) { /* mostly lines of a typical length */
            for (size_t i = 0, next = (size_t)(rand() % 120); i < n; i++) {
                if (i == next) {
                    data[i] = '\n';
                    next += 1 + (size_t)(rand() % 120);
                } else if (data[i] == '\n') {
                    data[i] = 'n';
                }
            }
        }
        size_t h = (size_t)(rand() % 80), max = rand() % 4 ? 4096 : (size_t)(rand() % 50);
        lines_check(outfmt_prefix_lines, prefix_lines_ref, head, h, data, n, max);
        lines_check(outfmt_json_lines, json_lines_ref, head, h, data, n, max);
        free(data);
    }
}

static void the_prefix_pads_names_and_marks_continuations(void **state)
{
    (void)state;
    struct outbuf b = {0};
    struct outfmt_line l = {.service = "web", .name_width = 5, .text = "hi", .len = 2};
    assert_int_equal(outfmt_prefix(&b, &l), 0);
    l.continuation = true;
    l.stamp = "2026-11-24T21:36:39.123Z";
    assert_int_equal(outfmt_prefix(&b, &l), 0);
    const char want[] = "web   | hi\n2026-11-24T21:36:39.123Z web   + hi\n";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.data, want, b.len);
    char head[32];
    l.stamp = NULL;
    l.continuation = false;
    assert_int_equal(outfmt_head(head, sizeof head, &l), 8);
    assert_memory_equal(head, "web   | ", 8);
    outbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_is_copied_and_quotes_and_backslashes_escaped),
        cmocka_unit_test(control_bytes_del_and_bytes_not_utf8_become_u00xx),
        cmocka_unit_test(valid_utf8_is_kept),
        cmocka_unit_test(overlong_forms_and_surrogates_are_not_utf8),
        cmocka_unit_test(a_line_of_escapes_grows_the_buffer),
        cmocka_unit_test(random_bytes_follow_the_rule_byte_by_byte),
        cmocka_unit_test(the_prefix_pads_names_and_marks_continuations),
        cmocka_unit_test(prefix_lines_are_head_line_newline_and_stop_at_an_unfinished_line),
        cmocka_unit_test(random_blocks_format_as_line_by_line_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
