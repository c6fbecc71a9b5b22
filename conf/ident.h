/* ident.h - user and group names or numbers into uid, gid and the
 * supplementary group list, resolved at load time (getpwnam and friends are
 * not async-signal-safe, so they cannot run between fork and exec) through
 * the hooks of struct conf_env. */
#ifndef CORRAL_IDENT_H
#define CORRAL_IDENT_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

struct ident {
    uid_t uid;
    gid_t gid;
    gid_t *groups; /* caller frees */
    size_t ngroups;
};

/* Resolves user (name or uid, may be NULL) and group (name or gid, may be
 * NULL; at least one is set). Without group the gid is the user's primary
 * group, or 0 for a uid without a passwd entry (as Docker does). The
 * supplementary groups are the user's groups from the group database when
 * the user has a name, else just the gid. Returns 0, -ENOENT with *bad_group
 * saying which of the two is unknown, -EINVAL for a number out of range, or
 * another negative errno. */
int ident_resolve(const struct conf_env *env, const char *user, const char *group,
                  struct ident *out, int *bad_group);

/* Resolves a group alone (name or gid). Returns 0, -ENOENT or -EINVAL. */
int ident_group(const struct conf_env *env, const char *group, gid_t *gid);

#endif
