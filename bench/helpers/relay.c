/* relay.c - a minimal relay that prefixes lines, for bench/logs.
 *
 * usage: relay PREFIX
 *
 * What a prefixing relay must do and nothing more: grow its stdin pipe to
 * 1 MiB (as corral grows the pipe of a service that keeps it full), then
 * a blocking read(2) of up to 61 KiB, each whole line copied out with
 * PREFIX in front (memchr and memcpy), and one blocking write(2) of the
 * result, as cat does. A line cut by a read waits for the next. No event
 * loop, no ring of recent lines, no second sink, and it stops at the first
 * error: a log relay for a supervisor cannot be this (it must never block
 * on one service), which is why it is a floor for corral. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ (61 * 1024)
#define HELD (64 * 1024) /* at most this much of a line is held back */

static char in[HELD + READ];
static char out[2 * (HELD + READ)];

static int write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *prefix = argv[1];
    size_t plen = strlen(prefix), held = 0;
    if (plen > HELD)
        return 2;
    (void)fcntl(0, F_SETPIPE_SZ, 1 << 20);
    for (;;) {
        ssize_t n = read(0, in + held, READ);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t len = held + (size_t)n, o = 0;
        const char *p = in, *end = in + len;
        for (;;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl)
                break;
            if (o + plen + (size_t)(nl + 1 - p) > sizeof out) { /* short lines grow most */
                if (write_all(out, o) < 0)
                    return 1;
                o = 0;
            }
            memcpy(out + o, prefix, plen);
            memcpy(out + o + plen, p, (size_t)(nl + 1 - p));
            o += plen + (size_t)(nl + 1 - p);
            p = nl + 1;
        }
        if (o > 0 && write_all(out, o) < 0)
            return 1;
        held = (size_t)(end - p);
        if (held > HELD) { /* a line longer than HELD goes out as it is */
            if (write_all(p, held) < 0)
                return 1;
            held = 0;
        }
        memmove(in, p, held);
    }
    if (held > 0) { /* held <= HELD, plen <= HELD: it fits */
        memcpy(out, prefix, plen);
        memcpy(out + plen, in, held);
        if (write_all(out, plen + held) < 0)
            return 1;
    }
    return 0;
}
