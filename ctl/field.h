/* field.h - reading the fields of a reply for display: a missing or mistyped
 * field shows as a default instead of failing. */
#ifndef CORRAL_FIELD_H
#define CORRAL_FIELD_H

#include <jansson.h>

/* The string at key of object o, or dflt. */
const char *field_str(json_t *o, const char *key, const char *dflt);

#endif
