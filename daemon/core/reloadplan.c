/* reloadplan.c - keep or restart a service across a reload. See
 * reloadplan.h. */
#include "reloadplan.h"

#include <string.h>

bool reloadplan_str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool reloadplan_kv_eq(const struct conf_kv *a, size_t na, const struct conf_kv *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].key, b[i].key) || strcmp(a[i].value, b[i].value))
            return false;
    return true;
}

bool reloadplan_same_process(const struct conf_service *a, const struct conf_service *b)
{
    if (a->argc != b->argc || a->type != b->type || a->main != b->main ||
        a->clear_env != b->clear_env || a->set_ids != b->set_ids || a->set_umask != b->set_umask ||
        a->logs.raw != b->logs.raw)
        return false;
    for (size_t i = 0; i < a->argc; i++)
        if (strcmp(a->argv[i], b->argv[i]) != 0)
            return false;
    if (!reloadplan_str_eq(a->directory, b->directory))
        return false;
    if (a->set_ids && (a->uid != b->uid || a->gid != b->gid || a->ngroups != b->ngroups ||
                       !reloadplan_str_eq(a->user, b->user) ||
                       (a->ngroups && memcmp(a->groups, b->groups, a->ngroups * sizeof(gid_t)))))
        return false;
    if (a->set_umask && a->umask != b->umask)
        return false;
    if (!reloadplan_kv_eq(a->environment, a->n_environment, b->environment, b->n_environment) ||
        !reloadplan_kv_eq(a->env_file_vars, a->n_env_file_vars, b->env_file_vars,
                          b->n_env_file_vars))
        return false;
    if (a->n_rlimits != b->n_rlimits)
        return false;
    for (size_t i = 0; i < a->n_rlimits; i++)
        if (a->rlimits[i].resource != b->rlimits[i].resource ||
            a->rlimits[i].soft != b->rlimits[i].soft || a->rlimits[i].hard != b->rlimits[i].hard)
            return false;
    return true;
}

bool reloadplan_is_kept(const struct conf_service *cur, bool pending,
                        const struct conf_service *next)
{
    return !pending && reloadplan_same_process(cur, next);
}
