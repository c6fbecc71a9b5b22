/* fuzz_logfile.c - libFuzzer target over the path a service's lines take
 * into its log file and its ring: random bytes cut into batches of whole
 * lines, written with logfile_write to a file whose size limit
 * (RLIMIT_FSIZE, picked by the input) makes writes stop part-way, as a full
 * disk does; and the same lines pushed into a ring of a size the input
 * picks. The file must hold exactly the batches that were reported written
 * (never a torn one), and the ring's last lines must be the last lines
 * pushed, in order. */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"
#include "ring.h"

#define FUZZ_LINES_MAX 4096

static char fuzz_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(fuzz_path, sizeof fuzz_path, "/tmp/corral-fuzz-logfile-%d.log", (int)getpid());
    return 0;
}

struct fuzz_line {
    const char *text;
    size_t len;
};

struct fuzz_ring_check {
    const struct fuzz_line *lines;
    size_t n, next;
};

static void fuzz_ring_line(void *arg, const struct ring_line *l)
{
    struct fuzz_ring_check *c = arg;
    if (c->next >= c->n)
        __builtin_trap();
    const struct fuzz_line *want = &c->lines[c->next++];
    /* A line longer than the ring is cut to fit: a prefix of it. */
    if (l->len > want->len || memcmp(l->text, want->text, l->len) != 0)
        __builtin_trap();
}

static void fuzz_ring_count(void *arg, const struct ring_line *l)
{
    (void)l;
    ++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_line lines[FUZZ_LINES_MAX];
    if (size < 2)
        return 0;
    size_t limit = 64 + (size_t)data[0] * 37; /* the "disk": 64 bytes to about 9 KiB */
    size_t ring_size = (size_t)32 << (data[1] % 10);
    data += 2;
    size -= 2;

    /* libFuzzer catches SIGXFSZ itself (-handle_xfsz): a write past the
     * limit must fail with EFBIG instead, as on a full disk. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim = {.rlim_cur = limit, .rlim_max = RLIM_INFINITY};
    getrlimit(RLIMIT_FSIZE, &old);
    lim.rlim_max = old.rlim_max;
    if (lim.rlim_cur > old.rlim_max)
        lim.rlim_cur = old.rlim_max;
    unlink(fuzz_path);
    struct logfile f = {.fd = -1};
    if (logfile_open(&f, fuzz_path, 0, 0) < 0)
        return 0;
    setrlimit(RLIMIT_FSIZE, &lim);

    struct ring r;
    ring_init(&r, ring_size);
    char *expect = malloc(size + 1);
    size_t expect_len = 0, n = 0;
    if (!expect)
        __builtin_trap();

    /* Batches end at a 0x00 byte (or the input's end); lines at '\n'. */
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != 0)
            continue;
        const char *batch = (const char *)data + start;
        size_t len = i - start;
        start = i + 1;
        while (len && batch[len - 1] != '\n') /* whole lines only, as output.c sends */
            len--;
        if (len == 0)
            continue;
        for (size_t a = 0; a < len && n < FUZZ_LINES_MAX;) {
            const char *nl = memchr(batch + a, '\n', len - a);
            size_t l = (size_t)(nl - (batch + a));
            lines[n++] = (struct fuzz_line){batch + a, l};
            (void)ring_push(&r, (uint64_t)n, 1, batch + a, l);
            a += l + 1;
        }
        if (logfile_write(&f, batch, len) == 0) {
            memcpy(expect + expect_len, batch, len);
            expect_len += len;
        }
    }
    setrlimit(RLIMIT_FSIZE, &old);

    /* The file holds exactly the batches reported written. */
    int fd = open(fuzz_path, O_RDONLY);
    char *got = malloc(expect_len + 2);
    ssize_t got_len = fd >= 0 && got ? read(fd, got, expect_len + 1) : -1;
    if (fd >= 0)
        close(fd);
    if (got_len != (ssize_t)expect_len || memcmp(got, expect, expect_len) != 0)
        __builtin_trap();

    /* The ring's lines are the last ones pushed, in order. */
    size_t held = 0;
    ring_last(&r, 0, 0, fuzz_ring_count, &held);
    struct fuzz_ring_check c = {.lines = lines, .n = n, .next = n - (held < n ? held : n)};
    if (n <= FUZZ_LINES_MAX && r.pushed == n)
        ring_last(&r, 0, 0, fuzz_ring_line, &c);

    free(got);
    free(expect);
    ring_close(&r);
    logfile_close(&f);
    unlink(fuzz_path);
    return 0;
}
