/* proto.h - the control protocol v1 (docs/protocol.md): the command table,
 * request decode (with full validation) and encode, reply encode and decode,
 * and error codes. Newline-delimited JSON read and written with jansson.
 * Pure: no I/O, no clock, no logging; errors are returned, never printed.
 * Used by daemon/control/ and by corralctl. */
#ifndef CORRAL_PROTO_H
#define CORRAL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PROTO_VERSION   1
#define PROTO_LINE_MAX  65536              /* a request line, newline included */
#define PROTO_REPLY_MAX (16 * 1024 * 1024) /* a reply line, as corralctl bounds it */
#define PROTO_ID_NONE   (-1)               /* "id": null (the request had no usable id) */
#define PROTO_MSG_MAX   256                /* an error message, NUL included */

/* ---- commands ---------------------------------------------------------- */

enum proto_cmd {
    PROTO_CMD_STATUS,
    PROTO_CMD_START,
    PROTO_CMD_STOP,
    PROTO_CMD_RESTART,
    PROTO_CMD_SIGNAL,
    PROTO_CMD_PID,
    PROTO_CMD_WAIT,
    PROTO_CMD_LOGS,
    PROTO_CMD_EVENTS,
    PROTO_CMD_RELOAD,
    PROTO_CMD_SHUTDOWN,
    PROTO_CMD_HEALTH,
    PROTO_CMD_VERSION,
    PROTO_CMD_TOP,
    PROTO_CMD_METRICS,
    PROTO_CMD_SCALE,
    PROTO_CMD_COUNT,
};

/* Returns the wire name of cmd ("status"), or NULL when cmd is out of range. */
const char *proto_cmd_name(enum proto_cmd cmd);

/* Returns the command named name (exact, lowercase), or -EINVAL. */
int proto_cmd_from_name(const char *name);

/* True for the commands that change something (start, stop, restart, signal,
 * reload, shutdown, scale): they need the admin group. The others are read-only. */
bool proto_cmd_is_changing(enum proto_cmd cmd);

/* True for the commands whose ok reply may be followed by stream items until
 * the client hangs up: events always, logs when follow is set. */
bool proto_cmd_is_streaming(enum proto_cmd cmd, bool follow);

/* ---- error codes -------------------------------------------------------- */

enum proto_err {
    PROTO_ERR_BAD_REQUEST,
    PROTO_ERR_TOO_LARGE,
    PROTO_ERR_UNSUPPORTED_VERSION,
    PROTO_ERR_UNKNOWN_COMMAND,
    PROTO_ERR_UNKNOWN_SERVICE,
    PROTO_ERR_PERMISSION_DENIED,
    PROTO_ERR_NOT_RUNNING,
    PROTO_ERR_TIMEOUT,
    PROTO_ERR_INVALID_CONFIG,
    PROTO_ERR_SHUTTING_DOWN,
    PROTO_ERR_INTERNAL,
    PROTO_ERR_COUNT,
};

/* Returns the wire name of code ("unknown_service"), or NULL when out of range. */
const char *proto_err_name(enum proto_err code);

/* Returns the code named name, or -EINVAL. */
int proto_err_from_name(const char *name);

/* A decode failure: what to answer. */
struct proto_error {
    enum proto_err code;
    char message[PROTO_MSG_MAX]; /* names the field: "names[1]: expected a string" */
};

/* ---- requests ----------------------------------------------------------- */

enum proto_wait_for {
    PROTO_WAIT_UP,    /* state up */
    PROTO_WAIT_READY, /* state up and ready */
    PROTO_WAIT_DONE,  /* state done, failed or fatal */
    PROTO_WAIT_DOWN,  /* no process: not starting, up or stopping */
    PROTO_WAIT_COUNT,
};

/* Returns "up", "ready", "done", "down", or NULL when out of range. */
const char *proto_wait_for_name(enum proto_wait_for f);

/* Returns the condition named name, or -EINVAL. */
int proto_wait_for_from_name(const char *name);

#define PROTO_LOGS_LINES_DEFAULT 100

/* A decoded request. Which fields mean something depends on cmd; the others
 * keep the values of proto_request_init(). */
struct proto_request {
    int64_t id; /* >= 0; PROTO_ID_NONE until known (echo it in the reply) */
    enum proto_cmd cmd;
    char **names; /* owned; n_names non-empty strings */
    size_t n_names;
    bool all;                     /* start|stop|restart|signal: every service */
    int signal_number;            /* signal: > 0 when given as an integer, else 0 */
    char *signal_name;            /* signal: owned, when given as a string ("HUP", "sighup") */
    enum proto_wait_for wait_for; /* wait; default up */
    uint64_t timeout_ms;          /* wait; 0 = no timeout */
    uint64_t lines;               /* logs; default PROTO_LOGS_LINES_DEFAULT */
    bool follow;                  /* logs */
    bool has_since;               /* logs */
    uint64_t since_ms;            /* logs: unix time in ms */
    bool dry_run;                 /* reload, scale */
    uint64_t count;               /* scale: instances to run, >= 1 */
};

/* Sets every field to its default (cmd status, id PROTO_ID_NONE, lines 100). */
void proto_request_init(struct proto_request *req);

/* Frees what req holds and re-initialises it. */
void proto_request_close(struct proto_request *req);

/* Sets req->names to a copy of names (replacing any). Returns 0 or -ENOMEM. */
int proto_request_set_names(struct proto_request *req, const char *const *names, size_t n);

/* Decodes one request line (len bytes, with or without its final "\n"; it
 * need not be NUL-terminated) into req, which it initialises first. Checks
 * everything: JSON object, "id", "v", "cmd", and each argument of cmd.
 * Returns 0; or -EINVAL with err set (req->id is set whenever the line had a
 * valid id, so that the error reply can echo it; req holds nothing else);
 * or -ENOMEM (err set to internal). A line longer than
 * PROTO_LINE_MAX is -EINVAL with code too_large. */
int proto_request_decode(const char *line, size_t len, struct proto_request *req,
                         struct proto_error *err);

/* Encodes req as one line, "\n" included, with the fields its command takes
 * (id PROTO_ID_NONE is sent as 0). On success the caller owns *out (free()),
 * *len is its length without the NUL. Returns 0, -EINVAL for a request that
 * would not decode (unknown cmd, a NULL name), or -ENOMEM. */
int proto_request_encode(const struct proto_request *req, char **out, size_t *len);

/* ---- replies (daemon side) ---------------------------------------------- */

/* Each encoder writes one line, "\n" included, into *out (the caller owns it:
 * free()) and its length without the NUL into *len. They take the reference
 * to the json_t they are given (NULL result = {}), on failure too. Returns 0,
 * -EINVAL (an out-of-range code, a NULL message or stream item), or -ENOMEM.
 * id PROTO_ID_NONE is written as null. */

/* {"v":1,"id":ID,"ok":true,"result":RESULT} */
int proto_encode_ok(int64_t id, json_t *result, char **out, size_t *len);

/* {"v":1,"id":ID,"ok":false,"error":{"code":CODE,"message":MSG[,"errors":ERRORS]}}.
 * errors (reload's [{file,line,column,message}]) may be NULL. */
int proto_encode_error(int64_t id, enum proto_err code, const char *message, json_t *errors,
                       char **out, size_t *len);

/* {"v":1,"id":ID,"stream":ITEM} */
int proto_encode_stream(int64_t id, json_t *item, char **out, size_t *len);

/* ---- replies (client side) ---------------------------------------------- */

enum proto_reply_kind {
    PROTO_REPLY_OK,
    PROTO_REPLY_ERROR,
    PROTO_REPLY_STREAM,
};

/* A decoded reply. root is owned; every other pointer borrows from it. */
struct proto_reply {
    enum proto_reply_kind kind;
    int64_t id;            /* PROTO_ID_NONE when null */
    json_t *root;          /* the whole object */
    json_t *body;          /* ok: the result object; stream: the item object; error: NULL */
    enum proto_err code;   /* error: PROTO_ERR_INTERNAL when code_name is not known */
    const char *code_name; /* error: as sent */
    const char *message;   /* error */
    json_t *errors;        /* error: the "errors" array, or NULL */
};

/* Decodes one reply line (len bytes, "\n" optional) into r. Returns 0; or
 * -EINVAL with a reason in why (the line is not a v1 reply); or -ENOMEM. On
 * failure r holds nothing. */
int proto_reply_decode(const char *line, size_t len, struct proto_reply *r, char *why,
                       size_t why_len);

/* Frees what r holds. A zeroed r is fine. */
void proto_reply_close(struct proto_reply *r);

#endif
