/* control_client.h - one connection to the control socket: its I/O
 * (request lines read at a fair pace, bounded replies, never blocking the
 * loop), its one stream, its one wait, and its lifetime: a client embeds a
 * pipe, an idle handle, two timers and a poll handle and is freed after the
 * last of their close callbacks. Used by control_query.c,
 * control_cmd.c and control.c above it. */
#ifndef CORRAL_CONTROL_CLIENT_H
#define CORRAL_CONTROL_CLIENT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "control.h"
#include "outfmt.h"
#include "output.h"
#include "proto.h"
#include "supervisor.h"

struct control_client {
    uv_pipe_t pipe;
    struct control *ctl;
    struct control_client *next;
    /* Requests read and not handled yet: whole lines, then part of one.
     * At most CONTROL_REQUESTS_PER_TURN are handled per loop turn, none
     * while its replies hold CONTROL_REPLIES_HELD unread, and the socket is
     * not read while a whole line waits: a client that pipelines thousands
     * of requests, or reads none of its replies, gets its share of the
     * loop and of memory, no more. */
    struct outbuf in;
    void (*on_line)(struct control_client *cl, const char *line, size_t len);
    uv_idle_t turn; /* active while lines wait for the next loop turn */
    bool reading;
    bool ended; /* control_client_end: no more requests */
    bool shut;  /* its sending side shut down: nothing more is sent */
    /* What it has yet to read: one write in flight, and everything sent
     * since in one buffer that goes out when that write is done (one
     * allocation per client, not one per item). */
    uv_write_t write_req;
    char *inflight; /* owned; NULL when no write is in flight */
    size_t inflight_len, inflight_size;
    char *pending; /* owned */
    size_t pending_len, pending_size;
    size_t out_queued; /* memory those hold, allocation overhead included */
    uid_t uid;
    gid_t gid;
    pid_t pid;
    gid_t groups[64]; /* supplementary groups (SO_PEERGROUPS) */
    int ngroups;
    bool closing;
    int closes_pending; /* its pipe and timers: freed after the last close */
    /* Until it has run a request, it must send one before this fires
     * (CONTROL_FIRST_REQUEST_MS); a refused client is closed by it at the
     * latest. */
    uv_timer_t deadline;
    bool deadline_extended; /* once, for a request sent in time, not read yet */
    bool requested;         /* has run a request: the deadline no longer applies */
    bool refused;           /* over a cap: told why and closing; holds no slot */
    /* Its stream: at most one per connection, for as long as it stays open. */
    int64_t stream_id;
    bool stream_lagging;     /* dropping items until the reader catches up */
    uint64_t stream_dropped; /* items dropped since the last report */
    bool events;
    struct output_follower follower;
    struct sup_service *following; /* dropped when the record goes away */
    /* Its wait. */
    bool waiting;
    struct proto_request wait_req; /* each service named once */
    size_t wait_unmet;             /* the first of its names not met at the last look */
    uv_timer_t wait_timer;
    bool wait_timer_ready;
    /* Once it has sent all it will (EOF) while a wait or a stream is still
     * owed: reading no longer tells its half-close from a full one, so a
     * duplicate of its socket is polled for the hang-up alone (EPOLLHUP,
     * which a stream socket reports once both directions are shut). */
    uv_poll_t hangup;
    int hangup_fd;
    bool hangup_ready;
};

/* A new client on ctl's list, its pipe and timers initialised on loop (not
 * accepted yet, no timer started). NULL when out of memory. */
struct control_client *control_client_new(struct control *ctl, uv_loop_t *loop);

/* Ends the client: its stream and wait let go, its handles closed, its
 * memory freed after the last close callback. A second call is a no-op. */
void control_client_close(struct control_client *cl);

/* Starts reading request lines: each whole one (without its newline) goes
 * to on_line, which may close the client. A line of PROTO_LINE_MAX bytes or
 * more gets a too_large error, and the connection ends. */
void control_client_read(struct control_client *cl,
                         void (*on_line)(struct control_client *cl, const char *line, size_t len));

/* True while a request may wait unread: bytes in its socket, or a whole
 * line not handled yet. */
bool control_client_has_input(const struct control_client *cl);

/* Reads no more requests, lets the replies already queued go out, and
 * those still owed (a wait's; a stream's items, until the client hangs
 * up), then closes the connection. */
void control_client_end(struct control_client *cl);

/* Sends one line (taken, freed here). Returns 0, or -EPIPE when the client
 * is gone or too slow (it is then closed). */
int control_client_send(struct control_client *cl, char *line, size_t len);

/* Replies. */
void control_client_ok(struct control_client *cl, int64_t id, json_t *result);
void control_client_error(struct control_client *cl, int64_t id, enum proto_err code,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* True, after answering req with an error, when cl already has a stream
 * (events or logs -f): one per connection. */
bool control_client_stream_busy(struct control_client *cl, const struct proto_request *req);
/* Whether a stream item may be sent now: false (and the item is counted as
 * dropped) while the reader lags. Asked before building one. */
bool control_client_stream_room(struct control_client *cl);
/* Sends a stream item (stolen), once control_client_stream_room said yes. */
void control_client_stream(struct control_client *cl, json_t *item);
/* Starts following ss's output lines as this client's stream. */
void control_client_follow(struct control_client *cl, struct sup_service *ss, int64_t id);
/* Stops following (ss going away or the client gone). */
void control_client_unfollow(struct control_client *cl);

#endif
