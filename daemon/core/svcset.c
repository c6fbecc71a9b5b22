/* svcset.c - the set logic of svcset.h: pure decisions over the records of
 * every service. */
#include "svcset.h"

#include <stdio.h>

#include "exitstatus.h"

static bool svcset_finished_well(const struct svc *d)
{
    return d->state == SVC_DONE && d->has_exited && svc_exit_is_success(d, d->last_wstatus);
}

static bool svcset_critical_failure(const struct svc *d)
{
    return d->conf->critical && (d->state == SVC_FAILED || d->state == SVC_FATAL);
}

bool svcset_is_healthy(const struct svcset_node *n)
{
    const struct svc *s = n->svc;
    if (n->held)
        return true;
    if (s->conf->type == CONF_TYPE_ONESHOT)
        return s->state != SVC_FAILED && s->state != SVC_FATAL;
    return s->state == SVC_UP && (s->conf->health.kind == CONF_PROBE_NONE || n->health_passed);
}

bool svcset_dep_met(const struct svcset_node *dep, enum conf_condition cond)
{
    const struct svc *d = dep->svc;
    switch (cond) {
    case CONF_COND_STARTED:
        return (d->state == SVC_STARTING && d->exec_ok) || d->state == SVC_UP;
    case CONF_COND_READY:
        if (d->conf->type == CONF_TYPE_ONESHOT)
            return svcset_finished_well(d);
        return d->state == SVC_UP;
    case CONF_COND_HEALTHY:
        return d->state == SVC_UP && svcset_is_healthy(dep);
    case CONF_COND_COMPLETED:
        return svcset_finished_well(d);
    case CONF_COND_FINISHED:
        /* A critical one that failed, or can never run, ends the container
         * instead; any other that can never run is as good as finished. */
        if (d->conf->critical)
            return d->state != SVC_DOWN && svc_is_finished(d) && !svcset_critical_failure(d);
        return (d->state != SVC_DOWN && svc_is_finished(d)) ||
               (d->state == SVC_WAITING && dep->blocked);
    }
    return false;
}

bool svcset_dep_hopeless(const struct svcset_node *dep, enum conf_condition cond)
{
    const struct svc *d = dep->svc;
    if (cond == CONF_COND_FINISHED) /* else whatever the end, it comes */
        return svcset_critical_failure(d) ||
               (d->conf->critical && d->state == SVC_WAITING && dep->blocked);
    if (d->state == SVC_FAILED || d->state == SVC_FATAL)
        return true;
    return (d->state == SVC_DONE || d->state == SVC_STOPPED) && !svcset_dep_met(dep, cond);
}

bool svcset_may_stop(const struct svcset_node *n, bool has_running_dependent)
{
    const struct svc *s = n->svc;
    if (s->state == SVC_STOPPING || svc_is_finished(s))
        return false;
    return !(svc_is_running(s) && has_running_dependent);
}

bool svcset_keeps_running(const struct svcset_node *n, bool blocked)
{
    if (n->held)
        return true;
    if (svc_is_finished(n->svc))
        return false;
    return n->svc->state != SVC_WAITING || !blocked;
}

struct svcset_after svcset_after_change(const struct svcset_intent *in, bool running,
                                        bool stopping_all)
{
    struct svcset_after a = {0};
    if (in->retiring) {
        a.go_away = !running;
        a.stop_deps = stopping_all && !running;
        return a;
    }
    a.apply_pending = in->pending_conf && !running;
    if (in->restart_pending && !running && !stopping_all) {
        a.restart = true;
        return a;
    }
    if (stopping_all) {
        a.stop_deps = !running;
        return a;
    }
    a.start_dependents = true;
    a.judge_fate = true;
    return a;
}

int svcset_settled_code(const struct svc *const *in_start_order, size_t n, char *why,
                        size_t why_len)
{
    int code = 0;
    for (size_t i = 0; i < n; i++) {
        const struct svc *s = in_start_order[i];
        if (s->state != SVC_FAILED && s->state != SVC_FATAL)
            continue;
        int c = s->has_exited ? exitstatus_code(s->last_wstatus) : 1;
        if (s->conf->type == CONF_TYPE_ONESHOT && c != 0) {
            snprintf(why, why_len, "oneshot %s failed: %s", s->conf->name, s->reason);
            return c;
        }
        if (code == 0) {
            code = 1;
            snprintf(why, why_len, "%s is %s: %s", s->conf->name, svc_state_name(s->state),
                     s->reason);
        }
    }
    if (code == 0)
        snprintf(why, why_len, "every service has finished");
    return code;
}
