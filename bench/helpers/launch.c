/* launch.c - starts a command and prints, on stdout, the CLOCK_MONOTONIC
 * time (ns) taken just before fork and the command's wait status once it
 * has finished: "T0 STATUS". Doing this in C keeps Python's own process
 * start-up out of the "exec to main running" measurement.
 * usage: launch CMD [ARGS...] */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec ts;
    if (argc < 2)
        return 2;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    pid_t p = fork();
    if (p < 0)
        return 2;
    if (p == 0) {
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    int st;
    while (waitpid(p, &st, 0) < 0 && errno == EINTR)
        ;
    printf("%lld %d\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, st);
    return 0;
}
