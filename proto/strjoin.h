/* strjoin.h - bounded concatenation of strings and decimals, for paths and
 * KEY=VALUE pairs built at start-up and on hot paths. Plain copies: PID 1
 * formats nothing with printf until it has something to say, which keeps
 * glibc's formatting code (about 290 KiB once mapped) out of its memory. */
#ifndef CORRAL_STRJOIN_H
#define CORRAL_STRJOIN_H

#include <stddef.h>

/* Longest decimal of an unsigned long, with its NUL. */
#define STRJOIN_ULONG_MAX 21

/* Writes the concatenation of the strings given, up to a NULL, into buf.
 * Returns the length, or -ENAMETOOLONG with buf emptied when it does not
 * fit in len bytes (NUL included). */
int strjoin(char *buf, size_t len, ...) __attribute__((sentinel));

/* The decimal digits of v, written into buf; returns buf. */
char *strjoin_ulong(char buf[STRJOIN_ULONG_MAX], unsigned long v);

#endif
