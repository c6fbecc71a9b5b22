/* proto_request.c - decodes and validates one request line: a JSON object
 * with "v", "id", "cmd" and the arguments of that command, each checked for
 * type and range; the first problem found becomes the error to answer, with
 * the field it concerns named in the message. Unknown fields are ignored
 * (forward compatibility); null stands for an absent optional argument. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define PROTO_SIGNAL_MAX 64 /* SIGRTMAX on Linux */

enum proto_names_rule {
    PROTO_NAMES_OPTIONAL, /* status: absent or empty = every service */
    PROTO_NAMES_OR_ALL,   /* start|stop|restart|signal: names, or "all": true */
    PROTO_NAMES_REQUIRED, /* wait: at least one */
    PROTO_NAMES_ONE,      /* pid, logs: exactly one */
};

static int proto_fail(struct proto_error *err, enum proto_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int proto_fail(struct proto_error *err, enum proto_err code, const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap); /* a cut message is fine */
    va_end(ap);
    return -EINVAL;
}

void proto_request_init(struct proto_request *req)
{
    *req = (struct proto_request){
        .id = PROTO_ID_NONE,
        .cmd = PROTO_CMD_STATUS,
        .wait_for = PROTO_WAIT_UP,
        .lines = PROTO_LOGS_LINES_DEFAULT,
    };
}

static void proto_names_free(struct proto_request *req)
{
    for (size_t i = 0; i < req->n_names; i++)
        free(req->names[i]);
    free(req->names);
    req->names = NULL;
    req->n_names = 0;
}

void proto_request_close(struct proto_request *req)
{
    proto_names_free(req);
    free(req->signal_name);
    proto_request_init(req);
}

int proto_request_set_names(struct proto_request *req, const char *const *names, size_t n)
{
    char **v = NULL;

    proto_names_free(req);
    if (n == 0)
        return 0;
    v = calloc(n, sizeof *v);
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        v[i] = names[i] ? strdup(names[i]) : NULL;
        if (!v[i]) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return names[i] ? -ENOMEM : -EINVAL;
        }
    }
    req->names = v;
    req->n_names = n;
    return 0;
}

/* Returns the member key of obj, or NULL when it is absent or null. */
static json_t *proto_member(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

/* An integer >= 0. Leaves *out alone when the member is absent. */
static int proto_get_uint(json_t *obj, const char *key, uint64_t *out, struct proto_error *err)
{
    json_t *v = proto_member(obj, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "%s: expected an integer >= 0", key);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int proto_get_bool(json_t *obj, const char *key, bool *out, struct proto_error *err)
{
    json_t *v = proto_member(obj, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "%s: expected true or false", key);
    *out = json_is_true(v);
    return 0;
}

static int proto_get_names(json_t *obj, enum proto_names_rule rule, struct proto_request *req,
                           struct proto_error *err)
{
    json_t *arr = proto_member(obj, "names");
    size_t n = 0;

    if (rule == PROTO_NAMES_OR_ALL) {
        int rc = proto_get_bool(obj, "all", &req->all, err);
        if (rc < 0)
            return rc;
    }
    if (arr && !json_is_array(arr))
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "names: expected a list of service names");
    n = arr ? json_array_size(arr) : 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(arr, i);
        if (!json_is_string(s) || json_string_length(s) == 0)
            return proto_fail(err, PROTO_ERR_BAD_REQUEST, "names[%zu]: expected a non-empty string",
                              i);
    }
    switch (rule) {
    case PROTO_NAMES_OPTIONAL:
        break;
    case PROTO_NAMES_OR_ALL:
        if (req->all && n > 0)
            return proto_fail(err, PROTO_ERR_BAD_REQUEST,
                              "names: give names or \"all\": true, not both");
        if (!req->all && n == 0)
            return proto_fail(err, PROTO_ERR_BAD_REQUEST,
                              "names: required (a non-empty list, or \"all\": true)");
        break;
    case PROTO_NAMES_REQUIRED:
        if (n == 0)
            return proto_fail(err, PROTO_ERR_BAD_REQUEST, "names: required (a non-empty list)");
        break;
    case PROTO_NAMES_ONE:
        if (n != 1)
            return proto_fail(err, PROTO_ERR_BAD_REQUEST,
                              "names: expected exactly one service name, got %zu", n);
        break;
    }
    if (n == 0)
        return 0;
    req->names = calloc(n, sizeof *req->names);
    if (!req->names)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        req->names[i] = strdup(json_string_value(json_array_get(arr, i)));
        if (!req->names[i])
            return -ENOMEM; /* proto_request_close frees the ones copied */
        req->n_names = i + 1;
    }
    return 0;
}

static int proto_get_signal(json_t *obj, struct proto_request *req, struct proto_error *err)
{
    json_t *v = proto_member(obj, "signal");

    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 1 || n > PROTO_SIGNAL_MAX)
            return proto_fail(err, PROTO_ERR_BAD_REQUEST,
                              "signal: expected a number from 1 to %d, got %lld", PROTO_SIGNAL_MAX,
                              (long long)n);
        req->signal_number = (int)n;
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return proto_fail(err, PROTO_ERR_BAD_REQUEST,
                          "signal: required (a name such as \"HUP\", or a number)");
    req->signal_name = strdup(json_string_value(v));
    return req->signal_name ? 0 : -ENOMEM;
}

static int proto_get_wait_for(json_t *obj, struct proto_request *req, struct proto_error *err)
{
    json_t *v = proto_member(obj, "for");
    int f;

    if (!v)
        return 0;
    f = json_is_string(v) ? proto_wait_for_from_name(json_string_value(v)) : -EINVAL;
    if (f < 0)
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "for: expected up|ready|done|down");
    req->wait_for = (enum proto_wait_for)f;
    return 0;
}

static int proto_get_since(json_t *obj, struct proto_request *req, struct proto_error *err)
{
    req->has_since = proto_member(obj, "since_ms") != NULL;
    return proto_get_uint(obj, "since_ms", &req->since_ms, err);
}

/* The arguments of req->cmd. */
static int proto_get_args(json_t *obj, struct proto_request *req, struct proto_error *err)
{
    int rc = 0;

    switch (req->cmd) {
    case PROTO_CMD_STATUS:
    case PROTO_CMD_TOP:
        return proto_get_names(obj, PROTO_NAMES_OPTIONAL, req, err);
    case PROTO_CMD_START:
    case PROTO_CMD_STOP:
    case PROTO_CMD_RESTART:
        return proto_get_names(obj, PROTO_NAMES_OR_ALL, req, err);
    case PROTO_CMD_SIGNAL:
        rc = proto_get_names(obj, PROTO_NAMES_OR_ALL, req, err);
        return rc < 0 ? rc : proto_get_signal(obj, req, err);
    case PROTO_CMD_PID:
        return proto_get_names(obj, PROTO_NAMES_ONE, req, err);
    case PROTO_CMD_WAIT:
        rc = proto_get_names(obj, PROTO_NAMES_REQUIRED, req, err);
        if (rc == 0)
            rc = proto_get_wait_for(obj, req, err);
        return rc < 0 ? rc : proto_get_uint(obj, "timeout_ms", &req->timeout_ms, err);
    case PROTO_CMD_LOGS:
        rc = proto_get_names(obj, PROTO_NAMES_ONE, req, err);
        if (rc == 0)
            rc = proto_get_uint(obj, "lines", &req->lines, err);
        if (rc == 0)
            rc = proto_get_bool(obj, "follow", &req->follow, err);
        return rc < 0 ? rc : proto_get_since(obj, req, err);
    case PROTO_CMD_RELOAD:
        return proto_get_bool(obj, "dry_run", &req->dry_run, err);
    case PROTO_CMD_SCALE:
        rc = proto_get_names(obj, PROTO_NAMES_ONE, req, err);
        if (rc == 0)
            rc = proto_get_bool(obj, "dry_run", &req->dry_run, err);
        if (rc == 0 && !proto_member(obj, "count"))
            return proto_fail(err, PROTO_ERR_BAD_REQUEST, "count: required (an integer >= 1)");
        if (rc == 0)
            rc = proto_get_uint(obj, "count", &req->count, err);
        if (rc == 0 && req->count == 0)
            return proto_fail(err, PROTO_ERR_BAD_REQUEST, "count: expected an integer >= 1, got 0");
        return rc;
    case PROTO_CMD_EVENTS:
    case PROTO_CMD_SHUTDOWN:
    case PROTO_CMD_HEALTH:
    case PROTO_CMD_VERSION:
    case PROTO_CMD_METRICS:
    case PROTO_CMD_COUNT:
        break;
    }
    return 0;
}

/* "id", "v" and "cmd", in that order, so that every later error can echo the id. */
static int proto_get_header(json_t *obj, struct proto_request *req, struct proto_error *err)
{
    json_t *id = json_object_get(obj, "id");
    json_t *v = json_object_get(obj, "v");
    json_t *cmd = json_object_get(obj, "cmd");
    int c;

    if (!id) {
        req->id = 0;
    } else if (json_is_integer(id) && json_integer_value(id) >= 0) {
        req->id = json_integer_value(id);
    } else {
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "id: expected an integer >= 0");
    }
    if (!v)
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "v: required (the protocol version, %d)",
                          PROTO_VERSION);
    if (!json_is_integer(v))
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "v: expected an integer");
    if (json_integer_value(v) != PROTO_VERSION)
        return proto_fail(err, PROTO_ERR_UNSUPPORTED_VERSION,
                          "v: protocol version %lld is not supported (this corral speaks %d)",
                          (long long)json_integer_value(v), PROTO_VERSION);
    if (!cmd)
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "cmd: required");
    if (!json_is_string(cmd))
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "cmd: expected a string");
    c = proto_cmd_from_name(json_string_value(cmd));
    if (c < 0)
        return proto_fail(err, PROTO_ERR_UNKNOWN_COMMAND, "cmd: unknown command '%.64s'",
                          json_string_value(cmd));
    req->cmd = (enum proto_cmd)c;
    return 0;
}

int proto_request_decode(const char *line, size_t len, struct proto_request *req,
                         struct proto_error *err)
{
    json_error_t jerr;
    json_t *root = NULL;
    int rc;

    proto_request_init(req);
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len >= PROTO_LINE_MAX)
        return proto_fail(err, PROTO_ERR_TOO_LARGE, "request longer than %d bytes", PROTO_LINE_MAX);
    /* JSON_REJECT_DUPLICATES: {"cmd":"status","cmd":"shutdown"} must not be
     * read one way by a proxy checking it and another way by us. */
    root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return proto_fail(err, PROTO_ERR_BAD_REQUEST, "malformed JSON at column %d: %s",
                          jerr.column, jerr.text);
    if (!json_is_object(root)) {
        rc = proto_fail(err, PROTO_ERR_BAD_REQUEST, "request: expected a JSON object");
        goto out_root;
    }
    rc = proto_get_header(root, req, err);
    if (rc == 0)
        rc = proto_get_args(root, req, err);
    if (rc == -ENOMEM)
        proto_fail(err, PROTO_ERR_INTERNAL, "out of memory");

out_root:
    json_decref(root);
    if (rc < 0) {
        int64_t id = req->id;
        proto_request_close(req);
        req->id = id;
    }
    return rc;
}
