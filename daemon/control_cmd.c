/* control_cmd.c - what each control request does: builds its result from
 * the supervisor's state (jansson), or changes it (start, stop, restart,
 * signal, shutdown, reload), and keeps the streams (events, logs -f, wait).
 * Never forks: the socket answers even when the PID limit is reached. */
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

static uint64_t cmd_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void cmd_ok(struct control_client *cl, int64_t id, json_t *result)
{
    char *line;
    size_t len;
    if (proto_encode_ok(id, result, &line, &len) == 0)
        control_send(cl, line, len);
}

static void cmd_error(struct control_client *cl, int64_t id, enum proto_err code, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void cmd_error(struct control_client *cl, int64_t id, enum proto_err code, const char *fmt,
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

static void cmd_stream(struct control_client *cl, json_t *item)
{
    char *line;
    size_t len;
    if (proto_encode_stream(cl->stream_id, item, &line, &len) == 0)
        control_send(cl, line, len);
}

/* ---- services by name ------------------------------------------------------ */

static struct sup_service *cmd_find(struct supervisor *sup, const char *name)
{
    for (size_t i = 0; i < sup->n; i++)
        if (strcmp(sup->svcs[i]->svc.conf->name, name) == 0)
            return sup->svcs[i];
    return NULL;
}

/* Resolves req's names (or all) into out; answers unknown_service (with a
 * suggestion) and returns -1 on the first name that is not a service. */
static int cmd_resolve(struct control_client *cl, const struct proto_request *req,
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
        struct sup_service *ss = cmd_find(sup, req->names[i]);
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
            cmd_error(cl, req->id, PROTO_ERR_UNKNOWN_SERVICE, "no service named '%s'%s",
                      req->names[i], hint);
            return -1;
        }
        out[(*n)++] = ss;
    }
    return 0;
}

static json_t *cmd_service_json(struct sup_service *ss, uint64_t now)
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

/* ---- read-only commands ---------------------------------------------------- */

static void cmd_status(struct control_client *cl, struct proto_request *req)
{
    struct corral *c = cl->ctl->corral;
    struct sup_service **list = malloc((c->sup.n + 1) * sizeof *list);
    struct pidbudget b;
    size_t n;
    uint64_t now = uv_now(c->loop);

    if (!list || cmd_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    json_t *me = json_pack("{s:I, s:I, s:I, s:I, s:b}", "pid", (json_int_t)getpid(), "uptime_ms",
                           (json_int_t)(now - c->started_ms), "orphans_reaped",
                           (json_int_t)c->reaper.orphans_reaped, "children_reaped",
                           (json_int_t)c->reaper.children_reaped, "shutting_down",
                           c->shutdown.phase != SHUTDOWN_RUNNING);
    if (me && c->pids_dir[0] && pidbudget_read_at(c->pids_dir, &b) == 0) {
        json_object_set_new(me, "pids_current", json_integer(b.current));
        json_object_set_new(me, "pids_max", b.max < 0 ? json_null() : json_integer(b.max));
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, cmd_service_json(list[i], now));
    free(list);
    cmd_ok(cl, req->id, json_pack("{s:o, s:o}", "corral", me, "services", arr));
}

static void cmd_pid(struct control_client *cl, struct proto_request *req)
{
    struct sup_service *ss[1];
    size_t n;
    if (req->n_names != 1) {
        cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "pid takes exactly one name");
        return;
    }
    if (cmd_resolve(cl, req, ss, &n) < 0)
        return;
    if (ss[0]->svc.pid <= 0) {
        cmd_error(cl, req->id, PROTO_ERR_NOT_RUNNING, "%s is %s: no process", req->names[0],
                  svc_state_name(ss[0]->svc.state));
        return;
    }
    cmd_ok(cl, req->id,
           json_pack("{s:s, s:I}", "name", req->names[0], "pid", (json_int_t)ss[0]->svc.pid));
}

static bool cmd_is_healthy(const struct sup_service *ss)
{
    const struct svc *s = &ss->svc;
    if (ss->held)
        return true; /* stopped on purpose (corralctl stop): not a fault */
    if (s->conf->type == CONF_TYPE_ONESHOT)
        return s->state != SVC_FAILED && s->state != SVC_FATAL;
    return s->state == SVC_UP;
}

static void cmd_health(struct control_client *cl, struct proto_request *req)
{
    struct supervisor *sup = &cl->ctl->corral->sup;
    uint64_t now = uv_now(cl->ctl->corral->loop);
    json_t *bad = json_array();
    bool healthy = cl->ctl->corral->shutdown.phase == SHUTDOWN_RUNNING;
    for (size_t i = 0; i < sup->n; i++) {
        if (cmd_is_healthy(sup->svcs[i]))
            continue;
        healthy = false;
        json_array_append_new(bad, cmd_service_json(sup->svcs[i], now));
    }
    cmd_ok(cl, req->id, json_pack("{s:b, s:o}", "healthy", healthy, "services", bad));
}

static void cmd_logs_line(struct output_follower *f, const struct ring_line *l);

struct cmd_lines {
    json_t *arr;
};

static void cmd_logs_collect(void *arg, const struct ring_line *l)
{
    struct cmd_lines *c = arg;
    json_array_append_new(c->arr,
                          json_pack("{s:I, s:s, s:s%}", "time_ms", (json_int_t)l->time_ms, "stream",
                                    l->stream == 2 ? "stderr" : "stdout", "line", l->text, l->len));
}

static void cmd_logs(struct control_client *cl, struct proto_request *req)
{
    struct sup_service *ss[1];
    size_t n;
    if (req->n_names != 1) {
        cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "logs takes exactly one name");
        return;
    }
    if (cmd_resolve(cl, req, ss, &n) < 0)
        return;
    struct cmd_lines lines = {json_array()};
    if (req->lines > 0)
        ring_last(&ss[0]->output.ring, req->lines, req->has_since ? req->since_ms : 0,
                  cmd_logs_collect, &lines);
    cmd_ok(cl, req->id, json_pack("{s:o}", "lines", lines.arr));
    if (req->follow && !cl->closing) {
        cl->stream_id = req->id;
        cl->following = ss[0];
        cl->follower.on_line = cmd_logs_line;
        output_follow(&ss[0]->output, &cl->follower);
    }
}

static void cmd_logs_line(struct output_follower *f, const struct ring_line *l)
{
    struct control_client *cl =
        (struct control_client *)((char *)f - offsetof(struct control_client, follower));
    /* A follower that does not keep up is cut off (control_send closes it):
     * it never slows the service down. */
    cmd_stream(cl, json_pack("{s:I, s:s, s:s%}", "time_ms", (json_int_t)l->time_ms, "stream",
                             l->stream == 2 ? "stderr" : "stdout", "line", l->text, l->len));
}

/* ---- wait ------------------------------------------------------------------ */

static bool cmd_wait_met(const struct svc *s, enum proto_wait_for f)
{
    switch (f) {
    case PROTO_WAIT_UP:
    case PROTO_WAIT_READY:
        return s->state == SVC_UP;
    case PROTO_WAIT_DONE:
        return s->state == SVC_DONE || s->state == SVC_FAILED || s->state == SVC_FATAL;
    case PROTO_WAIT_DOWN:
    case PROTO_WAIT_COUNT:
        break;
    }
    return !svc_is_running(s);
}

/* Answers the waiter when every named service meets the condition. */
static void cmd_wait_check(struct control_client *cl)
{
    struct sup_service *list[256];
    struct supervisor *sup = &cl->ctl->corral->sup;
    json_t *arr = json_array();
    for (size_t i = 0; i < cl->wait_req.n_names; i++) {
        struct sup_service *ss = cmd_find(sup, cl->wait_req.names[i]);
        if (!ss || !cmd_wait_met(&ss->svc, cl->wait_req.wait_for)) {
            json_decref(arr);
            return;
        }
        json_array_append_new(arr, json_pack("{s:s, s:s}", "name", ss->svc.conf->name, "state",
                                             svc_state_name(ss->svc.state)));
    }
    (void)list;
    cl->waiting = false;
    if (cl->wait_timer_ready)
        uv_timer_stop(&cl->wait_timer);
    cmd_ok(cl, cl->wait_req.id, json_pack("{s:o}", "services", arr));
    proto_request_close(&cl->wait_req);
}

static void cmd_on_wait_timeout(uv_timer_t *t)
{
    struct control_client *cl = t->data;
    if (!cl->waiting)
        return;
    cl->waiting = false;
    cmd_error(cl, cl->wait_req.id, PROTO_ERR_TIMEOUT, "not %s after %llu ms",
              proto_wait_for_name(cl->wait_req.wait_for),
              (unsigned long long)cl->wait_req.timeout_ms);
    proto_request_close(&cl->wait_req);
}

static void cmd_wait(struct control_client *cl, struct proto_request *req)
{
    struct sup_service **list = malloc((cl->ctl->corral->sup.n + 1) * sizeof *list);
    size_t n;
    if (!list || cmd_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    free(list);
    if (cl->waiting) {
        cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "one wait at a time per connection");
        return;
    }
    cl->wait_req = *req;
    proto_request_init(req); /* the waiter owns the names now */
    cl->waiting = true;
    if (cl->wait_req.timeout_ms > 0) {
        if (!cl->wait_timer_ready) {
            uv_timer_init(cl->ctl->corral->loop, &cl->wait_timer);
            cl->wait_timer.data = cl;
            cl->wait_timer_ready = true;
        }
        uv_timer_start(&cl->wait_timer, cmd_on_wait_timeout, cl->wait_req.timeout_ms, 0);
    }
    cmd_wait_check(cl);
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

    if (!list || cmd_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    if (c->shutdown.phase != SHUTDOWN_RUNNING) {
        free(list);
        cmd_error(cl, req->id, PROTO_ERR_SHUTTING_DOWN, "corral is shutting down");
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
    cmd_ok(cl, req->id, cmd_states(list, n));
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
        cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "signal: no signal named '%s'",
                  req->signal_name ? req->signal_name : "?");
        return;
    }
    if (!list || cmd_resolve(cl, req, list, &n) < 0) {
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
        cmd_error(cl, req->id, PROTO_ERR_NOT_RUNNING, "no process to signal");
        return;
    }
    cmd_ok(cl, req->id, json_pack("{s:o}", "signalled", done));
}

static void cmd_shutdown(struct control_client *cl, struct proto_request *req)
{
    char why[96];
    cmd_ok(cl, req->id, NULL);
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
        cmd_error(cl, req->id, PROTO_ERR_INTERNAL, "reload: %s", strerror(-rc));
        return;
    }
    cmd_ok(cl, req->id, reload_result_json(&r));
    reload_result_close(&r);
}

/* ---- dispatch -------------------------------------------------------------- */

void control_cmd_run(struct control_client *cl, struct proto_request *req)
{
    switch (req->cmd) {
    case PROTO_CMD_VERSION:
        cmd_ok(cl, req->id,
               json_pack("{s:s, s:i}", "version", CORRAL_VERSION, "protocol", PROTO_VERSION));
        break;
    case PROTO_CMD_STATUS:
        cmd_status(cl, req);
        break;
    case PROTO_CMD_PID:
        cmd_pid(cl, req);
        break;
    case PROTO_CMD_HEALTH:
        cmd_health(cl, req);
        break;
    case PROTO_CMD_LOGS:
        cmd_logs(cl, req);
        break;
    case PROTO_CMD_WAIT:
        cmd_wait(cl, req);
        break;
    case PROTO_CMD_EVENTS:
        cl->stream_id = req->id;
        cl->events = true;
        cmd_ok(cl, req->id, NULL);
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

void control_on_change(struct control *ctl, struct sup_service *ss)
{
    uint64_t now = cmd_wall_ms();
    for (struct control_client *cl = ctl->clients, *next; cl; cl = next) {
        next = cl->next; /* a send may close it */
        if (cl->events)
            cmd_stream(cl,
                       json_pack("{s:I, s:s, s:s, s:s, s:I}", "time_ms", (json_int_t)now, "service",
                                 ss->svc.conf->name, "state", svc_state_name(ss->svc.state),
                                 "reason", ss->svc.reason, "pid", (json_int_t)ss->svc.pid));
        if (cl->waiting && !cl->closing)
            cmd_wait_check(cl);
    }
}

void control_cmd_client_gone(struct control_client *cl)
{
    if (cl->following) {
        output_unfollow(&cl->following->output, &cl->follower);
        cl->following = NULL;
    }
    if (cl->waiting) {
        cl->waiting = false;
        proto_request_close(&cl->wait_req);
    }
    if (cl->wait_timer_ready) {
        uv_timer_stop(&cl->wait_timer);
        uv_close((uv_handle_t *)&cl->wait_timer, NULL);
        cl->wait_timer_ready = false;
    }
}
