/* sup_starts.c - spawns paced over loop turns: at most SUP_STARTS_PER_TURN
 * of the services' processes are spawned in one turn of the event loop
 * (from one prepare phase, just before the loop polls, to the next: one
 * poll for events and one run of timers and idle handles). A start whose dependencies are met,
 * a restart due after an exit or at its backoff timer, and a start asked
 * for while a service backs off, each asks first whether it may spawn
 * now; past the turn's allowance, or while others wait, it waits here, in
 * the order they asked, and the next turns run them (an idle handle,
 * active only while some wait). A start of a thousand services (the
 * first, or a reload's), or a thousand crashing at once, forks for about
 * a second: paced, signals, exits and requests are handled between every
 * few dozen forks instead of after all of them (docs/dev/DESIGN.md "Event
 * loop"). One spawn with nothing waiting goes at once. What a turn means
 * stays the runtime's: it is told through sup->on_start_turn, which looks
 * at a waiting start's dependencies again, or tells a waiting restart's
 * state machine. A record closed, or whose state changes, while it waits
 * leaves the queue at once (sup_starts_drop). */
#include "supervisor_int.h"

static void sup_starts_on_turn(uv_idle_t *h);

void sup_starts_init(struct supervisor *sup)
{
    uv_idle_init(sup->env.loop, &sup->starts.turn); /* cannot fail on Linux */
    sup->starts.turn.data = sup;
    uv_prepare_init(sup->env.loop, &sup->starts.end);
    sup->starts.end.data = sup;
    sup->starts.per_turn = SUP_STARTS_PER_TURN;
    sup->starts.ready = true;
}

void sup_starts_close(struct supervisor *sup)
{
    if (!sup->starts.ready)
        return;
    sup->starts.ready = false;
    /* The records go with the supervisor: none is left to start. */
    sup->starts.head = sup->starts.tail = NULL;
    uv_close((uv_handle_t *)&sup->starts.turn, NULL);
    uv_close((uv_handle_t *)&sup->starts.end, NULL);
}

bool sup_starts_must_wait(const struct sup_service *ss)
{
    const struct sup_starts *q = &ss->sup->starts;
    if (ss->start_queued)
        return true; /* its place is kept */
    if (!q->ready || ss == q->turn_of)
        return false; /* the one whose turn came goes */
    return q->head || q->spawned >= q->per_turn;
}

void sup_starts_wait(struct sup_service *ss)
{
    struct sup_starts *q = &ss->sup->starts;
    if (ss->start_queued || !q->ready)
        return;
    ss->start_queued = true;
    ss->next_start = NULL;
    if (q->tail)
        q->tail->next_start = ss;
    else
        q->head = ss;
    q->tail = ss;
    uv_idle_start(&q->turn, sup_starts_on_turn);
}

bool sup_starts_admit(struct sup_service *ss)
{
    if (!sup_starts_must_wait(ss))
        return true;
    sup_starts_wait(ss);
    return false;
}

/* The prepare phase ends the turn: the events the poll brings next (exits,
 * requests) have a whole allowance. Spawns made before the loop runs (the
 * first start) count in its first turn. */
static void sup_starts_on_end(uv_prepare_t *h)
{
    struct supervisor *sup = h->data;
    sup->starts.spawned = 0;
    uv_prepare_stop(h);
}

void sup_starts_spawned(struct supervisor *sup)
{
    struct sup_starts *q = &sup->starts;
    if (q->ready && q->spawned++ == 0)
        uv_prepare_start(&q->end, sup_starts_on_end);
}

static void sup_starts_on_turn(uv_idle_t *h)
{
    struct supervisor *sup = h->data;
    struct sup_starts *q = &sup->starts;
    /* Those no longer ready (stopped, removed from its dependencies' reach)
     * leave without counting. With the allowance spent already in this turn
     * (exits read in the last poll, timers that fired), the idle handle
     * stays active and the next turn goes on. */
    while (q->head && q->spawned < q->per_turn) {
        q->turn_of = q->head;
        sup_starts_drop(q->turn_of); /* the head: no walk */
        sup->on_start_turn(q->turn_of);
        q->turn_of = NULL;
    }
    /* The last one's drop stopped the idle handle. */
}

void sup_starts_drop(struct sup_service *ss)
{
    struct sup_starts *q = &ss->sup->starts;
    if (!ss->start_queued)
        return;
    struct sup_service *prev = NULL;
    for (struct sup_service *it = q->head; it; prev = it, it = it->next_start) {
        if (it != ss)
            continue;
        if (prev)
            prev->next_start = it->next_start;
        else
            q->head = it->next_start;
        if (q->tail == ss)
            q->tail = prev;
        break;
    }
    ss->next_start = NULL;
    ss->start_queued = false;
    if (!q->head && q->ready)
        uv_idle_stop(&q->turn);
}
