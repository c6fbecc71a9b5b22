/* schedule.h - when a scheduled job is due next: crontab(5) times (struct
 * conf_cron) evaluated in UTC, or a fixed interval (`every`). Pure: time
 * comes in as Unix milliseconds. UTC has no daylight-saving jumps, so every
 * minute exists exactly once and no run is ever skipped or doubled by a
 * clock change of the time zone (docs/configuration.md "Scheduled jobs"). */
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

/* anchor_ms + k * every_ms for the least k >= 1 that is strictly after
 * now_ms: a fixed rate from the anchor; times missed while the clock
 * jumped or corral was busy are not made up for. */
uint64_t schedule_every_next(uint64_t anchor_ms, uint64_t every_ms, uint64_t now_ms);

/* The next time s (with a schedule or every) is due after now_ms; anchor_ms
 * is when its `every` started counting. SCHEDULE_NEVER for a service with
 * neither. */
uint64_t schedule_next(const struct conf_service *s, uint64_t anchor_ms, uint64_t now_ms);

/* True when s runs by schedule (schedule or every). */
bool schedule_is_scheduled(const struct conf_service *s);

#endif
