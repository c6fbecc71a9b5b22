/* promtext.h - the Prometheus text exposition format (version 0.0.4), written
 * into a growing buffer: a family's HELP and TYPE lines, then its samples
 * with their labels escaped (backslash, double quote, newline) as the format
 * demands. Pure. */
#ifndef CORRAL_PROMTEXT_H
#define CORRAL_PROMTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The text so far; a failed allocation sets failed and stops writing. */
struct promtext {
    char *buf; /* owned, NUL-terminated */
    size_t len, size;
    bool failed;
};

void promtext_init(struct promtext *p);
void promtext_close(struct promtext *p);

/* "# HELP name help" (help escaped) and "# TYPE name type". */
void promtext_family(struct promtext *p, const char *name, const char *type, const char *help);

/* "name{k1="v1",k2="v2"} value": labels is n_labels pairs {key, value}
 * (NULL when n_labels is 0). value NaN, +Inf and -Inf are written as the
 * format spells them; integers without a fraction. */
void promtext_sample(struct promtext *p, const char *name, const char *const (*labels)[2],
                     size_t n_labels, double value);

/* Hands the text over (the caller frees it); NULL when an allocation
 * failed. */
char *promtext_take(struct promtext *p, size_t *len);

#endif
