/* test_ring.c - the per-service ring of last lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

struct seen {
    char lines[64][32];
    uint64_t times[64];
    int n;
};

static void gather(void *arg, const struct ring_line *l)
{
    struct seen *s = arg;
    snprintf(s->lines[s->n], sizeof s->lines[0], "%.*s", (int)l->len, l->text);
    s->times[s->n++] = l->time_ms;
}

static void lines_come_back_oldest_first(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    ring_init(&r, 1024);
    ring_push(&r, 1, 1, "a", 1);
    ring_push(&r, 2, 2, "bb", 2);
    ring_push(&r, 3, 1, "ccc", 3);
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.lines[0], "a");
    assert_string_equal(s.lines[2], "ccc");
    ring_close(&r);
}

static void the_last_n_are_the_newest(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    ring_init(&r, 1024);
    for (int i = 0; i < 10; i++) {
        char t[8];
        int n = snprintf(t, sizeof t, "l%d", i);
        ring_push(&r, (uint64_t)i, 1, t, (size_t)n);
    }
    ring_last(&r, 3, 0, gather, &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.lines[0], "l7");
    assert_string_equal(s.lines[2], "l9");
    ring_close(&r);
}

static void the_oldest_go_when_full_and_wrapping_keeps_text_intact(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    /* 80 rounds up to 128 bytes: room for 4 records of a 16-byte header
     * and 9 bytes of text, padded to 32. */
    ring_init(&r, 80);
    assert_int_equal(r.cap, 128);
    for (int i = 0; i < 20; i++) {
        char t[16];
        int n = snprintf(t, sizeof t, "line-%04d", i);
        ring_push(&r, (uint64_t)i, 1, t, (size_t)n);
    }
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.lines[s.n - 1], "line-0019");
    assert_string_equal(s.lines[s.n - 2], "line-0018");
    ring_close(&r);
}

static void text_that_wraps_past_the_end_comes_back_whole(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    /* 30 bytes of text make 48-byte records in a 128-byte ring; they start
     * at 0, 48, 96, 16, 64, 112, 32, 80, 0, 48, 96: the eleventh starts at
     * 96 and its text runs past the end. */
    ring_init(&r, 128);
    for (int i = 0; i < 11; i++) {
        char t[32];
        int n = snprintf(t, sizeof t, "wrap-%025d", i);
        ring_push(&r, (uint64_t)i, 2, t, (size_t)n);
    }
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[0], "wrap-0000000000000000000000009");
    assert_string_equal(s.lines[1], "wrap-0000000000000000000000010");
    ring_close(&r);
}

static void since_filters_by_time(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    ring_init(&r, 1024);
    ring_push(&r, 100, 1, "old", 3);
    ring_push(&r, 200, 1, "new", 3);
    ring_last(&r, 0, 150, gather, &s);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.lines[0], "new");
    ring_close(&r);
}

static void a_line_longer_than_the_ring_is_cut(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    char big[200];
    memset(big, 'x', sizeof big);
    ring_init(&r, 48);
    assert_int_equal(ring_push(&r, 1, 1, big, sizeof big), 0);
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 1);
    /* 48 rounds up to 64: 48 bytes kept (less a 16-byte header), of which
     * the 32-byte buffer shows 31. */
    assert_int_equal(strlen(s.lines[0]), 31);
    ring_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_come_back_oldest_first),
        cmocka_unit_test(the_last_n_are_the_newest),
        cmocka_unit_test(the_oldest_go_when_full_and_wrapping_keeps_text_intact),
        cmocka_unit_test(text_that_wraps_past_the_end_comes_back_whole),
        cmocka_unit_test(since_filters_by_time),
        cmocka_unit_test(a_line_longer_than_the_ring_is_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
