/* locate.c - finds the control socket the way corral chose it: corral
 * listens on corral.yaml's `socket:` when it is set, and corralctl, run by
 * `docker exec` with no flags, must find it there too. */
#include "locate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *locate_getenv(const struct conf_env *env, const char *name)
{
    if (env && env->lookup)
        return env->lookup(env->arg, name);
    return getenv(name);
}

static int locate_take(struct locate *l, const char *path, const char *origin)
{
    l->path = strdup(path);
    if (!l->path)
        return -ENOMEM;
    l->origin = origin;
    return 0;
}

/* "FILE:LINE:COL: message" of the first error (warnings are not why it
 * failed), and how many more errors there are. */
static void locate_describe(const struct conf_errors *errs, char *buf, size_t len)
{
    char line[400];
    size_t errors = errs->n - errs->warnings + errs->dropped;
    size_t first = 0;

    while (first < errs->n && errs->v[first].warning)
        first++;
    if (first == errs->n) {
        snprintf(buf, len, "cannot be loaded");
        return;
    }
    size_t more = errors - 1;
    conf_errors_format(&errs->v[first], line, sizeof line);
    if (more)
        snprintf(buf, len, "%s (and %zu more errors)", line, more);
    else
        snprintf(buf, len, "%s", line);
}

int locate_socket(const char *opt_socket, const char *config_path, bool config_explicit,
                  const struct conf_env *env, struct locate *l, char *why, size_t why_len)
{
    struct conf_global g;
    struct conf_errors errs;
    char reason[480];
    const char *var;
    int rc;

    *l = (struct locate){0};
    if (opt_socket && *opt_socket)
        return locate_take(l, opt_socket, "--socket");
    var = locate_getenv(env, "CORRAL_SOCKET");
    if (var && *var)
        return locate_take(l, var, "$CORRAL_SOCKET");

    conf_global_init(&g);
    conf_errors_init(&errs);
    /* The same loader as corral's, so that ${VAR} in the path expands alike
     * and an invalid file is refused alike. */
    /* Only socket: matters here: users, programs and env_files of the main:
     * section are corral's business, not looked up for corralctl. */
    struct conf_env quiet = env ? *env : (struct conf_env){0};
    quiet.no_resolve = true;
    quiet.any_ids = true;
    rc = conf_global_load(config_path, !config_explicit, &quiet, &g, &errs);
    if (rc == -ENOMEM)
        goto out;
    if (rc < 0) {
        locate_describe(&errs, reason, sizeof reason);
        /* conf/ names the file already ("FILE: cannot read: ..."). */
        if (config_explicit) {
            snprintf(why, why_len, "%s", reason);
            rc = -EINVAL;
        } else {
            snprintf(l->note, sizeof l->note, "%s; its socket: was not used", reason);
            rc = 0;
        }
        goto out;
    }
    if (g.socket_path)
        rc = locate_take(l, g.socket_path, config_path);

out:
    conf_errors_close(&errs);
    conf_global_close(&g);
    return rc;
}

void locate_close(struct locate *l)
{
    free(l->path);
    *l = (struct locate){0};
}
