/* control_line.c - a kept line of a service's output as the logs reply and
 * the logs -f stream carry it. See control_line.h. */
#include "control_line.h"

#include <stdlib.h>

#include "outfmt.h"

json_t *control_line_json(const struct ring_line *l)
{
    json_t *o = json_pack("{s:I, s:s, s:s%}", "time_ms", (json_int_t)l->time_ms, "stream",
                          l->stream == 2 ? "stderr" : "stdout", "line", l->text, l->len);
    if (o)
        return o;
    /* Not UTF-8 (jansson refuses it): each stray byte as U+00XX, as the JSON
     * sink writes it, rather than a line that vanishes. */
    char *clean = malloc(2 * l->len + 1);
    if (!clean)
        return NULL;
    size_t n = outfmt_utf8_clean(l->text, l->len, clean);
    o = json_pack("{s:I, s:s, s:s%}", "time_ms", (json_int_t)l->time_ms, "stream",
                  l->stream == 2 ? "stderr" : "stdout", "line", clean, n);
    free(clean);
    return o;
}
