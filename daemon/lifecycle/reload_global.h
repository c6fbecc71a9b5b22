/* reload_global.h - corral.yaml, read again by a reload (reload.c): what can
 * change under a running corral takes effect at once, what cannot is said to
 * need a restart. The command line keeps its precedence, as at start. */
#ifndef CORRAL_RELOAD_GLOBAL_H
#define CORRAL_RELOAD_GLOBAL_H

#include "conf.h"

struct corral;

/* Loads corral.yaml from where corral read it at start into g (which it
 * initialises). Returns 0, or a negative errno with the errors in errs. */
int reload_global_load(const struct corral *c, struct conf_global *g, struct conf_errors *errs);

/* Makes g corral's settings (taking what it holds): log_level, log_format,
 * timestamps, read_group, admin_group, shutdown_timeout and kill_grace apply
 * now; a changed `services` or `socket` is logged as waiting for a restart. */
void reload_global_apply(struct corral *c, struct conf_global *g);

#endif
