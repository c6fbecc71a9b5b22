/* control_diag.c - top and metrics: what the root reads for them (through
 * control_ops) put into a reply. /proc is read only while such a request
 * is answered. */
#include "control_diag.h"

#include <stdlib.h>

#include "control_query.h"

void control_diag_top(struct control_client *cl, struct proto_request *req)
{
    uint64_t now = uv_now(cl->ctl->env.loop);
    json_t *o = control_query_snapshot(cl, req, true, now);
    if (!o)
        return;
    json_object_set_new(o, "sample_ms", json_integer((json_int_t)now));
    control_client_ok(cl, req->id, o);
}

void control_diag_metrics(struct control_client *cl, struct proto_request *req)
{
    const struct control_env *env = &cl->ctl->env;
    size_t len = 0;
    char *text = env->ops->metrics ? env->ops->metrics(env->arg, &len) : NULL;
    if (!text) {
        control_client_error(cl, req->id, PROTO_ERR_INTERNAL, "metrics: not available");
        return;
    }
    control_client_ok(cl, req->id, json_pack("{s:s%}", "text", text, len));
    free(text);
}
