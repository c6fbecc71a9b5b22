/* forkpace.c - forks paced over loop turns (forkpace.h): a FIFO of waiters
 * drained by an idle handle, at most per_turn forks from one prepare phase
 * to the next. */
#include "forkpace.h"

#include <stddef.h>

static void forkpace_on_turn(uv_idle_t *h);

void forkpace_init(struct forkpace *fp, uv_loop_t *loop, unsigned per_turn)
{
    uv_idle_init(loop, &fp->turn); /* cannot fail on Linux */
    fp->turn.data = fp;
    uv_prepare_init(loop, &fp->end);
    fp->end.data = fp;
    fp->head = fp->tail = fp->turn_of = NULL;
    fp->forked = 0;
    fp->per_turn = per_turn;
    fp->ready = true;
}

void forkpace_close(struct forkpace *fp)
{
    if (!fp->ready)
        return;
    fp->ready = false;
    fp->head = fp->tail = NULL;
    uv_close((uv_handle_t *)&fp->turn, NULL);
    uv_close((uv_handle_t *)&fp->end, NULL);
}

bool forkpace_must_wait(const struct forkpace *fp, const struct forkpace_waiter *w)
{
    if (w->queued)
        return true; /* its place is kept */
    if (!fp->ready || w == fp->turn_of)
        return false; /* the one whose turn came goes */
    return fp->head || fp->forked >= fp->per_turn;
}

void forkpace_wait(struct forkpace *fp, struct forkpace_waiter *w, forkpace_turn_cb cb)
{
    w->on_turn = cb;
    if (w->queued || !fp->ready)
        return;
    w->queued = true;
    w->next = NULL;
    if (fp->tail)
        fp->tail->next = w;
    else
        fp->head = w;
    fp->tail = w;
    uv_idle_start(&fp->turn, forkpace_on_turn);
}

bool forkpace_admit(struct forkpace *fp, struct forkpace_waiter *w, forkpace_turn_cb cb)
{
    if (!forkpace_must_wait(fp, w))
        return true;
    forkpace_wait(fp, w, cb);
    return false;
}

/* The prepare phase ends the turn: the events the poll brings next (exits,
 * requests, timers) have a whole allowance. Forks made before the loop
 * runs (the first start) count in its first turn. */
static void forkpace_on_end(uv_prepare_t *h)
{
    struct forkpace *fp = h->data;
    fp->forked = 0;
    uv_prepare_stop(h);
}

void forkpace_forked(struct forkpace *fp)
{
    if (fp->ready && fp->forked++ == 0)
        uv_prepare_start(&fp->end, forkpace_on_end);
}

static void forkpace_on_turn(uv_idle_t *h)
{
    struct forkpace *fp = h->data;
    /* Those that no longer fork when their turn comes (a start whose
     * dependency went away) leave without counting. With the allowance
     * spent already in this turn (exits read in the last poll, timers that
     * fired), the idle handle stays active and the next turn goes on. */
    while (fp->head && fp->forked < fp->per_turn) {
        struct forkpace_waiter *w = fp->head;
        fp->turn_of = w;
        forkpace_drop(fp, w); /* the head: no walk */
        w->on_turn(w);
        fp->turn_of = NULL;
    }
    /* The last one's drop stopped the idle handle. */
}

void forkpace_drop(struct forkpace *fp, struct forkpace_waiter *w)
{
    if (!w->queued)
        return;
    struct forkpace_waiter *prev = NULL;
    for (struct forkpace_waiter *it = fp->head; it; prev = it, it = it->next) {
        if (it != w)
            continue;
        if (prev)
            prev->next = it->next;
        else
            fp->head = it->next;
        if (fp->tail == w)
            fp->tail = prev;
        break;
    }
    w->next = NULL;
    w->queued = false;
    if (!fp->head && fp->ready)
        uv_idle_stop(&fp->turn);
}
