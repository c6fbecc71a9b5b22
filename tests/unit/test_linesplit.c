/* test_linesplit.c - the line splitter: whole lines, partial lines, long
 * lines, CRLF, binary data, exactly-at-buffer-size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "linesplit.h"

struct got {
    char text[16][64];
    int flags[16];
    size_t len[16];
    int n;
};

static void collect(void *arg, const char *data, size_t len, int flags)
{
    struct got *g = arg;
    assert_true(g->n < 16);
    assert_true(len < 64);
    memcpy(g->text[g->n], data, len);
    g->text[g->n][len] = '\0';
    g->len[g->n] = len;
    g->flags[g->n++] = flags;
}

static void whole_lines_come_out_without_newlines(void **state)
{
    (void)state;
    struct linesplit ls;
    struct got g = {0};
    linesplit_init(&ls, 32);
    linesplit_feed(&ls, "one\ntwo\n\nthree\n", 15, collect, &g);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.text[0], "one");
    assert_string_equal(g.text[1], "two");
    assert_string_equal(g.text[2], "");
    assert_string_equal(g.text[3], "three");
    assert_int_equal(g.flags[3], 0);
    assert_false(linesplit_pending(&ls));
    linesplit_close(&ls);
}

static void a_line_cut_across_reads_comes_out_whole(void **state)
{
    (void)state;
    struct linesplit ls;
    struct got g = {0};
    linesplit_init(&ls, 32);
    linesplit_feed(&ls, "hel", 3, collect, &g);
    assert_int_equal(g.n, 0);
    assert_true(linesplit_pending(&ls));
    linesplit_feed(&ls, "lo wor", 6, collect, &g);
    linesplit_feed(&ls, "ld\nnext", 7, collect, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.text[0], "hello world");
    linesplit_flush(&ls, collect, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[1], "next");
    assert_int_equal(g.flags[1], LINESPLIT_PARTIAL);
    assert_false(linesplit_pending(&ls));
    linesplit_close(&ls);
}

static void crlf_ends_a_line_like_lf(void **state)
{
    (void)state;
    struct linesplit ls;
    struct got g = {0};
    linesplit_init(&ls, 32);
    linesplit_feed(&ls, "dos\r\nunix\nlone\rcr\n", 19, collect, &g);
    assert_string_equal(g.text[0], "dos");
    assert_string_equal(g.text[1], "unix");
    assert_string_equal(g.text[2], "lone\rcr");
    linesplit_close(&ls);
}

static void a_long_line_is_split_with_continuation_marks(void **state)
{
    (void)state;
    struct linesplit ls;
    struct got g = {0};
    linesplit_init(&ls, 8);
    linesplit_feed(&ls, "abcdefghijklmnopqrs\n", 20, collect, &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text[0], "abcdefgh");
    assert_int_equal(g.flags[0], LINESPLIT_CONT);
    assert_string_equal(g.text[1], "ijklmnop");
    assert_int_equal(g.flags[1], LINESPLIT_CONT);
    assert_string_equal(g.text[2], "qrs");
    assert_int_equal(g.flags[2], 0);
    linesplit_close(&ls);
}

static void a_long_line_across_reads_is_split_too(void **state)
{
    (void)state;
    struct linesplit ls;
    struct got g = {0};
    linesplit_init(&ls, 8);
    linesplit_feed(&ls, "abcde", 5, collect, &g);
    linesplit_feed(&ls, "fghijk", 6, collect, &g);
    linesplit_feed(&ls, "l\n", 2, collect, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[0], "abcdefgh");
    assert_int_equal(g.flags[0], LINESPLIT_CONT);
    assert_string_equal(g.text[1], "ijkl");
    assert_int_equal(g.flags[1], 0);
    linesplit_close(&ls);
}

static void a_line_of_exactly_the_buffer_size_stays_whole(void **state)
{
    (void)state;
    struct linesplit ls;
    struct got g = {0};
    linesplit_init(&ls, 8);
    linesplit_feed(&ls, "12345678\n", 9, collect, &g);
    linesplit_feed(&ls, "1234", 4, collect, &g);
    linesplit_feed(&ls, "5678\n", 5, collect, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[0], "12345678");
    assert_int_equal(g.flags[0], 0);
    assert_string_equal(g.text[1], "12345678");
    assert_int_equal(g.flags[1], 0);
    linesplit_close(&ls);
}

static void binary_data_passes_through_untouched(void **state)
{
    (void)state;
    struct linesplit ls;
    struct got g = {0};
    const char bin[] = {'\0', '\xff', '\xfe', 'a', '\0', '\n'};
    linesplit_init(&ls, 32);
    linesplit_feed(&ls, bin, sizeof bin, collect, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.len[0], 5);
    assert_memory_equal(g.text[0], bin, 5);
    linesplit_close(&ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_lines_come_out_without_newlines),
        cmocka_unit_test(a_line_cut_across_reads_comes_out_whole),
        cmocka_unit_test(crlf_ends_a_line_like_lf),
        cmocka_unit_test(a_long_line_is_split_with_continuation_marks),
        cmocka_unit_test(a_long_line_across_reads_is_split_too),
        cmocka_unit_test(a_line_of_exactly_the_buffer_size_stays_whole),
        cmocka_unit_test(binary_data_passes_through_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
