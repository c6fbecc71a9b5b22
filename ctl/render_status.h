/* render_status.h - the two results that describe the services: the status
 * table and the health line. */
#ifndef CORRAL_RENDER_STATUS_H
#define CORRAL_RENDER_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* Prints the table NAME STATE PID UPTIME RESTARTS LAST-EXIT REASON (the state
 * coloured when colour is true), then one line about corral itself. */
void render_status(json_t *result, FILE *out, bool colour);

/* Prints "healthy", or "unhealthy: NAME STATE (REASON), ...". */
void render_health(json_t *result, FILE *out);

/* The colour of a state in the table, or NULL for none. */
const char *render_status_colour(const char *state);

#endif
