/* forkpace.h - forks paced over loop turns: at most per_turn processes are
 * forked in one turn of the event loop (from one prepare phase, just before
 * the loop polls, to the next: one poll for events and one run of timers
 * and idle handles). Whoever would fork past that allowance, or while
 * others wait, waits its turn here, in the order they asked, and is called
 * back in a later turn (an idle handle, active only while some wait). One
 * fork with nothing waiting goes at once. One pace is shared by everything
 * corral forks for its services (their processes, their finish and
 * stop_command, their exec probes), so that a thousand of them falling due
 * together fork in batches, with signals, exits and requests handled in
 * between (docs/dev/DESIGN.md "Event loop"). What a turn means stays the
 * caller's: its callback decides whether it still forks. */
#ifndef CORRAL_FORKPACE_H
#define CORRAL_FORKPACE_H

#include <stdbool.h>

#include <uv.h>

struct forkpace_waiter;
typedef void (*forkpace_turn_cb)(struct forkpace_waiter *w);

/* Embedded in whoever waits; queued: it waits its turn. */
struct forkpace_waiter {
    struct forkpace_waiter *next;
    forkpace_turn_cb on_turn;
    bool queued;
};

struct forkpace {
    uv_idle_t turn;                      /* active while some wait */
    uv_prepare_t end;                    /* active while this turn has forked: ends it */
    bool ready;                          /* the handles initialised and not closed */
    struct forkpace_waiter *head, *tail; /* waiting, in order */
    struct forkpace_waiter *turn_of;     /* the one being told its turn came */
    unsigned forked;                     /* forks in this turn */
    unsigned per_turn;                   /* the allowance of one turn */
};

/* Initialises fp on loop (cannot fail on Linux). */
void forkpace_init(struct forkpace *fp, uv_loop_t *loop, unsigned per_turn);

/* Closes its two handles (no callback: fp's owner outlives the loop's run
 * that closes them); whoever still waits is forgotten, not called. */
void forkpace_close(struct forkpace *fp);

/* Whether a fork by w now would have to wait its turn: w waits already,
 * others wait, or this turn's allowance is spent (false for the one whose
 * turn came, and once fp is closed for a w that was not waiting). */
bool forkpace_must_wait(const struct forkpace *fp, const struct forkpace_waiter *w);

/* w waits its turn, kept in order (a second call keeps its place); cb(w)
 * is called when it comes, w already out of the queue. */
void forkpace_wait(struct forkpace *fp, struct forkpace_waiter *w, forkpace_turn_cb cb);

/* Whether w may fork in this turn; if not, it waits its turn (forkpace_wait). */
bool forkpace_admit(struct forkpace *fp, struct forkpace_waiter *w, forkpace_turn_cb cb);

/* A fork is being made: it counts in this turn, whether it succeeds or not. */
void forkpace_forked(struct forkpace *fp);

/* w leaves the queue, if it waits (its owner goes away, or no longer wants
 * to fork). */
void forkpace_drop(struct forkpace *fp, struct forkpace_waiter *w);

#endif
