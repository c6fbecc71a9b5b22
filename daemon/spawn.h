/* spawn.h - starts a child process the way corral wants every child started:
 * all signals reset and unblocked, only the fds it is given, its own process
 * group, credentials and limits applied, then execve. Exec failure comes back
 * to the parent over a CLOEXEC pipe as {stage, errno}. Only this module
 * forks. */
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
 * taken as is) into buf. Returns 0, or -ENOENT / -EACCES as execvp would
 * fail. Runs in the parent: it allocates nothing but stats files. */
int spawn_resolve(const char *name, const char *path_env, char *buf, size_t len);

/* Forks and execs plan. On return 0, *pid is the child; if exec failed,
 * *fail says where and why, and the child is exiting with 127 or 126 (the
 * reaper still collects it). Returns -errno when no child exists: -EAGAIN
 * when the PID limit is reached. */
int spawn_start(const struct spawn_plan *plan, pid_t *pid, struct spawn_failure *fail);

/* Like spawn_start, but returns as soon as the child exists: *status_fd
 * (non-blocking, CLOEXEC, the caller's to close) then yields either a
 * struct spawn_failure or EOF once the child has exec'd. Starting many
 * services no longer waits for each one's exec in turn. Returns 0 or
 * -errno (no child). */
int spawn_start_async(const struct spawn_plan *plan, pid_t *pid, int *status_fd);

/* Reads the outcome from a status fd of spawn_start_async without blocking.
 * Returns 1 with *fail filled when exec failed, 0 when it succeeded (EOF),
 * -EAGAIN when the child has not got that far yet. */
int spawn_read_status(int status_fd, struct spawn_failure *fail);

/* The words for a failure stage: "exec", "chdir", "setuid", ... */
const char *spawn_stage_name(int stage);

#endif
