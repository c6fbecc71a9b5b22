/* control_query.c - the control requests that only read: status, pid,
 * health, logs (and its -f stream), wait; the events stream. See
 * control_query.h. */
#include "control_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bounds.h"
#include "clock.h"
#include "control_line.h"
#include "dups.h"
#include "exitstatus.h"
#include "outfmt.h"
#include "signame.h"
#include "suggest.h"
#include "targets.h"
#include "units.h"

/* A logs line's JSON beside its text: keys, time and quotes. */
#define QUERY_LINE_OVERHEAD 64

static bool query_listed(struct sup_service *const *list, size_t n, const struct sup_service *ss)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == ss)
            return true;
    return false;
}

static void query_unknown(struct control_client *cl, const struct proto_request *req,
                          const char *name)
{
    struct supervisor *sup = cl->ctl->env.sup;
    size_t count = sup_count(sup);
    const char **names = malloc((count + 1) * sizeof *names);
    const char *best = NULL;
    if (names) {
        for (size_t k = 0; k < count; k++)
            names[k] = sup_name(sup_at(sup, k));
        best = suggest_closest(name, names, count);
    }
    char hint[96] = "";
    if (best)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
    free(names);
    control_client_error(cl, req->id, PROTO_ERR_UNKNOWN_SERVICE, "no service named '%s'%s", name,
                         hint);
}

/* Appends the members of the group "@NAME" to out (start order; for stop
 * and restart, dependents first). Returns 0, or -1 after an error reply. */
static int query_group(struct control_client *cl, const struct proto_request *req,
                       const char *target, struct sup_service **out, size_t *n)
{
    struct supervisor *sup = cl->ctl->env.sup;
    size_t count = sup_count(sup), got = 0;
    bool groups_ok = req->cmd == PROTO_CMD_STATUS || req->cmd == PROTO_CMD_START ||
                     req->cmd == PROTO_CMD_STOP || req->cmd == PROTO_CMD_RESTART ||
                     req->cmd == PROTO_CMD_SIGNAL;
    if (!groups_ok) {
        control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST,
                             "%s takes service names, not a group (%s)", proto_cmd_name(req->cmd),
                             target);
        return -1;
    }
    const struct conf_service **order = malloc((count + 1) * sizeof *order);
    size_t *pos = malloc((count + 1) * sizeof *pos);
    if (!order || !pos) {
        free(order);
        free(pos);
        control_client_error(cl, req->id, PROTO_ERR_INTERNAL, "out of memory");
        return -1;
    }
    for (size_t k = 0; k < count; k++)
        order[k] = sup_conf(sup_at(sup, k));
    bool reverse = req->cmd == PROTO_CMD_STOP || req->cmd == PROTO_CMD_RESTART;
    size_t members = targets_group(order, count, target, reverse, pos, &got);
    for (size_t k = 0; k < got; k++)
        if (!query_listed(out, *n, sup_at(sup, pos[k])))
            out[(*n)++] = sup_at(sup, pos[k]);
    free(order);
    free(pos);
    if (members == 0) {
        control_client_error(cl, req->id, PROTO_ERR_UNKNOWN_SERVICE,
                             "no group named '%s' (no service lists it in groups:, and no file "
                             "of that name has instances:)",
                             target + 1);
        return -1;
    }
    return 0;
}

int control_query_resolve(struct control_client *cl, const struct proto_request *req,
                          struct sup_service **out, size_t *n)
{
    struct supervisor *sup = cl->ctl->env.sup;
    *n = 0;
    if (req->all || req->n_names == 0) {
        for (size_t i = 0; i < sup_count(sup); i++)
            out[(*n)++] = sup_at(sup, i);
        return 0;
    }
    /* A request line of 64 KiB holds thousands of names: each one looked
     * up (a group expanded) again would cost corral's loop seconds for one
     * request. Repeats are found by sorting, in O(n log n). */
    size_t *first = malloc(req->n_names * sizeof *first);
    if (!first || dups_first((const char *const *)req->names, req->n_names, first) < 0) {
        free(first);
        control_client_error(cl, req->id, PROTO_ERR_INTERNAL, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < req->n_names && rc == 0; i++) {
        if (first[i] != i)
            continue;
        if (targets_is_group(req->names[i])) {
            rc = query_group(cl, req, req->names[i], out, n);
            continue;
        }
        struct sup_service *ss = sup_find(sup, req->names[i]);
        if (!ss) {
            query_unknown(cl, req, req->names[i]);
            rc = -1;
        } else if (!query_listed(out, *n, ss)) { /* also a member of a group named */
            out[(*n)++] = ss;
        }
    }
    free(first);
    return rc;
}

/* A list with room for every service, or NULL (out of memory). */
static struct sup_service **query_list(struct control_client *cl)
{
    return malloc((sup_count(cl->ctl->env.sup) + 1) * sizeof(struct sup_service *));
}

/* A scheduled job's "schedule": what it is, when it runs next, how its
 * runs went (the last run's result is last_exit). */
static json_t *control_query_schedule_json(const struct sup_view *v)
{
    char stamp[40], every[32];
    uint64_t now = clock_wall_ms();
    json_t *o = json_object();
    if (!o)
        return json_null();
    if (v->schedule) {
        json_object_set_new(o, "schedule", json_string(v->schedule));
        json_object_set_new(o, "timezone", json_string(v->schedule_local ? "local" : "UTC"));
    } else {
        units_format_duration(v->every_ms, every, sizeof every);
        json_object_set_new(o, "every", json_string(every));
    }
    if (v->next_run_ms != UINT64_MAX) {
        outfmt_stamp(v->next_run_ms, stamp, sizeof stamp);
        json_object_set_new(o, "next_run", json_string(stamp));
        json_object_set_new(
            o, "next_run_in_ms",
            json_integer((json_int_t)(v->next_run_ms > now ? v->next_run_ms - now : 0)));
    } else {
        json_object_set_new(o, "next_run", json_null());
    }
    if (v->last_run_ms) {
        outfmt_stamp(v->last_run_ms, stamp, sizeof stamp);
        json_object_set_new(o, "last_run", json_string(stamp));
    } else {
        json_object_set_new(o, "last_run", json_null());
    }
    json_object_set_new(o, "runs", json_integer((json_int_t)v->runs));
    json_object_set_new(o, "skipped", json_integer((json_int_t)v->skipped));
    if (v->queued)
        json_object_set_new(o, "queued", json_true());
    return o;
}

json_t *control_query_service_json(const struct sup_service *ss, uint64_t now)
{
    struct sup_view v;
    char what[64], sig[32];
    sup_view(ss, now, &v);
    json_t *o =
        json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:b, s:b, s:I}", "name", v.name, "state",
                  svc_state_name(v.state), "pid", (json_int_t)v.pid, "restarts",
                  (json_int_t)v.restarts, "reason", v.reason, "type", conf_type_name(v.type),
                  "main", v.main, "critical", v.critical, "uptime_ms", (json_int_t)v.uptime_ms);
    if (!o)
        return NULL;
    if (v.has_exited) {
        int st = v.last_wstatus;
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
    if (v.state == SVC_BACKOFF)
        json_object_set_new(o, "next_start_in_ms", json_integer((json_int_t)v.next_start_in_ms));
    if (v.held)
        json_object_set_new(o, "held", json_true());
    if (v.has_health)
        json_object_set_new(o, "healthy", json_boolean(v.health_passed));
    if (v.check[0])
        json_object_set_new(o, "check", json_string(v.check));
    if (v.status_text[0])
        json_object_set_new(o, "status_text", json_string(v.status_text));
    const struct conf_service *c = sup_conf(ss);
    if (c->base) {
        json_object_set_new(o, "instance_of", json_string(c->base));
        json_object_set_new(o, "instance", json_integer(c->instance));
    }
    if (c->n_member_of) {
        json_t *groups = json_array();
        for (size_t i = 0; i < c->n_member_of; i++)
            json_array_append_new(groups, json_string(c->member_of[i]));
        json_object_set_new(o, "groups", groups);
    }
    if (v.log_file_lost)
        json_object_set_new(o, "log_lines_lost", json_integer((json_int_t)v.log_file_lost));
    if (v.scheduled)
        json_object_set_new(o, "schedule", control_query_schedule_json(&v));
    json_object_set_new(o, "orphans_reaped", json_integer((json_int_t)v.orphans_reaped));
    json_object_set_new(o, "fork_failures", json_integer((json_int_t)v.fork_failures));
    if (v.fork_failures)
        json_object_set_new(
            o, "fork_failure_pids",
            json_pack("{s:o, s:o}", "current",
                      v.fork_pids_current < 0 ? json_null() : json_integer(v.fork_pids_current),
                      "max", v.fork_pids_max < 0 ? json_null() : json_integer(v.fork_pids_max)));
    return o;
}

static void control_query_merge(json_t *services, json_t *figures)
{
    json_t *by_name = json_object_get(figures, "services"), *svc;
    size_t i;
    json_array_foreach(services, i, svc)
    {
        json_t *f = json_object_get(by_name, json_string_value(json_object_get(svc, "name")));
        if (json_is_object(f))
            json_object_update(svc, f);
    }
}

json_t *control_query_snapshot(struct control_client *cl, const struct proto_request *req,
                               bool detail, uint64_t now)
{
    const struct control_env *env = &cl->ctl->env;
    struct sup_service **list = query_list(cl);
    size_t n;

    if (!list || control_query_resolve(cl, req, list, &n) < 0) {
        free(list);
        return NULL;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, control_query_service_json(list[i], now));
    free(list);
    json_t *figures = env->ops->figures ? env->ops->figures(env->arg, detail) : NULL;
    json_t *me = env->ops->corral_status(env->arg);
    control_query_merge(arr, figures);
    if (json_is_object(me))
        json_object_update(me, json_object_get(figures, "corral"));
    json_t *budget = json_object_get(figures, "budget");
    json_t *o = json_pack("{s:o, s:o, s:O}", "corral", me, "services", arr, "budget",
                          budget ? budget : json_null());
    json_decref(figures);
    return o;
}

void control_query_status(struct control_client *cl, struct proto_request *req)
{
    json_t *o = control_query_snapshot(cl, req, false, uv_now(cl->ctl->env.loop));
    if (o)
        control_client_ok(cl, req->id, o);
}

void control_query_pid(struct control_client *cl, struct proto_request *req)
{
    struct sup_service *ss[1];
    struct sup_view v;
    size_t n;
    if (req->n_names != 1) {
        control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "pid takes exactly one name");
        return;
    }
    if (control_query_resolve(cl, req, ss, &n) < 0)
        return;
    sup_view(ss[0], uv_now(cl->ctl->env.loop), &v);
    if (v.pid <= 0) {
        control_client_error(cl, req->id, PROTO_ERR_NOT_RUNNING, "%s is %s: no process", v.name,
                             svc_state_name(v.state));
        return;
    }
    control_client_ok(cl, req->id,
                      json_pack("{s:s, s:I}", "name", v.name, "pid", (json_int_t)v.pid));
}

void control_query_health(struct control_client *cl, struct proto_request *req)
{
    const struct control_env *env = &cl->ctl->env;
    uint64_t now = uv_now(env->loop);
    json_t *bad = json_array();
    bool healthy = !env->ops->shutting_down(env->arg);
    for (size_t i = 0; i < sup_count(env->sup); i++) {
        struct sup_service *ss = sup_at(env->sup, i);
        if (sup_is_healthy(ss))
            continue;
        healthy = false;
        json_array_append_new(bad, control_query_service_json(ss, now));
    }
    control_client_ok(cl, req->id, json_pack("{s:b, s:o}", "healthy", healthy, "services", bad));
}

/* A logs reply holds the newest lines that fit in half of what a reply may
 * hold (the rest leaves room for what the connection has queued); the older
 * ones are omitted, and the reply says how many. The window is found first,
 * from the lines' sizes alone, and only its lines become JSON: a ring of
 * 64 MiB holds millions of short lines, and a JSON object each would cost
 * gigabytes before the reply was cut. */
#define QUERY_LOGS_BUDGET (CONTROL_OUT_MAX / 2)
#define QUERY_LOGS_WINDOW (QUERY_LOGS_BUDGET / QUERY_LINE_OVERHEAD + 1)

/* The window: the sizes of the newest lines whose sum fits the budget, a
 * FIFO that drops the oldest as newer ones come (at most QUERY_LOGS_WINDOW
 * of them, since every line costs QUERY_LINE_OVERHEAD at least). */
struct query_window {
    size_t *sizes;
    size_t cap, head, len, sum;
    size_t total; /* lines seen */
    bool failed;  /* out of memory */
};

static void query_logs_measure(void *arg, const struct ring_line *l)
{
    struct query_window *w = arg;
    size_t size = QUERY_LINE_OVERHEAD + 6 * l->len; /* \u00XX at worst */
    w->total++;
    while (w->len && w->sum + size > QUERY_LOGS_BUDGET) {
        w->sum -= w->sizes[w->head];
        w->head = (w->head + 1) % w->cap;
        w->len--;
    }
    if (size > QUERY_LOGS_BUDGET) /* in no window, nor is anything older */
        return;
    if (w->len == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        size_t *sizes = cap <= QUERY_LOGS_WINDOW ? malloc(cap * sizeof *sizes) : NULL;
        if (!sizes) {
            w->failed = true;
            return;
        }
        for (size_t i = 0; i < w->len; i++)
            sizes[i] = w->sizes[(w->head + i) % w->cap];
        free(w->sizes);
        w->sizes = sizes;
        w->cap = cap;
        w->head = 0;
    }
    w->sizes[(w->head + w->len++) % w->cap] = size;
    w->sum += size;
}

/* The same lines again: the first `skip` passed over, the rest as JSON. */
struct query_lines {
    json_t *arr;
    size_t skip;
};

static void query_logs_collect(void *arg, const struct ring_line *l)
{
    struct query_lines *q = arg;
    if (q->skip) {
        q->skip--;
        return;
    }
    json_t *o = control_line_json(l);
    if (o)
        json_array_append_new(q->arr, o);
}

void control_query_logs(struct control_client *cl, struct proto_request *req)
{
    struct sup_service *ss[1];
    size_t n;
    if (req->n_names != 1) {
        control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST, "logs takes exactly one name");
        return;
    }
    if (control_query_resolve(cl, req, ss, &n) < 0)
        return;
    if (req->follow && control_client_stream_busy(cl, req))
        return;
    uint64_t since = req->has_since ? req->since_ms : 0;
    struct query_window w = {0};
    if (req->lines > 0)
        sup_logs(ss[0], req->lines, since, query_logs_measure, &w);
    free(w.sizes);
    if (w.failed) {
        control_client_error(cl, req->id, PROTO_ERR_INTERNAL, "out of memory");
        return;
    }
    size_t omitted = w.total - w.len;
    struct query_lines q = {.arr = json_array(), .skip = omitted};
    if (w.len)
        sup_logs(ss[0], req->lines, since, query_logs_collect, &q);
    json_t *result = json_pack("{s:o}", "lines", q.arr);
    if (omitted && result)
        json_object_set_new(result, "omitted", json_integer((json_int_t)omitted));
    control_client_ok(cl, req->id, result);
    if (req->follow && !cl->closing)
        control_client_follow(cl, ss[0], req->id);
}

void control_query_events(struct control_client *cl, struct proto_request *req)
{
    if (control_client_stream_busy(cl, req))
        return;
    cl->stream_id = req->id;
    cl->events = true;
    control_client_ok(cl, req->id, NULL);
}

/* ---- wait ------------------------------------------------------------------ */

static bool query_wait_met(enum svc_state st, enum proto_wait_for f)
{
    switch (f) {
    case PROTO_WAIT_UP:
    case PROTO_WAIT_READY:
        return st == SVC_UP;
    case PROTO_WAIT_DONE:
        return st == SVC_DONE || st == SVC_FAILED || st == SVC_FATAL || st == SVC_STOPPED;
    case PROTO_WAIT_DOWN:
    case PROTO_WAIT_COUNT:
        break;
    }
    return st != SVC_STARTING && st != SVC_UP && st != SVC_STOPPING;
}

static void query_wait_end(struct control_client *cl)
{
    cl->waiting = false;
    if (cl->wait_timer_ready)
        uv_timer_stop(&cl->wait_timer);
    proto_request_close(&cl->wait_req);
}

/* Answers the waiter when every named service meets the condition; else
 * notes the first that does not: nothing can change before it does. */
static void query_wait_check(struct control_client *cl)
{
    struct supervisor *sup = cl->ctl->env.sup;
    for (size_t i = 0; i < cl->wait_req.n_names; i++) {
        struct sup_service *ss = sup_find(sup, cl->wait_req.names[i]);
        if (!ss || !query_wait_met(sup_state(ss), cl->wait_req.wait_for)) {
            cl->wait_unmet = i;
            return;
        }
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < cl->wait_req.n_names; i++) {
        struct sup_view v;
        sup_view(sup_find(sup, cl->wait_req.names[i]), 0, &v);
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "name", v.name, "state", svc_state_name(v.state)));
    }
    int64_t id = cl->wait_req.id;
    query_wait_end(cl);
    control_client_ok(cl, id, json_pack("{s:o}", "services", arr));
}

static void query_on_wait_timeout(uv_timer_t *t)
{
    struct control_client *cl = t->data;
    if (!cl->waiting || cl->closing)
        return;
    int64_t id = cl->wait_req.id;
    const char *what = proto_wait_for_name(cl->wait_req.wait_for);
    unsigned long long ms = (unsigned long long)cl->wait_req.timeout_ms;
    query_wait_end(cl);
    control_client_error(cl, id, PROTO_ERR_TIMEOUT, "not %s after %llu ms", what, ms);
}

void control_query_wait(struct control_client *cl, struct proto_request *req)
{
    struct sup_service **list = query_list(cl);
    size_t n;
    if (!list || control_query_resolve(cl, req, list, &n) < 0) {
        free(list);
        return;
    }
    if (cl->waiting) {
        free(list);
        control_client_error(cl, req->id, PROTO_ERR_BAD_REQUEST,
                             "one wait at a time per connection");
        return;
    }
    /* The waiter keeps each service named once (a name given twice counts
     * once), by name: a reload may replace the record. */
    const char **names = malloc((n + 1) * sizeof *names);
    for (size_t i = 0; names && i < n; i++)
        names[i] = sup_name(list[i]);
    int rc = names ? proto_request_set_names(req, names, n) : -ENOMEM;
    free(names);
    free(list);
    if (rc < 0) {
        control_client_error(cl, req->id, PROTO_ERR_INTERNAL, "out of memory");
        return;
    }
    cl->wait_req = *req;
    proto_request_init(req); /* the waiter owns the names now */
    cl->waiting = true;
    if (cl->wait_req.timeout_ms > 0) {
        if (!cl->wait_timer_ready) {
            uv_timer_init(cl->ctl->env.loop, &cl->wait_timer);
            cl->wait_timer.data = cl;
            cl->wait_timer_ready = true;
        }
        uv_timer_start(&cl->wait_timer, query_on_wait_timeout, cl->wait_req.timeout_ms, 0);
    }
    query_wait_check(cl);
}

/* ---- what the supervisor tells ------------------------------------------------ */

void control_query_on_change(struct control_client *cl, const struct sup_service *ss,
                             uint64_t wall_ms)
{
    if (cl->events && control_client_stream_room(cl)) {
        struct sup_view v;
        sup_view(ss, 0, &v);
        control_client_stream(cl,
                              json_pack("{s:I, s:s, s:s, s:s, s:I}", "time_ms", (json_int_t)wall_ms,
                                        "service", v.name, "state", svc_state_name(v.state),
                                        "reason", v.reason, "pid", (json_int_t)v.pid));
    }
    /* Only a change of the first service not yet met may end the wait. */
    if (cl->waiting && !cl->closing &&
        strcmp(sup_name(ss), cl->wait_req.names[cl->wait_unmet]) == 0)
        query_wait_check(cl);
}

void control_query_on_gone(struct control_client *cl, struct sup_service *ss)
{
    if (cl->following == ss) {
        control_client_unfollow(cl);
        control_client_error(cl, cl->stream_id, PROTO_ERR_UNKNOWN_SERVICE,
                             "%s was removed by a reload: its log stream ends", sup_name(ss));
    }
    if (!cl->waiting || cl->closing)
        return;
    for (size_t i = 0; i < cl->wait_req.n_names; i++) {
        if (strcmp(cl->wait_req.names[i], sup_name(ss)) != 0 ||
            sup_find(cl->ctl->env.sup, cl->wait_req.names[i]))
            continue;
        int64_t id = cl->wait_req.id;
        char name[PROTO_MSG_MAX / 2];
        snprintf(name, sizeof name, "%s", cl->wait_req.names[i]);
        query_wait_end(cl);
        control_client_error(cl, id, PROTO_ERR_UNKNOWN_SERVICE, "%s was removed by a reload", name);
        return;
    }
}
