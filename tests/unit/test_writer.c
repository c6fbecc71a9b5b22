/* test_writer.c - corral's own stdout as a regular file that stops taking
 * bytes and takes them again: RLIMIT_FSIZE stands for a full disk (a write
 * past it takes what fits, then fails with EFBIG). What a failed batch
 * wrote is taken back so the file holds whole lines; data that was in the
 * file beyond corral's offset is never cut; each failure and each recovery
 * is told once, with the bytes dropped. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "writer.h"

struct told {
    int n;
    int err[8];
    uint64_t lost[8];
};

static void on_trouble(struct writer *w, int err, uint64_t lost, void *arg)
{
    struct told *t = arg;
    (void)w;
    if (t->n < 8) {
        t->err[t->n] = err;
        t->lost[t->n] = lost;
    }
    t->n++;
}

struct fixture {
    char path[64];
    int fd;
    uv_loop_t loop;
    struct writer w;
    struct writer_owner owner;
    struct told told;
};

static void set_room(off_t bytes)
{
    struct rlimit r;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &r), 0);
    r.rlim_cur = bytes < 0 ? r.rlim_max : (rlim_t)bytes;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &r), 0);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/corral-test-writer-XXXXXX");
    f->fd = mkstemp(f->path);
    assert_true(f->fd >= 0);
    uv_loop_init(&f->loop);
    assert_int_equal(writer_open(&f->w, &f->loop, f->fd), 0);
    f->w.on_trouble = on_trouble;
    f->w.trouble_arg = &f->told;
    signal(SIGXFSZ, SIG_IGN); /* the failed write is EFBIG, not a signal */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    set_room(-1);
    writer_close(&f->w);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    uv_loop_close(&f->loop);
    close(f->fd);
    unlink(f->path);
    free(f);
    return 0;
}

static char *file(struct fixture *f)
{
    static char buf[1 << 16];
    ssize_t n = pread(f->fd, buf, sizeof buf - 1, 0);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

/* n lines "NNNN xxx...\n" of 40 bytes each, from number first. */
static size_t lines(char *buf, int first, int n)
{
    size_t len = 0;
    for (int i = first; i < first + n; i++)
        len += (size_t)sprintf(buf + len, "%04d %034d\n", i, 0);
    return len;
}

static void every_line_whole(const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_int_equal(nl - p, 39);
        p = nl + 1;
    }
}

static void a_batch_the_disk_takes_part_of_is_taken_back_whole(void **state)
{
    struct fixture *f = *state;
    char buf[4096];
    size_t len = lines(buf, 0, 10);
    assert_int_equal(writer_write(&f->w, &f->owner, buf, len), 0);
    set_room(400 + 100); /* the next batch of 10 fits 2.5 lines */
    len = lines(buf, 10, 10);
    assert_int_equal(writer_write(&f->w, &f->owner, buf, len), -EIO);
    assert_int_equal(strlen(file(f)), 400); /* nothing of it: no torn line */
    every_line_whole(file(f));
    assert_int_equal(f->told.n, 1);
    assert_int_equal(f->told.err[0], EFBIG);
    assert_int_equal(f->w.dropped_bytes, 400);
    /* Still no room: dropped, said no more. */
    assert_int_equal(writer_write(&f->w, &f->owner, buf, len), -EIO);
    assert_int_equal(f->told.n, 1);
}

static void writing_goes_on_once_there_is_room_and_the_loss_is_told_once(void **state)
{
    struct fixture *f = *state;
    char buf[8192];
    set_room(100);
    size_t len = lines(buf, 0, 10);
    assert_int_equal(writer_write(&f->w, &f->owner, buf, len), -EIO);
    /* The 100 bytes given back let small batches through: not yet over. */
    for (int i = 0; i < 2; i++)
        assert_int_equal(writer_write(&f->w, &f->owner, buf, 40), 0);
    assert_int_equal(f->told.n, 1);
    set_room(-1);
    for (int i = 0; i < 120; i++) /* a page more than was given back */
        assert_int_equal(writer_write(&f->w, &f->owner, buf + 40 * (i % 10), 40), 0);
    assert_int_equal(f->told.n, 2);
    assert_int_equal(f->told.err[1], 0);
    assert_int_equal(f->told.lost[1], 400);
    every_line_whole(file(f));
}

static void a_recovery_then_a_failure_in_one_batch_is_one_failure(void **state)
{
    struct fixture *f = *state;
    char buf[16384];
    set_room(0);
    assert_int_equal(writer_write(&f->w, &f->owner, buf, lines(buf, 0, 1)), -EIO);
    /* One batch of 300 lines: the first 5,000 bytes go (more than a page
     * past the room given back), then the disk is full again. */
    set_room(5000);
    assert_int_equal(writer_write(&f->w, &f->owner, buf, lines(buf, 0, 300)), -EIO);
    assert_int_equal(f->told.n, 1); /* one failure, never ended */
    set_room(-1);
    for (int i = 0; i < 240; i++) /* a page more than the 5,000 given back */
        assert_int_equal(writer_write(&f->w, &f->owner, buf, 40), 0);
    assert_int_equal(f->told.n, 2);
    assert_int_equal(f->told.lost[1], 40 + 12000); /* both batches, whole */
}

static void data_past_corrals_offset_is_never_cut(void **state)
{
    struct fixture *f = *state;
    char buf[4096];
    /* The file holds 2,000 bytes, and corral writes from offset 0 (a
     * stdout opened read-write on an existing file). */
    memset(buf, 'k', 2000);
    assert_int_equal(pwrite(f->fd, buf, 2000, 0), 2000);
    assert_int_equal(lseek(f->fd, 0, SEEK_SET), 0);
    set_room(1000);
    size_t len = lines(buf, 0, 50); /* 2,000 bytes: 1,000 fit */
    assert_int_equal(writer_write(&f->w, &f->owner, buf, len), -EIO);
    struct stat st;
    assert_int_equal(fstat(f->fd, &st), 0);
    assert_int_equal(st.st_size, 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_batch_the_disk_takes_part_of_is_taken_back_whole, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            writing_goes_on_once_there_is_room_and_the_loss_is_told_once, setup, teardown),
        cmocka_unit_test_setup_teardown(a_recovery_then_a_failure_in_one_batch_is_one_failure,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(data_past_corrals_offset_is_never_cut, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
