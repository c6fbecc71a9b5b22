/* schedule.h - when a scheduled job is due next: crontab(5) times (struct
 * conf_cron) evaluated in UTC or in a time zone given as its offsets from
 * UTC, or a fixed interval (`every`). Pure: time comes in as Unix
 * milliseconds, and the zone's offsets through a callback. In UTC every
 * minute exists exactly once; in a zone, a time a clock change skips runs
 * at the change and a time it repeats runs once, unless the minute or hour
 * field begins with '*' (as cron does; docs/configuration.md "Scheduled
 * jobs"). */
#ifndef CORRAL_SCHEDULE_H
#define CORRAL_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

/* No time to come (a schedule with no match within 400 years). */
#define SCHEDULE_NEVER UINT64_MAX

/* True when the minute starting at minute_ms (Unix ms, a whole minute,
 * UTC) is one c names: minute, hour and month match, and the day matches by
 * crontab(5)'s rule (with both day fields restricted, either one; else
 * both). */
bool schedule_cron_matches(const struct conf_cron *c, uint64_t minute_ms);

/* The first whole minute strictly after after_ms that c names, in Unix ms;
 * SCHEDULE_NEVER when there is none within 400 years. */
uint64_t schedule_cron_next(const struct conf_cron *c, uint64_t after_ms);

/* A time zone: utcoff returns the seconds east of UTC of local time at
 * the Unix time utc_s (what localtime_r puts in tm_gmtoff). */
struct schedule_zone {
    long (*utcoff)(void *arg, int64_t utc_s);
    void *arg;
};

/* The first time strictly after after_ms (Unix ms) at which the local
 * time in z is a whole minute c names: a minute that a clock change skips
 * at the instant of the change, and a minute it repeats at its first
 * instant only, unless c->clock_star (then at each, and a skipped one not
 * at all). With z NULL, schedule_cron_next. */
uint64_t schedule_cron_next_in(const struct conf_cron *c, const struct schedule_zone *z,
                               uint64_t after_ms);

/* anchor_ms + k * every_ms for the least k >= 1 that is strictly after
 * now_ms: a fixed rate from the anchor; times missed while the clock
 * jumped or corral was busy are not made up for. */
uint64_t schedule_every_next(uint64_t anchor_ms, uint64_t every_ms, uint64_t now_ms);

/* The next time s (with a schedule or every) is due after now_ms; anchor_ms
 * is when its `every` started counting, local the zone of `timezone:
 * local`. SCHEDULE_NEVER for a service with neither. */
uint64_t schedule_next(const struct conf_service *s, const struct schedule_zone *local,
                       uint64_t anchor_ms, uint64_t now_ms);

/* True when s runs by schedule (schedule or every). */
bool schedule_is_scheduled(const struct conf_service *s);

#endif
