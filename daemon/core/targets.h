/* targets.h - what a name in a request addresses: one service by its name,
 * or with a leading "@" every member of a group (groups: lists it, or the
 * services are the instances of the file of that name), in start order or,
 * for stops, the reverse. Pure. */
#ifndef CORRAL_TARGETS_H
#define CORRAL_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* True when target names a group ("@web"). */
bool targets_is_group(const char *target);

/* Appends to out (room for n) the positions in order[0..n) (the services in
 * start order) of the members of the group "@NAME" target names, in that
 * order, or in reverse with reverse, skipping positions already among
 * out[0..*n_out). Returns how many services the group has (0: no such
 * group). */
size_t targets_group(const struct conf_service *const *order, size_t n, const char *target,
                     bool reverse, size_t *out, size_t *n_out);

#endif
