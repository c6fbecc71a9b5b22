/* control_cmd.h - runs one decoded control request: the dispatch, and the
 * commands that change something (start, stop, restart, signal, shutdown,
 * reload). Never forks: the socket answers even when the PID limit is
 * reached. */
#ifndef CORRAL_CONTROL_CMD_H
#define CORRAL_CONTROL_CMD_H

#include "control_client.h"

/* Runs req for cl and answers it; takes req (closed here). */
void control_cmd_run(struct control_client *cl, struct proto_request *req);

#endif
