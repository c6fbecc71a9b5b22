/* fuzz_syslog.c - libFuzzer target over the /dev/log parser: any datagram
 * parses; every field lies inside the datagram; facility and severity are in
 * range; the printed line fits its buffer, is one line (no control
 * character but a tab) and, when there is no tag, is the text itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syslogmsg.h"

static void fuzz_inside(const char *buf, size_t len, struct syslogmsg_field f)
{
    if (f.len == 0)
        return;
    if (f.ptr < buf || f.ptr + f.len > buf + len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char line[SYSLOGMSG_MAX + 256];
    struct syslogmsg m;
    const char *buf = (const char *)data;
    if (size > SYSLOGMSG_MAX)
        size = SYSLOGMSG_MAX;
    syslogmsg_parse(buf, size, &m);
    if (m.facility < 0 || m.facility > 23 || m.severity < 0 || m.severity > 7)
        abort();
    fuzz_inside(buf, size, m.host);
    fuzz_inside(buf, size, m.tag);
    fuzz_inside(buf, size, m.pid);
    fuzz_inside(buf, size, m.msgid);
    fuzz_inside(buf, size, m.text);
    if (!m.text.ptr)
        abort();
    /* A small buffer: the line is cut, never overrun. */
    size_t cap = size % 64;
    size_t n = syslogmsg_line(&m, line, cap);
    if (n > cap)
        abort();
    n = syslogmsg_line(&m, line, sizeof line);
    if (n > sizeof line)
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            abort();
    }
    if (m.tag.len == 0 && n != m.text.len)
        abort();
    return 0;
}
