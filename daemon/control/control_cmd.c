/* control_cmd.c - the dispatch of control requests and the commands that
 * change something. See control_cmd.h. */
#include "control_cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_diag.h"
#include "control_query.h"
#include "signame.h"

static json_t *cmd_states(struct sup_service **list, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        struct sup_view v;
        sup_view(list[i], 0, &v);
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "name", v.name, "state", svc_state_name(v.state)));
    }
    return json_pack("{s:o}", "services", arr);
}

static bool cmd_shutting_down(struct control_client *cl, const struct proto_request *req)
{
    const struct control_env *env = &cl->ctl->env;
    if (!env->ops->shutting_down(env->arg))
        return false;
    control_client_error(cl, req->id, PROTO_ERR_SHUTTING_DOWN, "corral is shutting down");
    return true;
}

static void cmd_change(struct control_client *cl, struct proto_request *req)
{
    struct sup_service **list = malloc((sup_count(cl->ctl->env.sup) + 1) * sizeof *list);
    size_t n;

    if (!list || control_query_resolve(cl, req, list, &n) < 0 || cmd_shutting_down(cl, req)) {
        free(list);
        return;
    }
    /* Dependency order: a start waits for its dependencies anyway; a stop
     * goes to dependents first, each once those it waits for are down. */
    if (req->cmd == PROTO_CMD_START)
        for (size_t i = 0; i < n; i++)
            sup_start_service(list[i]);
    else
        sup_stop_ordered(list, n, req->cmd == PROTO_CMD_RESTART);
    control_client_ok(cl, req->id, cmd_states(list, n));
    free(list);
}

static void cmd_signal(struct control_client *cl, struct proto_request *req)
{
    struct sup_service **list = malloc((sup_count(cl->ctl->env.sup) + 1) * sizeof *list);
    size_t n;
    int sig = req->signal_name ? signame_parse(req->signal_name) : req->signal_number;

    if (sig <= 0 || sig >= NSIG) {
        free(list);
        control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "signal: no signal named '%s'",
                             req->signal_name ? req->signal_name : "?");
        return;
    }
    if (!list || control_query_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    json_t *done = json_array();
    for (size_t i = 0; i < n; i++)
        if (sup_signal_service(list[i], sig) == 0)
            json_array_append_new(done, json_string(sup_name(list[i])));
    free(list);
    if (json_array_size(done) == 0 && !req->all) {
        json_decref(done);
        control_client_error(cl, req->id, PROTO_ERR_NOT_RUNNING, "no process to signal");
        return;
    }
    control_client_ok(cl, req->id, json_pack("{s:o}", "signalled", done));
}

static void cmd_shutdown(struct control_client *cl, struct proto_request *req)
{
    const struct control_env *env = &cl->ctl->env;
    char why[96];
    control_client_ok(cl, req->id, NULL);
    snprintf(why, sizeof why, "corralctl shutdown (uid %u, pid %d)", (unsigned)cl->uid,
             (int)cl->pid);
    env->ops->shutdown(env->arg, why);
}

/* Answers what a reload (or a scale) did. */
static void cmd_reloaded(struct control_client *cl, struct proto_request *req, int rc,
                         json_t *result, json_t *errors)
{
    if (rc == -EINVAL) {
        char *line;
        size_t len;
        if (proto_encode_error(req->id, PROTO_ERR_INVALID_CONFIG,
                               "the new configuration has errors; nothing was changed", errors,
                               &line, &len) == 0)
            control_client_send(cl, line, len);
        return;
    }
    json_decref(errors);
    if (rc < 0) {
        json_decref(result);
        control_client_error(cl, req->id, PROTO_ERR_INTERNAL, "reload: %s", strerror(-rc));
        return;
    }
    control_client_ok(cl, req->id, result);
}

static void cmd_reload(struct control_client *cl, struct proto_request *req)
{
    const struct control_env *env = &cl->ctl->env;
    json_t *result = NULL, *errors = NULL;
    /* Services stopping in order are not started, added or removed any
     * more: what a reload would say it did, it would not do. */
    if (!req->dry_run && cmd_shutting_down(cl, req))
        return;
    int rc = env->ops->reload(env->arg, req->dry_run, &result, &errors);
    cmd_reloaded(cl, req, rc, result, errors);
}

/* corralctl scale NAME COUNT: a reload with NAME's count replaced. NAME must
 * be a file with instances: in the running set. */
static void cmd_scale(struct control_client *cl, struct proto_request *req)
{
    const struct control_env *env = &cl->ctl->env;
    struct supervisor *sup = env->sup;
    const char *name = req->names[0];
    const struct conf_service *first = NULL;
    json_t *result = NULL, *errors = NULL;

    for (size_t i = 0; i < sup_count(sup) && !first; i++) {
        const struct conf_service *c = sup_conf(sup_at(sup, i));
        if (c->base && strcmp(c->base, name) == 0)
            first = c;
    }
    if (!first && sup_find(sup, name)) {
        control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST,
                             "%s has no instances: key in its file: only a file with instances: "
                             "can be scaled",
                             name);
        return;
    }
    if (!first) {
        control_client_error(cl, req->id, PROTO_ERR_UNKNOWN_SERVICE,
                             "no service file named '%s' with instances:", name);
        return;
    }
    if (req->count < 1 || req->count > CONF_INSTANCES_MAX) {
        control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST,
                             "count: expected 1 to %d instances, got %llu", CONF_INSTANCES_MAX,
                             (unsigned long long)req->count);
        return;
    }
    if (!env->ops->scale) {
        control_client_error(cl, req->id, PROTO_ERR_INTERNAL, "scale is not offered here");
        return;
    }
    if (cmd_shutting_down(cl, req))
        return;
    struct conf_scale sc = {.name = name, .count = (uint32_t)req->count};
    int rc = env->ops->scale(env->arg, &sc, req->dry_run, &result, &errors);
    cmd_reloaded(cl, req, rc, result, errors);
}

void control_cmd_run(struct control_client *cl, struct proto_request *req)
{
    switch (req->cmd) {
    case PROTO_CMD_VERSION:
        control_client_ok(
            cl, req->id,
            json_pack("{s:s, s:i}", "version", CORRAL_VERSION, "protocol", PROTO_VERSION));
        break;
    case PROTO_CMD_STATUS:
        control_query_status(cl, req);
        break;
    case PROTO_CMD_PID:
        control_query_pid(cl, req);
        break;
    case PROTO_CMD_HEALTH:
        control_query_health(cl, req);
        break;
    case PROTO_CMD_LOGS:
        control_query_logs(cl, req);
        break;
    case PROTO_CMD_WAIT:
        control_query_wait(cl, req);
        break;
    case PROTO_CMD_EVENTS:
        control_query_events(cl, req);
        break;
    case PROTO_CMD_TOP:
        control_diag_top(cl, req);
        break;
    case PROTO_CMD_METRICS:
        control_diag_metrics(cl, req);
        break;
    case PROTO_CMD_START:
    case PROTO_CMD_STOP:
    case PROTO_CMD_RESTART:
        cmd_change(cl, req);
        break;
    case PROTO_CMD_SIGNAL:
        cmd_signal(cl, req);
        break;
    case PROTO_CMD_SHUTDOWN:
        cmd_shutdown(cl, req);
        break;
    case PROTO_CMD_RELOAD:
        cmd_reload(cl, req);
        break;
    case PROTO_CMD_SCALE:
        cmd_scale(cl, req);
        break;
    case PROTO_CMD_COUNT:
        break;
    }
    proto_request_close(req);
}
