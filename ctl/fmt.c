/* fmt.c - durations and times the way corralctl shows them to people: two
 * units at most, so that a table column stays narrow. */
#include "fmt.h"

#include <stdio.h>
#include <time.h>

char *fmt_duration(uint64_t ms, char *buf, size_t len)
{
    unsigned long long s = ms / 1000;

    if (ms < 1000)
        snprintf(buf, len, "%llums", (unsigned long long)ms);
    else if (s < 60)
        snprintf(buf, len, "%llus", s);
    else if (s < 3600)
        snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, len, "%llud%lluh", s / 86400, s % 86400 / 3600);
    return buf;
}

char *fmt_time(uint64_t unix_ms, char *buf, size_t len)
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    char day[32];

    if (!localtime_r(&t, &tm) || strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(day, sizeof day, "@%lld", (long long)t);
    snprintf(buf, len, "%s.%03u", day, (unsigned)(unix_ms % 1000));
    return buf;
}
