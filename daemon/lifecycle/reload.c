/* reload.c - loads the configuration again and hands it over: corral.yaml's
 * settings to the root, the new set to the supervisor. The new set is
 * complete and valid before anything is touched: a bad file leaves the
 * running set as it was. */
#include "reload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

/* Errors and warnings in the order found; a warning's message starts with
 * "warning: ", as conf_errors_format writes it, so that a client printing
 * file:line:column: message shows it as one. */
static json_t *reload_errors_json(const struct conf_errors *errs)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < errs->n; i++) {
        const struct conf_error *e = &errs->v[i];
        json_array_append_new(arr, json_pack("{s:s?, s:i, s:i, s:s+}", "file", e->file, "line",
                                             (int)e->line, "column", (int)e->col, "message",
                                             e->warning ? "warning: " : "", e->msg));
    }
    return arr;
}

/* Logs the warnings of a load that succeeded. */
static void reload_log_warnings(const struct conf_errors *errs)
{
    char line[1024];
    for (size_t i = 0; i < errs->n; i++)
        if (errs->v[i].warning)
            log_warn("reload: %s", conf_errors_format(&errs->v[i], line, sizeof line));
    if (errs->dropped_warnings)
        log_warn("reload: and %zu more warnings", errs->dropped_warnings);
}

static json_t *reload_names(char **v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    return arr;
}

static json_t *reload_plan_json(const struct sup_plan *p, bool dry_run)
{
    return json_pack("{s:b, s:o, s:o, s:o, s:o}", "dry_run", dry_run, "added",
                     reload_names(p->added, p->n_added), "removed",
                     reload_names(p->removed, p->n_removed), "restarted",
                     reload_names(p->restarted, p->n_restarted), "kept",
                     reload_names(p->kept, p->n_kept));
}

/* The counts of instances that differ from their files' (corralctl scale
 * set them), scale's first when given: *out (the caller frees it) and its
 * length, or -ENOMEM. The names point into the running set. */
static int reload_scales(struct supervisor *sup, const struct conf_scale *scale,
                         struct conf_scale **out, size_t *n)
{
    *n = 0;
    *out = calloc(sup_count(sup) + 1, sizeof **out);
    if (!*out)
        return -ENOMEM;
    if (scale)
        (*out)[(*n)++] = (struct conf_scale){.name = scale->name, .count = scale->count};
    for (size_t i = 0; i < sup_count(sup); i++) {
        const struct conf_service *c = sup_conf(sup_at(sup, i));
        if (c->instance == 1 && c->instances != c->instances_file)
            (*out)[(*n)++] = (struct conf_scale){
                .name = c->base, .count = c->instances, .file_count = c->instances_file};
    }
    return 0;
}

int reload_run(const struct reload_source *src, struct supervisor *sup, bool dry_run,
               const struct conf_scale *scale, reload_apply_global_fn apply_global, void *arg,
               json_t **result, json_t **errors)
{
    struct conf_errors errs;
    struct conf_global g;
    struct conf_set *set = NULL;
    struct sup_plan plan;
    struct conf_scale *scales;
    size_t n_scales;

    *result = NULL;
    *errors = NULL;
    conf_errors_init(&errs);
    conf_global_init(&g);
    /* corral.yaml and the directory, every error of both: an error in either
     * changes nothing. As at start, only the default corral.yaml may be
     * missing. */
    int rc_global = config_load_global(src->config_path, &g, &errs);
    int rc = reload_scales(sup, scale, &scales, &n_scales);
    if (rc == 0)
        rc = config_load_set_scaled(src->services_dir, src->main_argv, src->main_stop_timeout_ms,
                                    &g, scales, n_scales, &set, &errs);
    free(scales);
    if (rc == 0 && rc_global < 0) {
        conf_set_free(set);
        set = NULL;
        rc = rc_global;
    }
    if (rc < 0) {
        conf_global_close(&g);
        char line[1024];
        log_warn("reload refused: %zu errors; the running services are unchanged",
                 errs.n - errs.warnings + errs.dropped);
        for (size_t i = 0; i < errs.n; i++)
            log_warn("%s", conf_errors_format(&errs.v[i], line, sizeof line));
        *errors = reload_errors_json(&errs);
        conf_errors_close(&errs);
        return -EINVAL;
    }
    reload_log_warnings(&errs);
    conf_errors_close(&errs);
    rc = sup_plan(sup, set, &plan);
    if (rc < 0 || dry_run) {
        if (rc == 0)
            *result = reload_plan_json(&plan, true);
        sup_plan_close(&plan);
        conf_global_close(&g);
        conf_set_free(set);
        return rc;
    }
    /* The settings first, so that this reload's own lines follow them
     * (the swap fails only for memory: the settings are valid). */
    if (src->services_dir) /* before g moves to whoever applies it */
        config_warn_timeouts(set, g.shutdown_timeout_ms);
    apply_global(arg, &g, set);
    log_info("reload: %zu added, %zu removed, %zu restarted, %zu kept", plan.n_added,
             plan.n_removed, plan.n_restarted, plan.n_kept);
    rc = sup_swap_set(sup, set); /* takes set */
    if (rc == 0)
        *result = reload_plan_json(&plan, false);
    sup_plan_close(&plan);
    return rc;
}
