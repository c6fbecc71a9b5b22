/* proto_encode.c - writes protocol lines: a request (corralctl's side) and
 * the three kinds of reply (the daemon's side: ok, error, stream item). Each
 * line is one compact JSON object followed by "\n". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* Dumps obj (whose reference it takes) as one line into *out. */
static int proto_dump_line(json_t *obj, char **out, size_t *len)
{
    char *s = NULL;
    char *line = NULL;
    size_t n;

    if (!obj)
        return -ENOMEM;
    /* JSON_COMPACT leaves no newline inside; strings are escaped. */
    s = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!s)
        return -ENOMEM;
    n = strlen(s);
    line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return -ENOMEM;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *out = line;
    *len = n + 1;
    return 0;
}

static json_t *proto_id_value(int64_t id)
{
    return id < 0 ? json_null() : json_integer(id);
}

/* A JSON string of s. jansson refuses invalid UTF-8, and a message may quote
 * bytes from a file or a service's output: those bytes become '?'. */
static json_t *proto_text(const char *s)
{
    json_t *v = json_string(s);
    char *copy = NULL;

    if (v)
        return v;
    copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++) {
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    }
    v = json_string(copy);
    free(copy);
    return v;
}

/* Adds key=value to obj, taking the reference to value. Returns 0 or -ENOMEM. */
static int proto_set(json_t *obj, const char *key, json_t *value)
{
    return json_object_set_new(obj, key, value) == 0 ? 0 : -ENOMEM;
}

static int proto_set_names(json_t *obj, const struct proto_request *req)
{
    json_t *arr = json_array();
    int rc = 0;

    for (size_t i = 0; arr && rc == 0 && i < req->n_names; i++) {
        if (!req->names[i])
            rc = -EINVAL;
        else if (json_array_append_new(arr, json_string(req->names[i])) < 0)
            rc = -ENOMEM;
    }
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    return proto_set(obj, "names", arr);
}

/* The arguments of req->cmd, as proto_request_decode reads them. */
static int proto_set_args(json_t *o, const struct proto_request *req)
{
    int rc = 0;

    switch (req->cmd) {
    case PROTO_CMD_STATUS:
    case PROTO_CMD_TOP:
        return req->n_names ? proto_set_names(o, req) : 0;
    case PROTO_CMD_START:
    case PROTO_CMD_STOP:
    case PROTO_CMD_RESTART:
    case PROTO_CMD_SIGNAL:
        rc = req->all ? proto_set(o, "all", json_true()) : proto_set_names(o, req);
        if (rc < 0 || req->cmd != PROTO_CMD_SIGNAL)
            return rc;
        if (req->signal_name)
            return proto_set(o, "signal", json_string(req->signal_name));
        return proto_set(o, "signal", json_integer(req->signal_number));
    case PROTO_CMD_PID:
        return proto_set_names(o, req);
    case PROTO_CMD_WAIT:
        rc = proto_set_names(o, req);
        if (rc == 0)
            rc = proto_set(o, "for", json_string(proto_wait_for_name(req->wait_for)));
        return rc < 0 ? rc : proto_set(o, "timeout_ms", json_integer((json_int_t)req->timeout_ms));
    case PROTO_CMD_LOGS:
        rc = proto_set_names(o, req);
        if (rc == 0)
            rc = proto_set(o, "lines", json_integer((json_int_t)req->lines));
        if (rc == 0)
            rc = proto_set(o, "follow", json_boolean(req->follow));
        if (rc == 0 && req->has_since)
            rc = proto_set(o, "since_ms", json_integer((json_int_t)req->since_ms));
        return rc;
    case PROTO_CMD_RELOAD:
        return proto_set(o, "dry_run", json_boolean(req->dry_run));
    case PROTO_CMD_SCALE:
        rc = proto_set_names(o, req);
        if (rc == 0)
            rc = proto_set(o, "count", json_integer((json_int_t)req->count));
        return rc < 0 ? rc : proto_set(o, "dry_run", json_boolean(req->dry_run));
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

int proto_request_encode(const struct proto_request *req, char **out, size_t *len)
{
    const char *cmd = proto_cmd_name(req->cmd);
    json_t *o = NULL;
    int rc;

    if (!cmd || (unsigned)req->wait_for >= PROTO_WAIT_COUNT)
        return -EINVAL;
    o = json_object();
    if (!o)
        return -ENOMEM;
    rc = proto_set(o, "v", json_integer(PROTO_VERSION));
    if (rc == 0)
        rc = proto_set(o, "id", json_integer(req->id < 0 ? 0 : req->id));
    if (rc == 0)
        rc = proto_set(o, "cmd", json_string(cmd));
    if (rc == 0)
        rc = proto_set_args(o, req);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    return proto_dump_line(o, out, len);
}

/* {"v":1,"id":ID} with the reference to value taken either way. */
static json_t *proto_reply_head(int64_t id)
{
    json_t *o = json_object();

    if (o && (proto_set(o, "v", json_integer(PROTO_VERSION)) < 0 ||
              proto_set(o, "id", proto_id_value(id)) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int proto_encode_ok(int64_t id, json_t *result, char **out, size_t *len)
{
    json_t *o = proto_reply_head(id);

    if (!result)
        result = json_object();
    if (!o || !result || proto_set(o, "ok", json_true()) < 0) {
        json_decref(result);
        json_decref(o);
        return -ENOMEM;
    }
    if (proto_set(o, "result", result) < 0) {
        json_decref(o);
        return -ENOMEM;
    }
    return proto_dump_line(o, out, len);
}

int proto_encode_error(int64_t id, enum proto_err code, const char *message, json_t *errors,
                       char **out, size_t *len)
{
    const char *name = proto_err_name(code);
    json_t *o = NULL;
    json_t *e = NULL;
    int rc = -ENOMEM;

    if (!name || !message) {
        json_decref(errors);
        return -EINVAL;
    }
    o = proto_reply_head(id);
    e = json_object();
    if (!o || !e)
        goto err_objects;
    if (proto_set(e, "code", json_string(name)) < 0 ||
        proto_set(e, "message", proto_text(message)) < 0)
        goto err_objects;
    if (errors) {
        rc = proto_set(e, "errors", errors);
        errors = NULL;
        if (rc < 0)
            goto err_objects;
    }
    rc = proto_set(o, "ok", json_false());
    if (rc < 0)
        goto err_objects;
    rc = proto_set(o, "error", e); /* takes e, on failure too */
    e = NULL;
    if (rc < 0)
        goto err_objects;
    return proto_dump_line(o, out, len);

err_objects:
    json_decref(errors);
    json_decref(e);
    json_decref(o);
    return rc;
}

int proto_encode_stream(int64_t id, json_t *item, char **out, size_t *len)
{
    json_t *o = NULL;

    if (!item)
        return -EINVAL;
    o = proto_reply_head(id);
    if (!o) {
        json_decref(item);
        return -ENOMEM;
    }
    if (proto_set(o, "stream", item) < 0) {
        json_decref(o);
        return -ENOMEM;
    }
    return proto_dump_line(o, out, len);
}
