/* reload.c - diff of the running set against a freshly loaded one, and its
 * application through the supervisor. The new set is complete and valid
 * before anything is touched: a bad file leaves the running set as it was. */
#include "reload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "log.h"
#include "reload_global.h"
#include "supervisor_int.h"

bool reload_str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool reload_kv_eq(const struct conf_kv *a, size_t na, const struct conf_kv *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].key, b[i].key) || strcmp(a[i].value, b[i].value))
            return false;
    return true;
}

bool reload_same_process(const struct conf_service *a, const struct conf_service *b)
{
    if (a->argc != b->argc || a->type != b->type || a->main != b->main ||
        a->clear_env != b->clear_env || a->set_ids != b->set_ids || a->set_umask != b->set_umask ||
        a->logs.raw != b->logs.raw)
        return false;
    for (size_t i = 0; i < a->argc; i++)
        if (strcmp(a->argv[i], b->argv[i]) != 0)
            return false;
    if (!reload_str_eq(a->directory, b->directory))
        return false;
    if (a->set_ids && (a->uid != b->uid || a->gid != b->gid || a->ngroups != b->ngroups ||
                       !reload_str_eq(a->user, b->user) ||
                       (a->ngroups && memcmp(a->groups, b->groups, a->ngroups * sizeof(gid_t)))))
        return false;
    if (a->set_umask && a->umask != b->umask)
        return false;
    if (!reload_kv_eq(a->environment, a->n_environment, b->environment, b->n_environment) ||
        !reload_kv_eq(a->env_file_vars, a->n_env_file_vars, b->env_file_vars, b->n_env_file_vars))
        return false;
    if (a->n_rlimits != b->n_rlimits)
        return false;
    for (size_t i = 0; i < a->n_rlimits; i++)
        if (a->rlimits[i].resource != b->rlimits[i].resource ||
            a->rlimits[i].soft != b->rlimits[i].soft || a->rlimits[i].hard != b->rlimits[i].hard)
            return false;
    return true;
}

static int reload_push(char ***v, size_t *n, const char *name)
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

static json_t *reload_errors_json(const struct conf_errors *errs)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < errs->n; i++) {
        const struct conf_error *e = &errs->v[i];
        json_array_append_new(arr,
                              json_pack("{s:s?, s:i, s:i, s:s}", "file", e->file, "line",
                                        (int)e->line, "column", (int)e->col, "message", e->msg));
    }
    return arr;
}

/* A record keeps its process when the new configuration runs the same one
 * and no restart of an earlier reload is still on its way (that restart
 * then takes the newest configuration). */
static bool reload_is_kept(const struct sup_service *ss, const struct conf_service *nc)
{
    return !ss->pending_conf && reload_same_process(ss->svc.conf, nc);
}

static struct sup_service *reload_find(struct supervisor *sup, const char *name)
{
    for (size_t i = 0; i < sup->n; i++)
        if (strcmp(sup->svcs[i]->svc.conf->name, name) == 0)
            return sup->svcs[i];
    return NULL;
}

/* Loads the new set: the directory again, and the main of the command line. */
static int reload_load(struct corral *c, struct conf_set **out, struct conf_errors *errs)
{
    int rc = c->services_dir ? conf_load_dir(c->services_dir, NULL, out, errs) : conf_set_new(out);
    if (rc == 0 && c->opts.main_argv) {
        rc = conf_set_add_main(*out, c->opts.main_argv, errs);
        struct conf_service *m = rc == 0 ? conf_set_find(*out, "main") : NULL;
        if (m)
            m->stop_timeout_ms = c->opts.stop_timeout_ms;
    }
    if (rc < 0 && *out) {
        conf_set_free(*out);
        *out = NULL;
    }
    return rc;
}

static int reload_plan(struct supervisor *sup, struct conf_set *set, struct reload_result *r)
{
    int rc = 0;
    for (size_t i = 0; i < set->n && rc == 0; i++) {
        const struct conf_service *nc = set->services[i];
        struct sup_service *old = reload_find(sup, nc->name);
        if (!old)
            rc = reload_push(&r->added, &r->n_added, nc->name);
        else if (!reload_is_kept(old, nc))
            rc = reload_push(&r->restarted, &r->n_restarted, nc->name);
        else
            rc = reload_push(&r->kept, &r->n_kept, nc->name);
    }
    for (size_t i = 0; i < sup->n && rc == 0; i++)
        if (!conf_set_find(set, sup->svcs[i]->svc.conf->name))
            rc = reload_push(&r->removed, &r->n_removed, sup->svcs[i]->svc.conf->name);
    return rc;
}

static int reload_apply(struct corral *c, struct conf_set *set)
{
    struct supervisor *sup = &c->sup;
    struct sup_service **svcs = calloc(set->n ? set->n : 1, sizeof *svcs);
    bool *same = calloc(set->n ? set->n : 1, sizeof *same);
    struct sup_setref *ref = sup_setref_new(set);
    if (!svcs || !ref || !same) {
        free(same);
        free(svcs);
        free(ref);
        return -ENOMEM;
    }
    /* Build the new records first: nothing changes until all exist. */
    for (size_t i = 0; i < set->n; i++) {
        struct sup_service *old = reload_find(sup, set->services[i]->name);
        if (old) {
            svcs[i] = old;
            same[i] = reload_is_kept(old, set->services[i]);
            continue;
        }
        svcs[i] = sup_service_new(sup, set->services[i], ref, (int)i);
        if (!svcs[i]) {
            for (size_t k = 0; k < i; k++)
                if (!reload_find(sup, set->services[k]->name))
                    sup_service_close(svcs[k]); /* new, never started, held by nobody */
            free(svcs);
            free(same);
            sup_setref_put(ref);
            return -ENOMEM;
        }
    }
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
     * configuration now, so that the graph below is built from what each
     * record will run; a running one that changed gets it once stopped. */
    for (size_t i = 0; i < set->n; i++)
        if (svcs[i]->ref != ref && (same[i] || !svc_is_running(&svcs[i]->svc)))
            sup_swap_conf(svcs[i], set->services[i], ref);
    for (size_t i = 0; i < old_n; i++)
        if (!conf_set_find(set, old_svcs[i]->svc.conf->name)) {
            old_svcs[i]->retiring = true;
            old_svcs[i]->next_retiring = sup->retiring;
            sup->retiring = old_svcs[i];
        }
    sup_graph_rebuild(sup);
    /* Names keep one column for the new set (a longer name came or went). */
    output_set_width(&c->out, set);
    for (size_t i = 0; i < set->n; i++)
        output_svc_rehead(&svcs[i]->output);
    for (size_t i = 0; i < old_n; i++)
        if (old_svcs[i]->retiring)
            sup_service_retire(old_svcs[i]);
    for (size_t i = 0; i < set->n; i++) {
        struct sup_service *ss = svcs[i];
        if (same[i])
            continue; /* kept as it is */
        if (ss->svc.conf != set->services[i])
            sup_service_reconf(ss, set->services[i], ref, true); /* running: restarted */
        else if (!ss->held)
            sup_start_service(ss); /* added, or changed while stopped */
    }
    free(same);
    free(old_svcs);
    sup_setref_put(old_ref);
    return 0;
}

int reload_run(struct corral *c, bool dry_run, struct reload_result *r, json_t **errors)
{
    struct conf_errors errs;
    struct conf_set *set = NULL;

    memset(r, 0, sizeof *r);
    r->dry_run = dry_run;
    *errors = NULL;
    conf_errors_init(&errs);
    /* corral.yaml and the directory, every error of both: an error in either
     * changes nothing. */
    struct conf_global g;
    int rc_global = reload_global_load(c, &g, &errs);
    int rc = reload_load(c, &set, &errs);
    if (rc == 0 && rc_global < 0) {
        conf_set_free(set);
        set = NULL;
        rc = rc_global;
    }
    if (rc < 0) {
        conf_global_close(&g);
        char line[1024];
        log_warn("reload refused: %zu errors; the running services are unchanged", errs.n);
        for (size_t i = 0; i < errs.n; i++)
            log_warn("%s", conf_errors_format(&errs.v[i], line, sizeof line));
        *errors = reload_errors_json(&errs);
        conf_errors_close(&errs);
        return -EINVAL;
    }
    conf_errors_close(&errs);
    rc = reload_plan(&c->sup, set, r);
    if (rc == 0 && !dry_run) {
        /* The settings first, so that this reload's own lines follow them
         * (reload_apply fails only for memory, the settings are valid). */
        reload_global_apply(c, &g);
        log_info("reload: %zu added, %zu removed, %zu restarted, %zu kept", r->n_added,
                 r->n_removed, r->n_restarted, r->n_kept);
        rc = reload_apply(c, set);
        if (rc == 0)
            return 0;
    }
    conf_global_close(&g);
    conf_set_free(set);
    return rc;
}

static json_t *reload_names(char **v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    return arr;
}

json_t *reload_result_json(const struct reload_result *r)
{
    return json_pack("{s:b, s:o, s:o, s:o, s:o}", "dry_run", r->dry_run, "added",
                     reload_names(r->added, r->n_added), "removed",
                     reload_names(r->removed, r->n_removed), "restarted",
                     reload_names(r->restarted, r->n_restarted), "kept",
                     reload_names(r->kept, r->n_kept));
}

static void reload_free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void reload_result_close(struct reload_result *r)
{
    reload_free_names(r->added, r->n_added);
    reload_free_names(r->removed, r->n_removed);
    reload_free_names(r->restarted, r->n_restarted);
    reload_free_names(r->kept, r->n_kept);
    memset(r, 0, sizeof *r);
}
