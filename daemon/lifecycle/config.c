/* config.c - resolves and loads the configuration: for main.c before the
 * loop runs, and (corral.yaml and the set, the same way) for every reload;
 * prints what --check shows. Blocking file reads are fine: conf/ bounds
 * every file it reads. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "units.h"

enum log_level config_log_level(enum conf_log_level l)
{
    switch (l) {
    case CONF_LOG_LEVEL_ERROR:
        return LOG_ERROR;
    case CONF_LOG_LEVEL_WARN:
        return LOG_WARN;
    case CONF_LOG_LEVEL_DEBUG:
        return LOG_DEBUG;
    case CONF_LOG_LEVEL_INFO:
        break;
    }
    return LOG_INFO;
}

/* Every error and warning, in the order found; warnings ("file:line:col:
 * warning: ...") at warn level, so that a load that succeeds still shows
 * them. */
static void config_log_errors(const struct conf_errors *errs)
{
    char line[1024];
    for (size_t i = 0; i < errs->n; i++) {
        if (errs->v[i].warning)
            log_warn("%s", conf_errors_format(&errs->v[i], line, sizeof line));
        else
            log_error("%s", conf_errors_format(&errs->v[i], line, sizeof line));
    }
    if (errs->dropped)
        log_error("and %zu more errors", errs->dropped);
    if (errs->dropped_warnings)
        log_warn("and %zu more warnings", errs->dropped_warnings);
}

static bool config_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int config_load_global(const char *config_path, struct conf_global *g, struct conf_errors *errs)
{
    /* Only the default file may be missing. */
    return conf_global_load(config_path ? config_path : CONFIG_DEFAULT_FILE, config_path == NULL,
                            NULL, g, errs);
}

int config_load_set(const char *dir, char *const *main_argv, uint64_t main_stop_timeout_ms,
                    struct conf_global *g, struct conf_set **out, struct conf_errors *errs)
{
    return config_load_set_scaled(dir, main_argv, main_stop_timeout_ms, g, NULL, 0, out, errs);
}

int config_load_set_scaled(const char *dir, char *const *main_argv, uint64_t main_stop_timeout_ms,
                           struct conf_global *g, const struct conf_scale *scales, size_t n_scales,
                           struct conf_set **out, struct conf_errors *errs)
{
    int rc = dir ? conf_load_dir_scaled(dir, NULL, scales, n_scales, out, errs) : conf_set_new(out);
    if (rc == 0 && main_argv) {
        /* The main of the command line stops within --stop-timeout, unless
         * corral.yaml's main: section says otherwise. */
        bool own_timeout = g->main && g->main->stop_timeout_given;
        rc = conf_set_add_main(*out, main_argv, &g->main, errs);
        struct conf_service *m = rc == 0 ? conf_set_find(*out, "main") : NULL;
        if (m && !own_timeout)
            m->stop_timeout_ms = main_stop_timeout_ms;
    } else if (rc == 0 && g->main) {
        rc = conf_errors_warn(errs, g->main->file, 0, 0,
                              "main: ignored: there is no main command (corral -- CMD) to apply "
                              "it to");
        conf_service_free(g->main);
        g->main = NULL;
    }
    if (rc < 0 && *out) {
        conf_set_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Whether dependent j may still run when i has to stop: not when j waits
 * for i to have finished (completed, finished), since i then runs only
 * before j starts. */
static bool config_stops_after(const struct conf_set *set, size_t i, size_t j)
{
    const struct conf_service *dependent = set->services[j];
    for (size_t d = 0; d < dependent->n_deps; d++)
        if (dependent->deps[d].index == i && (dependent->deps[d].condition == CONF_COND_COMPLETED ||
                                              dependent->deps[d].condition == CONF_COND_FINISHED))
            return false;
    return true;
}

void config_warn_timeouts(const struct conf_set *set, uint64_t shutdown_timeout_ms)
{
    /* A service stops after every service that depends on it: its stop can
     * end as late as its own stop_timeout after the latest of theirs. In
     * reverse start order, dependents come first. */
    uint64_t *done = calloc(set->n ? set->n : 1, sizeof *done);
    size_t *after = calloc(set->n ? set->n : 1, sizeof *after); /* the dependent before it */
    size_t worst = set->n;
    if (!done || !after)
        goto out;
    for (size_t k = set->n; k-- > 0;) {
        size_t i = set->start_order[k];
        const struct conf_service *s = set->services[i];
        uint64_t before = 0;
        after[i] = set->n;
        for (size_t d = 0; d < s->n_dependents; d++)
            if (done[s->dependents[d]] > before && config_stops_after(set, i, s->dependents[d])) {
                before = done[s->dependents[d]];
                after[i] = s->dependents[d];
            }
        done[i] = before + s->stop_timeout_ms;
        if (worst == set->n || done[i] > done[worst])
            worst = i;
    }
    if (worst == set->n || done[worst] <= shutdown_timeout_ms)
        goto out;
    char chain[512] = "", dur[32], bound[32];
    size_t used = 0;
    for (size_t i = worst; i != set->n && used < sizeof chain; i = after[i])
        used += (size_t)snprintf(
            chain + used, sizeof chain - used, "%s%s %s", used ? " after " : "",
            set->services[i]->name,
            units_format_duration(set->services[i]->stop_timeout_ms, dur, sizeof dur));
    log_warn("stop_timeout: stopping can take %s (%s), longer than shutdown_timeout %s, which "
             "cuts it short: raise shutdown_timeout in corral.yaml, and the runtime's with it "
             "(docker stop -t, terminationGracePeriodSeconds)",
             units_format_duration(done[worst], dur, sizeof dur), chain,
             units_format_duration(shutdown_timeout_ms, bound, sizeof bound));
out:
    free(done);
    free(after);
}

int config_load(struct config *cfg, const struct cli_opts *o)
{
    struct conf_errors errs;
    const char *dir = NULL;
    bool dir_explicit = true;
    int rc, ret = 0;

    memset(cfg, 0, sizeof *cfg);
    conf_global_init(&cfg->global);
    conf_errors_init(&errs);
    const char *file = o->config_path ? o->config_path : CONFIG_DEFAULT_FILE;
    rc = config_load_global(o->config_path, &cfg->global, &errs);
    if (rc < 0) {
        if (errs.n)
            config_log_errors(&errs);
        else
            log_error("%s: %s", file, strerror(-rc));
        ret = 1;
        goto out;
    }
    if (o->services_dir)
        dir = o->services_dir;
    else if (getenv("CORRAL_SERVICES") && *getenv("CORRAL_SERVICES"))
        dir = getenv("CORRAL_SERVICES");
    else if (cfg->global.services_dir)
        dir = cfg->global.services_dir;
    else {
        dir = CONFIG_DEFAULT_SERVICES;
        dir_explicit = false;
    }
    /* A default directory that does not exist is fine for pure init mode. */
    if (!dir_explicit && !config_is_dir(dir)) {
        if (!o->main_argv) {
            log_error("nothing to run: no command given and no service directory (%s does not "
                      "exist); see corral --help",
                      dir);
            ret = 2;
            goto out;
        }
        dir = NULL;
    }
    if (dir)
        cfg->services_dir = strdup(dir);
    else
        cfg->pure_init = true;
    rc = config_load_set(dir, o->main_argv, o->stop_timeout_ms, &cfg->global, &cfg->set, &errs);
    if (rc == 0 && cfg->set->n == 0 && !o->main_argv) {
        log_error("nothing to run: %s holds no service (NAME.yaml) and no command was given", dir);
        ret = 2;
        goto out;
    }
    if (rc < 0) {
        if (errs.n)
            config_log_errors(&errs);
        else
            log_error("%s: %s", dir ? dir : "configuration", strerror(-rc));
        ret = 1;
        goto out;
    }
    for (size_t i = 0; i < cfg->set->n_ignored; i++)
        log_debug("%s/%s: not a service file (NAME.yaml or NAME.yml); ignored", dir,
                  cfg->set->ignored[i]);
    if (cfg->global.startup_scripts && !o->skip_startup) {
        rc = conf_scripts_load(cfg->global.startup_scripts, &cfg->startup, &errs);
        if (rc < 0) {
            config_log_errors(&errs);
            ret = 1;
            goto out;
        }
        for (size_t i = 0; i < cfg->startup->n_ignored; i++)
            log_debug("%s/%s: not an executable file; not run", cfg->global.startup_scripts,
                      cfg->startup->ignored[i]);
    }
    config_log_errors(&errs); /* warnings only: the configuration loaded */
    if (!cfg->pure_init)
        config_warn_timeouts(cfg->set, cfg->global.shutdown_timeout_ms);
out:
    conf_errors_close(&errs);
    return ret;
}

/* The scripts dir holds now, in the order they would run (--check). */
static void config_print_scripts(const char *dir, const char *when)
{
    struct conf_errors errs;
    struct conf_set *set = NULL;
    if (!dir)
        return;
    conf_errors_init(&errs);
    if (conf_scripts_load(dir, &set, &errs) == 0) {
        printf("%s: %zu scripts, in order, %s\n", dir, set->n, when);
        for (size_t i = 0; i < set->n; i++)
            printf("%3zu. %s\n", i + 1, set->services[i]->name);
    } else {
        printf("%s: not readable now\n", dir);
    }
    conf_set_free(set);
    conf_errors_close(&errs);
}

void config_print_plan(const struct config *cfg)
{
    const struct conf_set *set = cfg->set;
    if (cfg->global.container_environment) {
        struct conf_errors errs;
        struct conf_kv *vars = NULL;
        size_t n = 0;
        conf_errors_init(&errs);
        if (conf_envdir_read(cfg->global.container_environment, &vars, &n, &errs) == 0) {
            printf("%s: %zu variables for every process%s", cfg->global.container_environment, n,
                   n ? ":" : "");
            for (size_t i = 0; i < n; i++)
                printf(" %s", vars[i].key);
            printf("\n    (startup scripts and oneshots may add more as they run)\n");
        } else {
            printf("%s: not readable now (corral creates it at start)\n",
                   cfg->global.container_environment);
        }
        conf_envdir_free(vars, n);
        conf_errors_close(&errs);
    }
    if (cfg->startup) {
        printf("%s: %zu startup scripts, in order, before any service:\n",
               cfg->global.startup_scripts, cfg->startup->n);
        for (size_t i = 0; i < cfg->startup->n; i++)
            printf("%3zu. %s\n", i + 1, cfg->startup->services[i]->name);
    }
    config_print_scripts(cfg->global.pre_shutdown_scripts, "before the services stop");
    config_print_scripts(cfg->global.post_shutdown_scripts, "once they have stopped");
    printf("%s: %zu services, in start order:\n",
           cfg->services_dir ? cfg->services_dir : "command line", set->n);
    for (size_t i = 0; i < set->n; i++) {
        const struct conf_service *s = set->services[set->start_order[i]];
        printf("%3zu. %s (%s%s%s)", i + 1, s->name, conf_type_name(s->type),
               s->main ? ", main" : "", s->critical ? ", critical" : "");
        for (size_t d = 0; d < s->n_deps; d++)
            printf("%s%s: %s", d ? ", " : " after ", s->deps[d].name,
                   conf_condition_name(s->deps[d].condition));
        printf("\n");
    }
}

struct conf_set *config_take_startup(struct config *cfg)
{
    struct conf_set *set = cfg->startup;
    cfg->startup = NULL;
    return set;
}

struct conf_set *config_take_set(struct config *cfg)
{
    struct conf_set *set = cfg->set;
    cfg->set = NULL;
    return set;
}

void config_close(struct config *cfg)
{
    conf_set_free(cfg->set);
    cfg->set = NULL;
    conf_set_free(cfg->startup);
    cfg->startup = NULL;
    free(cfg->services_dir);
    cfg->services_dir = NULL;
    conf_global_close(&cfg->global);
}
