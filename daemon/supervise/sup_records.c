/* sup_records.c - the life of a service record: created for a service of a
 * configuration set (kept alive by reference count), given a new
 * configuration by a reload, retired when removed, closed and freed once
 * its handles have closed. */
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

static bool sup_is_piped(const struct supervisor *sup, const struct conf_service *conf)
{
    /* Pure init mode's main and an interactive main keep corral's own
     * stdout/stderr (as tini does); so does logs.raw. */
    bool own_tty = conf->main && (sup->quiet || sup->corral->interactive);
    return !own_tty && !conf->logs.raw;
}

struct sup_service *sup_service_new(struct supervisor *sup, const struct conf_service *conf,
                                    struct sup_setref *ref, int index)
{
    struct sup_service *ss = calloc(1, sizeof *ss);
    if (!ss)
        return NULL;
    ss->owner.on_exit = sup_on_exit;
    ss->sup = sup;
    svc_init(&ss->svc, conf);
    if (svcplan_init(&ss->plan, conf, environ) < 0 ||
        uv_timer_init(sup->corral->loop, &ss->timer) < 0) {
        svcplan_close(&ss->plan);
        free(ss);
        return NULL;
    }
    ss->timer.data = ss;
    output_svc_init(&ss->output, &sup->corral->out, conf, sup_is_piped(sup, conf), index);
    if (checks_init(&ss->checks, ss) < 0) {
        /* The timer is initialised: it must be closed, not just freed. */
        ss->ref = ref;
        ref->refs++;
        sup_service_close(ss);
        return NULL;
    }
    /* Only readiness.log reads lines: no call per line for the others. */
    ss->output.on_line = conf->readiness.kind == CONF_PROBE_LOG ? sup_on_line : NULL;
    ss->output.on_line_arg = ss;
    ss->ref = ref;
    ref->refs++;
    return ss;
}

void sup_on_line(void *arg, const char *text, size_t len)
{
    struct sup_service *ss = arg;
    checks_on_line(&ss->checks, text, len);
}

static void sup_on_service_closed(uv_handle_t *h)
{
    struct sup_service *ss = h->data;
    if (--ss->closing > 0)
        return;
    output_svc_free(&ss->output);
    svcplan_close(&ss->plan);
    sup_setref_put(ss->ref);
    sup_setref_put(ss->pending_ref);
    sup_graph_free(ss);
    free(ss);
}

void sup_service_close(struct sup_service *ss)
{
    output_svc_close(&ss->output);
    ss->closing = 3; /* its timer, the checks' tick and the probe's timeout */
    checks_close(&ss->checks, sup_on_service_closed, ss);
    uv_close((uv_handle_t *)&ss->timer, sup_on_service_closed);
}

void sup_swap_conf(struct sup_service *ss, const struct conf_service *conf, struct sup_setref *ref)
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
    ss->output.on_line = conf->readiness.kind == CONF_PROBE_LOG ? sup_on_line : NULL;
    ref->refs++;
    sup_setref_put(ss->ref);
    ss->ref = ref;
}

void sup_service_reconf(struct sup_service *ss, const struct conf_service *conf,
                        struct sup_setref *ref, bool restart)
{
    if (!restart || !svc_is_running(&ss->svc)) {
        sup_swap_conf(ss, conf, ref);
        if (restart && !ss->held)
            sup_start_service(ss);
        return;
    }
    sup_setref_put(ss->pending_ref);
    ss->pending_conf = conf;
    ss->pending_ref = ref;
    ref->refs++;
    sup_restart_service(ss);
}

void sup_service_retire(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    if (sup->main == ss)
        sup->main = NULL;
    sup_stop_service(ss);
    if (!svc_is_running(&ss->svc))
        sup_after_change(ss);
}

void sup_close(struct supervisor *sup)
{
    for (size_t i = 0; i < sup->n; i++)
        sup_service_close(sup->svcs[i]);
    sup->n = 0;
    while (sup->retiring) {
        struct sup_service *ss = sup->retiring;
        sup->retiring = ss->next_retiring;
        sup_service_close(ss);
    }
    if (sup->devnull >= 0)
        close(sup->devnull);
    sup->devnull = -1;
    sup_spawn_reports_close(sup);
}

void sup_free(struct supervisor *sup)
{
    proctree_snap_free(&sup->snap);
    free(sup->svcs);
    sup->svcs = NULL;
    sup_setref_put(sup->setref);
    sup->setref = NULL;
    sup->set = NULL;
}
