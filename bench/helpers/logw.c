/* logw.c - the writer of bench/logs: N lines of 80 bytes on stdout.
 *
 * usage: logw N PER_WRITE STAMP [GATE]
 *
 * Builds PER_WRITE lines of 80 bytes once (with $LOGW_PREFIX, at most 16
 * bytes, in front of each: a line as a supervisor's prefix makes it), then
 * writes N lines with
 * write(2), PER_WRITE lines per call (the last call may carry fewer),
 * retrying short writes. Line i of a write reads
 * "wWWWWWWWWWW iIII <filler>Z\n": III is i, and the first line of each write
 * carries the write's number WWWWWWWWWW (0, 1, ...), updated in place before
 * each write; logr checks both, so that a line lost, torn, repeated or out
 * of order is seen. With GATE (a FIFO), it first blocks opening GATE and
 * reading one byte from it, so that the benchmark can read the supervisor's
 * CPU time before the first line. CLOCK_MONOTONIC (ns) is taken just before
 * the first write and, after the last write, written to STAMP (atomically,
 * by rename). Then it sleeps in pause() until killed, so that no supervisor
 * restarts it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TEXT       80
#define PREFIX_MAX 16

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: logw N PER_WRITE STAMP [GATE]\n");
        return 2;
    }
    long n = atol(argv[1]);
    long per = atol(argv[2]);
    if (n <= 0 || per <= 0 || per > 999)
        return 2;
    const char *prefix = getenv("LOGW_PREFIX");
    size_t plen = prefix ? strlen(prefix) : 0;
    if (plen > PREFIX_MAX)
        return 2;
    size_t line = plen + TEXT;
    char *buf = malloc((size_t)per * line);
    if (!buf)
        return 1;
    for (long i = 0; i < per; i++) {
        char *l = buf + i * line;
        memcpy(l, prefix ? prefix : "", plen);
        int k =
            (int)plen + snprintf(l + plen, TEXT,
                                 "w%010d i%03ld of a benchmark writer, eighty bytes long: ", 0, i);
        memset(l + k, 'x', line - 2 - (size_t)k);
        l[line - 2] = 'Z';
        l[line - 1] = '\n';
    }
    if (argc == 5) {
        int g = open(argv[4], O_RDONLY | O_CLOEXEC);
        char c;
        if (g < 0 || read(g, &c, 1) != 1)
            return 1;
        close(g);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long left = n;
    for (unsigned long wn = 0; left > 0; wn++) {
        unsigned long v = wn;
        for (int d = 10; d >= 1; d--, v /= 10)
            buf[plen + (size_t)d] = (char)('0' + v % 10);
        long k = left < per ? left : per;
        const char *p = buf;
        size_t len = (size_t)k * line;
        while (len > 0) {
            ssize_t w = write(1, p, len);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return 1;
            }
            p += w;
            len -= (size_t)w;
        }
        left -= k;
    }
    char tmp[4200], val[64];
    snprintf(tmp, sizeof tmp, "%s.%d", argv[3], (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        int m =
            snprintf(val, sizeof val, "%lld\n", (long long)t0.tv_sec * 1000000000LL + t0.tv_nsec);
        (void)!write(fd, val, (size_t)m);
        close(fd);
        rename(tmp, argv[3]);
    }
    for (;;)
        pause();
}
