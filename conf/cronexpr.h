/* cronexpr.h - a crontab(5) time specification (every fifth minute, "@daily")
 * into the sets of minutes, hours, days, months and weekdays it names
 * (struct conf_cron, conf.h). When the next run is due is decided in the
 * daemon (daemon/core/schedule.h); this only reads and checks the text. */
#ifndef CORRAL_CRONEXPR_H
#define CORRAL_CRONEXPR_H

#include <stddef.h>

#include "conf.h"

/* Parses expr into *out. Returns 0, or -EINVAL with a message in err (e.g.
 * "hour: 24 is out of range 0-23") and *at the byte offset in expr of the
 * part that is wrong. */
int cronexpr_parse(const char *expr, struct conf_cron *out, char *err, size_t errlen, size_t *at);

#endif
