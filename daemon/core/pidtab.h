/* pidtab.h - which owner (service, probe, the main command) a child pid
 * belongs to. A fixed-size open-addressing hash table: sized once, never
 * grows, no allocation after pidtab_init. Pure: no syscalls. */
#ifndef CORRAL_PIDTAB_H
#define CORRAL_PIDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pidtab_owner;

/* Called by the reaper with the raw wait status of an owned child. */
typedef void (*pidtab_exit_cb)(struct pidtab_owner *owner, pid_t pid, int wstatus);

/* Embed this in whatever owns a child process; the table points to it. */
struct pidtab_owner {
    pidtab_exit_cb on_exit;
};

struct pidtab_slot {
    pid_t pid; /* 0: empty */
    struct pidtab_owner *owner;
};

struct pidtab {
    struct pidtab_slot *slots;
    size_t mask; /* capacity - 1; capacity is a power of two */
    size_t count;
};

/* Allocates room for at least `capacity` pids. Returns 0 or -ENOMEM. */
int pidtab_init(struct pidtab *t, size_t capacity);
void pidtab_close(struct pidtab *t);

/* Records pid -> owner. Returns 0, -EEXIST if pid is already there, or
 * -ENOSPC when the table is full. */
int pidtab_add(struct pidtab *t, pid_t pid, struct pidtab_owner *owner);

/* Records pid -> owner for a child corral has just forked: whatever held
 * pid before is stale (a process corral did not fork, reaped by its own
 * parent, whose pid the kernel gave again), and is replaced. Returns 0 or
 * -ENOSPC; *was (when not NULL) gets the owner replaced, or NULL. */
int pidtab_claim(struct pidtab *t, pid_t pid, struct pidtab_owner *owner,
                 struct pidtab_owner **was);

/* Removes pid and returns its owner, or NULL for a pid nobody owns. */
struct pidtab_owner *pidtab_take(struct pidtab *t, pid_t pid);

/* Removes pid if owner holds it (an entry pidtab_claim gave to another is
 * left alone). Returns whether it did. */
bool pidtab_drop(struct pidtab *t, pid_t pid, const struct pidtab_owner *owner);

/* owner lets go of pid (a cancelled probe, a closed record): pid stays in
 * the table, owned by one that does nothing with its exit and outlives
 * every other owner, so a late exit never reaches freed memory or another
 * attempt. No-op unless owner holds pid. */
void pidtab_abandon(struct pidtab *t, pid_t pid, const struct pidtab_owner *owner);

/* Returns the owner of pid without removing it, or NULL. */
struct pidtab_owner *pidtab_find(const struct pidtab *t, pid_t pid);

#endif
