/* control_client.h - one connection to the control socket, shared by
 * control.c (its I/O) and control_cmd.c (what its requests do). */
#ifndef CORRAL_CONTROL_CLIENT_H
#define CORRAL_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "control.h"
#include "output.h"
#include "supervisor.h"

struct control_client {
    uv_pipe_t pipe;
    struct control *ctl;
    struct control_client *next;
    char *in; /* a request line not complete yet */
    size_t in_len;
    size_t out_queued; /* bytes handed to uv_write, not written yet */
    uid_t uid;
    gid_t gid;
    pid_t pid;
    gid_t groups[64]; /* supplementary groups (SO_PEERGROUPS) */
    int ngroups;
    bool closing;
    int closes_pending; /* its pipe and wait timer: freed after the last close */
    /* Streams: at most one per connection, for as long as it stays open. */
    int64_t stream_id;
    bool stream_lagging;     /* dropping items until the reader catches up */
    uint64_t stream_dropped; /* items dropped since the last report */
    bool events;
    struct output_follower follower;
    struct sup_service *following;
    /* wait */
    bool waiting;
    struct proto_request wait_req;
    uv_timer_t wait_timer;
    bool wait_timer_ready;
};

/* control_cmd.c: replies, and services by name. */
void control_cmd_ok(struct control_client *cl, int64_t id, json_t *result);
void control_cmd_error(struct control_client *cl, int64_t id, enum proto_err code, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
/* Whether a stream item for cl may be sent now: false (and the item is
 * counted as dropped) while its reader lags. Asked before building one. */
bool control_cmd_stream_room(struct control_client *cl);
/* True, after answering req with an error, when cl already has a stream
 * (events or logs -f): one per connection. */
bool control_cmd_stream_busy(struct control_client *cl, const struct proto_request *req);
/* Sends a stream item (stolen), once control_cmd_stream_room said yes. */
void control_cmd_stream(struct control_client *cl, json_t *item);
/* Once a lagging reader has caught up: tells it how many items it lost, as
 * one {"dropped":N} item, and streams again. */
void control_cmd_stream_resume(struct control_client *cl);
struct sup_service *control_cmd_find(struct supervisor *sup, const char *name);
/* Resolves req's names (or all) into out (room for every service); answers
 * unknown_service with a suggestion and returns -1 on a name that is none. */
int control_cmd_resolve(struct control_client *cl, const struct proto_request *req,
                        struct sup_service **out, size_t *n);
json_t *control_cmd_service_json(struct sup_service *ss, uint64_t now);

/* control_query.c: the read-only commands. Each answers req (not freed). */
void control_query_status(struct control_client *cl, struct proto_request *req);
void control_query_pid(struct control_client *cl, struct proto_request *req);
void control_query_health(struct control_client *cl, struct proto_request *req);
void control_query_logs(struct control_client *cl, struct proto_request *req);
void control_query_wait(struct control_client *cl, struct proto_request *req);

#endif
