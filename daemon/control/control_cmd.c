/* control_cmd.c - runs control requests: the dispatch, the replies and
 * service lookup shared with control_query.c, and the commands that change
 * something (start, stop, restart, signal, shutdown, reload). Never forks:
 * the socket answers even when the PID limit is reached. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "control_client.h"
#include "corral.h"
#include "exitstatus.h"
#include "log.h"
#include "pidbudget.h"
#include "reload.h"
#include "signame.h"
#include "suggest.h"

void control_cmd_ok(struct control_client *cl, int64_t id, json_t *result)
{
    char *line;
    size_t len;
    if (proto_encode_ok(id, result, &line, &len) == 0)
        control_send(cl, line, len);
}

void control_cmd_error(struct control_client *cl, int64_t id, enum proto_err code, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

void control_cmd_error(struct control_client *cl, int64_t id, enum proto_err code, const char *fmt,
                       ...)
{
    char msg[PROTO_MSG_MAX], *line;
    size_t len;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (proto_encode_error(id, code, msg, NULL, &line, &len) == 0)
        control_send(cl, line, len);
}

void control_cmd_stream(struct control_client *cl, json_t *item)
{
    char *line;
    size_t len;
    if (proto_encode_stream(cl->stream_id, item, &line, &len) == 0)
        control_send(cl, line, len);
}

/* A reader that does not keep up with a stream loses items, never its
 * connection, and never makes corral buffer without bound: past
 * CONTROL_STREAM_MAX queued bytes, items are counted instead of sent. */
bool control_cmd_stream_room(struct control_client *cl)
{
    if (!cl->stream_lagging && cl->out_queued >= CONTROL_STREAM_MAX)
        cl->stream_lagging = true;
    if (cl->stream_lagging)
        cl->stream_dropped++;
    return !cl->stream_lagging;
}

void control_cmd_stream_resume(struct control_client *cl)
{
    if (!cl->stream_lagging || cl->closing || cl->out_queued > CONTROL_STREAM_MAX / 2)
        return;
    cl->stream_lagging = false;
    json_t *gap = json_pack("{s:I}", "dropped", (json_int_t)cl->stream_dropped);
    cl->stream_dropped = 0;
    control_cmd_stream(cl, gap);
}

bool control_cmd_stream_busy(struct control_client *cl, const struct proto_request *req)
{
    if (!cl->events && !cl->following)
        return false;
    control_cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST,
                      "one stream per connection: this one already streams (request %lld)",
                      (long long)cl->stream_id);
    return true;
}

/* ---- services by name ------------------------------------------------------ */

struct sup_service *control_cmd_find(struct supervisor *sup, const char *name)
{
    for (size_t i = 0; i < sup->n; i++)
        if (strcmp(sup->svcs[i]->svc.conf->name, name) == 0)
            return sup->svcs[i];
    return NULL;
}

static bool cmd_listed(struct sup_service *const *list, size_t n, const struct sup_service *ss)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == ss)
            return true;
    return false;
}

/* Resolves req's names (or all) into out, each service once however often
 * it is named; answers unknown_service (with a suggestion) and returns -1
 * on the first name that is not a service. */
int control_cmd_resolve(struct control_client *cl, const struct proto_request *req,
                        struct sup_service **out, size_t *n)
{
    struct supervisor *sup = &cl->ctl->corral->sup;
    *n = 0;
    if (req->all || req->n_names == 0) {
        for (size_t i = 0; i < sup->n; i++)
            out[(*n)++] = sup->svcs[sup->set->start_order[i]];
        return 0;
    }
    for (size_t i = 0; i < req->n_names; i++) {
        struct sup_service *ss = control_cmd_find(sup, req->names[i]);
        if (!ss) {
            const char **names = malloc((sup->n + 1) * sizeof *names);
            const char *best = NULL;
            if (names) {
                for (size_t k = 0; k < sup->n; k++)
                    names[k] = sup->svcs[k]->svc.conf->name;
                best = suggest_closest(req->names[i], names, sup->n);
            }
            char hint[96] = "";
            if (best)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
            free(names);
            control_cmd_error(cl, req->id, PROTO_ERR_UNKNOWN_SERVICE, "no service named '%s'%s",
                              req->names[i], hint);
            return -1;
        }
        /* out has room for every service once: a repeated name adds nothing. */
        if (!cmd_listed(out, *n, ss))
            out[(*n)++] = ss;
    }
    return 0;
}

json_t *control_cmd_service_json(struct sup_service *ss, uint64_t now)
{
    const struct svc *s = &ss->svc;
    char what[64], sig[32];
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:b, s:b}", "name", s->conf->name,
                          "state", svc_state_name(s->state), "pid", (json_int_t)s->pid, "restarts",
                          (json_int_t)s->restarts, "reason", s->reason, "type",
                          conf_type_name(s->conf->type), "main", s->conf->main, "critical",
                          s->conf->critical);
    if (!o)
        return NULL;
    json_object_set_new(o, "uptime_ms",
                        json_integer(svc_is_running(s) ? (json_int_t)(now - s->started_ms) : 0));
    if (s->has_exited) {
        int st = s->last_wstatus;
        json_object_set_new(
            o, "last_exit",
            json_pack("{s:o, s:o, s:s}", "code",
                      WIFEXITED(st) ? json_integer(WEXITSTATUS(st)) : json_null(), "signal",
                      WIFSIGNALED(st) ? json_string(signame_format(WTERMSIG(st), sig, sizeof sig))
                                      : json_null(),
                      "text", exitstatus_describe(st, what, sizeof what)));
    } else {
        json_object_set_new(o, "last_exit", json_null());
    }
    if (s->state == SVC_BACKOFF)
        json_object_set_new(
            o, "next_start_in_ms",
            json_integer(s->next_start_ms > now ? (json_int_t)(s->next_start_ms - now) : 0));
    if (ss->held)
        json_object_set_new(o, "held", json_true());
    if (s->conf->health.kind != CONF_PROBE_NONE)
        json_object_set_new(o, "healthy", json_boolean(ss->checks.healthy));
    if (ss->checks.last[0])
        json_object_set_new(o, "check", json_string(ss->checks.last));
    if (ss->checks.status_text[0])
        json_object_set_new(o, "status_text", json_string(ss->checks.status_text));
    return o;
}

/* ---- changing commands ------------------------------------------------------ */

static json_t *cmd_states(struct sup_service **list, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "name", list[i]->svc.conf->name, "state",
                                             svc_state_name(list[i]->svc.state)));
    return json_pack("{s:o}", "services", arr);
}

static void cmd_change(struct control_client *cl, struct proto_request *req)
{
    struct corral *c = cl->ctl->corral;
    struct sup_service **list = malloc((c->sup.n + 1) * sizeof *list);
    size_t n;

    if (!list || control_cmd_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    if (c->shutdown.phase != SHUTDOWN_RUNNING) {
        free(list);
        control_cmd_error(cl, req->id, PROTO_ERR_SHUTTING_DOWN, "corral is shutting down");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (req->cmd == PROTO_CMD_START)
            sup_start_service(list[i]);
        else if (req->cmd == PROTO_CMD_STOP)
            sup_stop_service(list[i]);
        else
            sup_restart_service(list[i]);
    }
    control_cmd_ok(cl, req->id, cmd_states(list, n));
    free(list);
}

static void cmd_signal(struct control_client *cl, struct proto_request *req)
{
    struct corral *c = cl->ctl->corral;
    struct sup_service **list = malloc((c->sup.n + 1) * sizeof *list);
    size_t n;
    int sig = req->signal_name ? signame_parse(req->signal_name) : req->signal_number;

    if (sig <= 0 || sig >= NSIG) {
        free(list);
        control_cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "signal: no signal named '%s'",
                          req->signal_name ? req->signal_name : "?");
        return;
    }
    if (!list || control_cmd_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    json_t *done = json_array();
    for (size_t i = 0; i < n; i++) {
        pid_t pid = list[i]->svc.pid;
        if (pid > 0 && (kill(-pid, sig) == 0 || kill(pid, sig) == 0))
            json_array_append_new(done, json_string(list[i]->svc.conf->name));
    }
    free(list);
    if (json_array_size(done) == 0 && !req->all) {
        json_decref(done);
        control_cmd_error(cl, req->id, PROTO_ERR_NOT_RUNNING, "no process to signal");
        return;
    }
    control_cmd_ok(cl, req->id, json_pack("{s:o}", "signalled", done));
}

static void cmd_shutdown(struct control_client *cl, struct proto_request *req)
{
    char why[96];
    control_cmd_ok(cl, req->id, NULL);
    snprintf(why, sizeof why, "corralctl shutdown (uid %u, pid %d)", (unsigned)cl->uid,
             (int)cl->pid);
    shutdown_begin(&cl->ctl->corral->shutdown, SHUTDOWN_CAUSE_REQUEST, 0, why);
}

static void cmd_reload(struct control_client *cl, struct proto_request *req)
{
    struct reload_result r;
    json_t *errors = NULL;
    int rc = reload_run(cl->ctl->corral, req->dry_run, &r, &errors);
    if (rc == -EINVAL) {
        char *line;
        size_t len;
        if (proto_encode_error(req->id, PROTO_ERR_INVALID_CONFIG,
                               "the new configuration has errors; nothing was changed", errors,
                               &line, &len) == 0)
            control_send(cl, line, len);
        return;
    }
    if (rc < 0) {
        json_decref(errors);
        control_cmd_error(cl, req->id, PROTO_ERR_INTERNAL, "reload: %s", strerror(-rc));
        return;
    }
    control_cmd_ok(cl, req->id, reload_result_json(&r));
    reload_result_close(&r);
}

/* ---- dispatch -------------------------------------------------------------- */

void control_cmd_run(struct control_client *cl, struct proto_request *req)
{
    switch (req->cmd) {
    case PROTO_CMD_VERSION:
        control_cmd_ok(
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
        if (control_cmd_stream_busy(cl, req))
            break;
        cl->stream_id = req->id;
        cl->events = true;
        control_cmd_ok(cl, req->id, NULL);
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
    case PROTO_CMD_COUNT:
        break;
    }
    proto_request_close(req);
}
