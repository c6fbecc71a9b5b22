/* signame.h - signal names to numbers and back ("TERM", "SIGTERM", "term",
 * "15", "RTMIN+2"), for stop_signal, `corralctl signal` and log lines. Pure. */
#ifndef CORRAL_SIGNAME_H
#define CORRAL_SIGNAME_H

#include <stddef.h>

/* Returns the signal number named by s (with or without "SIG", any case, or a
 * decimal number), or -EINVAL. Never returns 0: signal 0 is not a signal. */
int signame_parse(const char *s);

/* Writes the canonical name of sig ("SIGTERM", "SIGRTMIN+2", or "signal 99")
 * into buf and returns buf. */
const char *signame_format(int sig, char *buf, size_t len);

#endif
