/* diagwarn.c - the levels of the PID budget and the growth of a service's
 * zombies, decided from figures alone (docs/diagnosing.md "Warnings"). */
#include "diagwarn.h"

int diagwarn_percent(long current, long max)
{
    if (max <= 0 || current <= 0)
        return 0;
    return (int)((current * 100) / max);
}

/* True when current of max is at or above pct percent (exactly: no
 * rounding, so 1639 of 2048 is not yet 80%). */
static bool diagwarn_at_least(long current, long max, int pct)
{
    return current * 100 >= (long)pct * max;
}

enum diagwarn_level diagwarn_budget(enum diagwarn_level prev, long current, long max)
{
    if (max <= 0)
        return DIAGWARN_OK;
    if (diagwarn_at_least(current, max, DIAGWARN_CRITICAL_PCT))
        return DIAGWARN_CRITICAL;
    if (prev == DIAGWARN_CRITICAL &&
        diagwarn_at_least(current, max, DIAGWARN_CRITICAL_PCT - DIAGWARN_MARGIN_PCT))
        return DIAGWARN_CRITICAL;
    if (diagwarn_at_least(current, max, DIAGWARN_HIGH_PCT))
        return DIAGWARN_HIGH;
    if (prev >= DIAGWARN_HIGH &&
        diagwarn_at_least(current, max, DIAGWARN_HIGH_PCT - DIAGWARN_MARGIN_PCT))
        return DIAGWARN_HIGH;
    return DIAGWARN_OK;
}

bool diagwarn_zombies(uint32_t *warned, uint32_t count)
{
    if (count <= DIAGWARN_ZOMBIES / 2) {
        *warned = 0;
        return false;
    }
    if (count < DIAGWARN_ZOMBIES || (*warned && count < 2 * (uint64_t)*warned))
        return false;
    *warned = count;
    return true;
}
