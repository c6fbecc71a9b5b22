/* sup_requests.c - what others ask of a service: the checks (ready,
 * healthy, unhealthy, sd_notify), and the control socket (start, stop,
 * restart). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "corral.h"
#include "exitstatus.h"
#include "log.h"
#include "notify.h"
#include "pidbudget.h"
#include "proctree.h"
#include "spawn.h"
#include "supervisor_int.h"

void sup_ready(struct sup_service *ss)
{
    if (ss->svc.state == SVC_STARTING)
        sup_feed(ss, SVC_EV_READY, 0, 0);
}

void sup_healthy(struct sup_service *ss)
{
    log_info("%s: healthy (%s)", sup_name(ss), ss->checks.last);
    for (size_t i = 0; i < ss->n_dependents; i++)
        sup_try_start(ss->dependents[i]);
}

void sup_unhealthy(struct sup_service *ss, const char *text)
{
    struct svc_event ev = {.kind = SVC_EV_UNHEALTHY, .text = text};
    sup_feed_event(ss, &ev);
}

void sup_on_sdnotify(void *arg, pid_t pid, const char *msg, size_t len)
{
    struct supervisor *sup = arg;
    if (pid <= 0) {
        log_warn("sd_notify from a process outside corral's PID namespace ignored");
        return;
    }
    for (size_t i = 0; i < sup->n; i++) {
        struct sup_service *ss = sup->svcs[i];
        if (ss->svc.conf->readiness.kind != CONF_PROBE_NOTIFY_SYSTEMD || ss->svc.pid <= 0)
            continue;
        if (notify_pid_in_tree(pid, ss->svc.pid)) {
            checks_on_sdnotify(&ss->checks, msg, len);
            return;
        }
    }
    log_warn("sd_notify from pid %d ignored: not a process of a service that uses notify: "
             "systemd",
             (int)pid);
}

void sup_start_service(struct sup_service *ss)
{
    ss->held = false;
    if (svc_is_running(&ss->svc) || ss->svc.state == SVC_WAITING)
        return;
    if (ss->svc.state == SVC_BACKOFF) {
        /* Asked for now: skip the rest of the delay. */
        uv_timer_stop(&ss->timer);
        sup_feed(ss, SVC_EV_TIMER, 0, 0);
        return;
    }
    sup_feed(ss, SVC_EV_START, 0, 0);
    sup_try_start(ss);
}

void sup_stop_service(struct sup_service *ss)
{
    ss->held = true;
    ss->restart_pending = false;
    if (ss->svc.state != SVC_STOPPING && !svc_is_finished(&ss->svc))
        sup_feed(ss, SVC_EV_STOP, 0, 0);
}

void sup_restart_service(struct sup_service *ss)
{
    if (!svc_is_running(&ss->svc)) {
        sup_start_service(ss);
        return;
    }
    ss->held = false;
    ss->restart_pending = true;
    if (ss->svc.state != SVC_STOPPING)
        sup_feed(ss, SVC_EV_STOP, 0, 0);
}
