/* fuzz_proto.c - libFuzzer target over the control protocol's request
 * decoder (the bytes a client sends the daemon). Each input is decoded as a
 * request; a decoded request must encode and decode back to the same
 * command; a refused one must produce an error reply that encodes. The input
 * is also read as a reply, as corralctl would. Crashes, leaks and UB are the
 * findings. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static void fuzz_round_trip(const struct proto_request *req)
{
    struct proto_request back;
    struct proto_error err;
    char *line = NULL;
    size_t len = 0;

    if (proto_request_encode(req, &line, &len) != 0)
        __builtin_trap();
    if (proto_request_decode(line, len, &back, &err) != 0)
        __builtin_trap();
    if (back.cmd != req->cmd || back.id != req->id || back.n_names != req->n_names ||
        back.all != req->all || back.signal_number != req->signal_number ||
        back.timeout_ms != req->timeout_ms || back.lines != req->lines)
        __builtin_trap();
    for (size_t i = 0; i < req->n_names; i++) {
        if (strcmp(back.names[i], req->names[i]) != 0)
            __builtin_trap();
    }
    proto_request_close(&back);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proto_request req;
    struct proto_error err;
    struct proto_reply reply;
    char why[128];
    char *line = NULL;
    size_t len = 0;

    memset(&err, 0, sizeof err);
    int rc = proto_request_decode((const char *)data, size, &req, &err);
    if (rc == 0) {
        fuzz_round_trip(&req);
    } else {
        /* The contract: a refusal has a known code and a message. */
        if (rc != -EINVAL || !proto_err_name(err.code) || err.message[0] == '\0' ||
            req.names != NULL)
            __builtin_trap();
        if (proto_encode_error(req.id, err.code, err.message, NULL, &line, &len) != 0)
            __builtin_trap();
        free(line);
    }
    proto_request_close(&req);

    if (proto_reply_decode((const char *)data, size, &reply, why, sizeof why) == 0)
        proto_reply_close(&reply);
    return 0;
}
