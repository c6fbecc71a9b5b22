/* burst.c - the main command of the "burst" benchmark, run under the init
 * being measured (PID 1 of a fresh PID namespace).
 *
 * usage: burst N OUTFILE
 *
 * Creates N orphans by double-forking: each intermediate child forks a
 * grandchild, reports its pid over a pipe and exits; this process reaps the
 * intermediate, so the grandchild is adopted by PID 1 (the init). Every
 * grandchild blocks reading a "release" pipe. Once all N sit in that read
 * with PPid 1, the init is left alone for 100 ms, then the release pipe is
 * closed (all N wake up and exit at once) and the clock (CLOCK_MONOTONIC)
 * runs until none of the N exists any more, zombie or not.
 *
 * How the end is seen, cheaply: a pidfd per grandchild in one epoll set
 * tells, without polling, when each has exited (become a zombie); once all
 * have, kill(pid, 0) tells a zombie (0) from a reaped pid (ESRCH), one
 * syscall per pid still pending, with a 20 us nap between passes. Nothing
 * else forks meanwhile, so a reused pid cannot fool it. Without pidfd
 * (kernel < 5.3) it falls back to the kill() polling from the release on.
 *
 * usage: burst --direct N OUTFILE   (the floor)
 * The same N processes, released the same way, but children of this process,
 * which reaps them itself with a blocking waitpid() loop: what the kernel
 * needs to run N exits and hand N statuses to a reaper that does nothing
 * else. No init can beat it by much.
 *
 * Both modes also report what the burst cost PID 1: its CPU time and its
 * context switches between the release and the end.
 *
 * Writes one JSON object to OUTFILE. Exit 0 when measured, 2 on failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* State letter and ppid from /proc/PID/stat; 0 when it cannot be read. */
static char proc_state(pid_t pid, int *ppid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *rp = strrchr(buf, ')');
    char st;
    if (!rp || sscanf(rp + 1, " %c %d", &st, ppid) != 2)
        return 0;
    return st;
}

/* PID 1's time on a CPU (ns, /proc/1/schedstat) and its context switches
 * (/proc/1/status): what the reaping cost the init. In --direct mode PID 1
 * is this process (the namespace has no init), so it is the floor's cost. */
static void pid1_cost(long long *cpu_ns, long long *ctxsw)
{
    char buf[4096];
    *cpu_ns = *ctxsw = -1;
    FILE *f = fopen("/proc/1/schedstat", "r");
    if (f) {
        if (fscanf(f, "%lld", cpu_ns) != 1)
            *cpu_ns = -1;
        fclose(f);
    }
    f = fopen("/proc/1/status", "r");
    if (!f)
        return;
    long long v, sum = 0;
    int seen = 0;
    while (fgets(buf, sizeof buf, f))
        if (sscanf(buf, "voluntary_ctxt_switches: %lld", &v) == 1 ||
            sscanf(buf, "nonvoluntary_ctxt_switches: %lld", &v) == 1) {
            sum += v;
            seen++;
        }
    fclose(f);
    if (seen == 2)
        *ctxsw = sum;
}

static void report(const char *out, const char *json)
{
    FILE *f = fopen(out, "w");
    if (!f)
        return;
    fputs(json, f);
    fclose(f);
}

static void blocked_child(int rel_r, int rel_w, int other)
{
    char c;
    close(rel_w);
    if (other >= 0)
        close(other);
    while (read(rel_r, &c, 1) < 0 && errno == EINTR)
        ;
    _exit(0);
}

/* Forks n children (direct) or n orphans via an intermediate; their pids go
 * to gc. Returns how many were made. */
static int make(int n, int direct, int rel[2], pid_t *gc)
{
    int pidp[2];
    if (!direct && pipe(pidp) < 0)
        return 0;
    int made = 0;
    for (; made < n; made++) {
        pid_t p = fork();
        if (p < 0)
            break;
        if (p == 0 && direct)
            blocked_child(rel[0], rel[1], -1);
        if (direct) {
            gc[made] = p;
            continue;
        }
        if (p == 0) {
            close(pidp[0]);
            pid_t g = fork();
            if (g == 0)
                blocked_child(rel[0], rel[1], pidp[1]);
            if (g > 0)
                (void)!write(pidp[1], &g, sizeof g);
            _exit(g > 0 ? 0 : 1);
        }
        int st;
        while (waitpid(p, &st, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            break;
        if (read(pidp[0], &gc[made], sizeof gc[made]) != sizeof gc[made])
            break;
    }
    if (!direct) {
        close(pidp[0]);
        close(pidp[1]);
    }
    return made;
}

int main(int argc, char **argv)
{
    char msg[768];
    int direct = argc == 4 && strcmp(argv[1], "--direct") == 0;
    if (argc != 3 + direct) {
        fprintf(stderr, "usage: burst [--direct] N OUTFILE\n");
        return 2;
    }
    int n = atoi(argv[1 + direct]);
    const char *out = argv[2 + direct];
    pid_t *gc = calloc((size_t)(n > 0 ? n : 1), sizeof *gc);
    int *fds = calloc((size_t)(n > 0 ? n : 1), sizeof *fds);
    int rel[2];
    if (!gc || !fds || n <= 0 || pipe(rel) < 0) {
        report(out, "{\"error\": \"setup\"}\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    double t_setup = now_ms();
    int made = make(n, direct, rel, gc);
    int fork_errno = made < n ? errno : 0;
    /* Every one asleep in read(), adopted by PID 1 (or ours when direct). */
    int ready = 0, not_adopted = 0;
    double deadline = now_ms() + 20000;
    for (int i = 0; i < made && now_ms() < deadline;) {
        int ppid = -1;
        char st = proc_state(gc[i], &ppid);
        if (st == 'S') {
            if (ppid != (direct ? getpid() : 1))
                not_adopted++;
            ready++;
            i++;
        } else {
            usleep(200);
        }
    }
    int ep = -1, use_pidfd = !direct;
    if (use_pidfd) {
        ep = epoll_create1(EPOLL_CLOEXEC);
        for (int i = 0; i < made && ep >= 0; i++) {
            fds[i] = (int)syscall(SYS_pidfd_open, gc[i], 0);
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
            if (fds[i] < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
                use_pidfd = 0;
                break;
            }
        }
    }
    double setup_ms = now_ms() - t_setup;
    /* Let the init settle: it has nothing to do until the release. */
    usleep(100 * 1000);

    long long cpu0, cs0, cpu1, cs1;
    pid1_cost(&cpu0, &cs0);
    double t0 = now_ms(), t_exit = -1, t_end;
    close(rel[1]);
    int left = made;
    if (direct) {
        int st;
        while (left > 0) {
            pid_t p = waitpid(-1, &st, 0);
            if (p > 0)
                left--;
            else if (errno != EINTR)
                break;
        }
        t_end = t_exit = now_ms();
    } else {
        double limit = t0 + 30000;
        if (use_pidfd) {
            /* Until each has exited: sleep in epoll, no polling. */
            struct epoll_event evs[256];
            int exited = 0;
            while (exited < made && now_ms() < limit) {
                int k = epoll_wait(ep, evs, 256, 1000);
                for (int e = 0; e < k; e++) {
                    close(fds[evs[e].data.u32]); /* also leaves the set */
                    exited++;
                }
            }
            t_exit = now_ms();
        }
        struct timespec nap = {0, 20 * 1000};
        for (;;) {
            int j = 0;
            for (int i = 0; i < left; i++)
                if (kill(gc[i], 0) == 0 || errno != ESRCH)
                    gc[j++] = gc[i];
            left = j;
            t_end = now_ms();
            if (left == 0 || t_end > limit)
                break;
            nanosleep(&nap, NULL);
        }
    }
    pid1_cost(&cpu1, &cs1);
    snprintf(msg, sizeof msg,
             "{\"n\": %d, \"direct\": %d, \"made\": %d, \"fork_errno\": %d, \"ready\": %d, "
             "\"not_adopted\": %d, \"pidfd\": %d, \"setup_ms\": %.3f, \"left\": %d, "
             "\"exit_ms\": %.3f, \"reap_ms\": %.3f, \"pid1_cpu_ms\": %.3f, "
             "\"pid1_ctxsw\": %lld}\n",
             n, direct, made, fork_errno, ready, not_adopted, use_pidfd, setup_ms, left,
             t_exit < 0 ? -1.0 : t_exit - t0, t_end - t0,
             cpu0 < 0 || cpu1 < 0 ? -1.0 : (cpu1 - cpu0) / 1e6,
             cs0 < 0 || cs1 < 0 ? -1LL : cs1 - cs0);
    report(out, msg);
    return (made == n && left == 0 && not_adopted == 0) ? 0 : 2;
}
