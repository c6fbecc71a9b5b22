/* proto_reply.c - decodes one reply line on the client side: ok (with its
 * result), error (code, message, reload's error list) or stream item, and
 * checks the shape a v1 reply must have. An error code this client does not
 * know (a newer daemon) is kept by name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

static int proto_reply_fail(struct proto_reply *r, char *why, size_t why_len, const char *text)
{
    snprintf(why, why_len, "%s", text);
    proto_reply_close(r);
    return -EINVAL;
}

void proto_reply_close(struct proto_reply *r)
{
    json_decref(r->root);
    *r = (struct proto_reply){.root = NULL};
}

/* The error object of an ok:false reply. */
static int proto_reply_error(json_t *e, struct proto_reply *r, char *why, size_t why_len)
{
    json_t *code = json_object_get(e, "code");
    json_t *msg = json_object_get(e, "message");
    json_t *errors = json_object_get(e, "errors");
    int c;

    if (!json_is_object(e) || !json_is_string(code) || !json_is_string(msg))
        return proto_reply_fail(r, why, why_len, "error: expected {\"code\",\"message\"}");
    if (errors && !json_is_array(errors))
        return proto_reply_fail(r, why, why_len, "error.errors: expected a list");
    r->kind = PROTO_REPLY_ERROR;
    r->code_name = json_string_value(code);
    c = proto_err_from_name(r->code_name);
    r->code = c < 0 ? PROTO_ERR_INTERNAL : (enum proto_err)c;
    r->message = json_string_value(msg);
    r->errors = errors;
    return 0;
}

int proto_reply_decode(const char *line, size_t len, struct proto_reply *r, char *why,
                       size_t why_len)
{
    json_error_t jerr;
    json_t *v, *id, *ok, *stream;

    *r = (struct proto_reply){.id = PROTO_ID_NONE};
    if (len > 0 && line[len - 1] == '\n')
        len--;
    /* A service's output line may hold NUL bytes (\u0000 in a logs reply). */
    r->root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!r->root) {
        snprintf(why, why_len, "malformed JSON at column %d: %s", jerr.column, jerr.text);
        return -EINVAL;
    }
    if (!json_is_object(r->root))
        return proto_reply_fail(r, why, why_len, "expected a JSON object");
    v = json_object_get(r->root, "v");
    if (!json_is_integer(v) || json_integer_value(v) != PROTO_VERSION)
        return proto_reply_fail(r, why, why_len, "v: not a protocol version 1 reply");
    id = json_object_get(r->root, "id");
    if (json_is_integer(id) && json_integer_value(id) >= 0)
        r->id = json_integer_value(id);
    else if (!json_is_null(id))
        return proto_reply_fail(r, why, why_len, "id: expected an integer or null");

    stream = json_object_get(r->root, "stream");
    if (stream) {
        if (!json_is_object(stream))
            return proto_reply_fail(r, why, why_len, "stream: expected an object");
        r->kind = PROTO_REPLY_STREAM;
        r->body = stream;
        return 0;
    }
    ok = json_object_get(r->root, "ok");
    if (json_is_false(ok))
        return proto_reply_error(json_object_get(r->root, "error"), r, why, why_len);
    if (!json_is_true(ok))
        return proto_reply_fail(r, why, why_len, "ok: expected true or false");
    r->body = json_object_get(r->root, "result");
    if (!json_is_object(r->body))
        return proto_reply_fail(r, why, why_len, "result: expected an object");
    r->kind = PROTO_REPLY_OK;
    return 0;
}
