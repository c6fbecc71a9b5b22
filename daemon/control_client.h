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
    /* Streams: at most one per connection, for as long as it stays open. */
    int64_t stream_id;
    bool events;
    struct output_follower follower;
    struct sup_service *following;
    /* wait */
    bool waiting;
    struct proto_request wait_req;
    uv_timer_t wait_timer;
    bool wait_timer_ready;
};

#endif
