/* control_query.c - the control requests that only read: status, pid,
 * health, logs (and its -f stream), wait; and the events stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "control_client.h"
#include "corral.h"
#include "pidbudget.h"

/* ---- read-only commands ---------------------------------------------------- */

void control_query_status(struct control_client *cl, struct proto_request *req)
{
    struct corral *c = cl->ctl->corral;
    struct sup_service **list = malloc((c->sup.n + 1) * sizeof *list);
    struct pidbudget b;
    size_t n;
    uint64_t now = uv_now(c->loop);

    if (!list || control_cmd_resolve(cl, req, list, &n) < 0) {
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
        json_array_append_new(arr, control_cmd_service_json(list[i], now));
    free(list);
    control_cmd_ok(cl, req->id, json_pack("{s:o, s:o}", "corral", me, "services", arr));
}

void control_query_pid(struct control_client *cl, struct proto_request *req)
{
    struct sup_service *ss[1];
    size_t n;
    if (req->n_names != 1) {
        control_cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "pid takes exactly one name");
        return;
    }
    if (control_cmd_resolve(cl, req, ss, &n) < 0)
        return;
    if (ss[0]->svc.pid <= 0) {
        control_cmd_error(cl, req->id, PROTO_ERR_NOT_RUNNING, "%s is %s: no process", req->names[0],
                          svc_state_name(ss[0]->svc.state));
        return;
    }
    control_cmd_ok(
        cl, req->id,
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

void control_query_health(struct control_client *cl, struct proto_request *req)
{
    struct supervisor *sup = &cl->ctl->corral->sup;
    uint64_t now = uv_now(cl->ctl->corral->loop);
    json_t *bad = json_array();
    bool healthy = cl->ctl->corral->shutdown.phase == SHUTDOWN_RUNNING;
    for (size_t i = 0; i < sup->n; i++) {
        if (cmd_is_healthy(sup->svcs[i]))
            continue;
        healthy = false;
        json_array_append_new(bad, control_cmd_service_json(sup->svcs[i], now));
    }
    control_cmd_ok(cl, req->id, json_pack("{s:b, s:o}", "healthy", healthy, "services", bad));
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

void control_query_logs(struct control_client *cl, struct proto_request *req)
{
    struct sup_service *ss[1];
    size_t n;
    if (req->n_names != 1) {
        control_cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "logs takes exactly one name");
        return;
    }
    if (control_cmd_resolve(cl, req, ss, &n) < 0)
        return;
    if (req->follow && control_cmd_stream_busy(cl, req))
        return;
    struct cmd_lines lines = {json_array()};
    if (req->lines > 0)
        ring_last(&ss[0]->output.ring, req->lines, req->has_since ? req->since_ms : 0,
                  cmd_logs_collect, &lines);
    control_cmd_ok(cl, req->id, json_pack("{s:o}", "lines", lines.arr));
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
    /* A follower that does not keep up loses lines (counted, and told):
     * it never slows the service down. */
    if (!control_cmd_stream_room(cl))
        return;
    control_cmd_stream(cl,
                       json_pack("{s:I, s:s, s:s%}", "time_ms", (json_int_t)l->time_ms, "stream",
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
    struct supervisor *sup = &cl->ctl->corral->sup;
    json_t *arr = json_array();
    for (size_t i = 0; i < cl->wait_req.n_names; i++) {
        struct sup_service *ss = control_cmd_find(sup, cl->wait_req.names[i]);
        if (!ss || !cmd_wait_met(&ss->svc, cl->wait_req.wait_for)) {
            json_decref(arr);
            return;
        }
        json_array_append_new(arr, json_pack("{s:s, s:s}", "name", ss->svc.conf->name, "state",
                                             svc_state_name(ss->svc.state)));
    }
    cl->waiting = false;
    if (cl->wait_timer_ready)
        uv_timer_stop(&cl->wait_timer);
    control_cmd_ok(cl, cl->wait_req.id, json_pack("{s:o}", "services", arr));
    proto_request_close(&cl->wait_req);
}

/* A waiter for a service that no longer exists would wait for ever. */
static void cmd_wait_gone(struct control_client *cl)
{
    struct supervisor *sup = &cl->ctl->corral->sup;
    for (size_t i = 0; i < cl->wait_req.n_names; i++) {
        if (control_cmd_find(sup, cl->wait_req.names[i]))
            continue;
        cl->waiting = false;
        if (cl->wait_timer_ready)
            uv_timer_stop(&cl->wait_timer);
        control_cmd_error(cl, cl->wait_req.id, PROTO_ERR_UNKNOWN_SERVICE,
                          "%s was removed by a reload", cl->wait_req.names[i]);
        proto_request_close(&cl->wait_req);
        return;
    }
}

static void cmd_on_wait_timeout(uv_timer_t *t)
{
    struct control_client *cl = t->data;
    if (!cl->waiting)
        return;
    cl->waiting = false;
    control_cmd_error(cl, cl->wait_req.id, PROTO_ERR_TIMEOUT, "not %s after %llu ms",
                      proto_wait_for_name(cl->wait_req.wait_for),
                      (unsigned long long)cl->wait_req.timeout_ms);
    proto_request_close(&cl->wait_req);
}

void control_query_wait(struct control_client *cl, struct proto_request *req)
{
    struct sup_service **list = malloc((cl->ctl->corral->sup.n + 1) * sizeof *list);
    size_t n;
    if (!list || control_cmd_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    free(list);
    if (cl->waiting) {
        control_cmd_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "one wait at a time per connection");
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

void control_on_change(struct control *ctl, struct sup_service *ss)
{
    uint64_t now = output_wall_ms();
    for (struct control_client *cl = ctl->clients, *next; cl; cl = next) {
        next = cl->next; /* a send may close it */
        if (cl->events && control_cmd_stream_room(cl))
            control_cmd_stream(cl, json_pack("{s:I, s:s, s:s, s:s, s:I}", "time_ms",
                                             (json_int_t)now, "service", ss->svc.conf->name,
                                             "state", svc_state_name(ss->svc.state), "reason",
                                             ss->svc.reason, "pid", (json_int_t)ss->svc.pid));
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
    if (cl->wait_timer_ready)
        uv_timer_stop(&cl->wait_timer); /* closed with the client (control.c) */
}

void control_on_gone(struct control *ctl, struct sup_service *ss)
{
    for (struct control_client *cl = ctl->clients, *next; cl; cl = next) {
        next = cl->next; /* a send may close it */
        if (cl->following == ss) {
            /* The stream ends with an error carrying its id; the connection
             * stays. */
            output_unfollow(&ss->output, &cl->follower);
            cl->following = NULL;
            control_cmd_error(cl, cl->stream_id, PROTO_ERR_UNKNOWN_SERVICE,
                              "%s was removed by a reload: its log stream ends",
                              ss->svc.conf->name);
        }
        if (cl->waiting && !cl->closing)
            cmd_wait_gone(cl);
    }
}
