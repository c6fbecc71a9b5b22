/* rtt.c - round trip of short commands, each a fresh process (bench/control).
 *
 * usage: rtt ROUNDS CMD1 ARGS... -- CMD2 ARGS... [-- CMD3 ...]
 *
 * For each of ROUNDS rounds (after one warm-up round that is not printed),
 * runs every command once, in the order given (interleaved): takes
 * CLOCK_MONOTONIC, posix_spawn()s the command with stdin and stdout on
 * /dev/null (stderr inherited), waitpid()s it, takes CLOCK_MONOTONIC again.
 * Prints one line per sample on stdout: "INDEX NANOSECONDS STATUS", INDEX the
 * command's position from 0 and STATUS the raw wait status. posix_spawn (a
 * CLONE_VM|CLONE_VFORK in glibc) costs the same for every command, so the
 * differences are the commands' own: exec, dynamic loading, the query. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rtt ROUNDS CMD ARGS... [-- CMD ARGS...]...\n");
        return 2;
    }
    int rounds = atoi(argv[1]);
    char **cmds[64];
    int n = 0;
    cmds[n++] = &argv[2];
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            argv[i] = NULL;
            if (n == 64 || i + 1 >= argc)
                return 2;
            cmds[n++] = &argv[i + 1];
        }
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    for (int r = -1; r < rounds; r++) {
        for (int c = 0; c < n; c++) {
            pid_t pid;
            int st = 0;
            long long t0 = now_ns();
            if (posix_spawn(&pid, cmds[c][0], &fa, NULL, cmds[c], environ) != 0) {
                st = 127 << 8;
            } else {
                while (waitpid(pid, &st, 0) < 0)
                    ;
            }
            long long t1 = now_ns();
            if (r >= 0)
                printf("%d %lld %d\n", c, t1 - t0, st);
        }
    }
    return 0;
}
