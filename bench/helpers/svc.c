/* svc.c - the service of the services benchmark (bench/services).
 *
 * usage: svc DIR NAME     a long-running service, "sleep 1000"-like: it takes
 *                         CLOCK_MONOTONIC (ns) as its first act and writes it
 *                         to DIR/NAME.start (atomically, by rename), then sleeps in pause(). On
 * SIGTERM it creates DIR/NAME.term and exits 0 at once (a cooperative service that was stopped
 * cleanly). svc --crash FILE a crash-looping service: appends one byte to FILE (so starts can be
 * counted) and exits 1 at once. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char term_path[4096];

static void on_term(int sig)
{
    (void)sig;
    int fd = open(term_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
    _exit(0);
}

int main(int argc, char **argv)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (argc == 3 && strcmp(argv[1], "--crash") == 0) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            (void)!write(fd, "x", 1);
            close(fd);
        }
        return 1;
    }
    if (argc != 3)
        return 2;
    char path[4096], buf[64];
    snprintf(term_path, sizeof term_path, "%s/%s.term", argv[1], argv[2]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    /* write to NAME.start.PID, then rename: a reader never sees it half-written */
    char tmp[4200];
    snprintf(path, sizeof path, "%s/%s.start", argv[1], argv[2]);
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    int len = snprintf(buf, sizeof buf, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        (void)!write(fd, buf, (size_t)len);
        close(fd);
        rename(tmp, path);
    }
    for (;;)
        pause();
}
