/* targets.c - the services a "@GROUP" name addresses, in start order or its
 * reverse. See targets.h. */
#include "targets.h"

bool targets_is_group(const char *target)
{
    return target[0] == '@';
}

static bool targets_listed(const size_t *out, size_t n, size_t pos)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] == pos)
            return true;
    return false;
}

size_t targets_group(const struct conf_service *const *order, size_t n, const char *target,
                     bool reverse, size_t *out, size_t *n_out)
{
    const char *group = target + (targets_is_group(target) ? 1 : 0);
    size_t members = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        if (!conf_service_in_group(order[i], group))
            continue;
        members++;
        if (!targets_listed(out, *n_out, i))
            out[(*n_out)++] = i;
    }
    return members;
}
