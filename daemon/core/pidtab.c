/* pidtab.c - the pid -> owner table: linear probing with backward-shift
 * deletion (no tombstones, so lookups stay short however many children come
 * and go over the container's life). */
#include "pidtab.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Neighbouring pids share a run of this many neighbouring slots. */
#define PIDTAB_RUN 64

static size_t pidtab_hash(pid_t pid, size_t mask)
{
    /* Pids come dense and sequential. Each run of PIDTAB_RUN of them keeps
     * neighbouring slots, so 50 services touch one page of the table instead
     * of fifty (every touched page is memory, and is copied into each fork);
     * Fibonacci hashing spreads the runs over the table. */
    uint32_t p = (uint32_t)pid;
    uint64_t run = ((uint64_t)(p / PIDTAB_RUN) * 0x9E3779B97F4A7C15ULL) >> 32;
    return (size_t)(run * PIDTAB_RUN + p % PIDTAB_RUN) & mask;
}

int pidtab_init(struct pidtab *t, size_t capacity)
{
    size_t n = 16;
    /* Keep the load factor under one half. */
    while (n < capacity * 2)
        n <<= 1;
    t->slots = calloc(n, sizeof *t->slots);
    if (!t->slots)
        return -ENOMEM;
    t->mask = n - 1;
    t->count = 0;
    return 0;
}

void pidtab_close(struct pidtab *t)
{
    free(t->slots);
    t->slots = NULL;
    t->count = 0;
}

int pidtab_add(struct pidtab *t, pid_t pid, struct pidtab_owner *owner)
{
    if (t->count >= (t->mask + 1) / 2)
        return -ENOSPC;
    for (size_t i = pidtab_hash(pid, t->mask);; i = (i + 1) & t->mask) {
        if (t->slots[i].pid == pid)
            return -EEXIST;
        if (t->slots[i].pid == 0) {
            t->slots[i].pid = pid;
            t->slots[i].owner = owner;
            t->count++;
            return 0;
        }
    }
}

static size_t pidtab_slot_of(const struct pidtab *t, pid_t pid)
{
    for (size_t i = pidtab_hash(pid, t->mask);; i = (i + 1) & t->mask) {
        if (t->slots[i].pid == pid)
            return i;
        if (t->slots[i].pid == 0)
            return SIZE_MAX;
    }
}

int pidtab_claim(struct pidtab *t, pid_t pid, struct pidtab_owner *owner, struct pidtab_owner **was)
{
    size_t i = pid > 0 ? pidtab_slot_of(t, pid) : SIZE_MAX;
    if (was)
        *was = i == SIZE_MAX ? NULL : t->slots[i].owner;
    if (i == SIZE_MAX)
        return pidtab_add(t, pid, owner);
    t->slots[i].owner = owner;
    return 0;
}

struct pidtab_owner *pidtab_find(const struct pidtab *t, pid_t pid)
{
    if (pid <= 0)
        return NULL;
    size_t i = pidtab_slot_of(t, pid);
    return i == SIZE_MAX ? NULL : t->slots[i].owner;
}

static void pidtab_on_abandoned_exit(struct pidtab_owner *owner, pid_t pid, int wstatus)
{
    (void)owner;
    (void)pid;
    (void)wstatus;
}

static struct pidtab_owner pidtab_abandoned_owner = {.on_exit = pidtab_on_abandoned_exit};

void pidtab_abandon(struct pidtab *t, pid_t pid, const struct pidtab_owner *owner)
{
    size_t i = pid > 0 ? pidtab_slot_of(t, pid) : SIZE_MAX;
    if (i != SIZE_MAX && t->slots[i].owner == owner)
        t->slots[i].owner = &pidtab_abandoned_owner;
}

/* Empties slot i. */
static void pidtab_remove(struct pidtab *t, size_t i)
{
    t->count--;
    /* Backward-shift: move later entries of the run into the hole when their
     * home slot is at or before it, so every run stays unbroken. */
    for (size_t j = (i + 1) & t->mask; t->slots[j].pid != 0; j = (j + 1) & t->mask) {
        size_t home = pidtab_hash(t->slots[j].pid, t->mask);
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i].pid = 0;
    t->slots[i].owner = NULL;
}

struct pidtab_owner *pidtab_take(struct pidtab *t, pid_t pid)
{
    size_t i = pid > 0 ? pidtab_slot_of(t, pid) : SIZE_MAX;
    if (i == SIZE_MAX)
        return NULL;
    struct pidtab_owner *owner = t->slots[i].owner;
    pidtab_remove(t, i);
    return owner;
}

bool pidtab_drop(struct pidtab *t, pid_t pid, const struct pidtab_owner *owner)
{
    size_t i = pid > 0 ? pidtab_slot_of(t, pid) : SIZE_MAX;
    if (i == SIZE_MAX || t->slots[i].owner != owner)
        return false;
    pidtab_remove(t, i);
    return true;
}
