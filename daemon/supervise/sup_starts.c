/* sup_starts.c - the services' spawns paced over loop turns (init/forkpace.c,
 * at most SUP_STARTS_PER_TURN forks in one turn, shared with their hooks and
 * exec probes). A start whose dependencies are met, a restart due after an
 * exit or at its backoff timer, and a start asked for while a service backs
 * off, each asks first whether it may spawn now; past the turn's allowance,
 * or while others wait, it waits its turn, in the order they asked. A start
 * of a thousand services (the first, or a reload's), or a thousand crashing
 * at once, forks for about a second: paced, signals, exits and requests are
 * handled between every few dozen forks instead of after all of them
 * (docs/dev/DESIGN.md "Event loop"). One spawn with nothing waiting goes
 * at once. What a turn means stays the runtime's: it is told through
 * sup->on_start_turn, which looks at a waiting start's dependencies again,
 * or tells a waiting restart's state machine. A record closed, or whose
 * state changes, while it waits leaves the queue at once (sup_starts_drop). */
#include <stddef.h>

#include "supervisor_int.h"

static void sup_starts_on_turn(struct forkpace_waiter *w)
{
    struct sup_service *ss =
        (struct sup_service *)((char *)w - offsetof(struct sup_service, start));
    ss->sup->on_start_turn(ss);
}

void sup_starts_init(struct supervisor *sup)
{
    forkpace_init(&sup->pace, sup->env.loop, SUP_STARTS_PER_TURN);
}

void sup_starts_close(struct supervisor *sup)
{
    /* The records go with the supervisor: none is left to start. */
    forkpace_close(&sup->pace);
}

bool sup_starts_must_wait(const struct sup_service *ss)
{
    return forkpace_must_wait(&ss->sup->pace, &ss->start);
}

void sup_starts_wait(struct sup_service *ss)
{
    forkpace_wait(&ss->sup->pace, &ss->start, sup_starts_on_turn);
}

bool sup_starts_admit(struct sup_service *ss)
{
    return forkpace_admit(&ss->sup->pace, &ss->start, sup_starts_on_turn);
}

void sup_starts_spawned(struct supervisor *sup)
{
    forkpace_forked(&sup->pace);
}

void sup_starts_drop(struct sup_service *ss)
{
    forkpace_drop(&ss->sup->pace, &ss->start);
}
