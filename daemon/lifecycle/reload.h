/* reload.h - `corralctl reload` and SIGHUP without a main: reads corral.yaml
 * and the service directory again; with any error in either nothing
 * changes; otherwise corral.yaml's settings are handed to whoever applies
 * them (the composition root), then the supervisor swaps the new set in:
 * added services start, removed ones stop, changed ones restart (a change to
 * anything that affects the process), the rest keep their pid. */
#ifndef CORRAL_RELOAD_H
#define CORRAL_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "supervisor.h"

/* Where the configuration comes from, as decided at start. */
struct reload_source {
    const char *config_path;  /* --config, or NULL for the default file */
    const char *services_dir; /* NULL in pure init mode */
    char *const *main_argv;   /* the command after "--", or NULL */
    uint64_t main_stop_timeout_ms;
};

/* Applies corral.yaml's settings (g is the callee's to keep or close), just
 * before set, the services about to be swapped in, starts any of them. */
typedef void (*reload_apply_global_fn)(void *arg, struct conf_global *g,
                                       const struct conf_set *set);

/* Loads src and applies it (or, with dry_run, only plans). The counts of
 * instances corralctl scale set before hold while the files' instances:
 * are unchanged; scale, when not NULL, sets one more (corralctl scale NAME
 * COUNT: its file_count is ignored). Returns 0 with
 * *result {"dry_run","added","removed","restarted","kept"} (the caller's);
 * -EINVAL with *errors the list [{file,line,column,message}] (the
 * caller's) and nothing changed; or another -errno. */
int reload_run(const struct reload_source *src, struct supervisor *sup, bool dry_run,
               const struct conf_scale *scale, reload_apply_global_fn apply_global, void *arg,
               json_t **result, json_t **errors);

#endif
