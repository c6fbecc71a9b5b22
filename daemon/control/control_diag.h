/* control_diag.h - the read-only commands of the diagnostics
 * (docs/diagnosing.md): top (every service's tree read from /proc now, with
 * CPU time, memory and fds) and metrics (the Prometheus text). Used by
 * control_cmd.c. */
#ifndef CORRAL_CONTROL_DIAG_H
#define CORRAL_CONTROL_DIAG_H

#include "control_client.h"

void control_diag_top(struct control_client *cl, struct proto_request *req);
void control_diag_metrics(struct control_client *cl, struct proto_request *req);

#endif
