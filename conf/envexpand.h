/* envexpand.h - ${VAR}, ${VAR:-default} and ${VAR:?message} in configuration
 * strings, with the variables read through a lookup hook. Pure. */
#ifndef CORRAL_ENVEXPAND_H
#define CORRAL_ENVEXPAND_H

#include <stddef.h>

/* Returns the value of name, or NULL when it is unset. */
typedef const char *(*envexpand_lookup_fn)(void *arg, const char *name);

/* Expands in into a new string *out (the caller frees it).
 * - ${VAR} is VAR's value, or "" when unset;
 * - ${VAR:-word} is word when VAR is unset or empty;
 * - ${VAR:?message} is an error "VAR: message" when VAR is unset or empty
 *   ("VAR: is not set" without a message);
 * - $${ is a literal ${; a $ not followed by { is kept as is ($HOME, $$).
 * VAR is [A-Za-z_][A-Za-z0-9_]*; word and message run to the first }.
 * Returns 0, -EINVAL with a sentence in err, or -ENOMEM. */
int envexpand_string(const char *in, envexpand_lookup_fn lookup, void *arg, char **out, char *err,
                     size_t errlen);

#endif
