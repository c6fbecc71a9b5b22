/* conf_exec.c - the command check of conf_exec.h. The PATH searched is the
 * one the service will get (docs/configuration.md "Every key": environment
 * wins over env_file, which wins over corral's own), and the search is
 * execvp's (pathsearch.h), as the spawn's. */
#include "conf_exec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathsearch.h"

static int conf_exec_try(const void *arg, const char *path)
{
    const struct conf_env *env = arg;
    return env && env->exec_check ? env->exec_check(env->arg, path)
                                  : pathsearch_runnable(NULL, path);
}

/* The PATH the service will run with. */
static const char *conf_exec_path_env(const struct conf_env *env, const struct conf_service *s)
{
    for (size_t i = s->n_environment; i-- > 0;)
        if (strcmp(s->environment[i].key, "PATH") == 0)
            return s->environment[i].value;
    for (size_t i = s->n_env_file_vars; i-- > 0;)
        if (strcmp(s->env_file_vars[i].key, "PATH") == 0)
            return s->env_file_vars[i].value;
    if (s->clear_env)
        return NULL;
    return env && env->lookup ? env->lookup(env->arg, "PATH") : getenv("PATH");
}

int conf_exec_check(struct ynode_ctx *c, yaml_node_t *at, const struct conf_service *s)
{
    const struct conf_env *env = c->env;
    if ((env && env->no_resolve) || !s->argv || !s->argv[0])
        return 0;
    const char *prog = s->argv[0];
    const char *key = s->shell ? "command: a string command runs /bin/sh -c, but" : "command:";
    if (prog[0] == '/') {
        int r = conf_exec_try(env, prog);
        if (r == 0)
            return 0;
        const char *why = r == -ENOENT || r == -ENOTDIR ? "does not exist"
                          : r == -EACCES                ? "is not an executable file"
                                                        : strerror(-r);
        return ynode_error(c, at, "%s expected an executable, got \"%s\", which %s%s", key, prog,
                           why,
                           s->shell ? " (write the command as a list to exec it directly)" : "");
    }
    if (strchr(prog, '/'))
        return 0; /* relative to the working directory of the run: not known here */
    const char *path_env = conf_exec_path_env(env, s);
    if (!path_env || !*path_env)
        path_env = PATHSEARCH_DEFAULT;
    char found[4096];
    int r = pathsearch(prog, path_env, conf_exec_try, env, found, sizeof found);
    if (r == 0)
        return 0;
    return ynode_warn_at(c, at, 0,
                         "command: \"%s\" is %s on PATH (%.200s): it will fail with exit %d "
                         "unless the service's PATH differs when it runs",
                         prog, r == -EACCES ? "not executable" : "not found", path_env,
                         r == -EACCES ? 126 : 127);
}
