/* proto_names.c - the tables of the protocol: commands (wire name, changing
 * or read-only, streaming), error codes and wait conditions, with their
 * names both ways. Adding a command starts here. */
#include <errno.h>
#include <string.h>

#include "proto.h"

struct proto_cmd_info {
    const char *name;
    bool changing; /* needs admin_group (docs/protocol.md "Access") */
};

static const struct proto_cmd_info proto_cmds[PROTO_CMD_COUNT] = {
    [PROTO_CMD_STATUS] = {"status", false},    [PROTO_CMD_START] = {"start", true},
    [PROTO_CMD_STOP] = {"stop", true},         [PROTO_CMD_RESTART] = {"restart", true},
    [PROTO_CMD_SIGNAL] = {"signal", true},     [PROTO_CMD_PID] = {"pid", false},
    [PROTO_CMD_WAIT] = {"wait", false},        [PROTO_CMD_LOGS] = {"logs", false},
    [PROTO_CMD_EVENTS] = {"events", false},    [PROTO_CMD_RELOAD] = {"reload", true},
    [PROTO_CMD_SHUTDOWN] = {"shutdown", true}, [PROTO_CMD_HEALTH] = {"health", false},
    [PROTO_CMD_VERSION] = {"version", false},  [PROTO_CMD_TOP] = {"top", false},
    [PROTO_CMD_METRICS] = {"metrics", false},  [PROTO_CMD_SCALE] = {"scale", true},
};

static const char *const proto_errs[PROTO_ERR_COUNT] = {
    [PROTO_ERR_BAD_REQUEST] = "bad_request",
    [PROTO_ERR_TOO_LARGE] = "too_large",
    [PROTO_ERR_UNSUPPORTED_VERSION] = "unsupported_version",
    [PROTO_ERR_UNKNOWN_COMMAND] = "unknown_command",
    [PROTO_ERR_UNKNOWN_SERVICE] = "unknown_service",
    [PROTO_ERR_PERMISSION_DENIED] = "permission_denied",
    [PROTO_ERR_NOT_RUNNING] = "not_running",
    [PROTO_ERR_TIMEOUT] = "timeout",
    [PROTO_ERR_INVALID_CONFIG] = "invalid_config",
    [PROTO_ERR_SHUTTING_DOWN] = "shutting_down",
    [PROTO_ERR_INTERNAL] = "internal",
};

static const char *const proto_wait_fors[PROTO_WAIT_COUNT] = {
    [PROTO_WAIT_UP] = "up",
    [PROTO_WAIT_READY] = "ready",
    [PROTO_WAIT_DONE] = "done",
    [PROTO_WAIT_DOWN] = "down",
};

const char *proto_cmd_name(enum proto_cmd cmd)
{
    if ((unsigned)cmd >= PROTO_CMD_COUNT)
        return NULL;
    return proto_cmds[cmd].name;
}

int proto_cmd_from_name(const char *name)
{
    for (int i = 0; name && i < PROTO_CMD_COUNT; i++) {
        if (strcmp(name, proto_cmds[i].name) == 0)
            return i;
    }
    return -EINVAL;
}

bool proto_cmd_is_changing(enum proto_cmd cmd)
{
    /* Out of range is "changing": the stricter check is the safe default. */
    if ((unsigned)cmd >= PROTO_CMD_COUNT)
        return true;
    return proto_cmds[cmd].changing;
}

bool proto_cmd_is_streaming(enum proto_cmd cmd, bool follow)
{
    return cmd == PROTO_CMD_EVENTS || (cmd == PROTO_CMD_LOGS && follow);
}

const char *proto_err_name(enum proto_err code)
{
    if ((unsigned)code >= PROTO_ERR_COUNT)
        return NULL;
    return proto_errs[code];
}

int proto_err_from_name(const char *name)
{
    for (int i = 0; name && i < PROTO_ERR_COUNT; i++) {
        if (strcmp(name, proto_errs[i]) == 0)
            return i;
    }
    return -EINVAL;
}

const char *proto_wait_for_name(enum proto_wait_for f)
{
    if ((unsigned)f >= PROTO_WAIT_COUNT)
        return NULL;
    return proto_wait_fors[f];
}

int proto_wait_for_from_name(const char *name)
{
    for (int i = 0; name && i < PROTO_WAIT_COUNT; i++) {
        if (strcmp(name, proto_wait_fors[i]) == 0)
            return i;
    }
    return -EINVAL;
}
