/* syslogmsg.c - a /dev/log datagram into its fields (RFC 5424, RFC 3164 as
 * local senders write it) and the one line corral prints for it. Lenient
 * like rsyslog's and busybox syslogd's parsers: nothing is rejected, what
 * does not fit the format stays in the text. */
#include "syslogmsg.h"

#include <string.h>

/* The RFC 3164 TAG is at most 32 characters; senders write longer idents
 * (rsyslog accepts them), so a tag may be this long. */
#define SYSLOGMSG_TAG_MAX 128

static const char *const syslogmsg_facilities[] = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7",
};

static const char *const syslogmsg_severities[] = {
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

const char *syslogmsg_facility_name(int facility)
{
    if (facility < 0 ||
        facility >= (int)(sizeof syslogmsg_facilities / sizeof *syslogmsg_facilities))
        return "unknown";
    return syslogmsg_facilities[facility];
}

const char *syslogmsg_severity_name(int severity)
{
    if (severity < 0 || severity > 7)
        return "unknown";
    return syslogmsg_severities[severity];
}

static bool syslogmsg_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "<PRI>": 1 to 3 digits, 0..191 (RFC 5424 6.2.1). Returns the bytes used,
 * or 0 when there is no valid PRI. */
static size_t syslogmsg_pri(const char *p, size_t n, int *pri)
{
    size_t i = 1;
    int v = 0;
    if (n < 3 || p[0] != '<')
        return 0;
    while (i < n && i <= 3 && syslogmsg_digit(p[i]))
        v = v * 10 + (p[i++] - '0');
    if (i == 1 || i >= n || p[i] != '>' || v > 191)
        return 0;
    *pri = v;
    return i + 1;
}

/* One space-delimited header token of RFC 5424 at *p: ptr/len, "-" as
 * absent. Returns false when the data ends before a token. */
static bool syslogmsg_token(const char **p, const char *end, struct syslogmsg_field *f)
{
    const char *s = *p;
    if (s >= end || *s == ' ')
        return false;
    while (*p < end && **p != ' ')
        (*p)++;
    f->ptr = s;
    f->len = (size_t)(*p - s);
    if (f->len == 1 && s[0] == '-')
        f->len = 0;
    if (*p < end)
        (*p)++; /* the space */
    return true;
}

/* RFC 5424 STRUCTURED-DATA at p: "-" or one or more "[id k=\"v\" ...]",
 * with \" \\ \] escaped inside values. Returns where it ends, or NULL when
 * an element does not close. */
static const char *syslogmsg_sd(const char *p, const char *end)
{
    if (p < end && *p == '-')
        return p + 1;
    if (p >= end || *p != '[')
        return NULL;
    while (p < end && *p == '[') {
        bool quoted = false;
        for (p++; p < end; p++) {
            if (quoted && *p == '\\' && p + 1 < end)
                p++;
            else if (*p == '"')
                quoted = !quoted;
            else if (!quoted && *p == ']')
                break;
        }
        if (p >= end)
            return NULL;
        p++; /* the ']' */
    }
    return p;
}

static void syslogmsg_5424(const char *p, const char *end, struct syslogmsg *m)
{
    struct syslogmsg_field stamp;
    m->rfc5424 = true;
    if (!syslogmsg_token(&p, end, &stamp) || !syslogmsg_token(&p, end, &m->host) ||
        !syslogmsg_token(&p, end, &m->tag) || !syslogmsg_token(&p, end, &m->pid) ||
        !syslogmsg_token(&p, end, &m->msgid))
        return;
    const char *after = syslogmsg_sd(p, end);
    if (!after) {
        m->text = (struct syslogmsg_field){p, (size_t)(end - p)};
        return;
    }
    p = after;
    if (p < end && *p == ' ')
        p++;
    /* MSG may start with a BOM to say it is UTF-8 (RFC 5424 6.4). */
    if (end - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;
    m->text = (struct syslogmsg_field){p, (size_t)(end - p)};
}

/* "Mmm dd hh:mm:ss " (RFC 3164 4.1.2; the day padded with a space). */
static bool syslogmsg_bsd_stamp(const char *p, const char *end)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (end - p < 16)
        return false;
    bool month = false;
    for (int i = 0; i < 12 && !month; i++)
        month = memcmp(p, months + 3 * i, 3) == 0;
    return month && p[3] == ' ' && (p[4] == ' ' || syslogmsg_digit(p[4])) &&
           syslogmsg_digit(p[5]) && p[6] == ' ' && syslogmsg_digit(p[7]) && syslogmsg_digit(p[8]) &&
           p[9] == ':' && syslogmsg_digit(p[10]) && syslogmsg_digit(p[11]) && p[12] == ':' &&
           syslogmsg_digit(p[13]) && syslogmsg_digit(p[14]) && p[15] == ' ';
}

/* An RFC 3339 time where RFC 3164 puts its own ("2026-12-02T07:24:51..."),
 * as rsyslog's high-precision format sends it. Returns its length with the
 * space after it, or 0. */
static size_t syslogmsg_iso_stamp(const char *p, const char *end)
{
    if (end - p < 20 || !syslogmsg_digit(p[0]) || !syslogmsg_digit(p[3]) || p[4] != '-' ||
        p[7] != '-' || p[10] != 'T')
        return 0;
    const char *s = memchr(p, ' ', (size_t)(end - p));
    return s ? (size_t)(s - p) + 1 : 0;
}

/* "TAG[PID]: " or "TAG: " at p. Fills tag, pid and text when it is one. */
static bool syslogmsg_tag(const char *p, const char *end, struct syslogmsg *m)
{
    const char *s = p;
    while (p < end && *p != '[' && *p != ':' && *p != ' ' && p - s < SYSLOGMSG_TAG_MAX)
        p++;
    if (p == s || p >= end)
        return false;
    struct syslogmsg_field pid = {0};
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close || close + 1 >= end || close[1] != ':')
            return false;
        pid = (struct syslogmsg_field){p + 1, (size_t)(close - p - 1)};
        m->tag = (struct syslogmsg_field){s, (size_t)(p - s)};
        p = close + 1;
    } else if (*p == ':') {
        m->tag = (struct syslogmsg_field){s, (size_t)(p - s)};
    } else {
        return false;
    }
    m->pid = pid;
    p++; /* the ':' */
    if (p < end && *p == ' ')
        p++;
    m->text = (struct syslogmsg_field){p, (size_t)(end - p)};
    return true;
}

static void syslogmsg_3164(const char *p, const char *end, struct syslogmsg *m)
{
    bool stamped = false;
    if (syslogmsg_bsd_stamp(p, end)) {
        p += 16;
        stamped = true;
    } else {
        size_t n = syslogmsg_iso_stamp(p, end);
        p += n;
        stamped = n > 0;
    }
    m->text = (struct syslogmsg_field){p, (size_t)(end - p)};
    if (syslogmsg_tag(p, end, m))
        return;
    /* A HOSTNAME comes only after a TIMESTAMP (logger --rfc3164 sends one,
     * syslog(3) on the local socket does not): "host TAG[PID]: ...". */
    const char *sp = stamped ? memchr(p, ' ', (size_t)(end - p)) : NULL;
    if (sp && sp > p && syslogmsg_tag(sp + 1, end, m))
        m->host = (struct syslogmsg_field){p, (size_t)(sp - p)};
}

void syslogmsg_parse(const char *buf, size_t len, struct syslogmsg *m)
{
    int pri = 13; /* user.notice: RFC 3164 4.3.3 */
    memset(m, 0, sizeof *m);
    /* syslog(3) and many senders end with a newline or a NUL. */
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0' || buf[len - 1] == '\r'))
        len--;
    const char *p = buf, *end = buf + len;
    p += syslogmsg_pri(p, len, &pri);
    m->facility = pri >> 3;
    m->severity = pri & 7;
    if (end - p >= 2 && p[0] == '1' && p[1] == ' ')
        syslogmsg_5424(p + 2, end, m);
    else
        syslogmsg_3164(p, end, m);
    if (m->text.len == 0)
        m->text.ptr = end; /* never NULL: callers may pass it on */
}

/* Appends n bytes of s to out, control characters as spaces. */
static size_t syslogmsg_put(char *out, size_t at, size_t cap, const char *s, size_t n)
{
    for (size_t i = 0; i < n && at < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        out[at++] = (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : (char)c;
    }
    return at;
}

size_t syslogmsg_line(const struct syslogmsg *m, char *out, size_t cap)
{
    size_t at = 0;
    if (m->tag.len) {
        at = syslogmsg_put(out, at, cap, m->tag.ptr, m->tag.len);
        if (m->pid.len) {
            at = syslogmsg_put(out, at, cap, "[", 1);
            at = syslogmsg_put(out, at, cap, m->pid.ptr, m->pid.len);
            at = syslogmsg_put(out, at, cap, "]", 1);
        }
        at = syslogmsg_put(out, at, cap, ": ", m->text.len ? 2 : 1);
    }
    return syslogmsg_put(out, at, cap, m->text.ptr, m->text.len);
}
