/* sup_reload.c - a reload's side of the runtime: the plan (what would be
 * added, removed, restarted, kept) and the swap of a new, already valid set.
 * Every new record exists before anything changes; the graph is rebuilt
 * from what each record will run before anything starts or stops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reloadplan.h"
#include "supervisor_int.h"

static int sup_plan_push(char ***v, size_t *n, const char *name)
{
    char **nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv)
        return -ENOMEM;
    *v = nv;
    nv[*n] = strdup(name);
    if (!nv[*n])
        return -ENOMEM;
    (*n)++;
    return 0;
}

/* The record of a name: a current one, else one that an earlier reload
 * removed and that has not gone yet (a reload that brings the name back
 * takes it back: one service never runs two processes at once), or NULL. */
static struct sup_service *sup_reload_find(const struct supervisor *sup, const char *name)
{
    struct sup_service *ss = sup_find(sup, name);
    for (struct sup_service *r = sup->retiring; r && !ss; r = r->next_retiring)
        if (strcmp(sup_name(r), name) == 0)
            ss = r;
    return ss;
}

static bool sup_is_kept(const struct sup_service *ss, const struct conf_service *next)
{
    /* A removed one already told to stop cannot keep its process: taken
     * back, it is restarted with the new configuration once stopped. */
    bool stopping = ss->intent.retiring && !ss->retire_deferred;
    return reloadplan_is_kept(ss->svc.conf, ss->pending_conf != NULL || stopping, next);
}

int sup_plan(const struct supervisor *sup, const struct conf_set *set, struct sup_plan *p)
{
    int rc = 0;
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < set->n && rc == 0; i++) {
        const struct conf_service *nc = set->services[i];
        const struct sup_service *old = sup_reload_find(sup, nc->name);
        if (!old)
            rc = sup_plan_push(&p->added, &p->n_added, nc->name);
        else if (!sup_is_kept(old, nc))
            rc = sup_plan_push(&p->restarted, &p->n_restarted, nc->name);
        else
            rc = sup_plan_push(&p->kept, &p->n_kept, nc->name);
    }
    for (size_t i = 0; i < sup->n && rc == 0; i++)
        if (!conf_set_find(set, sup_name(sup->svcs[i])))
            rc = sup_plan_push(&p->removed, &p->n_removed, sup_name(sup->svcs[i]));
    return rc;
}

static void sup_plan_free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void sup_plan_close(struct sup_plan *p)
{
    sup_plan_free_names(p->added, p->n_added);
    sup_plan_free_names(p->removed, p->n_removed);
    sup_plan_free_names(p->restarted, p->n_restarted);
    sup_plan_free_names(p->kept, p->n_kept);
    memset(p, 0, sizeof *p);
}

/* The records of the new set: the running ones by name (removed ones still
 * stopping included), new ones made. On failure the new ones are closed
 * and nothing else changed. */
static int sup_reload_records(struct supervisor *sup, struct conf_set *set, struct sup_setref *ref,
                              struct sup_service **svcs, bool *kept)
{
    for (size_t i = 0; i < set->n; i++) {
        struct sup_service *old = sup_reload_find(sup, set->services[i]->name);
        if (old) {
            svcs[i] = old;
            kept[i] = sup_is_kept(old, set->services[i]);
            continue;
        }
        svcs[i] = sup_record_new(sup, set->services[i], ref, (int)i);
        if (!svcs[i]) {
            for (size_t k = 0; k < i; k++)
                if (svcs[k]->ref == ref)
                    sup_record_close(svcs[k]); /* new, never started, held by nobody */
            return -ENOMEM;
        }
    }
    return 0;
}

static void sup_reload_take_back(struct supervisor *sup, struct sup_service *ss)
{
    for (struct sup_service **pp = &sup->retiring; *pp; pp = &(*pp)->next_retiring)
        if (*pp == ss) {
            *pp = ss->next_retiring;
            break;
        }
    ss->next_retiring = NULL;
    ss->intent.retiring = false;
    ss->retire_deferred = false;
}

int sup_swap_set(struct supervisor *sup, struct conf_set *set)
{
    struct sup_service **svcs = calloc(set->n ? set->n : 1, sizeof *svcs);
    bool *kept = calloc(set->n ? set->n : 1, sizeof *kept);
    struct sup_setref *ref = sup_setref_new(set);
    int rc = -ENOMEM;

    if (!svcs || !kept || !ref || (rc = sup_reload_records(sup, set, ref, svcs, kept)) < 0) {
        free(svcs);
        free(kept);
        if (ref)
            sup_setref_put(ref);
        else
            conf_set_free(set);
        return rc;
    }
    /* Removed ones brought back leave the retiring list: their stop, if it
     * began, becomes a restart (sup_reconf_later below). */
    for (size_t i = 0; i < set->n; i++)
        if (svcs[i]->intent.retiring)
            sup_reload_take_back(sup, svcs[i]);
    struct sup_service **old_svcs = sup->svcs;
    size_t old_n = sup->n;
    struct sup_setref *old_ref = sup->setref;
    sup->svcs = svcs;
    sup->n = set->n;
    sup->set = set;
    sup->setref = ref;
    sup->main = NULL;
    for (size_t i = 0; i < set->n; i++)
        if (set->services[i]->main)
            sup->main = svcs[i];
    /* Records that keep their process, or have none, take the new
     * configuration now; a running one that changed gets it once stopped. */
    for (size_t i = 0; i < set->n; i++)
        if (svcs[i]->ref != ref && (kept[i] || !svc_is_running(&svcs[i]->svc)))
            sup_record_set_conf(svcs[i], set->services[i], ref);
    for (size_t i = 0; i < old_n; i++)
        if (!conf_set_find(set, sup_name(old_svcs[i]))) {
            old_svcs[i]->intent.retiring = true;
            old_svcs[i]->next_retiring = sup->retiring;
            sup->retiring = old_svcs[i];
        }
    sup_graph_rebuild(sup);
    /* Names keep one column for the new set (a longer name came or went). */
    output_set_width(sup->env.out, set);
    for (size_t i = 0; i < set->n; i++)
        output_svc_rehead(&svcs[i]->output);
    /* Removed instances of one file that run stop one at a time
     * (sup_retire_next). One with no process (waiting for its dependencies
     * or its turn to start, backing off) has nothing to stop: it goes now,
     * before its turn or its timer could start it again. */
    for (size_t i = 0; i < old_n; i++)
        if (old_svcs[i]->intent.retiring && old_svcs[i]->svc.conf->base &&
            svc_is_running(&old_svcs[i]->svc))
            old_svcs[i]->retire_deferred = true;
    for (size_t i = 0; i < old_n; i++) {
        if (!old_svcs[i]->intent.retiring)
            continue;
        if (old_svcs[i]->retire_deferred)
            sup_retire_next(sup, old_svcs[i]->svc.conf->base);
        else
            sup_retire(old_svcs[i]);
    }
    for (size_t i = 0; i < set->n; i++) {
        struct sup_service *ss = svcs[i];
        if (kept[i])
            continue;
        if (ss->svc.conf != set->services[i])
            sup_reconf_later(ss, set->services[i], ref); /* running: restarted */
        else if (!ss->intent.held && !ss->sched)
            sup_start_service(ss); /* added, or changed while stopped */
    }
    sup_recheck_waiting(sup);
    free(kept);
    free(old_svcs);
    sup_setref_put(old_ref);
    return 0;
}
