/* sup_syslog.c - a /dev/log message made a line of the service whose
 * process tree sent it: the sender's ancestor chain (from SCM_CREDENTIALS
 * and /proc, init/syslogd.c) is matched against every running service's
 * main process, the nearest one wins; nobody's message goes under a name of
 * its own. A datagram sender cannot be paused, so a message corral's output
 * cannot take is dropped and counted (docs/logging.md "syslog"). */
#include "sup_syslog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "output_msg.h"
#include "supervisor_int.h"
#include "syslogmsg.h"

int sup_syslog_init(struct sup_syslog *y, struct supervisor *sup, struct output *o,
                    const char *name)
{
    memset(y, 0, sizeof *y);
    y->sup = sup;
    y->conf.name = strdup(name);
    if (!y->conf.name)
        return -ENOMEM;
    y->conf.logs.sinks = CONF_LOG_PREFIX;
    y->conf.logs.ring_size = 64 * 1024;
    output_svc_init(&y->out, o, &y->conf, false, 0);
    return 0;
}

/* The record whose running main process is nearest the sender, or NULL. */
static struct sup_service *sup_syslog_owner(struct supervisor *sup, const pid_t *chain, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < sup->n; i++)
            if (sup->svcs[i]->svc.pid == chain[k])
                return sup->svcs[i];
        for (struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
            if (ss->svc.pid == chain[k])
                return ss;
    }
    return NULL;
}

void sup_syslog_on_datagram(void *arg, const pid_t *chain, size_t n, const char *msg, size_t len)
{
    struct sup_syslog *y = arg;
    struct syslogmsg m;
    char line[SYSLOGMSG_MAX + 160];

    syslogmsg_parse(msg, len, &m);
    size_t line_len = syslogmsg_line(&m, line, sizeof line);
    struct sup_service *ss = sup_syslog_owner(y->sup, chain, n);
    struct output_svc *out = ss ? &ss->output : &y->out;
    struct output_msg om = {.text = line,
                            .len = line_len,
                            .facility = syslogmsg_facility_name(m.facility),
                            .severity = syslogmsg_severity_name(m.severity)};
    if (!ss) {
        y->unattributed++;
        if (n > 0)
            log_debug("syslog: message from pid %d, of no service", (int)chain[0]);
    }
    if (!output_svc_message(out, &om)) {
        y->dropped++;
        y->dropped_episode++;
        return;
    }
    y->lines++;
    if (y->dropped_episode) {
        log_warn("syslog: dropped %llu messages while corral's output was too slow",
                 (unsigned long long)y->dropped_episode);
        y->dropped_episode = 0;
    }
}

void sup_syslog_close(struct sup_syslog *y)
{
    if (!y->conf.name)
        return;
    output_svc_free(&y->out);
    free(y->conf.name);
    y->conf.name = NULL;
}
