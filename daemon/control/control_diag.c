/* control_diag.c - top and metrics: what the root reads for them (through
 * control_ops) put into a reply. /proc is read only while such a request
 * is answered. */
#include "control_diag.h"

#include <stdlib.h>

#include "control_query.h"

void control_diag_top(struct control_client *cl, struct proto_request *req)
{
    const struct control_env *env = &cl->ctl->env;
    struct sup_service **list = malloc((sup_count(env->sup) + 1) * sizeof *list);
    uint64_t now = uv_now(env->loop);
    size_t n;

    if (!list || control_query_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, control_query_service_json(list[i], now));
    free(list);
    json_t *figures = env->ops->figures ? env->ops->figures(env->arg, true) : NULL;
    json_t *me = env->ops->corral_status(env->arg);
    control_query_merge(arr, figures);
    if (json_is_object(me))
        json_object_update(me, json_object_get(figures, "corral"));
    json_t *budget = json_object_get(figures, "budget");
    control_client_ok(cl, req->id,
                      json_pack("{s:I, s:o, s:o, s:O}", "sample_ms", (json_int_t)now, "corral", me,
                                "services", arr, "budget", budget ? budget : json_null()));
    json_decref(figures);
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
