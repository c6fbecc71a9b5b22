/* config.h - where corral's configuration comes from, decided and loaded
 * before anything starts: corral.yaml (--config), the service directory
 * (--services, $CORRAL_SERVICES, corral.yaml's `services`, then
 * /etc/corral/services.d) and the main command after "--". A bad file
 * refuses the start: corral never half-starts. */
#ifndef CORRAL_CONFIG_H
#define CORRAL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "conf.h"
#include "log.h"

#define CONFIG_DEFAULT_FILE     "/etc/corral/corral.yaml"
#define CONFIG_DEFAULT_SERVICES "/etc/corral/services.d"

struct config {
    struct conf_global global;
    struct conf_set *set;     /* owned; NULL after config_take_set */
    char *services_dir;       /* owned; NULL in pure init mode */
    bool pure_init;           /* only a main command, no service directory */
    struct conf_set *startup; /* owned: corral.yaml's startup_scripts; NULL: none to run */
};

/* corral.yaml at config_path (NULL: the default file, which may be
 * missing) into g. At start and at every reload. Returns 0 or -errno (the
 * errors in errs). */
int config_load_global(const char *config_path, struct conf_global *g, struct conf_errors *errs);

/* The set to run: the services of dir (NULL: none), and the main command
 * of the command line as the service `main`, configured by g's main:
 * section (taken from g) and stopping within main_stop_timeout_ms unless
 * that section sets stop_timeout. At start and at every reload, the same
 * way. Returns
 * 0 with *out (the caller's), or -errno (the errors in errs). */
int config_load_set(const char *dir, char *const *main_argv, uint64_t main_stop_timeout_ms,
                    struct conf_global *g, struct conf_set **out, struct conf_errors *errs);

/* The same, with counts of instances that replace the files' own
 * (conf_load_dir_scaled). */
int config_load_set_scaled(const char *dir, char *const *main_argv, uint64_t main_stop_timeout_ms,
                           struct conf_global *g, const struct conf_scale *scales, size_t n_scales,
                           struct conf_set **out, struct conf_errors *errs);

/* Warns (one line) when stopping set in dependency order can take longer
 * than shutdown_timeout_ms, naming the longest chain of stop_timeouts. */
void config_warn_timeouts(const struct conf_set *set, uint64_t shutdown_timeout_ms);

/* Loads everything o names. Returns 0; 1 after logging every configuration
 * error (file:line:column); 2 after logging a usage error (nothing to run). */
int config_load(struct config *cfg, const struct cli_opts *o);

/* The log level corral.yaml's log_level names. */
enum log_level config_log_level(enum conf_log_level l);

/* Prints the services in start order with their dependencies (--check). */
void config_print_plan(const struct config *cfg);

/* Hands the startup scripts over (NULL: none): the caller owns them. */
struct conf_set *config_take_startup(struct config *cfg);

/* Hands the set over: the caller owns it from now on. */
struct conf_set *config_take_set(struct config *cfg);

void config_close(struct config *cfg);

#endif
