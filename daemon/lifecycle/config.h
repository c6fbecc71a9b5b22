/* config.h - where corral's configuration comes from, decided and loaded
 * before anything starts: corral.yaml (--config), the service directory
 * (--services, $CORRAL_SERVICES, corral.yaml's `services`, then
 * /etc/corral/services.d) and the main command after "--". A bad file
 * refuses the start: corral never half-starts. */
#ifndef CORRAL_CONFIG_H
#define CORRAL_CONFIG_H

#include <stdbool.h>

#include "cli.h"
#include "conf.h"
#include "log.h"

#define CONFIG_DEFAULT_FILE     "/etc/corral/corral.yaml"
#define CONFIG_DEFAULT_SERVICES "/etc/corral/services.d"

struct config {
    struct conf_global global;
    struct conf_set *set; /* owned; NULL after config_take_set */
    char *services_dir;   /* owned; NULL in pure init mode */
    bool pure_init;       /* only a main command, no service directory */
};

/* Loads everything o names. Returns 0; 1 after logging every configuration
 * error (file:line:column); 2 after logging a usage error (nothing to run). */
int config_load(struct config *cfg, const struct cli_opts *o);

/* The log level corral.yaml's log_level names. */
enum log_level config_log_level(enum conf_log_level l);

/* Prints the services in start order with their dependencies (--check). */
void config_print_plan(const struct config *cfg);

/* Hands the set over: the caller owns it from now on. */
struct conf_set *config_take_set(struct config *cfg);

void config_close(struct config *cfg);

#endif
