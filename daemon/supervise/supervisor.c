/* supervisor.c - carries out what the service state machines decide, and
 * decides what only the whole set can: dependencies, stop order, and when the
 * container is done. Effects live here and in spawn.c; decisions about one
 * service live in service.c. */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
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

static void sup_on_timer(uv_timer_t *t)
{
    sup_feed(t->data, SVC_EV_TIMER, 0, 0);
}

static void sup_apply(struct sup_service *ss, const struct svc_step *st)
{
    struct supervisor *sup = ss->sup;

    for (int i = 0; i < st->nactions; i++) {
        const struct svc_action *a = &st->actions[i];
        switch (a->kind) {
        case SVC_ACT_SPAWN:
            sup_spawn(ss);
            break;
        case SVC_ACT_SIGNAL: {
            int sig = a->sig;
            if (sig == SIGKILL) {
                char desc[300];
                log_warn("%s did not exit in time: %s; sending SIGKILL to its process tree",
                         sup_name(ss), proctree_describe(ss->svc.pid, desc, sizeof desc));
            }
            bool single = sup->corral->opts.single_child && ss == sup->main;
            if (ss == sup->main && sig != SIGKILL && sup->main_stop_sig >= 0)
                sig = sup->main_stop_sig;
            if (single && sig != SIGKILL)
                (void)kill(ss->svc.pid, sig);
            else
                sup_signal_tree(ss, sig);
            break;
        }
        case SVC_ACT_ARM_TIMER:
            uv_timer_start(&ss->timer, sup_on_timer, a->delay_ms, 0);
            break;
        case SVC_ACT_CANCEL_TIMER:
            uv_timer_stop(&ss->timer);
            break;
        }
    }
}

void sup_feed(struct sup_service *ss, enum svc_event_kind kind, int wstatus, int err)
{
    struct svc_event ev = {.kind = kind, .wstatus = wstatus, .err = err};
    sup_feed_event(ss, &ev);
}

void sup_feed_event(struct sup_service *ss, const struct svc_event *evp)
{
    enum svc_event_kind kind = evp->kind;
    enum svc_state before = ss->svc.state;
    struct svc_step st = svc_step(&ss->svc, evp, uv_now(ss->sup->corral->loop));

    if (st.changed) {
        /* One line per change that matters: waiting and a first start are
         * routine (debug), and a retry of a failing fork is logged once per
         * burst. */
        bool routine =
            st.state == SVC_WAITING || (st.state == SVC_STARTING && kind != SVC_EV_EXITED);
        bool quiet =
            ss->sup->quiet || routine || (ss->fork_failures > 1 && st.state == SVC_BACKOFF);
        if (quiet)
            log_debug("%s: %s (%s)", sup_name(ss), svc_state_name(st.state), ss->svc.reason);
        else
            log_info("%s: %s (%s)", sup_name(ss), svc_state_name(st.state), ss->svc.reason);
    }
    checks_on_state(&ss->checks);
    control_on_change(&ss->sup->corral->control, ss);
    if (ss->tail_pending) {
        /* Under the exit line: the cause of a crash is usually in there. */
        ss->tail_pending = false;
        output_print_tail(&ss->output, SUP_TAIL_LINES);
    }
    sup_apply(ss, &st);
    /* The actions may have fed further events (a spawn reports back); react
     * once, to the latest state. */
    if (ss->svc.state != before || st.changed)
        sup_after_change(ss);
}

void sup_on_exit(struct pidtab_owner *owner, pid_t pid, int wstatus)
{
    struct sup_service *ss = (struct sup_service *)owner;
    bool failed = !svc_exit_is_success(&ss->svc, wstatus) && ss->svc.state != SVC_STOPPING;
    ss->svc.pid = 0;
    /* Why it may have died (exec failed) and its last lines may still sit in
     * their pipes: read them first, so that they come before the exit line. */
    sup_read_spawn_reports(ss->sup, pid, ss);
    output_svc_drain(&ss->output);
    ss->tail_pending = failed;
    sup_feed(ss, SVC_EV_EXITED, wstatus, 0);
}

/* ---- the whole set -------------------------------------------------------- */

static bool sup_dep_met(const struct sup_service *dep, enum conf_condition cond)
{
    const struct svc *d = &dep->svc;
    switch (cond) {
    case CONF_COND_STARTED:
        return (d->state == SVC_STARTING && d->pid > 0) || d->state == SVC_UP;
    case CONF_COND_READY:
        /* A oneshot is never up: for it, ready means it finished well. */
        if (d->conf->type == CONF_TYPE_ONESHOT)
            return d->state == SVC_DONE && d->has_exited && svc_exit_is_success(d, d->last_wstatus);
        return d->state == SVC_UP;
    case CONF_COND_HEALTHY:
        /* Without a health check, ready is the best there is to know. */
        return d->state == SVC_UP &&
               (dep->checks.healthy || dep->svc.conf->health.kind == CONF_PROBE_NONE);
    case CONF_COND_COMPLETED:
        return d->state == SVC_DONE && d->has_exited && svc_exit_is_success(d, d->last_wstatus);
    }
    return false;
}

/* A dependency that will never meet its condition by itself. */
static bool sup_dep_hopeless(const struct sup_service *dep, enum conf_condition cond)
{
    const struct svc *d = &dep->svc;
    if (d->state == SVC_FAILED || d->state == SVC_FATAL)
        return true;
    return d->state == SVC_DONE && !sup_dep_met(dep, cond);
}

void sup_try_start(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;

    if (ss->svc.state != SVC_WAITING || sup->stopping)
        return;
    for (size_t i = 0; i < ss->n_deps; i++) {
        const struct sup_service *dep = ss->deps[i].ss;
        enum conf_condition cond = ss->deps[i].condition;
        if (!sup_dep_met(dep, cond)) {
            if (sup_dep_hopeless(dep, cond)) {
                snprintf(ss->svc.reason, sizeof ss->svc.reason,
                         "dependency %s is %s: it will not become %s", sup_name(dep),
                         svc_state_name(dep->svc.state), conf_condition_name(cond));
                log_warn("%s: waiting (%s)", sup_name(ss), ss->svc.reason);
            }
            return;
        }
    }
    sup_feed(ss, SVC_EV_DEPS_MET, 0, 0);
}

static bool sup_has_running_dependent(const struct sup_service *ss)
{
    for (size_t i = 0; i < ss->n_dependents; i++)
        if (svc_is_running(&ss->dependents[i]->svc))
            return true;
    return false;
}

static void sup_stop_one(struct sup_service *ss)
{
    ss->svc.no_restart = true;
    if (ss->svc.state == SVC_STOPPING || svc_is_finished(&ss->svc))
        return;
    if (svc_is_running(&ss->svc) && sup_has_running_dependent(ss))
        return; /* after its dependents */
    sup_feed(ss, SVC_EV_STOP, 0, 0);
}

bool sup_all_stopped(const struct supervisor *sup)
{
    for (size_t i = 0; i < sup->n; i++)
        if (svc_is_running(&sup->svcs[i]->svc))
            return false;
    for (const struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
        if (svc_is_running(&ss->svc))
            return false;
    return true;
}

/* With no main service, corral runs while any service may still run. */
static bool sup_all_settled(const struct supervisor *sup)
{
    for (size_t i = 0; i < sup->n; i++) {
        const struct sup_service *ss = sup->svcs[i];
        if (ss->held)
            return false; /* stopped by request: it may be started again */
        if (svc_is_finished(&ss->svc))
            continue;
        if (ss->svc.state != SVC_WAITING)
            return false;
        bool blocked = false;
        for (size_t d = 0; d < ss->n_deps; d++)
            if (sup_dep_hopeless(ss->deps[d].ss, ss->deps[d].condition))
                blocked = true;
        if (!blocked)
            return false;
    }
    return true;
}

/* The exit code of a set that finished by itself: the first failed oneshot's,
 * else 1 if anything failed for good, else 0. */
static int sup_settled_code(const struct supervisor *sup, char *why, size_t len)
{
    int code = 0;
    for (size_t i = 0; i < sup->n; i++) {
        const struct svc *s = &sup->svcs[sup->set->start_order[i]]->svc;
        if (s->state != SVC_FAILED && s->state != SVC_FATAL)
            continue;
        int c = s->has_exited ? exitstatus_code(s->last_wstatus) : 1;
        if (s->conf->type == CONF_TYPE_ONESHOT && c != 0) {
            snprintf(why, len, "oneshot %s failed: %s", s->conf->name, s->reason);
            return c;
        }
        if (code == 0) {
            code = 1;
            snprintf(why, len, "%s is %s: %s", s->conf->name, svc_state_name(s->state), s->reason);
        }
    }
    if (code == 0)
        snprintf(why, len, "every service has finished");
    return code;
}

/* A retired record has stopped: it goes away (everyone holding it is told
 * first), and what it depended on may now stop in turn. */
static void sup_retired(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    for (struct sup_service **pp = &sup->retiring; *pp; pp = &(*pp)->next_retiring)
        if (*pp == ss) {
            *pp = ss->next_retiring;
            break;
        }
    /* Out of every list: the graph forgets it, its own deps stay readable
     * until its memory goes. */
    sup_graph_rebuild(sup);
    control_on_gone(&sup->corral->control, ss);
    if (sup->stopping)
        for (size_t i = 0; i < ss->n_deps; i++)
            sup_stop_one(ss->deps[i].ss);
    sup_service_close(ss);
}

void sup_after_change(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    struct shutdown *sd = &sup->corral->shutdown;
    const struct conf_service *conf = ss->svc.conf;
    char why[SVC_REASON_MAX + 64];

    if (ss->retiring) {
        if (!svc_is_running(&ss->svc))
            sup_retired(ss);
        if (sup->stopping && sup_all_stopped(sup))
            shutdown_on_services_stopped(sd);
        return;
    }
    if (ss->pending_conf && !svc_is_running(&ss->svc)) {
        sup_swap_conf(ss, ss->pending_conf, ss->pending_ref);
        sup_setref_put(ss->pending_ref);
        ss->pending_conf = NULL;
        ss->pending_ref = NULL;
        sup_graph_rebuild(sup);
        conf = ss->svc.conf;
    }
    if (ss->restart_pending && !svc_is_running(&ss->svc) && !sup->stopping) {
        ss->restart_pending = false;
        sup_start_service(ss);
        return;
    }
    if (sup->stopping) {
        /* Its dependencies may now be free to stop. */
        if (!svc_is_running(&ss->svc))
            for (size_t i = 0; i < ss->n_deps; i++)
                sup_stop_one(ss->deps[i].ss);
        if (sup_all_stopped(sup))
            shutdown_on_services_stopped(sd);
        return;
    }
    for (size_t i = 0; i < ss->n_dependents; i++)
        sup_try_start(ss->dependents[i]);
    if (ss == sup->main && svc_is_finished(&ss->svc)) {
        shutdown_begin(sd, SHUTDOWN_CAUSE_MAIN, 0, "");
    } else if (conf->critical && (ss->svc.state == SVC_FAILED || ss->svc.state == SVC_FATAL)) {
        int code = ss->svc.has_exited ? exitstatus_code(ss->svc.last_wstatus) : 1;
        snprintf(why, sizeof why, "critical service %s is %s: %s", sup_name(ss),
                 svc_state_name(ss->svc.state), ss->svc.reason);
        shutdown_begin(sd, SHUTDOWN_CAUSE_CRITICAL, code ? code : 1, why);
    } else if (!sup->main && sup_all_settled(sup)) {
        int code = sup_settled_code(sup, why, sizeof why);
        shutdown_begin(sd, SHUTDOWN_CAUSE_SETTLED, code, why);
    }
}

/* ---- public ----------------------------------------------------------------- */

int sup_init(struct supervisor *sup, struct corral *c, struct conf_set *set, bool quiet)
{
    memset(sup, 0, sizeof *sup);
    sup->corral = c;
    sup->quiet = quiet;
    sup->main_stop_sig = -1;
    sup->report_fds[0] = sup->report_fds[1] = -1;
    sup->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sup->devnull < 0) {
        /* An empty chroot or a FROM scratch image without /dev: an empty
         * memory file reads as EOF like /dev/null (what is written to it
         * stays in memory; only probes write there). */
        log_warn("/dev/null: %s; using an empty memory file instead", strerror(errno));
        sup->devnull = memfd_create("corral-null", MFD_CLOEXEC);
        if (sup->devnull < 0)
            return -errno;
    }
    sup->setref = sup_setref_new(set);
    if (!sup->setref) {
        conf_set_free(set);
        return -ENOMEM;
    }
    sup->set = set;
    int rc = sup_spawn_reports_open(sup);
    if (rc < 0)
        return rc;
    sup->svcs = calloc(set->n ? set->n : 1, sizeof *sup->svcs);
    if (!sup->svcs)
        return -ENOMEM;
    for (size_t i = 0; i < set->n; i++) {
        struct sup_service *ss = sup_service_new(sup, set->services[i], sup->setref, (int)i);
        if (!ss)
            return -ENOMEM;
        sup->svcs[i] = ss;
        sup->n = i + 1;
        if (set->services[i]->main)
            sup->main = ss;
    }
    return sup_graph_rebuild(sup);
}

void sup_start_all(struct supervisor *sup)
{
    /* Want everything first, then start in dependency order: a service
     * whose dependencies are met starts at once, the others when they are. */
    for (size_t i = 0; i < sup->n; i++)
        sup_feed(sup->svcs[sup->set->start_order[i]], SVC_EV_START, 0, 0);
    for (size_t i = 0; i < sup->n && !sup->stopping; i++)
        sup_try_start(sup->svcs[sup->set->start_order[i]]);
}

void sup_stop_all(struct supervisor *sup, int main_sig)
{
    if (!sup->stopping) {
        sup->stopping = true;
        sup->stopped_ms = uv_now(sup->corral->loop);
    }
    sup->main_stop_sig = main_sig;
    /* Reverse start order: dependents before what they depend on. */
    for (size_t i = sup->n; i-- > 0;)
        sup_stop_one(sup->svcs[sup->set->start_order[i]]);
    if (sup_all_stopped(sup))
        shutdown_on_services_stopped(&sup->corral->shutdown);
}

static void sup_kill_one(struct sup_service *ss)
{
    char desc[300];
    if (!svc_is_running(&ss->svc) || ss->svc.pid <= 0)
        return;
    log_warn("%s: killing %s", sup_name(ss), proctree_describe(ss->svc.pid, desc, sizeof desc));
    sup_signal_tree(ss, SIGKILL);
}

void sup_kill_all(struct supervisor *sup)
{
    for (struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
        sup_kill_one(ss);
    for (size_t i = 0; i < sup->n; i++)
        sup_kill_one(sup->svcs[i]);
}

int sup_signal_main(struct supervisor *sup, int sig, bool single_child)
{
    if (!sup->main || sup->main->svc.pid <= 0)
        return -ESRCH;
    pid_t pid = sup->main->svc.pid;
    if (!single_child && kill(-pid, sig) == 0)
        return 0;
    return kill(pid, sig) == 0 ? 0 : -errno;
}

void sup_drain_output(struct supervisor *sup)
{
    for (size_t i = 0; i < sup->n; i++)
        output_svc_drain(&sup->svcs[i]->output);
    for (struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
        output_svc_drain(&ss->output);
}
