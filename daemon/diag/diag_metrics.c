/* diag_metrics.c - the metrics text: one family at a time, HELP and TYPE
 * first, a sample per service labelled service="NAME" (core/promtext.c
 * escapes). Names follow Prometheus's conventions: counters end in _total,
 * a unit is spelled out. */
#include "diag_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "exitstatus.h"
#include "promtext.h"
#include "service.h"

static void diag_metrics_one(struct promtext *p, const char *name, const char *type,
                             const char *help, double value)
{
    promtext_family(p, name, type, help);
    promtext_sample(p, name, NULL, 0, value);
}

/* The value of field for view v and figures s. */
typedef double (*diag_metrics_get)(const struct sup_view *v, const struct diag_svc *s);

static void diag_metrics_per_service(struct promtext *p, const struct sup_view *views,
                                     const struct diag_figures *f, const char *name,
                                     const char *type, const char *help, diag_metrics_get get,
                                     bool scanned_only)
{
    if (scanned_only && !f->scanned)
        return;
    promtext_family(p, name, type, help);
    for (size_t i = 0; i < f->n; i++) {
        const char *const labels[][2] = {{"service", views[i].name}};
        double v = get(&views[i], &f->svc[i]);
        if (!isnan(v))
            promtext_sample(p, name, labels, 1, v);
    }
}

static double get_restarts(const struct sup_view *v, const struct diag_svc *s)
{
    (void)s;
    return (double)v->restarts;
}
static double get_last_exit(const struct sup_view *v, const struct diag_svc *s)
{
    (void)s;
    return v->has_exited ? (double)exitstatus_code(v->last_wstatus) : NAN;
}
static double get_orphans(const struct sup_view *v, const struct diag_svc *s)
{
    (void)s;
    return (double)v->orphans_reaped;
}
static double get_procs(const struct sup_view *v, const struct diag_svc *s)
{
    (void)v;
    return (double)s->procs;
}
static double get_tasks(const struct sup_view *v, const struct diag_svc *s)
{
    (void)v;
    return (double)s->tasks;
}
static double get_zombies(const struct sup_view *v, const struct diag_svc *s)
{
    (void)v;
    return (double)s->zombies;
}
static double get_fork_failures(const struct sup_view *v, const struct diag_svc *s)
{
    (void)s;
    return (double)v->fork_failures;
}
static double get_log_lost(const struct sup_view *v, const struct diag_svc *s)
{
    (void)s;
    return (double)v->log_file_lost;
}
static double get_log_dropped(const struct sup_view *v, const struct diag_svc *s)
{
    (void)s;
    return (double)v->log_run_dropped;
}
static double get_uptime(const struct sup_view *v, const struct diag_svc *s)
{
    (void)s;
    return (double)v->uptime_ms / 1000.0;
}

char *diag_metrics(struct diag *d, const struct diag_corral *me, size_t *len)
{
    struct diag_figures f;
    struct promtext p;
    if (diag_collect(d, false, &f) < 0) {
        diag_figures_free(&f);
        return NULL;
    }
    struct sup_view *views = calloc(f.n + 1, sizeof *views);
    if (!views) {
        diag_figures_free(&f);
        return NULL;
    }
    uint64_t now = uv_now(d->env.loop);
    for (size_t i = 0; i < f.n; i++)
        sup_view(sup_at(d->env.sup, i), now, &views[i]);
    promtext_init(&p);

    promtext_family(&p, "corral_services", "gauge", "Services in each state.");
    for (int st = 0; st < SVC_NSTATES; st++) {
        size_t count = 0;
        for (size_t i = 0; i < f.n; i++)
            count += views[i].state == (enum svc_state)st;
        const char *const labels[][2] = {{"state", svc_state_name((enum svc_state)st)}};
        promtext_sample(&p, "corral_services", labels, 1, (double)count);
    }
    promtext_family(&p, "corral_service_state", "gauge", "1 for the state each service is in now.");
    for (size_t i = 0; i < f.n; i++) {
        const char *const labels[][2] = {{"service", views[i].name},
                                         {"state", svc_state_name(views[i].state)}};
        promtext_sample(&p, "corral_service_state", labels, 2, 1);
    }
    diag_metrics_per_service(&p, views, &f, "corral_service_restarts_total", "counter",
                             "Restarts of each service.", get_restarts, false);
    diag_metrics_per_service(&p, views, &f, "corral_service_last_exit_code", "gauge",
                             "Exit code of each service's last process (128+N for signal N).",
                             get_last_exit, false);
    diag_metrics_per_service(&p, views, &f, "corral_service_uptime_seconds", "gauge",
                             "Age of each service's current process (0 without one).", get_uptime,
                             false);
    diag_metrics_per_service(&p, views, &f, "corral_service_orphans_reaped_total", "counter",
                             "Orphans from each service's tree that corral has reaped.",
                             get_orphans, false);
    diag_metrics_per_service(&p, views, &f, "corral_service_processes", "gauge",
                             "Processes in each service's tree.", get_procs, true);
    diag_metrics_per_service(&p, views, &f, "corral_service_tasks", "gauge",
                             "Tasks (threads) in each service's tree: what a pids cgroup counts.",
                             get_tasks, true);
    diag_metrics_per_service(&p, views, &f, "corral_service_zombies", "gauge",
                             "Zombies in each service's tree: children its processes did not "
                             "wait for.",
                             get_zombies, true);
    diag_metrics_per_service(&p, views, &f, "corral_service_fork_failures_total", "counter",
                             "Failed forks of each service's process.", get_fork_failures, false);
    diag_metrics_per_service(&p, views, &f, "corral_service_log_lines_lost_total", "counter",
                             "Lines each service's log file could not take.", get_log_lost, false);
    diag_metrics_per_service(&p, views, &f, "corral_service_log_lines_dropped", "gauge",
                             "Lines of each service's latest run that did not reach corral's "
                             "output.",
                             get_log_dropped, false);
    if (f.has_budget) {
        diag_metrics_one(&p, "corral_pids_current", "gauge",
                         "Tasks in corral's pids cgroup (pids.current).", (double)f.pids_current);
        diag_metrics_one(&p, "corral_pids_max", "gauge",
                         "The pids cgroup's limit (pids.max; +Inf: none).",
                         f.pids_max < 0 ? INFINITY : (double)f.pids_max);
    }
    diag_metrics_one(&p, "corral_orphans_reaped_total", "counter",
                     "Adopted orphans corral has reaped.", (double)me->orphans_reaped);
    diag_metrics_one(&p, "corral_orphans_unattributed_total", "counter",
                     "Reaped orphans that no service's process group or session held.",
                     (double)sup_orphans_unattributed(d->env.sup));
    diag_metrics_one(&p, "corral_children_reaped_total", "counter",
                     "Children of every kind corral has reaped.", (double)me->children_reaped);
    if (f.scanned)
        diag_metrics_one(&p, "corral_zombies", "gauge",
                         "Zombies in the container now (corral's own included, until reaped).",
                         (double)f.zombies_total);
    diag_metrics_one(&p, "corral_control_clients", "gauge",
                     "Clients connected to the control socket.", (double)me->control_clients);
    diag_metrics_one(&p, "corral_uptime_seconds", "gauge", "How long corral has run.",
                     (double)me->uptime_ms / 1000.0);
    free(views);
    diag_figures_free(&f);
    return promtext_take(&p, len);
}
