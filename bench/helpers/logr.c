/* logr.c - the fast reader of bench/logs.
 *
 * usage: logr N
 *
 * Reads stdin in 1 MiB read(2)s and counts the lines that end in "Z\n" (the
 * writer's, whatever prefix a supervisor put in front) and the other lines
 * (the supervisor's own messages). When N writer lines have arrived it takes
 * CLOCK_MONOTONIC and prints "END_NS LINES BYTES OTHER_LINES" on stdout and
 * exits; at end of file it prints the same with what it got. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    long long want = atoll(argv[1]), lines = 0, other = 0, bytes = 0;
    char last = '\n';
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        bytes += n;
        char *p = buf, *end = buf + n;
        char *nl;
        while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            char prev = nl > buf ? nl[-1] : last;
            if (prev == 'Z')
                lines++;
            else
                other++;
            p = nl + 1;
            if (lines == want) {
                struct timespec t;
                clock_gettime(CLOCK_MONOTONIC, &t);
                bytes -= end - p;
                printf("%lld %lld %lld %lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec,
                       lines, bytes, other);
                return 0;
            }
        }
        last = end[-1];
    }
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("%lld %lld %lld %lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec, lines, bytes,
           other);
    return 1;
}
