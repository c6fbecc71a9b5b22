/* control_line.h - a kept line of a service's output as JSON, for the logs
 * reply and the logs -f stream alike. */
#ifndef CORRAL_CONTROL_LINE_H
#define CORRAL_CONTROL_LINE_H

#include <jansson.h>

#include "ring.h"

/* {"time_ms","stream","line"} (a new reference, or NULL for memory): bytes
 * that are not UTF-8 become U+00XX, as the JSON sink writes them, never a
 * lost line. */
json_t *control_line_json(const struct ring_line *l);

#endif
