/* reload.h - `corralctl reload` and SIGHUP without a main: reads corral.yaml
 * and the service directory again; with any error nothing changes; otherwise
 * corral.yaml's settings apply (reload_global.c), added services start,
 * removed ones stop, changed ones restart (a change to anything that affects
 * the process) and the rest keep running with the same pid. */
#ifndef CORRAL_RELOAD_H
#define CORRAL_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "conf.h"

struct corral;

struct reload_result {
    bool dry_run;
    char **added, **removed, **restarted, **kept; /* owned names */
    size_t n_added, n_removed, n_restarted, n_kept;
};

/* Loads and applies (or, with dry_run, only plans) the configuration. Returns
 * 0 with r filled; -EINVAL with *errors the list [{file,line,column,message}]
 * (the caller owns it) and nothing changed; or another -errno. */
int reload_run(struct corral *c, bool dry_run, struct reload_result *r, json_t **errors);

/* True when a and b would run the same process (command, directory, user and
 * groups, umask, environment, limits, type, output piping): a service whose
 * configuration differs only elsewhere keeps running. Pure. */
bool reload_same_process(const struct conf_service *a, const struct conf_service *b);

/* Two optional strings are equal: both NULL, or the same text. Pure. */
bool reload_str_eq(const char *a, const char *b);

/* {"dry_run":..,"added":[..],"removed":[..],"restarted":[..],"kept":[..]} */
json_t *reload_result_json(const struct reload_result *r);
void reload_result_close(struct reload_result *r);

#endif
