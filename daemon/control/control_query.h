/* control_query.h - the read-only side of the control socket: resolving
 * names, a service as JSON, and the commands that only read (status, pid,
 * health, logs and its follow stream, wait), plus what a change of state
 * means for events streams and waiters. Used by control_cmd.c and
 * control.c. */
#ifndef CORRAL_CONTROL_QUERY_H
#define CORRAL_CONTROL_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control_client.h"

/* Resolves req's names (or all, in start order) into out (room for every
 * service), each service once however often it is named; answers
 * unknown_service with a suggestion and returns -1 on a name that is none. */
int control_query_resolve(struct control_client *cl, const struct proto_request *req,
                          struct sup_service **out, size_t *n);

/* A service as status shows it (a new reference). */
json_t *control_query_service_json(const struct sup_service *ss, uint64_t now);

/* What status and top answer: {"corral", "services", "budget"} for req's
 * names, with the figures the root reads (detail: the costly ones, for
 * top). Returns a new object, or NULL once an error reply has gone out. */
json_t *control_query_snapshot(struct control_client *cl, const struct proto_request *req,
                               bool detail, uint64_t now);

/* The read-only commands. Each answers req (not freed). */
void control_query_status(struct control_client *cl, struct proto_request *req);
void control_query_pid(struct control_client *cl, struct proto_request *req);
void control_query_health(struct control_client *cl, struct proto_request *req);
void control_query_logs(struct control_client *cl, struct proto_request *req);
void control_query_wait(struct control_client *cl, struct proto_request *req);
void control_query_events(struct control_client *cl, struct proto_request *req);

/* ss changed state: an events item for cl if it streams events, and an
 * answer if it waits and now may. */
void control_query_on_change(struct control_client *cl, const struct sup_service *ss,
                             uint64_t wall_ms);

/* ss is going away: cl's stream of it ends (an error with the stream's id,
 * the connection stays), and its wait for a name that no longer exists is
 * answered. */
void control_query_on_gone(struct control_client *cl, struct sup_service *ss);

#endif
