/* syslogmsg.h - one datagram of the /dev/log socket parsed: RFC 5424
 * (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) and RFC 3164 as local
 * programs send it (`<PRI>Mmm dd hh:mm:ss [HOST ]TAG[PID]: MSG`, glibc's
 * syslog(3), util-linux logger), and the line corral prints for it
 * ("CRON[41]: (root) CMD ..."). Pure: no allocation, the fields point into
 * the datagram. Anything is accepted: what does not parse is the text. */
#ifndef CORRAL_SYSLOGMSG_H
#define CORRAL_SYSLOGMSG_H

#include <stdbool.h>
#include <stddef.h>

/* The longest datagram read whole (rsyslog's default maxMessageSize); a
 * longer one is cut there. */
#define SYSLOGMSG_MAX 8192

/* A field of the message: ptr into the datagram, len 0 when absent. */
struct syslogmsg_field {
    const char *ptr;
    size_t len;
};

struct syslogmsg {
    int facility;                 /* 0..23 (RFC 5424 table 1); 1 (user) when no PRI */
    int severity;                 /* 0..7; 5 (notice) when no PRI, as RFC 3164 4.3.3 */
    bool rfc5424;                 /* "<PRI>1 " */
    struct syslogmsg_field host;  /* HOSTNAME, when one was sent */
    struct syslogmsg_field tag;   /* RFC 5424 APP-NAME, RFC 3164 TAG */
    struct syslogmsg_field pid;   /* PROCID, or the [PID] of the tag */
    struct syslogmsg_field msgid; /* RFC 5424 only */
    struct syslogmsg_field text;  /* MSG: no BOM, no trailing newlines or NULs */
};

/* Parses len bytes of buf into m. Never fails: a datagram with no PRI, no
 * header or a broken one keeps what did parse and the rest is text. */
void syslogmsg_parse(const char *buf, size_t len, struct syslogmsg *m);

/* Writes the line for m into out (cap bytes, NUL not written): "TAG[PID]:
 * TEXT", "TAG: TEXT" or "TEXT"; control characters (a newline inside the
 * message) become spaces, so that one message is one line. Returns the
 * length written (at most cap). */
size_t syslogmsg_line(const struct syslogmsg *m, char *out, size_t cap);

/* "kern", "user", ..., "local7"; "unknown" out of range. */
const char *syslogmsg_facility_name(int facility);
/* "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug". */
const char *syslogmsg_severity_name(int severity);

#endif
