/* units.c - durations and sizes from text, for YAML files and command-line
 * options alike. Strict: anything but digits, one optional decimal point and a
 * known unit is refused, so "10 s" or "1.2.3s" never silently means something. */
#include "units.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Reads "123" or "1.25" at *p into a value scaled by 1000 (milli-units), so a
 * fraction survives until the unit multiplies it. Returns 0 or -errno. */
static int units_read_number(const char **p, uint64_t *milli)
{
    const char *s = *p;
    uint64_t whole = 0, frac = 0, scale = 1000;
    int digits = 0;

    while (*s >= '0' && *s <= '9') {
        if (whole > (UINT64_MAX / 1000 - 9) / 10)
            return -ERANGE;
        whole = whole * 10 + (uint64_t)(*s++ - '0');
        digits++;
    }
    if (*s == '.') {
        s++;
        int frac_digits = 0;
        while (*s >= '0' && *s <= '9') {
            /* Digits past the third are below a milli-unit: ignored. */
            if (scale > 1) {
                scale /= 10;
                frac += (uint64_t)(*s - '0') * scale;
            }
            s++;
            frac_digits++;
        }
        if (frac_digits == 0)
            return -EINVAL;
        digits += frac_digits;
    }
    if (digits == 0)
        return -EINVAL;
    *milli = whole * 1000 + frac;
    *p = s;
    return 0;
}

static int units_mul_add(uint64_t *acc, uint64_t milli, uint64_t unit_ms)
{
    /* milli is a value in thousandths of the unit. */
    if (unit_ms != 0 && milli > UINT64_MAX / unit_ms)
        return -ERANGE;
    uint64_t v = milli * unit_ms / 1000;
    if (*acc > UINT64_MAX - v)
        return -ERANGE;
    *acc += v;
    return 0;
}

int units_parse_duration_ms(const char *s, uint64_t *out_ms)
{
    static const struct {
        const char *name;
        uint64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    uint64_t total = 0, last_unit = UINT64_MAX;

    if (!s || !*s)
        return -EINVAL;
    if (strcmp(s, "0") == 0) {
        *out_ms = 0;
        return 0;
    }
    while (*s) {
        uint64_t milli;
        int rc = units_read_number(&s, &milli);
        if (rc < 0)
            return rc;
        size_t i, n = sizeof units / sizeof units[0];
        for (i = 0; i < n; i++) {
            size_t len = strlen(units[i].name);
            /* "m" must not match the start of "ms". */
            if (strncmp(s, units[i].name, len) == 0 && !(len == 1 && s[0] == 'm' && s[1] == 's'))
                break;
        }
        if (i == n)
            return -EINVAL;
        /* Compound durations go from the largest unit down: "1m30s". */
        if (units[i].ms >= last_unit)
            return -EINVAL;
        last_unit = units[i].ms;
        s += strlen(units[i].name);
        rc = units_mul_add(&total, milli, units[i].ms);
        if (rc < 0)
            return rc;
    }
    *out_ms = total;
    return 0;
}

int units_parse_size(const char *s, uint64_t *out_bytes)
{
    static const struct {
        const char *name;
        uint64_t mul;
    } units[] = {
        {"", 1},
        {"B", 1},
        {"K", 1024},
        {"KiB", 1024},
        {"KB", 1000},
        {"M", 1024 * 1024},
        {"MiB", 1024 * 1024},
        {"MB", 1000 * 1000},
        {"G", 1024ULL * 1024 * 1024},
        {"GiB", 1024ULL * 1024 * 1024},
        {"GB", 1000ULL * 1000 * 1000},
    };
    uint64_t milli, total = 0;

    if (!s)
        return -EINVAL;
    int rc = units_read_number(&s, &milli);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s, units[i].name) == 0) {
            rc = units_mul_add(&total, milli, units[i].mul);
            if (rc < 0)
                return rc;
            *out_bytes = total;
            return 0;
        }
    }
    return -EINVAL;
}

char *units_format_duration(uint64_t ms, char *buf, unsigned len)
{
    if (ms < 1000)
        snprintf(buf, len, "%llums", (unsigned long long)ms);
    else if (ms < 60000 && ms % 1000 == 0)
        snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
    else if (ms < 60000)
        snprintf(buf, len, "%llu.%03llus", (unsigned long long)(ms / 1000),
                 (unsigned long long)(ms % 1000));
    else if (ms % 60000 == 0)
        snprintf(buf, len, "%llum", (unsigned long long)(ms / 60000));
    else
        snprintf(buf, len, "%llum%llus", (unsigned long long)(ms / 60000),
                 (unsigned long long)(ms % 60000 / 1000));
    return buf;
}
