/* envexpand.h - ${VAR}, ${VAR:-default} and ${VAR:?message} in configuration
 * strings, with the variables read through a lookup hook. Pure. */
#ifndef CORRAL_ENVEXPAND_H
#define CORRAL_ENVEXPAND_H

#include <stddef.h>

/* Returns the value of name, or NULL when it is unset. */
typedef const char *(*envexpand_lookup_fn)(void *arg, const char *name);

/* Told of each ${VAR} without a default whose VAR is unset (it expands to
 * nothing); at is the offset of its "$" in the input. Returns 0, or -ENOMEM,
 * which ends the expansion. */
typedef int (*envexpand_unset_fn)(void *arg, const char *name, size_t at);

struct envexpand_hooks {
    envexpand_lookup_fn lookup;
    envexpand_unset_fn unset; /* may be NULL */
    void *arg;                /* passed to both */
};

/* Expands in into a new string *out (the caller frees it).
 * - ${VAR} is VAR's value, or "" when unset (and h->unset is told);
 * - ${VAR:-word} is word when VAR is unset or empty;
 * - ${VAR:?message} is an error "VAR: message" when VAR is unset or empty
 *   ("VAR: is not set" without a message);
 * - $${ is a literal ${; a $ not followed by { is kept as is ($HOME, $$).
 * VAR is [A-Za-z_][A-Za-z0-9_]*; word and message run to the first }.
 * Returns 0; -EINVAL with a sentence in err and, when err_at is not NULL,
 * the offset of the offending "$" in *err_at; or -ENOMEM. */
int envexpand_string(const char *in, const struct envexpand_hooks *h, char **out, char *err,
                     size_t errlen, size_t *err_at);

#endif
