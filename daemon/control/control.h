/* control.h - the control socket: newline-delimited JSON requests
 * (proto/), answered on the loop without ever forking, with access checked
 * per command from the peer's credentials (SO_PEERCRED), every buffer
 * bounded, and streams (events, logs -f, wait) for the clients that ask. */
#ifndef CORRAL_CONTROL_H
#define CORRAL_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "proto.h"
#include "sockpath.h"

struct corral;
struct sup_service;
struct control_client;

struct control {
    struct corral *corral;
    uv_pipe_t server;
    bool listening;
    char path[SOCKPATH_MAX];
    struct control_client *clients;
    size_t nclients;
    uid_t self_uid;
    bool has_read_gid, has_admin_gid;
    gid_t read_gid, admin_gid;
};

/* Picks the socket path (--socket, $CORRAL_SOCKET, /run/corral, $XDG_RUNTIME_DIR,
 * /tmp/corral-UID), replaces a stale socket left by a dead corral, refuses
 * to take over a live one, and listens. Returns 0, or -errno after logging
 * why (-EADDRINUSE: another corral is listening there). */
int control_listen(struct control *ctl, struct corral *c, const char *explicit_path);

/* Who besides corral's own uid may use the socket: read_group and
 * admin_group of g (at start, and after a reload of corral.yaml). */
struct conf_global;
void control_set_groups(struct control *ctl, const struct conf_global *g);

/* A service changed state: wakes waiters and sends events. */
void control_on_change(struct control *ctl, struct sup_service *ss);

/* A service record is going away (a reload removed it and it has stopped):
 * every client holding it lets go first. */
void control_on_gone(struct control *ctl, struct sup_service *ss);

/* Closes the server and every client; removes the socket file. */
void control_close(struct control *ctl);

/* ---- for control_cmd.c ---- */

/* Sends one line to a client (copied). Returns 0, or -EPIPE when the client
 * is gone or too slow (it is then closed). */
int control_send(struct control_client *cl, char *line, size_t len);

/* Runs one decoded request for a client (control_cmd.c). */
void control_cmd_run(struct control_client *cl, struct proto_request *req);

/* Stream and waiter state kept per client (control_cmd.c owns its meaning). */
struct control_waiter;
void control_cmd_client_gone(struct control_client *cl);

#endif
