/* top.h - `corralctl top` (top.c; its table: render_top.c): every service's tree as corral reads it
 * from /proc (processes, zombies, CPU, memory, fds), refreshed on a terminal, printed once
 * otherwise (docs/corralctl.md "top"). */
#ifndef CORRAL_TOP_H
#define CORRAL_TOP_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "args.h"
#include "client.h"

/* Seconds between two screens on a terminal; the one-shot output samples
 * CPU over TOP_SAMPLE_MS. */
#define TOP_REFRESH_MS 2000
#define TOP_SAMPLE_MS  500

/* Adds "cpu_percent" to each service of cur (and to its "corral") from the
 * CPU time between prev and cur (NULL: none added). */
void top_add_cpu(json_t *prev, json_t *cur);

/* The table of one reply of top. */
void top_render(json_t *result, FILE *out);

/* Runs top on a connected client. Returns corralctl's exit code. */
int top_run(struct client *c, struct args *a);

#endif
