/* sup_syslog.h - whose is a /dev/log message: each datagram the syslogd
 * socket (init/syslogd.h) reads is parsed (core/syslogmsg.h) and printed as
 * a line of the service whose process tree sent it ("cron | CRON[41]: ..."),
 * or, from a process of no service, under a name of its own. For the root,
 * which owns the struct and wires it to the socket. */
#ifndef CORRAL_SUP_SYSLOG_H
#define CORRAL_SUP_SYSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "output.h"
#include "supervisor.h"

struct sup_syslog {
    struct supervisor *sup;
    struct conf_service conf; /* the unattributed senders' name and sinks */
    struct output_svc out;    /* ... and their output record */
    uint64_t lines;           /* messages printed */
    uint64_t unattributed;    /* ... of them, from no service's tree */
    uint64_t dropped;         /* messages corral's slow output could not take, in all */
    uint64_t dropped_episode; /* ... since the last one that went out */
};

/* Prepares y for the supervisor's services; unattributed messages are shown
 * under name (copied). Returns 0 or -ENOMEM. */
int sup_syslog_init(struct sup_syslog *y, struct supervisor *sup, struct output *o,
                    const char *name);

/* A syslogd_cb (arg: y): parses the datagram and prints it for the service
 * whose running process is in chain (the sender first, then its
 * ancestors), else under y's own name. Never blocks and never queues past
 * OUTPUT_QUEUE_HIGH: what does not fit is dropped, counted, and said once
 * the output takes lines again. */
void sup_syslog_on_datagram(void *arg, const pid_t *chain, size_t n, const char *msg, size_t len);

void sup_syslog_close(struct sup_syslog *y);

#endif
