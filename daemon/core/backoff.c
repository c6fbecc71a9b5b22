/* backoff.c - restart delay arithmetic. */
#include "backoff.h"

uint64_t backoff_delay_ms(const struct backoff_policy *p, uint32_t failures)
{
    if (failures == 0)
        return 0;
    double d = (double)p->initial_ms;
    for (uint32_t i = 1; i < failures && d < (double)p->max_ms; i++)
        d *= p->factor;
    if (d > (double)p->max_ms)
        return p->max_ms;
    return (uint64_t)d;
}

uint64_t backoff_after_exit(const struct backoff_policy *p, struct backoff *b, uint64_t ran_ms)
{
    if (ran_ms >= p->reset_after_ms)
        b->failures = 0;
    uint64_t delay = backoff_delay_ms(p, b->failures);
    if (b->failures < UINT32_MAX)
        b->failures++;
    return delay;
}

uint64_t backoff_after_error(const struct backoff_policy *p, struct backoff *b)
{
    if (b->failures < UINT32_MAX)
        b->failures++;
    uint64_t delay = backoff_delay_ms(p, b->failures);
    return delay ? delay : 1;
}
