/* output_msg.h - one whole line handed to a service's sinks by corral itself
 * rather than read from the service's pipes: a syslog message its process
 * tree sent to /dev/log. The same places as the service's own lines
 * (prefix or JSON on corral's stdout, its log file, its ring, its
 * followers), with the message's facility and severity in JSON. */
#ifndef CORRAL_OUTPUT_MSG_H
#define CORRAL_OUTPUT_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "output.h"

struct output_msg {
    const char *text; /* one line, no newline */
    size_t len;
    const char *facility; /* "cron", ...: JSON "facility"; NULL: none */
    const char *severity; /* "info", ...: JSON "severity"; NULL: none */
};

/* Sends m to s's sinks now. A sender of datagrams cannot be made to wait:
 * when s has more than OUTPUT_QUEUE_HIGH queued for corral's output the line
 * is dropped there (it still goes to the ring, the followers and the file)
 * and false is returned, for the caller to count. */
bool output_svc_message(struct output_svc *s, const struct output_msg *m);

#endif
