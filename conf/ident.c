/* ident.c - identities for spawn: the user's uid, its primary gid unless a
 * group is given, and, when no group is given, its supplementary groups
 * (getgrouplist(3)), as runc and Docker compute them for `USER
 * name[:group]` (with a group, the process has that group alone). The real
 * lookups are the defaults of struct conf_env; tests pass their own. */
#include "ident.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#define IDENT_BUF 16384

static int ident_sys_user_by_name(const char *name, uid_t *uid, gid_t *gid)
{
    struct passwd pw, *res = NULL;
    char *buf = malloc(IDENT_BUF);
    if (!buf)
        return -ENOMEM;
    int rc = getpwnam_r(name, &pw, buf, IDENT_BUF, &res);
    if (rc == 0 && res) {
        *uid = pw.pw_uid;
        *gid = pw.pw_gid;
    }
    free(buf);
    /* getpwnam_r reports "not found" as 0 with res NULL, or ENOENT and others. */
    return res ? 0 : -ENOENT;
}

static int ident_sys_user_by_uid(uid_t uid, char *name, size_t len, gid_t *gid)
{
    struct passwd pw, *res = NULL;
    char *buf = malloc(IDENT_BUF);
    if (!buf)
        return -ENOMEM;
    int rc = getpwuid_r(uid, &pw, buf, IDENT_BUF, &res);
    if (rc == 0 && res) {
        if (strlen(pw.pw_name) >= len)
            res = NULL;
        else
            strcpy(name, pw.pw_name);
        *gid = pw.pw_gid;
    }
    free(buf);
    return res ? 0 : -ENOENT;
}

static int ident_sys_group_by_name(const char *name, gid_t *gid)
{
    struct group gr, *res = NULL;
    char *buf = malloc(IDENT_BUF);
    if (!buf)
        return -ENOMEM;
    int rc = getgrnam_r(name, &gr, buf, IDENT_BUF, &res);
    if (rc == 0 && res)
        *gid = gr.gr_gid;
    free(buf);
    return res ? 0 : -ENOENT;
}

static int ident_sys_group_list(const char *user, gid_t gid, gid_t *groups, size_t *n)
{
    int count = (int)*n;
    if (getgrouplist(user, gid, groups, &count) < 0) {
        *n = (size_t)count;
        return -ERANGE;
    }
    *n = (size_t)count;
    return 0;
}

/* Parses a decimal id; (id_t)-1 is refused, it means "unchanged" to setuid. */
static int ident_number(const char *s, unsigned long *out)
{
    unsigned long long v = 0;
    int too_big = 0;
    if (!*s)
        return -ENOENT;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -ENOENT; /* not a number: a name */
        v = v * 10 + (unsigned long long)(*p - '0');
        if (v >= 0xffffffffULL) {
            too_big = 1;
            v = 0xffffffffULL;
        }
    }
    if (too_big)
        return -EINVAL;
    *out = (unsigned long)v;
    return 0;
}

int ident_group(const struct conf_env *env, const char *group, gid_t *gid)
{
    unsigned long v;
    int rc = ident_number(group, &v);
    if (rc == 0) {
        *gid = (gid_t)v;
        return 0;
    }
    if (rc == -EINVAL)
        return rc;
    if (env && env->group_by_name)
        return env->group_by_name(env->arg, group, gid);
    return ident_sys_group_by_name(group, gid);
}

static int ident_groups(const struct conf_env *env, const char *user, gid_t gid, struct ident *out)
{
    size_t n = 32;

    for (int tries = 0; tries < 4; tries++) {
        gid_t *g = calloc(n, sizeof *g);
        if (!g)
            return -ENOMEM;
        size_t got = n;
        int rc = env && env->group_list ? env->group_list(env->arg, user, gid, g, &got)
                                        : ident_sys_group_list(user, gid, g, &got);
        if (rc == 0 && got <= n) {
            out->groups = g;
            out->ngroups = got;
            return 0;
        }
        free(g);
        if (rc != -ERANGE)
            return rc < 0 ? rc : -EIO;
        n = got > n ? got : n * 2;
    }
    return -ERANGE;
}

int ident_resolve(const struct conf_env *env, const char *user, const char *group,
                  struct ident *out, int *bad_group)
{
    char name[256] = "";
    unsigned long v;
    int rc;

    memset(out, 0, sizeof *out);
    *bad_group = 0;
    if (user) {
        rc = ident_number(user, &v);
        if (rc == 0) {
            out->uid = (uid_t)v;
            rc = env && env->user_by_uid
                     ? env->user_by_uid(env->arg, out->uid, name, sizeof name, &out->gid)
                     : ident_sys_user_by_uid(out->uid, name, sizeof name, &out->gid);
            if (rc == -ENOENT) {
                name[0] = '\0';
                out->gid = 0;
            } else if (rc < 0) {
                return rc;
            }
        } else if (rc == -ENOENT) {
            rc = env && env->user_by_name ? env->user_by_name(env->arg, user, &out->uid, &out->gid)
                                          : ident_sys_user_by_name(user, &out->uid, &out->gid);
            if (rc < 0)
                return rc;
            if (strlen(user) < sizeof name)
                strcpy(name, user);
        } else {
            return rc;
        }
    }
    if (group) {
        rc = ident_group(env, group, &out->gid);
        if (rc < 0) {
            *bad_group = 1;
            return rc;
        }
    }
    if (name[0] && !group) /* a group given is the only one, as in runc */
        return ident_groups(env, name, out->gid, out);
    out->groups = calloc(1, sizeof *out->groups);
    if (!out->groups)
        return -ENOMEM;
    out->groups[0] = out->gid;
    out->ngroups = 1;
    return 0;
}
