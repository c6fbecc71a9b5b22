/* control.h - the control socket: newline-delimited JSON requests
 * (proto/), answered on the loop without ever forking, with access checked
 * per command from the peer's credentials (SO_PEERCRED), every buffer
 * bounded, and streams (events, logs -f, wait) for the clients that ask.
 * It listens to the supervisor (state changes, records going away) and
 * asks the composition root, through control_ops, for what lies beside it
 * (reload, shutdown, corral's own figures). */
#ifndef CORRAL_CONTROL_H
#define CORRAL_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "acceptdrop.h"
#include "conf.h"
#include "proto.h"
#include "sockpath.h"
#include "supervisor.h"

struct control_client;

/* What the root does for control. */
struct control_ops {
    /* reload_run's contract (lifecycle/reload.h). */
    int (*reload)(void *arg, bool dry_run, json_t **result, json_t **errors);
    /* corralctl scale: reload_run's contract with one more count (NULL: not
     * offered). */
    int (*scale)(void *arg, const struct conf_scale *scale, bool dry_run, json_t **result,
                 json_t **errors);
    /* corralctl shutdown: why names the asker. */
    void (*shutdown)(void *arg, const char *why);
    bool (*shutting_down)(void *arg);
    /* The "corral" object of status (a new reference). */
    json_t *(*corral_status)(void *arg);
    /* The diagnostics' figures read now (docs/diagnosing.md): {"budget",
     * "services": {NAME: {...}}, "corral"}; detail adds CPU, memory and
     * fds (top). A new reference, or NULL. */
    json_t *(*figures)(void *arg, bool detail);
    /* The Prometheus text exposition of `metrics` (the caller frees it), or
     * NULL when out of memory. */
    char *(*metrics)(void *arg, size_t *len);
};

struct control_env {
    uv_loop_t *loop;
    struct supervisor *sup;
    const struct control_ops *ops;
    void *arg;
    bool quiet; /* pure init mode: where it listens is a debug line */
};

struct control {
    struct control_env env;
    struct sup_listener listener;
    uv_pipe_t server;
    bool listening;
    struct acceptdrop drop;  /* connections no client record could be had for */
    char path[SOCKPATH_MAX]; /* "@NAME" for an abstract socket */
    bool has_file;           /* file_fd: O_PATH, the very file corral bound */
    int file_fd;
    struct control_client *clients;
    size_t nclients;        /* on the list, refused ones included */
    size_t out_queued;      /* memory every client's unread replies hold */
    size_t out_queued_peak; /* its peak since memory was last given back */
    uid_t self_uid;
    bool has_read_gid, has_admin_gid;
    gid_t read_gid, admin_gid;
    /* Refused clients: when the last line said so, and how many since. */
    bool refusal_logged;
    uint64_t refusal_log_ms;
    uint64_t refusals_unlogged;
};

/* Picks the socket (explicit_path, $CORRAL_SOCKET, g's socket; else the
 * first usable of /run/corral, $XDG_RUNTIME_DIR, /tmp/corral-UID and the
 * abstract @corral-UID), replaces a stale socket left by a dead corral,
 * refuses to take over a live one, and listens. A default place whose
 * directory someone else could write is passed over. Returns 0 (listening,
 * or, when no default place could be used, without a socket, said in one
 * line), or -errno after logging why: the path named could not be used, or
 * -EADDRINUSE, another corral listens there. Either way control_close
 * undoes it. */
int control_listen(struct control *ctl, const struct control_env *env, const struct conf_global *g,
                   const char *explicit_path);

/* Who besides corral's own uid may use the socket: read_group and
 * admin_group of g (at start, and after a reload of corral.yaml, when the
 * mode of the file corral bound follows: 0666 with a group, else 0600). */
void control_set_groups(struct control *ctl, const struct conf_global *g);

/* A warning of the diagnostics for every events stream: {"time_ms",
 * "warning": kind, "service" (or null), "text"}. */
void control_publish_warning(struct control *ctl, const char *kind, const char *service,
                             const char *text);

/* Clients connected now. */
size_t control_clients(const struct control *ctl);

/* Closes the server and every client; removes the socket file. */
void control_close(struct control *ctl);

#endif
