/* cronexpr.c - crontab(5) times: five fields (minute, hour, day of month,
 * month, day of week), each a list of `*`, `N`, `N-M`, with `/STEP`, month
 * and weekday names, and the @hourly ... @yearly shorthands; into the sets
 * of struct conf_cron. A schedule that can never run (`0 0 30 2 *`) is an
 * error here rather than a job that silently never runs. */
#include "cronexpr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct cronexpr_field {
    const char *what;
    int min, max;
    const char *names; /* three letters each, from min; NULL: none */
};

static const struct cronexpr_field cronexpr_fields[5] = {
    {"minute", 0, 59, NULL},
    {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},
    {"month", 1, 12, "janfebmaraprmayjunjulaugsepoctnovdec"},
    {"day of week", 0, 7, "sunmontuewedthufrisat"},
};

struct cronexpr_ctx {
    const char *expr;
    char *err;
    size_t errlen;
    size_t *at;
};

static int cronexpr_fail(struct cronexpr_ctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cronexpr_fail(struct cronexpr_ctx *c, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    *c->at = (size_t)(where - c->expr);
    return -EINVAL;
}

/* A number or a name at *p (advanced past it). */
static int cronexpr_value(struct cronexpr_ctx *c, const struct cronexpr_field *f, const char **p,
                          const char *end, int *out)
{
    const char *s = *p;
    if (s < end && *s >= '0' && *s <= '9') {
        long v = 0;
        while (*p < end && **p >= '0' && **p <= '9' && v <= 1000)
            v = v * 10 + (*(*p)++ - '0');
        if (v < f->min || v > f->max)
            return cronexpr_fail(c, s, "%s: %.*s is out of range %d-%d", f->what, (int)(*p - s), s,
                                 f->min, f->max);
        *out = (int)v;
        return 0;
    }
    if (f->names && end - s >= 3) {
        size_t n = strlen(f->names) / 3;
        for (size_t i = 0; i < n; i++)
            if (strncasecmp(s, f->names + 3 * i, 3) == 0 &&
                (end - s == 3 || s[3] == ',' || s[3] == '-' || s[3] == '/')) {
                *out = f->min + (int)i;
                *p = s + 3;
                return 0;
            }
    }
    size_t len = strcspn(s, ",-/");
    if (len > (size_t)(end - s))
        len = (size_t)(end - s);
    return cronexpr_fail(c, s, "%s: expected a number %d-%d%s, got \"%.*s\"", f->what, f->min,
                         f->max, f->names ? " or a name" : "", (int)len, s);
}

/* One field [p, end) into the bits of *bits (bit N: value N). */
static int cronexpr_field(struct cronexpr_ctx *c, const struct cronexpr_field *f, const char *p,
                          const char *end, uint64_t *bits)
{
    *bits = 0;
    for (;;) {
        const char *item = p;
        int lo, hi, step = 1;
        bool ranged = false;
        if (p < end && *p == '*') {
            lo = f->min;
            hi = f->max;
            p++;
            ranged = true;
        } else {
            int rc = cronexpr_value(c, f, &p, end, &lo);
            if (rc < 0)
                return rc;
            hi = lo;
            if (p < end && *p == '-') {
                p++;
                rc = cronexpr_value(c, f, &p, end, &hi);
                if (rc < 0)
                    return rc;
                if (hi < lo)
                    return cronexpr_fail(c, item, "%s: range %d-%d goes backwards", f->what, lo,
                                         hi);
                ranged = true;
            }
        }
        if (p < end && *p == '/') {
            const char *s = ++p;
            long v = 0;
            while (p < end && *p >= '0' && *p <= '9' && v <= 1000)
                v = v * 10 + (*p++ - '0');
            if (p == s || v < 1 || v > f->max)
                return cronexpr_fail(c, s, "%s: expected a step from 1 to %d", f->what, f->max);
            step = (int)v;
            /* "N/STEP": from N to the end of the range, as cronie reads it. */
            if (!ranged)
                hi = f->max;
        }
        for (int v = lo; v <= hi; v += step)
            *bits |= 1ULL << v;
        if (p >= end)
            return 0;
        if (*p != ',')
            return cronexpr_fail(c, p, "%s: unexpected \"%c\"", f->what, *p);
        p++;
        if (p >= end)
            return cronexpr_fail(c, p, "%s: expected a value after \",\"", f->what);
    }
}

/* Days in month m, February with its 29th (a leap year comes). */
static int cronexpr_month_days(int m)
{
    static const int days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m];
}

static const struct {
    const char *name, *expr;
} cronexpr_macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

int cronexpr_parse(const char *expr, struct conf_cron *out, char *err, size_t errlen, size_t *at)
{
    struct cronexpr_ctx c = {.expr = expr, .err = err, .errlen = errlen, .at = at};
    const char *p = expr;
    uint64_t bits[5];
    bool star[5];
    int n = 0;

    memset(out, 0, sizeof *out);
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '@') {
        size_t len = strcspn(p, " \t");
        const char *rest = p + len + strspn(p + len, " \t");
        if (*rest)
            return cronexpr_fail(&c, rest, "expected nothing after %.*s", (int)len, p);
        for (size_t i = 0; i < sizeof cronexpr_macros / sizeof *cronexpr_macros; i++)
            if (strlen(cronexpr_macros[i].name) == len &&
                strncmp(p, cronexpr_macros[i].name, len) == 0) {
                size_t dummy;
                return cronexpr_parse(cronexpr_macros[i].expr, out, err, errlen, &dummy);
            }
        if (len == 7 && strncmp(p, "@reboot", 7) == 0)
            return cronexpr_fail(&c, p,
                                 "@reboot is not a time: a oneshot without a schedule "
                                 "runs once at start");
        return cronexpr_fail(&c, p,
                             "expected @yearly, @annually, @monthly, @weekly, @daily, @midnight "
                             "or @hourly, got \"%.*s\"",
                             (int)len, p);
    }
    while (*p) {
        const char *s = p;
        p += strcspn(p, " \t");
        if (n == 5)
            return cronexpr_fail(&c, s,
                                 "expected 5 fields (minute hour day-of-month month "
                                 "day-of-week), got more");
        star[n] = *s == '*';
        int rc = cronexpr_field(&c, &cronexpr_fields[n], s, p, &bits[n]);
        if (rc < 0)
            return rc;
        n++;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (n < 5)
        return cronexpr_fail(&c, p,
                             "expected 5 fields (minute hour day-of-month month day-of-week), "
                             "got %d",
                             n);
    out->minutes = bits[0];
    out->hours = (uint32_t)bits[1];
    out->days = (uint32_t)bits[2];
    out->months = (uint16_t)bits[3];
    out->weekdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 is Sunday */
    out->days_star = star[2];
    out->weekdays_star = star[4];
    out->clock_star = star[0] || star[1];
    /* With either day field a '*', a day must match both (crontab(5)); then
     * a day of month that no chosen month has never comes. With both
     * restricted, either matches, and every weekday comes in every month. */
    if (out->days_star || out->weekdays_star) {
        bool possible = false;
        for (int m = 1; m <= 12 && !possible; m++)
            for (int d = 1; d <= cronexpr_month_days(m) && !possible; d++)
                possible = (out->months >> m & 1) && (out->days >> d & 1);
        if (!possible)
            return cronexpr_fail(&c, expr, "never runs: no chosen month has a chosen day");
    }
    return 0;
}
