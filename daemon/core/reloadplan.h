/* reloadplan.h - what a reload does to a service that is in both the
 * running set and the new one: keep its process (the new configuration
 * differs only in what does not touch the process) or restart it. Pure. */
#ifndef CORRAL_RELOADPLAN_H
#define CORRAL_RELOADPLAN_H

#include <stdbool.h>

#include "conf.h"

/* True when a and b would run the same process (command, directory, user
 * and groups, umask, environment, limits, type, output piping). */
bool reloadplan_same_process(const struct conf_service *a, const struct conf_service *b);

/* True when a service running cur, with a restart for another configuration
 * still on its way (pending), keeps its process under next. A pending
 * restart always goes on, and takes the newest configuration. */
bool reloadplan_is_kept(const struct conf_service *cur, bool pending,
                        const struct conf_service *next);

/* Two optional strings are equal: both NULL, or the same text. */
bool reloadplan_str_eq(const char *a, const char *b);

#endif
