/* field.c - reply fields for display. See field.h. */
#include "field.h"

const char *field_str(json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : dflt;
}
