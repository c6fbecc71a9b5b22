/* fmt.h - corralctl's formats for people: short durations ("5m12s", "2d3h")
 * and wall-clock times. Pure apart from the local time zone. */
#ifndef CORRAL_FMT_H
#define CORRAL_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Writes ms as at most two units ("850ms", "12s", "5m12s", "3h04m", "2d3h")
 * into buf and returns buf. */
char *fmt_duration(uint64_t ms, char *buf, size_t len);

/* Writes a unix time in ms as local "YYYY-MM-DD HH:MM:SS.mmm" into buf and
 * returns buf. */
char *fmt_time(uint64_t unix_ms, char *buf, size_t len);

#endif
