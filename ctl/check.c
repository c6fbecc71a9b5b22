/* check.c - the offline `check DIR`: conf_load_dir with the real environment
 * (users, groups, env files are resolved as corral would resolve them on
 * this machine), then either the start order or every error found. */
#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "ctl.h"

static json_t *check_errors_json(const struct conf_errors *errs)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr && i < errs->n; i++) {
        const struct conf_error *e = &errs->v[i];
        json_array_append_new(arr, json_pack("{s:s?,s:i,s:i,s:s,s:b}", "file", e->file, "line",
                                             (int)e->line, "column", (int)e->col, "message", e->msg,
                                             "warning", e->warning));
    }
    return arr;
}

static int check_print_json(const struct conf_set *set, const struct conf_errors *errs, FILE *out)
{
    json_t *names = json_array();
    json_t *o = NULL;
    char *s = NULL;

    for (size_t i = 0; set && names && i < set->n; i++)
        json_array_append_new(names, json_string(set->services[set->start_order[i]]->name));
    o = json_pack("{s:b,s:o,s:o}", "ok", set != NULL, "services", names, "errors",
                  check_errors_json(errs));
    s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        return -ENOMEM;
    fprintf(out, "%s\n", s);
    free(s);
    return 0;
}

int check_run(const char *dir, bool json, bool no_resolve, FILE *out, FILE *err)
{
    struct conf_errors errs;
    struct conf_set *set = NULL;
    char line[1024];
    int rc;

    conf_errors_init(&errs);
    /* The corral that runs dir may be root, unlike whoever checks it. */
    struct conf_env env = {.no_resolve = no_resolve, .any_ids = true};
    rc = conf_load_dir(dir, &env, &set, &errs);
    if (rc < 0 && errs.n == 0)
        conf_errors_add(&errs, dir, 0, 0, "%s", strerror(-rc));
    if (json) {
        check_print_json(set, &errs, out);
    } else {
        /* Warnings (an unset ${VAR}) also for a valid directory. */
        for (size_t i = 0; i < errs.n; i++)
            fprintf(err, "%s\n", conf_errors_format(&errs.v[i], line, sizeof line));
        if (errs.dropped)
            fprintf(err, "%s: and %zu more errors\n", dir, errs.dropped);
        if (errs.dropped_warnings)
            fprintf(err, "%s: and %zu more warnings\n", dir, errs.dropped_warnings);
        if (set) {
            fprintf(out, "%s: %zu service%s, valid; start order:", dir, set->n,
                    set->n == 1 ? "" : "s");
            for (size_t i = 0; i < set->n; i++)
                fprintf(out, " %s", set->services[set->start_order[i]]->name);
            fputc('\n', out);
        }
    }
    conf_set_free(set);
    conf_errors_close(&errs);
    return rc == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}
