/* units.h - parsers for the human units of the configuration and the command
 * line: durations ("100ms", "1.5s", "2m", "1m30s") and sizes ("10MiB"). Pure:
 * no allocation, no I/O. */
#ifndef CORRAL_UNITS_H
#define CORRAL_UNITS_H

#include <stdint.h>

/* Parses a duration into milliseconds. Units: ms, s, m, h (several may follow
 * each other, largest first: "1m30s"); decimals allowed ("1.5s"); "0" alone
 * means zero. Returns 0, -EINVAL when malformed, -ERANGE on overflow. */
int units_parse_duration_ms(const char *s, uint64_t *out_ms);

/* Parses a size into bytes: a plain number of bytes, or a number followed by
 * B, K/KiB, M/MiB, G/GiB (powers of 1024) or KB, MB, GB (powers of 1000).
 * Returns 0, -EINVAL when malformed, -ERANGE on overflow. */
int units_parse_size(const char *s, uint64_t *out_bytes);

/* Writes a duration the way people read it ("250ms", "1.5s", "2m30s") into
 * buf. Returns buf. */
char *units_format_duration(uint64_t ms, char *buf, unsigned len);

#endif
