/* logr.c - the fast reader of bench/logs.
 *
 * usage: logr N PER_WRITE
 *
 * Reads stdin in 1 MiB read(2)s. A line ending in "Z\n" or "Z\"}\n" (JSON)
 * is a writer line, whatever prefix a supervisor put in front; the others
 * are the supervisor's own messages. The writer's 79 bytes end at the Z;
 * the L-th writer line must carry index L % PER_WRITE and, the first of a
 * write, write number L / PER_WRITE (see logw.c), and be as long as the
 * first. A line lost, repeated, out of order or torn fails the check (BAD
 * counts them; after one, the count goes on from the line seen). When N
 * writer lines have arrived it takes CLOCK_MONOTONIC, prints "END_NS LINES
 * BYTES OTHER_LINES BAD" on stdout and exits; at end of file it prints the
 * same with what it got. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TEXT 79
#define BUF  (1 << 20)

static char buf[BUF + 4096];

static long long num(const char *p, int digits)
{
    long long v = 0;
    for (int i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    long long want = atoll(argv[1]), per = atoll(argv[2]), lines = 0, other = 0, bytes = 0, bad = 0;
    size_t have = 0, line_len = 0;
    for (;;) {
        ssize_t n = read(0, buf + have, BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        bytes += n;
        char *p = buf, *end = buf + have + n;
        char *nl;
        while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            size_t len = (size_t)(nl + 1 - p);
            const char *z = nl - 1;
            if (z >= p && *z == '}' && z - 2 >= p && z[-1] == '"')
                z -= 2; /* JSON: ...Z"}\n */
            const char *t = z - (TEXT - 1);
            if (*z == 'Z') {
                long long idx = t >= p && *t == 'w' ? num(t + 13, 3) : -1;
                long long wn = idx == 0 ? num(t + 1, 10) : 0;
                if (line_len == 0)
                    line_len = len;
                if (len != line_len || idx != lines % per || wn != (idx == 0 ? lines / per : 0)) {
                    if (bad++ == 0)
                        fprintf(stderr, "logr: line %lld: %.*s", lines, (int)len, p);
                    if (idx >= 0 && wn >= 0) /* count on from the line seen */
                        lines = (idx == 0 ? wn : lines / per) * per + idx;
                }
                lines++;
            } else {
                other++;
            }
            p = nl + 1;
            if (lines == want) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                bytes -= end - p;
                printf("%lld %lld %lld %lld %lld\n",
                       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, lines, bytes, other, bad);
                return 0;
            }
        }
        have = (size_t)(end - p); /* a line cut by the end of the read */
        if (have > 4096) {
            have = 0; /* longer than any line here: not ours */
            other++;
        }
        memmove(buf, p, have);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("%lld %lld %lld %lld %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, lines,
           bytes, other, bad);
    return 1;
}
