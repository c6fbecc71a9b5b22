/* stamp.c - the main command of the "exec" benchmark: as its first act it
 * writes CLOCK_MONOTONIC (ns) to OUTFILE. usage: stamp OUTFILE */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (argc != 2)
        return 2;
    char buf[64];
    int len = snprintf(buf, sizeof buf, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, buf, (size_t)len) != len)
        return 2;
    close(fd);
    return 0;
}
