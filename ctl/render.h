/* render.h - replies as people read them: one function per kind of result,
 * the error lines, and stream items (events, followed logs). --json output
 * does not come through here. */
#ifndef CORRAL_RENDER_H
#define CORRAL_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "proto.h"

/* Prints the result of an ok reply to req on out. */
void render_result(const struct proto_request *req, json_t *result, FILE *out, bool colour);

/* Prints an error reply on err: "corralctl: MESSAGE", then, for
 * invalid_config, each error as file:line:column: message. */
void render_error(const struct proto_reply *r, FILE *err);

/* A {"dropped":N} item (corral dropped N items while this reader lagged):
 * says so on err, between what came before and after, and returns true;
 * false for any other item. */
bool render_stream_gap(const struct proto_request *req, json_t *item, FILE *err);

/* Prints one stream item of an events or logs stream. */
void render_stream(const struct proto_request *req, json_t *item, FILE *out);

/* Prints the members of a list of strings separated by sep; "-" when empty. */
void render_list(json_t *list, const char *sep, FILE *out);

#endif
