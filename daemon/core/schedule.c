/* schedule.c - the next due time of a scheduled job: crontab(5) times in
 * UTC found day by day (a day that cannot match costs one test), then
 * minute by minute within a matching day; or a fixed-rate interval. Dates
 * come from the days since the epoch by Hinnant's civil_from_days, so no
 * time zone, libc or clock is involved. */
#include "schedule.h"

#define SCHEDULE_MINUTE_MS 60000ULL
#define SCHEDULE_DAY_MIN   1440ULL
/* 400 years of days: the Gregorian calendar, weekdays included, repeats. */
#define SCHEDULE_DAYS_MAX 146097ULL

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

uint64_t schedule_next(const struct conf_service *s, uint64_t anchor_ms, uint64_t now_ms)
{
    if (s->schedule)
        return schedule_cron_next(&s->cron, now_ms);
    return schedule_every_next(anchor_ms, s->every_ms, now_ms);
}
