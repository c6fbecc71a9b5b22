/* cenv.h - the container environment (corral.yaml's container_environment):
 * which value of a variable every process started from now on inherits, and
 * the environment written out for shells and jobs the way my_init writes
 * /etc/container_environment.sh and .json. Pure: strings in, strings out. */
#ifndef CORRAL_CENV_H
#define CORRAL_CENV_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* The inherited environment of every process corral starts: base (corral's
 * own environ) with vars over it. A variable of base wins over a file that
 * was already there when corral started (initial, the first read) and has
 * not changed since, as my_init's first import does not override `docker
 * run -e`; a file written or changed since wins. */
struct cenv_env {
    char **envp;  /* NULL-terminated: base's strings and the owned ones */
    size_t n;     /* entries of envp */
    char **owned; /* the "KEY=VALUE" strings made here */
    size_t nowned;
};

/* Builds *e. base's strings are shared (they must outlive e), the others
 * are e's. Returns 0 or -ENOMEM (e then empty). */
int cenv_build(struct cenv_env *e, char *const *base, const struct conf_kv *vars, size_t n,
               const struct conf_kv *initial, size_t ninitial);
void cenv_env_close(struct cenv_env *e);

/* True for the variables my_init leaves out of what it writes (HOME, USER,
 * GROUP, UID, GID, SHELL: whoever reads the files has their own). */
bool cenv_is_personal(const char *kv);

/* s quoted for a POSIX shell as my_init quotes it: '' when empty, as is
 * when made only of letters, digits and _@%+=:,./-, else in single quotes
 * with each ' written '"'"'. Writes at most len bytes with the NUL into
 * out; returns the length the whole would take (snprintf's convention). */
size_t cenv_shquote(const char *s, char *out, size_t len);

/* "export NAME=quoted\n" for each variable of envp but the personal ones,
 * or a JSON object of them all ({"NAME":"value",...}). A malloc'd string
 * (the caller frees it), or NULL when out of memory. */
char *cenv_render_sh(char *const *envp);
char *cenv_render_json(char *const *envp);

#endif
