/* sup_records.c - the life of a service record: created for a service of a
 * configuration set (kept alive by reference count), given a configuration
 * (at creation, by a reload), closed, and freed once every handle it embeds
 * has closed (docs/dev/STYLE.md §5a). */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "supervisor_int.h"

extern char **environ;

struct sup_setref *sup_setref_new(struct conf_set *set)
{
    struct sup_setref *ref = malloc(sizeof *ref);
    if (ref) {
        ref->set = set;
        ref->refs = 1;
    }
    return ref;
}

void sup_setref_put(struct sup_setref *ref)
{
    if (ref && --ref->refs == 0) {
        conf_set_free(ref->set);
        free(ref);
    }
}

static bool sup_record_is_piped(const struct supervisor *sup, const struct conf_service *conf)
{
    /* Pure init mode's main and an interactive main keep corral's own
     * stdout/stderr (as tini does); so does logs.raw. */
    bool own_tty = conf->main && (sup->env.quiet || sup->env.interactive);
    return !own_tty && !conf->logs.raw;
}

static void sup_record_on_line(void *arg, const char *text, size_t len)
{
    struct sup_service *ss = arg;
    checks_on_line(&ss->checks, text, len);
}

/* Its two timers, the checks' tick and the probe's timeout: the last close
 * callback frees it. */
static void sup_record_on_closed(uv_handle_t *h)
{
    struct sup_service *ss = h->data;
    if (--ss->closes_pending > 0)
        return;
    output_svc_free(&ss->output);
    svc_free(&ss->svc);
    svcplan_close(&ss->plan);
    sup_cenv_put(ss->cenv);
    sup_setref_put(ss->ref);
    sup_setref_put(ss->pending_ref);
    sup_graph_free(ss);
    free(ss);
}

struct sup_service *sup_record_new(struct supervisor *sup, const struct conf_service *conf,
                                   struct sup_setref *ref, int index)
{
    struct sup_service *ss = calloc(1, sizeof *ss);
    if (!ss)
        return NULL;
    ss->owner.on_exit = sup->on_exit;
    ss->sup = sup;
    ss->fork_pids_current = ss->fork_pids_max = -1;
    svc_init(&ss->svc, conf);
    if (svcplan_init(&ss->plan, conf, environ) < 0 ||
        uv_timer_init(sup->env.loop, &ss->timer) < 0) {
        svcplan_close(&ss->plan);
        free(ss);
        return NULL;
    }
    ss->timer.data = ss;
    uv_timer_init(sup->env.loop, &ss->leftover_timer); /* cannot fail on Linux */
    ss->leftover_timer.data = ss;
    sup_hook_init(&ss->finish_hook, ss, SUP_HOOK_FINISH);
    sup_hook_init(&ss->stop_hook, ss, SUP_HOOK_STOP);
    ss->ref = ref;
    ref->refs++;
    /* autostart: false is held down from the start: only a request starts
     * it, and corral keeps running for it as for a service stopped on
     * request. */
    ss->intent.held = !conf->autostart;
    if (!conf->autostart)
        snprintf(ss->svc.reason, sizeof ss->svc.reason, "autostart: false (corralctl start)");
    output_svc_init(&ss->output, sup->env.out, conf, sup_record_is_piped(sup, conf), index);
    if (checks_init(&ss->checks, &sup->checks_env, sup->check_ops, ss) < 0) {
        sup_record_close(ss); /* the timer is initialised: closed, not just freed */
        return NULL;
    }
    checks_set_conf(&ss->checks, conf, &ss->plan);
    /* Only readiness.log reads lines: no call per line for the others. */
    ss->output.on_line = conf->readiness.kind == CONF_PROBE_LOG ? sup_record_on_line : NULL;
    ss->output.on_line_arg = ss;
    sup_sched_update(ss);
    return ss;
}

void sup_record_set_conf(struct sup_service *ss, const struct conf_service *conf,
                         struct sup_setref *ref)
{
    struct svcplan plan;
    if (svcplan_init(&plan, conf, environ) < 0) {
        log_error("%s: out of memory applying the new configuration", conf->name);
        return;
    }
    svcplan_close(&ss->plan);
    ss->plan = plan;
    ss->svc.conf = conf;
    ss->output.conf = conf;
    ss->output.on_line = conf->readiness.kind == CONF_PROBE_LOG ? sup_record_on_line : NULL;
    checks_set_conf(&ss->checks, conf, &ss->plan);
    ref->refs++;
    sup_setref_put(ss->ref);
    ss->ref = ref;
    sup_sched_update(ss);
    ss->cenv_gen = 0; /* built over environ: the container environment goes on it */
    sup_cenv_replan(ss);
}

void sup_record_close(struct sup_service *ss)
{
    if (ss->closed)
        return;
    ss->closed = true;
    execwatch_drop(ss->exec);
    ss->exec = NULL;
    output_svc_close(&ss->output);
    /* Every handle it embeds reports to one callback, which counts them. */
    sup_leftovers_close(ss);
    sup_sched_drop(ss);
    sup_starts_drop(ss);
    ss->closes_pending = 2 + checks_close(&ss->checks, sup_record_on_closed, ss);
    ss->closes_pending += sup_hook_close(&ss->finish_hook, sup_record_on_closed);
    ss->closes_pending += sup_hook_close(&ss->stop_hook, sup_record_on_closed);
    uv_close((uv_handle_t *)&ss->timer, sup_record_on_closed);
    uv_close((uv_handle_t *)&ss->leftover_timer, sup_record_on_closed);
}

struct svcset_node sup_record_node(const struct sup_service *ss)
{
    return (struct svcset_node){.svc = &ss->svc,
                                .held = ss->intent.held,
                                .health_passed = ss->checks.healthy,
                                .blocked = ss->blocked,
                                .scheduled = ss->sched != NULL};
}
