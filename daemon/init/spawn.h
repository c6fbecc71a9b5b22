/* spawn.h - starts a child process the way corral wants every child started:
 * all signals reset and unblocked, only the fds it is given, its own process
 * group, credentials and limits applied, then execve. A child that fails
 * before or at execve writes a struct spawn_report to a pipe and exits.
 * Only this module forks. */
#ifndef CORRAL_SPAWN_H
#define CORRAL_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "bounds.h"

enum spawn_stage {
    SPAWN_STAGE_NONE,
    SPAWN_STAGE_SETUP,  /* setpgid, dup2 of stdio, tcsetpgrp */
    SPAWN_STAGE_RLIMIT, /* setrlimit */
    SPAWN_STAGE_CHDIR,  /* chdir to the working directory */
    SPAWN_STAGE_GROUPS, /* setgroups / setgid */
    SPAWN_STAGE_USER,   /* setuid */
    SPAWN_STAGE_EXEC,   /* execve */
};

/* The number the readiness fd has in the child ($NOTIFY_FD). */
#define SPAWN_KEEP_FD 3

struct spawn_failure {
    int stage; /* enum spawn_stage; NONE: exec succeeded */
    int err;   /* errno at that stage */
};

/* What a child that failed writes to its report pipe: one write of the
 * whole record, smaller than PIPE_BUF, so that records of children failing
 * at once never interleave on a pipe they share. */
#define SPAWN_REPORT_PATH 244
struct spawn_report {
    pid_t pid;
    struct spawn_failure fail;
    /* What failed: the directory for chdir, else the file to exec; cut
     * short if longer. */
    char path[SPAWN_REPORT_PATH];
};

struct spawn_rlimit {
    int resource;
    struct rlimit lim;
};

/* Everything the child needs, prepared by the parent: the child only makes
 * async-signal-safe calls with it. All pointers are borrowed. */
struct spawn_plan {
    const char *path;  /* resolved executable; see spawn_resolve() */
    int path_err;      /* non-zero: resolution failed; the child reports it */
    char *const *argv; /* NULL-terminated */
    char *const *envp; /* NULL-terminated */
    const char *dir;   /* NULL: corral's own working directory */
    int stdio[3];      /* fds to become 0, 1, 2; -1 keeps corral's own */
    int keep_fd;       /* an extra fd, given to the child as SPAWN_KEEP_FD; -1: none */
    bool foreground;   /* take the terminal on fd 0 for the child's group */
    bool set_ids;      /* apply gid and groups (and uid when set_uid) */
    bool set_uid;      /* a user was named, not only a group */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t ngroups;
    int umask; /* -1: inherit */
    const struct spawn_rlimit *rlimits;
    size_t nrlimits;
};

/* Resolves name against PATH as execvp(3) would (a name containing '/' is
 * taken as is) into buf, which is always left a string. Returns 0, or -ENOENT / -EACCES as execvp
 * would fail. Runs in the parent: it allocates nothing but stats files. */
int spawn_resolve(const char *name, const char *path_env, char *buf, size_t len);

/* Raises corral's own soft limit on open files to its hard limit, up to
 * SPAWN_NOFILE_RAISED: each service holds two of corral's fds, and
 * containers are often given a soft limit of 1024 under a far higher hard
 * one. The limit corral was given is kept for its children, which get it
 * back before their own rlimits: a service sees the container's limit as
 * if corral were not there (a program using select(2) needs its fds below
 * 1024). Returns the soft limit corral runs with; *given is the one it was
 * given (zeroes when unknown). */
#define SPAWN_NOFILE_RAISED 65536
rlim_t spawn_raise_nofile(struct rlimit *given);

/* Opens the report pipe that children share: both ends non-blocking and
 * CLOEXEC (a child that finds it full exits unheard rather than blocking),
 * SPAWN_REPORT_PIPE_SIZE bytes where the kernel allows. Returns 0 or -errno. */
#define SPAWN_REPORT_PIPE_SIZE (1024 * 1024)
int spawn_report_open(int fds[2]);

/* Forks a child that sets itself up by plan and execs it; returns as soon as
 * the child exists, with *pid. A child that fails writes its struct
 * spawn_report to report_fd (the write end of spawn_report_open; -1: tell
 * nobody) and exits 127, or 126/127 as a shell would for an exec failure. The
 * report is in the pipe before the exit can be reaped.
 * With exec_fd not NULL, *exec_fd is the read end (non-blocking, CLOEXEC) of
 * a pipe whose write end only the child holds, until its execve: the pipe
 * reads end-of-file once the exec succeeded, one byte once the child failed
 * (the way libuv's uv_spawn learns it, without blocking for it); the caller
 * closes it. -1 when no pipe could be made (the child runs all the same).
 * Returns 0, or -errno when no child exists: -EAGAIN when the PID limit is
 * reached. */
int spawn_start(const struct spawn_plan *plan, int report_fd, pid_t *pid, int *exec_fd);

/* Reads the next report from the read end of spawn_report_open without
 * blocking. Returns 1 with *r filled, 0 when there is none. */
int spawn_read_report(int fd, struct spawn_report *r);

/* The words for a failure stage: "exec", "chdir", "setuid", ... */
const char *spawn_stage_name(int stage);

#endif
