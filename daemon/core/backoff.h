/* backoff.h - how long to wait before the next attempt: exponential, capped,
 * and reset once a run lasted long enough. Pure: time comes in as numbers. */
#ifndef CORRAL_BACKOFF_H
#define CORRAL_BACKOFF_H

#include <stdint.h>

struct backoff_policy {
    uint64_t initial_ms;
    uint64_t max_ms;
    double factor;
    uint64_t reset_after_ms; /* a run at least this long forgets past failures */
};

struct backoff {
    uint32_t failures; /* consecutive failures so far */
};

/* The delay before retry number `failures` (1-based): initial * factor^(n-1),
 * capped at max. failures == 0 gives 0. */
uint64_t backoff_delay_ms(const struct backoff_policy *p, uint32_t failures);

/* Records a failed run that lasted ran_ms and returns the delay before the
 * next start. The first failure after a good run (or ever) restarts at once:
 * a crash that happens once should cost nothing; only a streak grows. */
uint64_t backoff_after_exit(const struct backoff_policy *p, struct backoff *b, uint64_t ran_ms);

/* Records an attempt that could not even start (fork failed) and returns the
 * delay before the next one. Never 0: retrying a failed fork at once only
 * spins. */
uint64_t backoff_after_error(const struct backoff_policy *p, struct backoff *b);

#endif
