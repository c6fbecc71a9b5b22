/* sup_query.c - what the layers above may know of the services: lookups by
 * name and in start order, a plain-values view of one service, the one
 * meaning of healthy, and its output (kept lines, and following new ones).
 * Reads records; changes nothing but the output's followers. */
#include <string.h>

#include "exitstatus.h"
#include "supervisor_int.h"

struct sup_service *sup_find(const struct supervisor *sup, const char *name)
{
    /* svcs[i] is the record of set->services[i], which are in name order. */
    long i = sup->set ? conf_set_position(sup->set, name) : -1;
    return i < 0 || (size_t)i >= sup->n ? NULL : sup->svcs[i]; /* none once closed */
}

size_t sup_count(const struct supervisor *sup)
{
    return sup->n;
}

struct sup_service *sup_at(const struct supervisor *sup, size_t i)
{
    return i < sup->n ? sup->svcs[sup->set->start_order[i]] : NULL;
}

struct sup_service *sup_main(const struct supervisor *sup)
{
    return sup->main;
}

const char *sup_name(const struct sup_service *ss)
{
    return sup_record_name(ss);
}

enum svc_state sup_state(const struct sup_service *ss)
{
    return ss->svc.state;
}

const struct conf_service *sup_conf(const struct sup_service *ss)
{
    return ss->svc.conf;
}

bool sup_is_healthy(const struct sup_service *ss)
{
    struct svcset_node n = sup_record_node(ss);
    return svcset_is_healthy(&n);
}

void sup_view(const struct sup_service *ss, uint64_t now, struct sup_view *v)
{
    const struct svc *s = &ss->svc;
    *v = (struct sup_view){
        .name = s->conf->name,
        .state = s->state,
        .reason = s->reason,
        .pid = s->pid,
        .restarts = s->restarts,
        .type = s->conf->type,
        .main = s->conf->main,
        .critical = s->conf->critical,
        .held = ss->intent.held,
        .uptime_ms = svc_is_running(s) && now > s->started_ms ? now - s->started_ms : 0,
        .has_exited = s->has_exited,
        .last_wstatus = s->last_wstatus,
        .exit_code_is_success =
            s->has_exited && conf_is_success(s->conf, exitstatus_code(s->last_wstatus)),
        .next_start_in_ms =
            s->state == SVC_BACKOFF && s->next_start_ms > now ? s->next_start_ms - now : 0,
        .has_health = s->conf->health.kind != CONF_PROBE_NONE,
        .healthy = sup_is_healthy(ss),
        .health_passed = ss->checks.healthy,
        .check = ss->checks.last,
        .status_text = ss->checks.status_text,
        .log_file_lost = ss->output.file_lost_lines,
        .log_run_dropped = ss->output.run_dropped_lines,
        .pgid = ss->pgids[0],
        .orphans_reaped = ss->orphans_reaped,
        .fork_failures = ss->fork_failures_total,
        .fork_pids_current = ss->fork_pids_current,
        .fork_pids_max = ss->fork_pids_max,
    };
    if (ss->sched) {
        v->scheduled = true;
        v->schedule = s->conf->schedule;
        v->schedule_local = s->conf->schedule_local;
        v->every_ms = s->conf->every_ms;
        v->next_run_ms = ss->sched->next_ms;
        v->last_run_ms = ss->sched->last_start_ms;
        v->runs = ss->sched->runs;
        v->skipped = ss->sched->skipped;
        v->queued = ss->sched->queued;
    }
}

void sup_follow(struct sup_service *ss, struct output_follower *f)
{
    output_follow(&ss->output, f);
}

void sup_unfollow(struct sup_service *ss, struct output_follower *f)
{
    output_unfollow(&ss->output, f);
}

void sup_logs(const struct sup_service *ss, size_t n, uint64_t since_ms, ring_cb fn, void *arg)
{
    ring_last(&ss->output.ring, n, since_ms, fn, arg);
}
