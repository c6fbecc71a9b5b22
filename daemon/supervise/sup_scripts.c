/* sup_scripts.c - a directory of scripts run one at a time, in order, each
 * to completion (corral.yaml's startup_scripts before any service,
 * pre_shutdown_scripts and post_shutdown_scripts around the stop of the
 * services: my_init's /etc/my_init.d and s6-overlay's cont-init.d and
 * cont-finish.d). Each script is a record of its own, outside the set: its
 * lines go out under its own name, it is reaped and stopped like a service,
 * but nobody sees it in status and it decides nothing about the container
 * (the caller does, from the code it is told). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitstatus.h"
#include "log.h"
#include "supervisor_int.h"

/* Starts the run's next script, or tells the caller it is over. */
static void sup_scripts_next(struct sup_scripts *run)
{
    struct supervisor *sup = run->sup;
    while (!run->aborted && run->next < run->n) {
        struct sup_service *ss = run->recs[run->next++];
        size_t at = run->next;
        log_info("%s: running %s", run->what, ss->svc.conf->file);
        sup_start_now(ss);
        /* Running, or waiting to retry its fork: its change brings us back.
         * Ended at once, its change may have gone on with the run already. */
        if (svc_is_running(&ss->svc) || ss->svc.state == SVC_BACKOFF || run->next != at)
            return;
    }
    if (run->aborted || run->told)
        return;
    run->told = true;
    run->cb(run->arg, run->code, run->why);
    (void)sup;
}

/* A script's record changed: when it has finished, the next one runs. */
static void sup_scripts_on_change(struct sup_service *ss)
{
    struct sup_scripts *run = ss->run;
    char what[SVC_REASON_MAX + 32];
    /* A script whose fork failed (a full PID budget) is tried again with
     * backoff, as a service is, and the scripts after it wait for it: a
     * fork failure is a retry, never a failed start-up, and never a script
     * run beside the next one. */
    if (svc_is_running(&ss->svc) || ss->svc.state == SVC_WAITING || ss->svc.state == SVC_BACKOFF ||
        run->aborted)
        return;
    /* The container environment was read again as the script exited well
     * (sup_exited_final): what runs next sees what it exported. */
    if (ss->svc.state != SVC_DONE || !ss->svc.has_exited ||
        !svc_exit_is_success(&ss->svc, ss->svc.last_wstatus)) {
        int code = ss->svc.has_exited ? exitstatus_code(ss->svc.last_wstatus) : 1;
        if (ss->svc.has_exited)
            exitstatus_describe(ss->svc.last_wstatus, what, sizeof what);
        else
            snprintf(what, sizeof what, "could not run (%.*s)", SVC_REASON_MAX, ss->svc.reason);
        if (run->stop_at_failure) {
            snprintf(run->why, sizeof run->why, "%s %.100s %.100s", run->what, ss->svc.conf->file,
                     what);
            run->code = code ? code : 1;
            run->next = run->n; /* no further script */
        } else {
            log_warn("%s %s %s", run->what, ss->svc.conf->file, what);
        }
    }
    sup_scripts_next(run);
}

int sup_scripts_run(struct supervisor *sup, struct conf_set *set, const char *what,
                    bool stop_at_failure, sup_scripts_cb cb, void *arg)
{
    struct sup_scripts *run = calloc(1, sizeof *run);
    struct sup_setref *ref = run ? sup_setref_new(set) : NULL;
    if (!ref) {
        free(run);
        conf_set_free(set);
        return -ENOMEM;
    }
    run->sup = sup;
    run->ref = ref;
    run->what = what;
    run->stop_at_failure = stop_at_failure;
    run->cb = cb;
    run->arg = arg;
    run->recs = calloc(set->n ? set->n : 1, sizeof *run->recs);
    /* On the list at once: sup_close frees whatever part of it was made. */
    run->next_run = sup->script_runs;
    sup->script_runs = run;
    if (!run->recs)
        return -ENOMEM;
    for (size_t i = 0; i < set->n; i++) {
        struct sup_service *ss =
            sup_record_new(sup, set->services[set->start_order[i]], ref, (int)(sup->n + i));
        if (!ss)
            return -ENOMEM;
        ss->run = run;
        run->recs[run->n++] = ss;
    }
    sup->on_script_change = sup_scripts_on_change;
    sup_scripts_next(run);
    return 0;
}

void sup_scripts_abort(struct supervisor *sup)
{
    for (struct sup_scripts *run = sup->script_runs; run; run = run->next_run) {
        if (run->aborted || run->told)
            continue;
        run->aborted = true;
        /* The one running gets its stop signal (SIGKILL after its
         * stop_timeout), as a service would. */
        for (size_t i = 0; i < run->n; i++)
            if (svc_is_running(&run->recs[i]->svc) || run->recs[i]->svc.state == SVC_BACKOFF)
                sup_stop_service(run->recs[i]); /* one waiting to retry its fork: no retry */
    }
}
