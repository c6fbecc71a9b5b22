/* test_schedule.c - crontab(5) times: parsing (conf/cronexpr.c, with its
 * errors) and the next due time (core/schedule.c) in UTC and in time zones
 * with clock changes (POSIX TZ rules read by libc, no zone files), checked
 * by hand on known dates and, for random schedules and times, against a
 * brute-force walk over every minute with libc's gmtime_r and
 * localtime_r. The random tests print their seed; CORRAL_SEED=N replays
 * it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cronexpr.h"
#include "schedule.h"

static char ERR[200];
static size_t AT;

static struct conf_cron parse_ok(const char *expr)
{
    struct conf_cron c;
    int rc = cronexpr_parse(expr, &c, ERR, sizeof ERR, &AT);
    if (rc != 0)
        fail_msg("%s: %s (at %zu)", expr, ERR, AT);
    return c;
}

static void parse_err(const char *expr, const char *want, size_t at)
{
    struct conf_cron c;
    if (cronexpr_parse(expr, &c, ERR, sizeof ERR, &AT) != -EINVAL)
        fail_msg("%s: parsed, expected \"%s\"", expr, want);
    assert_string_equal(ERR, want);
    assert_int_equal(AT, at);
}

/* Zones as POSIX TZ rules: libc needs no zone file for them. */
#define BERLIN    "CET-1CEST,M3.5.0,M10.5.0/3"
#define NEW_YORK  "EST5EDT,M3.2.0,M11.1.0"
#define LORD_HOWE "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"
#define SYDNEY    "AEST-10AEDT,M10.1.0,M4.1.0/3"

static void use_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static long libc_utcoff(void *arg, int64_t utc_s)
{
    (void)arg;
    time_t t = (time_t)utc_s;
    struct tm tm;
    return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

static const struct schedule_zone libc_zone = {libc_utcoff, NULL};

/* Unix ms of a UTC date. */
static uint64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return (uint64_t)timegm(&tm) * 1000;
}

static void fields_lists_ranges_steps_and_names(void **state)
{
    (void)state;
    struct conf_cron c = parse_ok("*/15 9-17/4 1,15 jan-Mar,DEC mon-fri");
    assert_int_equal(c.minutes, 1ULL << 0 | 1ULL << 15 | 1ULL << 30 | 1ULL << 45);
    assert_int_equal(c.hours, 1u << 9 | 1u << 13 | 1u << 17);
    assert_int_equal(c.days, 1u << 1 | 1u << 15);
    assert_int_equal(c.months, 1u << 1 | 1u << 2 | 1u << 3 | 1u << 12);
    assert_int_equal(c.weekdays, 0x3e);
    assert_false(c.days_star);
    assert_false(c.weekdays_star);
    c = parse_ok("  5/20\t* * * 5-7 ");
    assert_int_equal(c.minutes, 1ULL << 5 | 1ULL << 25 | 1ULL << 45);
    assert_int_equal(c.weekdays, 1u << 0 | 1u << 5 | 1u << 6); /* 7 is Sunday */
    assert_true(c.days_star);
    assert_int_equal(c.hours, 0xffffff);
    assert_int_equal(parse_ok("0 0 * * 7").weekdays, 1);
}

static void shorthands_are_the_usual_times(void **state)
{
    (void)state;
    struct conf_cron a = parse_ok("@daily"), b = parse_ok("0 0 * * *");
    assert_memory_equal(&a, &b, sizeof a);
    a = parse_ok("@hourly");
    b = parse_ok("0 * * * *");
    assert_memory_equal(&a, &b, sizeof a);
    a = parse_ok("@weekly");
    assert_int_equal(a.weekdays, 1);
    a = parse_ok("@yearly");
    b = parse_ok("@annually");
    assert_memory_equal(&a, &b, sizeof a);
    parse_ok("@monthly");
    parse_ok("@midnight");
}

static void errors_say_what_and_where(void **state)
{
    (void)state;
    parse_err("* 24 * * *", "hour: 24 is out of range 0-23", 2);
    parse_err("* * 0 * *", "day of month: 0 is out of range 1-31", 4);
    parse_err("* * * 13 *", "month: 13 is out of range 1-12", 6);
    parse_err("* * * * 8", "day of week: 8 is out of range 0-7", 8);
    parse_err("* * * foo *", "month: expected a number 1-12 or a name, got \"foo\"", 6);
    parse_err("*/0 * * * *", "minute: expected a step from 1 to 59", 2);
    parse_err("5-1 * * * *", "minute: range 5-1 goes backwards", 0);
    parse_err("1,,2 * * * *", "minute: expected a number 0-59, got \"\"", 2);
    parse_err("1, * * * *", "minute: expected a value after \",\"", 2);
    parse_err("1x * * * *", "minute: unexpected \"x\"", 1);
    parse_err("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4",
              7);
    parse_err("0 * * * * *",
              "expected 5 fields (minute hour day-of-month month day-of-week), got "
              "more",
              10);
    parse_err("", "expected 5 fields (minute hour day-of-month month day-of-week), got 0", 0);
    parse_err("@reboot", "@reboot is not a time: a oneshot without a schedule runs once at start",
              0);
    parse_err("@often",
              "expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or "
              "@hourly, got \"@often\"",
              0);
    parse_err("@daily 5", "expected nothing after @daily", 7);
    parse_err("0 0 30 2 *", "never runs: no chosen month has a chosen day", 0);
    parse_err("0 0 31 4,6,9,11 *", "never runs: no chosen month has a chosen day", 0);
    parse_err("0 0 30-31 2 *", "never runs: no chosen month has a chosen day", 0);
    /* Both day fields restricted: either matches, so a weekday saves it. */
    parse_ok("0 0 30 2 mon");
    parse_ok("0 0 29 2 *");
}

static void next_is_strictly_after_and_on_a_whole_minute(void **state)
{
    (void)state;
    struct conf_cron c = parse_ok("*/5 * * * *");
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 2, 7, 24)), utc(2026, 12, 2, 7, 25));
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 2, 7, 25)), utc(2026, 12, 2, 7, 30));
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 2, 7, 25) + 59999),
                     utc(2026, 12, 2, 7, 30));
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 31, 23, 58)), utc(2027, 1, 1, 0, 0));
    c = parse_ok("30 6 * * *");
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 2, 6, 30)), utc(2026, 12, 3, 6, 30));
}

static void day_of_month_or_day_of_week_when_both_are_restricted(void **state)
{
    (void)state;
    /* crontab(5): "30 4 1,15 * 5" runs at 4:30 on the 1st, the 15th and
     * every Friday. 2026-12-02 is a Wednesday. */
    struct conf_cron c = parse_ok("30 4 1,15 * 5");
    uint64_t t = utc(2026, 12, 2, 0, 0);
    t = schedule_cron_next(&c, t);
    assert_int_equal(t, utc(2026, 12, 4, 4, 30)); /* Friday */
    t = schedule_cron_next(&c, t);
    assert_int_equal(t, utc(2026, 12, 11, 4, 30)); /* Friday */
    t = schedule_cron_next(&c, t);
    assert_int_equal(t, utc(2026, 12, 15, 4, 30)); /* the 15th, a Tuesday */
    /* One of them '*': both must match ("*" days and Fridays = Fridays). */
    c = parse_ok("30 4 * * 5");
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 4, 4, 30)), utc(2026, 12, 11, 4, 30));
    /* "*\/2" starts with '*': it counts as '*' (cronie, Vixie cron), so
     * odd days that are also Fridays. */
    c = parse_ok("0 0 */2 * fri");
    assert_true(c.days_star);
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 2, 0, 0)), utc(2026, 12, 11, 0, 0));
}

static void leap_days_and_month_ends(void **state)
{
    (void)state;
    struct conf_cron c = parse_ok("0 12 29 2 *");
    assert_int_equal(schedule_cron_next(&c, utc(2026, 12, 2, 0, 0)), utc(2028, 2, 29, 12, 0));
    /* 2100 is not a leap year. */
    assert_int_equal(schedule_cron_next(&c, utc(2096, 3, 1, 0, 0)), utc(2104, 2, 29, 12, 0));
    c = parse_ok("0 0 31 * *");
    assert_int_equal(schedule_cron_next(&c, utc(2027, 1, 31, 0, 0)), utc(2027, 3, 31, 0, 0));
    c = parse_ok("59 23 28-31 2 *");
    assert_int_equal(schedule_cron_next(&c, utc(2027, 2, 28, 23, 59)), utc(2028, 2, 28, 23, 59));
}

static void every_is_a_fixed_rate_from_its_anchor(void **state)
{
    (void)state;
    assert_int_equal(schedule_every_next(1000, 600, 1000), 1600);
    assert_int_equal(schedule_every_next(1000, 600, 1599), 1600);
    assert_int_equal(schedule_every_next(1000, 600, 1600), 2200);
    /* Missed times (a busy loop, a clock jump) are not made up for. */
    assert_int_equal(schedule_every_next(1000, 600, 5000), 5200);
    /* A clock set back before the anchor: one interval after it. */
    assert_int_equal(schedule_every_next(1000, 600, 10), 1600);
    assert_int_equal(schedule_every_next(1000, 0, 10), SCHEDULE_NEVER);
}

static void schedule_next_picks_the_services_kind(void **state)
{
    (void)state;
    struct conf_service s = {0};
    assert_false(schedule_is_scheduled(&s));
    assert_int_equal(schedule_next(&s, NULL, 0, 100), SCHEDULE_NEVER);
    s.every_ms = 10000;
    assert_true(schedule_is_scheduled(&s));
    assert_int_equal(schedule_next(&s, NULL, 5000, 14000), 15000);
    s.every_ms = 0;
    s.schedule = "0 6 * * *";
    s.cron = parse_ok(s.schedule);
    use_tz(BERLIN);
    assert_int_equal(schedule_next(&s, &libc_zone, 0, utc(2026, 12, 2, 0, 0)),
                     utc(2026, 12, 2, 6, 0));
    s.schedule_local = true; /* timezone: local */
    assert_int_equal(schedule_next(&s, &libc_zone, 0, utc(2026, 12, 2, 0, 0)),
                     utc(2026, 12, 2, 5, 0));
}

/* ---- in a time zone ------------------------------------------------------------ */

static void local_times_follow_the_offset_of_the_season(void **state)
{
    (void)state;
    use_tz(BERLIN);
    struct conf_cron c = parse_ok("0 6 * * *");
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 12, 2, 7, 0)),
                     utc(2026, 12, 3, 5, 0)); /* CET, +1 */
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 7, 1, 0, 0)),
                     utc(2026, 7, 1, 4, 0)); /* CEST, +2 */
    use_tz(NEW_YORK);
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 12, 2, 12, 0)),
                     utc(2026, 12, 3, 11, 0)); /* EST, -5 */
    use_tz(LORD_HOWE);                         /* +10:30, +11 in the southern summer */
    c = parse_ok("15 0 * * *");
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 7, 1, 0, 0)),
                     utc(2026, 7, 1, 13, 45));
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 12, 1, 0, 0)),
                     utc(2026, 12, 1, 13, 15));
}

static void a_time_the_clock_skips_runs_at_the_change(void **state)
{
    (void)state;
    use_tz(BERLIN); /* 2026-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST */
    struct conf_cron c = parse_ok("30 2 * * *");
    uint64_t t = schedule_cron_next_in(&c, &libc_zone, utc(2026, 3, 28, 12, 0));
    assert_int_equal(t, utc(2026, 3, 29, 1, 0)); /* 03:00 CEST, at once */
    t = schedule_cron_next_in(&c, &libc_zone, t);
    assert_int_equal(t, utc(2026, 3, 30, 0, 30)); /* 02:30 CEST */
    /* Several skipped times make one run; the first time after is the
     * same instant. */
    c = parse_ok("0,20,40 2,3 * * *");
    t = schedule_cron_next_in(&c, &libc_zone, utc(2026, 3, 29, 0, 30));
    assert_int_equal(t, utc(2026, 3, 29, 1, 0));
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, t), utc(2026, 3, 29, 1, 20));
    /* With '*' in the minute or hour field, cron's rule: a skipped time is
     * not made up for. */
    c = parse_ok("*/20 * * * *");
    t = schedule_cron_next_in(&c, &libc_zone, utc(2026, 3, 29, 0, 40)); /* 01:40 CET */
    assert_int_equal(t, utc(2026, 3, 29, 1, 0));                        /* 03:00 CEST */
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 3, 29, 0, 41)), t);
}

static void a_time_the_clock_repeats_runs_once_unless_starred(void **state)
{
    (void)state;
    use_tz(BERLIN); /* 2026-10-25 01:00 UTC: 03:00 CEST becomes 02:00 CET */
    struct conf_cron c = parse_ok("30 2 * * *");
    uint64_t t = schedule_cron_next_in(&c, &libc_zone, utc(2026, 10, 24, 12, 0));
    assert_int_equal(t, utc(2026, 10, 25, 0, 30)); /* 02:30 CEST */
    t = schedule_cron_next_in(&c, &libc_zone, t);
    assert_int_equal(t, utc(2026, 10, 26, 1, 30)); /* not 02:30 CET again */
    /* Started within the repeated hour, after its first 02:30. */
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 10, 25, 1, 10)),
                     utc(2026, 10, 26, 1, 30));
    /* Starred: every 30 minutes of real time, through both 02:00s. */
    c = parse_ok("*/30 * * * *");
    uint64_t want[] = {utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 0), utc(2026, 10, 25, 1, 30),
                       utc(2026, 10, 25, 2, 0)};
    t = utc(2026, 10, 25, 0, 10);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        t = schedule_cron_next_in(&c, &libc_zone, t);
        assert_int_equal(t, want[i]);
    }
    c = parse_ok("0 * * * *");
    assert_int_equal(schedule_cron_next_in(&c, &libc_zone, utc(2026, 10, 25, 0, 30)),
                     utc(2026, 10, 25, 1, 0)); /* 02:00 CET, the second 02:00 */
}

/* ---- against a brute-force walk ---------------------------------------------- */

static uint64_t rnd_state;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* One random field item of [lo, hi]: '*', N, N-M, with a step sometimes. */
static int rnd_item(char *buf, size_t len, int lo, int hi)
{
    int a = lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
    int b = a + (int)(rnd() % (uint64_t)(hi - a + 1));
    int step = 1 + (int)(rnd() % 7);
    switch (rnd() % 6) {
    case 0:
        return snprintf(buf, len, "*");
    case 1:
        return snprintf(buf, len, "*/%d", step);
    case 2:
        return snprintf(buf, len, "%d", a);
    case 3:
        return snprintf(buf, len, "%d-%d", a, b);
    case 4:
        return snprintf(buf, len, "%d-%d/%d", a, b, step);
    default:
        return snprintf(buf, len, "%d,%d", a, b);
    }
}

/* A random five-field expression into expr. Mostly '*' for the day fields,
 * as real schedules are; near_changes: days always '*' (every day is a
 * candidate, so a walk is short) and hours often 0-4, near the clock
 * changes of the night. */
static void rnd_expr(char *expr, size_t size, bool near_changes)
{
    static const int lo[5] = {0, 0, 1, 1, 0}, hi[5] = {59, 23, 31, 12, 7};
    size_t at = 0;
    expr[0] = '\0';
    for (int f = 0; f < 5; f++) {
        if (f >= 2 && (near_changes || rnd() % 3))
            at += (size_t)snprintf(expr + at, size - at, "*");
        else if (near_changes && f == 1 && rnd() % 2)
            at += (size_t)rnd_item(expr + at, size - at, 0, 4);
        else
            at += (size_t)rnd_item(expr + at, size - at, lo[f], hi[f]);
        at += (size_t)snprintf(expr + at, size - at, f < 4 ? " " : "");
    }
}

/* What a minute's fields say by gmtime_r, matched by the rule of crontab(5)
 * directly from the expression's sets. */
static bool brute_matches(const struct conf_cron *c, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    bool dom = c->days >> tm.tm_mday & 1, dow = c->weekdays >> tm.tm_wday & 1;
    bool day = c->days_star || c->weekdays_star ? dom && dow : dom || dow;
    return (c->minutes >> tm.tm_min & 1) && (c->hours >> tm.tm_hour & 1) &&
           (c->months >> (tm.tm_mon + 1) & 1) && day;
}

static void random_schedules_agree_with_a_minute_by_minute_walk(void **state)
{
    (void)state;
    const char *env = getenv("CORRAL_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("test_schedule: seed %llu (CORRAL_SEED=%llu replays it)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    rnd_state = seed * 2654435761u + 1;
    /* Two years of minutes at most per walk: the random schedules are
     * dense enough (a sparse one that passes the bound is checked to be
     * later than it). */
    const uint64_t walk_max = 2ULL * 366 * 1440;
    int checked = 0;
    for (int round = 0; round < 300; round++) {
        char expr[128];
        rnd_expr(expr, sizeof expr, false);
        struct conf_cron c;
        size_t where;
        if (cronexpr_parse(expr, &c, ERR, sizeof ERR, &where) < 0)
            continue; /* "never runs": fine, refused */
        /* From a random second between 1970 and 2100. */
        uint64_t from_ms = (rnd() % 4102444800ULL) * 1000 + rnd() % 1000;
        uint64_t got = schedule_cron_next(&c, from_ms);
        uint64_t m = from_ms / 60000 + 1, want = SCHEDULE_NEVER;
        for (uint64_t i = 0; i < walk_max; i++, m++)
            if (brute_matches(&c, (time_t)(m * 60))) {
                want = m * 60000;
                break;
            }
        if (want == SCHEDULE_NEVER) {
            if (got != SCHEDULE_NEVER && got < (from_ms / 60000 + 1 + walk_max) * 60000)
                fail_msg("seed %llu: %s after %llu: got %llu, the walk found nothing",
                         (unsigned long long)seed, expr, (unsigned long long)from_ms,
                         (unsigned long long)got);
            continue;
        }
        if (got != want)
            fail_msg("seed %llu: %s after %llu: got %llu, want %llu", (unsigned long long)seed,
                     expr, (unsigned long long)from_ms, (unsigned long long)got,
                     (unsigned long long)want);
        assert_true(schedule_cron_matches(&c, got));
        checked++;
    }
    assert_true(checked > 100);
}

/* Seconds east of UTC at t, by libc under the current TZ. */
static long off_at(time_t t)
{
    return libc_utcoff(NULL, (int64_t)t);
}

/* Whether the UTC minute t (seconds) is a time the schedule runs at, by
 * the rules written out minute by minute: its local time matches, and it
 * is the first time showing it unless starred; or, not starred, it is a
 * change forward that skipped a local time that matches. */
static bool brute_zone_runs(const struct conf_cron *c, time_t t)
{
    long now = off_at(t), before = off_at(t - 1);
    time_t local = t + now;
    if (brute_matches(c, local)) {
        if (c->clock_star)
            return true;
        /* The same local time under the offset of a day before, earlier. */
        long prev = off_at(t - 86400);
        time_t t0 = local - prev;
        if (!(prev != now && t0 < t && off_at(t0) == prev))
            return true;
    }
    if (!c->clock_star && before < now)
        for (time_t l = t + before; l < local; l += 60)
            if (brute_matches(c, l))
                return true;
    return false;
}

static void random_schedules_in_zones_agree_with_a_walk(void **state)
{
    (void)state;
    const char *env = getenv("CORRAL_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("test_schedule zones: seed %llu (CORRAL_SEED=%llu replays it)\n",
           (unsigned long long)seed, (unsigned long long)seed);
    rnd_state = seed * 2654435761u + 7;
    static const char *const zones[] = {BERLIN, NEW_YORK, LORD_HOWE, SYDNEY, "UTC0"};
    const uint64_t walk_max = 4ULL * 1440; /* four days of minutes */
    int checked = 0, near_change = 0;
    for (int round = 0; round < 400; round++) {
        use_tz(zones[rnd() % (sizeof zones / sizeof *zones)]);
        char expr[128];
        rnd_expr(expr, sizeof expr, true);
        struct conf_cron c;
        size_t where;
        if (cronexpr_parse(expr, &c, ERR, sizeof ERR, &where) < 0)
            continue;
        /* A random year from 2000 to 2090; often a clock change of it, a
         * few hours either side. */
        time_t year = (time_t)(946684800 + (rnd() % 91) * 31556952);
        time_t from = year + (time_t)(rnd() % 31536000);
        if (rnd() % 4) {
            time_t t = year, change = 0;
            long o = off_at(t);
            for (int h = 0; h < 24 * 366 && !change; h++, t += 3600)
                if (off_at(t + 3600) != o && rnd() % 2 == 0)
                    change = t + 3600;
                else
                    o = off_at(t + 3600);
            if (change) {
                from = change - 4 * 3600 + (time_t)(rnd() % (8 * 3600));
                near_change++;
            }
        }
        uint64_t from_ms = (uint64_t)from * 1000 + rnd() % 1000;
        uint64_t got = schedule_cron_next_in(&c, &libc_zone, from_ms);
        uint64_t m = from_ms / 60000 + 1, want = SCHEDULE_NEVER;
        for (uint64_t i = 0; i < walk_max; i++, m++)
            if (brute_zone_runs(&c, (time_t)(m * 60))) {
                want = m * 60000;
                break;
            }
        if (want == SCHEDULE_NEVER)
            fail_msg("seed %llu: %s in %s after %llu: the walk found nothing",
                     (unsigned long long)seed, expr, getenv("TZ"), (unsigned long long)from_ms);
        if (got != want)
            fail_msg("seed %llu: %s in %s after %llu: got %llu, want %llu",
                     (unsigned long long)seed, expr, getenv("TZ"), (unsigned long long)from_ms,
                     (unsigned long long)got, (unsigned long long)want);
        checked++;
    }
    assert_true(checked > 300);
    assert_true(near_change > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_lists_ranges_steps_and_names),
        cmocka_unit_test(shorthands_are_the_usual_times),
        cmocka_unit_test(errors_say_what_and_where),
        cmocka_unit_test(next_is_strictly_after_and_on_a_whole_minute),
        cmocka_unit_test(day_of_month_or_day_of_week_when_both_are_restricted),
        cmocka_unit_test(leap_days_and_month_ends),
        cmocka_unit_test(every_is_a_fixed_rate_from_its_anchor),
        cmocka_unit_test(schedule_next_picks_the_services_kind),
        cmocka_unit_test(random_schedules_agree_with_a_minute_by_minute_walk),
        cmocka_unit_test(local_times_follow_the_offset_of_the_season),
        cmocka_unit_test(a_time_the_clock_skips_runs_at_the_change),
        cmocka_unit_test(a_time_the_clock_repeats_runs_once_unless_starred),
        cmocka_unit_test(random_schedules_in_zones_agree_with_a_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
