/* sup_starts.c - starts paced over loop turns: at most SUP_STARTS_PER_TURN
 * records whose dependencies are met start in one turn of the event loop;
 * the others wait their turn here, in the order they became ready, and
 * the next turns start them (an idle handle, active only while some wait).
 * A start of a thousand services (the first, or a reload's) forks for
 * about a second: paced, signals, exits and requests are handled between
 * every few dozen forks instead of after all of them (docs/dev/DESIGN.md
 * "Event loop"). What a start means stays the runtime's: a record's turn
 * is told through sup->on_start_turn, which looks at its dependencies
 * again. A record closed while it waits leaves the queue at once
 * (sup_starts_drop, from sup_record_close). */
#include "supervisor_int.h"

static void sup_starts_on_turn(uv_idle_t *h);

void sup_starts_init(struct supervisor *sup)
{
    uv_idle_init(sup->env.loop, &sup->starts.turn); /* cannot fail on Linux */
    sup->starts.turn.data = sup;
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
}

/* A new loop turn (its time moved on) brings a new allowance. */
static void sup_starts_new_turn(struct sup_starts *q, uint64_t now)
{
    if (q->turn_ms != now) {
        q->turn_ms = now;
        q->started = 0;
    }
}

bool sup_starts_admit(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    struct sup_starts *q = &sup->starts;
    if (ss->start_queued)
        return false; /* its place is kept */
    if (!q->ready)
        return true;
    sup_starts_new_turn(q, uv_now(sup->env.loop));
    /* The one whose turn came goes; any other goes after those waiting. */
    if (ss != q->turn_of && (q->head || q->started >= SUP_STARTS_PER_TURN)) {
        ss->start_queued = true;
        ss->next_start = NULL;
        if (q->tail)
            q->tail->next_start = ss;
        else
            q->head = ss;
        q->tail = ss;
        uv_idle_start(&q->turn, sup_starts_on_turn);
        return false;
    }
    q->started++;
    return true;
}

static void sup_starts_on_turn(uv_idle_t *h)
{
    struct supervisor *sup = h->data;
    struct sup_starts *q = &sup->starts;
    q->turn_ms = uv_now(sup->env.loop);
    q->started = 0;
    /* Those no longer ready (stopped, removed from its dependencies' reach)
     * leave without counting. */
    while (q->head && q->started < SUP_STARTS_PER_TURN) {
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
