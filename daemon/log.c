/* log.c - formats corral's own messages and writes each as one line to
 * stderr. Keeps errno intact so callers may log before reporting it. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"

enum log_level log_max_level = LOG_INFO;

void log_write(enum log_level level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    int saved = errno;
    int n = snprintf(line, sizeof line, "corral: ");
    va_list ap;

    (void)level;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2; /* truncated: keep the newline */
    line[len++] = '\n';
    const char *p = line;
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        len -= (size_t)w;
    }
    errno = saved;
}
