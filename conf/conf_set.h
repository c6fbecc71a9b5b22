/* conf_set.h - building a set from parsed services: names resolved to
 * indexes, conditions checked against their targets, cycles reported, start
 * order and dependents computed. Internal to conf/, and to corral import,
 * which checks the set it is about to write (import/imp_check.c). */
#ifndef CORRAL_CONF_SET_H
#define CORRAL_CONF_SET_H

#include "conf.h"

/* Takes services[0..n) (sorted by name, ownership moves into the set even on
 * failure) and fills set. A dependency on a name in `failed` (files that had
 * errors of their own, sorted by strcmp) is not reported again. Returns 0, -EINVAL with the
 * errors in errs, or -ENOMEM; on failure the set is freed and *out NULL. */
int conf_set_build(struct conf_service **services, size_t n, char **failed, size_t n_failed,
                   struct conf_errors *errs, struct conf_set **out);

#endif
