/* strjoin.c - bounded concatenation of strings and decimals (strjoin.h). */
#include "strjoin.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

int strjoin(char *buf, size_t len, ...)
{
    va_list ap;
    size_t used = 0;
    int rc = 0;

    if (len == 0)
        return -ENAMETOOLONG;
    va_start(ap, len);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
        size_t n = strlen(s);
        if (n >= len - used) {
            rc = -ENAMETOOLONG;
            break;
        }
        memcpy(buf + used, s, n);
        used += n;
    }
    va_end(ap);
    if (rc < 0) {
        buf[0] = '\0';
        return rc;
    }
    buf[used] = '\0';
    return (int)used;
}

char *strjoin_ulong(char buf[STRJOIN_ULONG_MAX], unsigned long v)
{
    char tmp[STRJOIN_ULONG_MAX];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}
