/* test_pathsearch.c - execvp's search of PATH, against a table of files
 * instead of the file system. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pathsearch.h"

struct file {
    const char *path;
    int err; /* what trying it gives: 0 runs, -EACCES found but not runnable */
};

struct files {
    const struct file *v;
    size_t n;
    char tried[8][64];
    size_t ntried;
};

static int try_file(const void *arg, const char *path)
{
    struct files *f = (struct files *)arg;
    if (f->ntried < 8)
        strncpy(f->tried[f->ntried++], path, 63);
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].path, path) == 0)
            return f->v[i].err;
    return -ENOENT;
}

static void the_first_runnable_candidate_wins_in_path_order(void **state)
{
    (void)state;
    const struct file v[] = {{"/b/app", 0}, {"/c/app", 0}};
    struct files f = {v, 2, {{0}}, 0};
    char buf[64];
    assert_int_equal(pathsearch("app", "/a:/b:/c", try_file, &f, buf, sizeof buf), 0);
    assert_string_equal(buf, "/b/app");
    assert_int_equal(f.ntried, 2); /* /a, then /b: the search stops there */
}

static void a_file_found_but_not_runnable_is_named_unless_a_later_one_runs(void **state)
{
    (void)state;
    const struct file denied[] = {{"/a/app", -EACCES}, {"/b/app", -EACCES}};
    struct files f = {denied, 2, {{0}}, 0};
    char buf[64];
    assert_int_equal(pathsearch("app", "/a:/b:/c", try_file, &f, buf, sizeof buf), -EACCES);
    assert_string_equal(buf, "/a/app"); /* the first, as execvp's error names it */
    const struct file better[] = {{"/a/app", -EACCES}, {"/c/app", 0}};
    struct files g = {better, 2, {{0}}, 0};
    assert_int_equal(pathsearch("app", "/a:/b:/c", try_file, &g, buf, sizeof buf), 0);
    assert_string_equal(buf, "/c/app");
}

static void not_found_leaves_the_name(void **state)
{
    (void)state;
    struct files f = {NULL, 0, {{0}}, 0};
    char buf[64];
    assert_int_equal(pathsearch("app", "/a:/b", try_file, &f, buf, sizeof buf), -ENOENT);
    assert_string_equal(buf, "app");
}

static void an_empty_entry_is_the_working_directory(void **state)
{
    (void)state;
    const struct file v[] = {{"./app", 0}};
    struct files f = {v, 1, {{0}}, 0};
    char buf[64];
    assert_int_equal(pathsearch("app", "/a::/b", try_file, &f, buf, sizeof buf), 0);
    assert_string_equal(buf, "./app");
    assert_int_equal(pathsearch("app", "/a:", try_file, &f, buf, sizeof buf), 0);
    assert_string_equal(buf, "./app");
}

static void no_path_searches_the_default(void **state)
{
    (void)state;
    const struct file v[] = {{"/bin/app", 0}};
    struct files f = {v, 1, {{0}}, 0};
    char buf[64];
    assert_int_equal(pathsearch("app", NULL, try_file, &f, buf, sizeof buf), 0);
    assert_string_equal(buf, "/bin/app");
    f.ntried = 0;
    assert_int_equal(pathsearch("app", "", try_file, &f, buf, sizeof buf), 0);
    assert_string_equal(f.tried[0], "/usr/local/sbin/app");
}

static void a_candidate_longer_than_the_buffer_is_skipped(void **state)
{
    (void)state;
    const struct file v[] = {{"/b/app", 0}};
    struct files f = {v, 1, {{0}}, 0};
    char buf[12];
    assert_int_equal(pathsearch("app", "/a-very-long-dir:/b", try_file, &f, buf, sizeof buf), 0);
    assert_string_equal(buf, "/b/app");
    char tiny[3];
    assert_int_equal(pathsearch("app", "/b", try_file, &f, tiny, sizeof tiny), -ENOENT);
    assert_string_equal(tiny, "ap"); /* cut, but a string */
}

static void runnable_means_a_regular_file_with_the_x_bit(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "%s/corral-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path); /* mode 0600: not runnable, even by root */
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(pathsearch_runnable(NULL, path), -EACCES);
    assert_int_equal(chmod(path, 0700), 0);
    assert_int_equal(pathsearch_runnable(NULL, path), 0);
    unlink(path);
    assert_int_equal(pathsearch_runnable(NULL, path), -ENOENT);
    assert_int_equal(pathsearch_runnable(NULL, "/"), -EACCES); /* a directory */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_first_runnable_candidate_wins_in_path_order),
        cmocka_unit_test(a_file_found_but_not_runnable_is_named_unless_a_later_one_runs),
        cmocka_unit_test(not_found_leaves_the_name),
        cmocka_unit_test(an_empty_entry_is_the_working_directory),
        cmocka_unit_test(no_path_searches_the_default),
        cmocka_unit_test(a_candidate_longer_than_the_buffer_is_skipped),
        cmocka_unit_test(runnable_means_a_regular_file_with_the_x_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
