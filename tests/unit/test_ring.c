/* test_ring.c - the per-service ring of last lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ring.h"

struct seen {
    char lines[256][32];
    uint64_t times[256];
    int streams[256];
    int n;
};

static void gather(void *arg, const struct ring_line *l)
{
    struct seen *s = arg;
    if (s->n == 256)
        return;
    snprintf(s->lines[s->n], sizeof s->lines[0], "%.*s", (int)l->len, l->text);
    s->streams[s->n] = l->stream;
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

static void a_block_of_lines_comes_back_line_by_line(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    ring_init(&r, 1024);
    ring_push(&r, 1, 1, "before", 6);
    const char block[] = "one\ntwo\r\n\nfour\n";
    assert_int_equal(ring_push_lines(&r, 2, 2, block, sizeof block - 1, 4), 0);
    ring_push(&r, 3, 1, "after", 5);
    assert_int_equal(r.pushed, 6);
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 6);
    assert_string_equal(s.lines[0], "before");
    assert_string_equal(s.lines[1], "one");
    assert_string_equal(s.lines[2], "two"); /* "\r\n" ends a line */
    assert_string_equal(s.lines[3], "");
    assert_string_equal(s.lines[4], "four");
    assert_string_equal(s.lines[5], "after");
    assert_int_equal(s.streams[2], 2);
    assert_int_equal(s.times[4], 2);
    assert_int_equal(s.streams[5], 1);
    ring_close(&r);
}

static void the_last_n_may_start_inside_a_block(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    ring_init(&r, 1024);
    const char block[] = "a\nb\nc\nd\n";
    ring_push_lines(&r, 1, 1, block, sizeof block - 1, 4);
    ring_push(&r, 2, 1, "e", 1);
    ring_last(&r, 3, 0, gather, &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.lines[0], "c");
    assert_string_equal(s.lines[1], "d");
    assert_string_equal(s.lines[2], "e");
    ring_close(&r);
}

/* A ring of 128 bytes with one block of 10 lines of 8 bytes ("line-00\n"
 * .. "line-09\n"): a 16-byte header and 80 bytes, 96 of the 128. */
static void push_ten_lines(struct ring *r)
{
    char block[128];
    size_t len = 0;
    ring_init(r, 128);
    for (int i = 0; i < 10; i++)
        len += (size_t)snprintf(block + len, sizeof block - len, "line-%02d\n", i);
    assert_int_equal(len, 80);
    ring_push_lines(r, 1, 1, block, len, 10);
}

static void room_is_made_from_the_first_lines_of_the_oldest_block(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    /* A line of 20 more needs 48, 16 more than is free: the block loses
     * its lines up to the first that starts 16 bytes or more into its
     * text (line-02, at 16), and its header moves to just before it. */
    push_ten_lines(&r);
    ring_push(&r, 2, 1, "twenty-bytes-of-text", 20);
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 9);
    assert_string_equal(s.lines[0], "line-02");
    assert_string_equal(s.lines[7], "line-09");
    assert_string_equal(s.lines[8], "twenty-bytes-of-text");
    /* Once more, with nothing free: the header moves 48 bytes on, so the
     * text must start 48 bytes further: line-02 .. line-07 go. */
    s.n = 0;
    ring_push(&r, 3, 1, "twenty-bytes-of-more", 20);
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.lines[0], "line-08");
    assert_string_equal(s.lines[3], "twenty-bytes-of-more");
    ring_close(&r);
}

static void a_block_larger_than_the_ring_keeps_its_last_whole_lines(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    char block[400];
    size_t len = 0;
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(block + len, sizeof block - len, "l%02d-56789\n", i);
    ring_init(&r, 64); /* 48 bytes of text: the last 4 lines of 10 */
    ring_push_lines(&r, 1, 1, block, len, 40);
    assert_int_equal(r.pushed, 40);
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.lines[0], "l36-56789");
    assert_string_equal(s.lines[3], "l39-56789");
    ring_close(&r);
}

static void a_block_whose_last_line_does_not_fit_keeps_it_cut(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    char block[200];
    memcpy(block, "short\n", 6);
    memset(block + 6, 'y', 100);
    block[106] = '\n';
    ring_init(&r, 64);
    ring_push_lines(&r, 1, 1, block, 107, 2);
    assert_int_equal(r.pushed, 2);
    ring_last(&r, 0, 0, gather, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(strlen(s.lines[0]), 31); /* cut to 48, shown in 31 */
    assert_int_equal(s.lines[0][0], 'y');
    ring_close(&r);
}

/* Random lines pushed one by one and in blocks into a small ring: what
 * comes back is always the newest lines, in order and intact, and nearly
 * fills the ring. */
static void random_pushes_keep_a_suffix_of_what_was_pushed(void **state)
{
    (void)state;
    const char *env = getenv("CORRAL_SEED");
    unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    printf("test_ring: random pushes seed=%u (replay: CORRAL_SEED=%u)\n", seed, seed);
    srand(seed);
    enum {
        N = 3000,
        CAP = 512
    };
    static char text[N][24];
    static size_t tlen[N];
    struct ring r;
    ring_init(&r, CAP);
    int pushed = 0;
    for (int round = 0; round < 400; round++) {
        int k = 1 + rand() % 8;
        char block[8 * 24];
        size_t len = 0;
        for (int i = 0; i < k && pushed + i < N; i++) {
            int j = pushed + i;
            tlen[j] = (size_t)(rand() % 20);
            for (size_t c = 0; c < tlen[j]; c++)
                text[j][c] = (char)('a' + (j + (int)c) % 26);
            memcpy(block + len, text[j], tlen[j]);
            len += tlen[j];
            block[len++] = '\n';
        }
        if (pushed + k > N)
            break;
        if (rand() % 3 == 0) {
            for (int i = 0; i < k; i++)
                ring_push(&r, (uint64_t)round, 1, text[pushed + i], tlen[pushed + i]);
        } else {
            ring_push_lines(&r, (uint64_t)round, 1, block, len, (uint64_t)k);
        }
        pushed += k;
        assert_int_equal(r.pushed, (uint64_t)pushed);
        struct seen s = {0};
        ring_last(&r, 0, 0, gather, &s);
        assert_true(s.n > 0 && s.n <= pushed);
        size_t bytes = 0;
        for (int i = 0; i < s.n; i++) {
            int j = pushed - s.n + i;
            assert_int_equal(strlen(s.lines[i]), tlen[j]);
            assert_memory_equal(s.lines[i], text[j], tlen[j]);
            bytes += tlen[j] + 32; /* the most a line costs: header and padding */
        }
        /* Room is made only as needed: at most one more record's worth
         * and a line is free. */
        if (s.n < pushed)
            assert_true(bytes + tlen[pushed - s.n - 1] + 32 + 8 * 24 + 64 >= CAP);
        /* The last m are the last m of all, whether the oldest block's
         * count of lines was kept or lost to room being made. */
        int m = 1 + rand() % (s.n + 2);
        struct seen last = {0};
        ring_last(&r, (size_t)m, 0, gather, &last);
        assert_int_equal(last.n, m < s.n ? m : s.n);
        for (int i = 0; i < last.n; i++)
            assert_string_equal(last.lines[i], s.lines[s.n - last.n + i]);
    }
    ring_close(&r);
}

/* A block's lines are counted once, when pushed: after room is made from
 * the oldest block, the last n still count every line right. */
static void the_last_n_count_a_block_that_lost_its_first_lines(void **state)
{
    (void)state;
    struct ring r;
    struct seen s = {0};
    push_ten_lines(&r);
    ring_push(&r, 2, 1, "twenty-bytes-of-text", 20); /* line-00 and line-01 go */
    ring_last(&r, 9, 0, gather, &s);
    assert_int_equal(s.n, 9);
    assert_string_equal(s.lines[0], "line-02");
    s.n = 0;
    ring_last(&r, 2, 0, gather, &s);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[0], "line-09");
    assert_string_equal(s.lines[1], "twenty-bytes-of-text");
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
        cmocka_unit_test(a_block_of_lines_comes_back_line_by_line),
        cmocka_unit_test(the_last_n_may_start_inside_a_block),
        cmocka_unit_test(room_is_made_from_the_first_lines_of_the_oldest_block),
        cmocka_unit_test(a_block_larger_than_the_ring_keeps_its_last_whole_lines),
        cmocka_unit_test(a_block_whose_last_line_does_not_fit_keeps_it_cut),
        cmocka_unit_test(the_last_n_count_a_block_that_lost_its_first_lines),
        cmocka_unit_test(random_pushes_keep_a_suffix_of_what_was_pushed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
