/* schedule.c - the next due time of a scheduled job: crontab(5) times in
 * UTC found day by day (a day that cannot match costs one test), then
 * minute by minute within a matching day; in a time zone, the same search
 * over local times, each turned into the UTC times that show it; or a
 * fixed-rate interval. Dates come from the days since the epoch by
 * Hinnant's civil_from_days, and a zone only as offsets, so no libc or
 * clock is involved. */
#include "schedule.h"

#define SCHEDULE_MINUTE_MS 60000ULL
#define SCHEDULE_DAY_MIN   1440ULL
/* 400 years of days: the Gregorian calendar, weekdays included, repeats. */
#define SCHEDULE_DAYS_MAX 146097ULL
/* A time's offsets are read this far before and after it: at most one
 * clock change lies between, and no change is longer. */
#define SCHEDULE_SIDE_MS (86400000LL)

/* Month (1-12) and day (1-31) of day z since 1970-01-01. */
static void schedule_civil(uint64_t z, int *month, int *day)
{
    uint64_t zz = z + 719468;
    uint64_t era = zz / 146097;
    uint64_t doe = zz - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
}

static bool schedule_day_matches(const struct conf_cron *c, uint64_t z)
{
    int month, day;
    schedule_civil(z, &month, &day);
    if (!(c->months >> month & 1))
        return false;
    bool dom = c->days >> day & 1;
    bool dow = c->weekdays >> ((z + 4) % 7) & 1; /* 1970-01-01 was a Thursday */
    if (c->days_star || c->weekdays_star)
        return dom && dow;
    return dom || dow;
}

bool schedule_cron_matches(const struct conf_cron *c, uint64_t minute_ms)
{
    uint64_t m = minute_ms / SCHEDULE_MINUTE_MS;
    uint64_t in_day = m % SCHEDULE_DAY_MIN;
    return schedule_day_matches(c, m / SCHEDULE_DAY_MIN) && (c->hours >> (in_day / 60) & 1) &&
           (c->minutes >> (in_day % 60) & 1);
}

/* The first minute of the day at or after from (0-1439) that c names, or
 * -1. */
static int schedule_first_minute(const struct conf_cron *c, int from)
{
    for (int h = from / 60; h < 24; h++) {
        if (!(c->hours >> h & 1))
            continue;
        for (int m = h == from / 60 ? from % 60 : 0; m < 60; m++)
            if (c->minutes >> m & 1)
                return h * 60 + m;
    }
    return -1;
}

uint64_t schedule_cron_next(const struct conf_cron *c, uint64_t after_ms)
{
    uint64_t m = after_ms / SCHEDULE_MINUTE_MS + 1;
    uint64_t day = m / SCHEDULE_DAY_MIN;
    int from = (int)(m % SCHEDULE_DAY_MIN);
    for (uint64_t i = 0; i <= SCHEDULE_DAYS_MAX; i++, day++, from = 0) {
        if (!schedule_day_matches(c, day))
            continue;
        int at = schedule_first_minute(c, from);
        if (at >= 0)
            return (day * SCHEDULE_DAY_MIN + (uint64_t)at) * SCHEDULE_MINUTE_MS;
    }
    return SCHEDULE_NEVER;
}

/* The offset of z at the Unix time t_ms, in ms. */
static int64_t schedule_off(const struct schedule_zone *z, int64_t t_ms)
{
    int64_t secs = t_ms >= 0 ? t_ms / 1000 : -((999 - t_ms) / 1000);
    return (int64_t)z->utcoff(z->arg, secs) * 1000;
}

/* How far local time steps back or forward by a clock change within a
 * day of t_ms: 0 when there is none. */
static int64_t schedule_change_near(const struct schedule_zone *z, int64_t t_ms)
{
    int64_t at = schedule_off(z, t_ms);
    int64_t a = schedule_off(z, t_ms - SCHEDULE_SIDE_MS) - at;
    int64_t b = schedule_off(z, t_ms + SCHEDULE_SIDE_MS) - at;
    a = a < 0 ? -a : a;
    b = b < 0 ? -b : b;
    return a > b ? a : b;
}

/* The UTC times at which local time in z is local_ms: one; two when a
 * clock change repeats it (the earlier first); none when one skips it,
 * with *change the instant of that change. Returns how many. */
static int schedule_utc_of(const struct schedule_zone *z, int64_t local_ms, int64_t t[2],
                           int64_t *change)
{
    int64_t before = schedule_off(z, local_ms - SCHEDULE_SIDE_MS);
    int64_t after = schedule_off(z, local_ms + SCHEDULE_SIDE_MS);
    int64_t ta = local_ms - before, tb = local_ms - after;
    int n = 0;

    if (schedule_off(z, ta) == before)
        t[n++] = ta;
    if (after != before && schedule_off(z, tb) == after)
        t[n++] = tb;
    if (n == 2 && t[0] > t[1]) {
        int64_t x = t[0];
        t[0] = t[1];
        t[1] = x;
    }
    if (n > 0)
        return n;
    /* Skipped: the clock moved forward between tb (the old offset) and ta
     * (the new one); the change is the first second with the new one. */
    int64_t lo = tb < ta ? tb : ta, hi = tb < ta ? ta : tb;
    while (hi - lo > 1000) {
        int64_t mid = lo + (hi - lo) / 2000 * 1000;
        if (schedule_off(z, mid) == after)
            hi = mid;
        else
            lo = mid;
    }
    *change = hi;
    return 0;
}

uint64_t schedule_cron_next_in(const struct conf_cron *c, const struct schedule_zone *z,
                               uint64_t after_ms)
{
    if (!z)
        return schedule_cron_next(c, after_ms);
    int64_t after = (int64_t)after_ms, best = INT64_MAX;
    /* Local times in increasing order, from the earliest that a time after
     * after_ms can show (a clock set back shows earlier ones again); once
     * past the local time of the best found, plus a change near it, no
     * local time can show an earlier one. */
    int64_t from = after + schedule_off(z, after) - schedule_change_near(z, after);
    uint64_t local = from > 0 ? (uint64_t)from : 0;
    int64_t stop = INT64_MAX;
    for (;;) {
        local = schedule_cron_next(c, local);
        if (local == SCHEDULE_NEVER || (int64_t)local > stop)
            break;
        int64_t l = (int64_t)local, t[2], change = 0;
        int n = schedule_utc_of(z, l, t, &change);
        if (!c->clock_star && n == 0) {
            t[0] = change; /* skipped: at the change */
            n = 1;
        } else if (!c->clock_star && n == 2) {
            n = 1; /* repeated: the first only */
        }
        for (int i = 0; i < n; i++)
            if (t[i] > after && t[i] < best) {
                best = t[i];
                stop = best + schedule_off(z, best) + schedule_change_near(z, best);
            }
    }
    return best == INT64_MAX ? SCHEDULE_NEVER : (uint64_t)best;
}

uint64_t schedule_every_next(uint64_t anchor_ms, uint64_t every_ms, uint64_t now_ms)
{
    if (every_ms == 0)
        return SCHEDULE_NEVER;
    if (now_ms < anchor_ms)
        return anchor_ms + every_ms;
    uint64_t k = (now_ms - anchor_ms) / every_ms + 1;
    return anchor_ms + k * every_ms;
}

bool schedule_is_scheduled(const struct conf_service *s)
{
    return s->schedule != NULL || s->every_ms > 0;
}

uint64_t schedule_next(const struct conf_service *s, const struct schedule_zone *local,
                       uint64_t anchor_ms, uint64_t now_ms)
{
    if (s->schedule)
        return schedule_cron_next_in(&s->cron, s->schedule_local ? local : NULL, now_ms);
    return schedule_every_next(anchor_ms, s->every_ms, now_ms);
}
