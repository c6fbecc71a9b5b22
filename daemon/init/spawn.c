/* spawn.c - fork + exec with a clean slate, and the report a child that
 * fails writes to a pipe its siblings share. Between fork and exec the child
 * makes only async-signal-safe calls: everything that allocates or reads
 * files (PATH search, user names, the environment) was done by the parent
 * into the plan. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "exitstatus.h"
#include "pathsearch.h"
#include "strjoin.h"

_Static_assert(sizeof(struct spawn_report) <= PIPE_BUF,
               "a report must reach its pipe in one piece");

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int spawn_resolve(const char *name, const char *path_env, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0'; /* whatever happens, buf is a string */
    if (!name || !*name)
        return -ENOENT;
    /* An explicit path is not searched: execve reports what is wrong with it. */
    if (strchr(name, '/'))
        return strjoin(buf, len, name, NULL) < 0 ? -ENAMETOOLONG : 0;
    return pathsearch(name, path_env, pathsearch_runnable, NULL, buf, len);
}

const char *spawn_stage_name(int stage)
{
    switch (stage) {
    case SPAWN_STAGE_SETUP:
        return "setup";
    case SPAWN_STAGE_RLIMIT:
        return "setrlimit";
    case SPAWN_STAGE_CHDIR:
        return "chdir";
    case SPAWN_STAGE_GROUPS:
        return "setgid";
    case SPAWN_STAGE_USER:
        return "setuid";
    case SPAWN_STAGE_EXEC:
        return "exec";
    default:
        return "spawn";
    }
}

/* The signals whose disposition is not SIG_DFL in corral: read once, at the
 * first spawn. corral sets dispositions only at start-up (main.c ignores
 * SIGPIPE, SIGTTOU and SIGTTIN; signals arrive through a signalfd, never a
 * handler), and what it inherited ignored shows up here too. */
static sigset_t spawn_changed;
static bool spawn_changed_known;

static void spawn_scan_dispositions(void)
{
    struct sigaction sa;

    sigemptyset(&spawn_changed);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL)
            sigaddset(&spawn_changed, sig);
    spawn_changed_known = true;
}

static void spawn_reset_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    /* An ignored signal stays ignored across execve(2), and a handler would
     * run in the child: every changed disposition goes back to default (a
     * few syscalls instead of 64 in every child). */
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(&spawn_changed, sig) == 1)
            (void)sigaction(sig, &sa, NULL);
}

/* The limit on open files corral was given, which its children get back
 * (spawn_raise_nofile); unknown until then. */
static struct rlimit spawn_nofile;
static bool spawn_nofile_known;

rlim_t spawn_raise_nofile(struct rlimit *given)
{
    struct rlimit was, want;
    memset(given, 0, sizeof *given);
    if (getrlimit(RLIMIT_NOFILE, &was) < 0)
        return 0;
    *given = was;
    spawn_nofile = was;
    spawn_nofile_known = true;
    /* Up to SPAWN_NOFILE_RAISED: enough for tens of thousands of services,
     * and no fd above what spawn_child marks close-on-exec where the kernel
     * has no close_range. An unlimited hard limit is one too. */
    want = was;
    want.rlim_cur = was.rlim_max < SPAWN_NOFILE_RAISED ? was.rlim_max : SPAWN_NOFILE_RAISED;
    if (want.rlim_cur <= was.rlim_cur || setrlimit(RLIMIT_NOFILE, &want) < 0)
        return was.rlim_cur;
    return want.rlim_cur;
}

/* Moves fd to target unless it is there already; -1 leaves target alone. */
static int spawn_place_fd(int fd, int target)
{
    if (fd < 0 || fd == target)
        return 0;
    return dup2(fd, target) < 0 ? -1 : 0;
}

/* Reports the failure at f to report_fd in one write, then exits the way a
 * shell would after such a failure. */
static _Noreturn void spawn_child_fail(const struct spawn_plan *p, int report_fd, int exec_fd,
                                       struct spawn_failure f)
{
    struct spawn_report r;

    if (exec_fd >= 0)
        (void)!write(exec_fd, "x", 1); /* not end-of-file: no exec */
    memset(&r, 0, sizeof r);
    r.pid = getpid();
    r.fail = f;
    /* What the stage failed on: the directory for chdir, else the file. */
    const char *what = f.stage == SPAWN_STAGE_CHDIR ? p->dir : p->path;
    if (what) {
        size_t n = strlen(what);
        if (n < sizeof r.path) {
            memcpy(r.path, what, n);
        } else { /* cut short, and marked so */
            memcpy(r.path, what, sizeof r.path - 4);
            memcpy(r.path + sizeof r.path - 4, "...", 3);
        }
    }
    (void)!write(report_fd, &r, sizeof r);
    _exit(f.stage == SPAWN_STAGE_EXEC ? exitstatus_exec_failure(f.err) : 127);
}

static _Noreturn void spawn_child(const struct spawn_plan *p, int report_fd, int exec_fd)
{
    struct spawn_failure f = {.stage = SPAWN_STAGE_SETUP};
    sigset_t empty;

    spawn_reset_signals();
    if (setpgid(0, 0) < 0)
        goto fail;
    /* All signals are still blocked here, so taking the terminal from a
     * background group raises no SIGTTOU (tcsetpgrp(3)). */
    if (p->foreground && tcsetpgrp(STDIN_FILENO, getpid()) < 0)
        goto fail;
    /* stdio: a source fd might sit on a target number of another one; the
     * sources are > 2 by construction (pipes made after stdio), so plain
     * dup2 in order is safe. */
    for (int i = 0; i < 3; i++)
        if (spawn_place_fd(p->stdio[i], i) < 0)
            goto fail;
    /* Every other fd closes at exec: corral's, and whatever corral itself
     * inherited. close_range(2) with CLOSE_RANGE_CLOEXEC keeps the report pipe
     * working until execve. */
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        for (int fd = 3; fd < SPAWN_NOFILE_RAISED; fd++)
            if (fd != report_fd && fd != exec_fd)
                (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    /* The readiness fd goes to SPAWN_KEEP_FD (3), a number every shell can
     * write to (dash takes only one digit in >&N); dup2 clears CLOEXEC. */
    if (p->keep_fd >= 0 && p->keep_fd != SPAWN_KEEP_FD && dup2(p->keep_fd, SPAWN_KEEP_FD) < 0)
        goto fail;
    if (p->keep_fd == SPAWN_KEEP_FD && fcntl(SPAWN_KEEP_FD, F_SETFD, 0) < 0)
        goto fail;
    f.stage = SPAWN_STAGE_RLIMIT;
    if (spawn_nofile_known && setrlimit(RLIMIT_NOFILE, &spawn_nofile) < 0)
        goto fail;
    for (size_t i = 0; i < p->nrlimits; i++)
        if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].lim) < 0)
            goto fail;
    if (p->umask >= 0)
        umask((mode_t)p->umask);
    f.stage = SPAWN_STAGE_CHDIR;
    if (p->dir && chdir(p->dir) < 0)
        goto fail;
    if (p->set_ids) {
        f.stage = SPAWN_STAGE_GROUPS;
        if (setgroups(p->ngroups, p->groups) < 0 || setgid(p->gid) < 0)
            goto fail;
        f.stage = SPAWN_STAGE_USER;
        if (p->set_uid && setuid(p->uid) < 0)
            goto fail;
    }
    f.stage = SPAWN_STAGE_EXEC;
    if (p->path_err) {
        errno = p->path_err;
        goto fail;
    }
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(p->path, p->argv, p->envp);
fail:
    f.err = errno;
    spawn_child_fail(p, report_fd, exec_fd, f);
}

/* fork(3) runs the atfork handlers (libuv's re-creates its signal pipe in
 * every child) and takes libc's locks around the fork; the child here only
 * makes async-signal-safe calls until execve, which is what _Fork(3) is for.
 * corral must stay single-threaded for that: in a process with threads,
 * glibc's setuid/setgid/setgroups in the child would try to signal the
 * parent's other threads (nptl's setxid broadcast). */
static pid_t spawn_fork_raw(void)
{
#ifdef CORRAL_HAVE_FORK_NOHANDLERS
    return _Fork();
#else
    return fork();
#endif
}

/* The exec pipe, both ends numbered above SPAWN_KEEP_FD so that the child's
 * dup2 onto 0-3 cannot replace its write end. Returns 0 or -1. */
static int spawn_exec_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i] > SPAWN_KEEP_FD)
            continue;
        int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, SPAWN_KEEP_FD + 1);
        close(fds[i]);
        fds[i] = moved;
    }
    if (fds[0] >= 0 && fds[1] >= 0)
        return 0;
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return -1;
}

int spawn_start(const struct spawn_plan *plan, int report_fd, pid_t *pid, int *exec_fd)
{
    sigset_t all, old;
    int ex[2] = {-1, -1};

    if (!spawn_changed_known)
        spawn_scan_dispositions();
    if (exec_fd) {
        *exec_fd = -1;
        if (spawn_exec_pipe(ex) < 0)
            ex[0] = ex[1] = -1;
    }
    /* Blocked around fork so that no signal handler runs in the child before
     * spawn_reset_signals() (libuv does the same in its own spawn). */
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    pid_t child = spawn_fork_raw();
    if (child == 0)
        spawn_child(plan, report_fd, ex[1]);
    int fork_err = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (ex[1] >= 0)
        close(ex[1]);
    if (child < 0) {
        if (ex[0] >= 0)
            close(ex[0]);
        return -fork_err;
    }
    if (exec_fd)
        *exec_fd = ex[0];
    *pid = child;
    return 0;
}

int spawn_report_open(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
        return -errno;
    /* 64 KiB holds 256 reports; a start of hundreds of services forks them
     * all before the loop reads. 1 MiB (the default pipe-max-size, allowed
     * without privilege) holds 4,096; where refused, the default stays. */
    (void)fcntl(fds[1], F_SETPIPE_SZ, SPAWN_REPORT_PIPE_SIZE);
    return 0;
}

int spawn_read_report(int fd, struct spawn_report *r)
{
    ssize_t n;
    /* Every record went in with one write of exactly this size, and a pipe
     * keeps such writes whole: a read of this size takes one record. */
    do
        n = read(fd, r, sizeof *r);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof *r ? 1 : 0;
}
