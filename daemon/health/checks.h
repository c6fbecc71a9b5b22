/* checks.h - readiness and health of one service: when `starting` becomes
 * `up` (notify fd, sd_notify, exec/tcp/http probes every interval, a line of
 * its output matching a regex), and whether an `up` service still answers
 * (health probes; `retries` failures in a row restart it). Probes run only
 * while they mean something: readiness while starting, health while up. */
#ifndef CORRAL_CHECKS_H
#define CORRAL_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "conf.h"
#include "forkpace.h"
#include "pidtab.h"
#include "probe.h"
#include "service.h"
#include "svcplan.h"

struct notify_fd;

/* What the checks tell their owner (the supervisor): the service is ready;
 * it passed its first health check since up; it failed `retries` health
 * checks in a row (text says how). */
struct checks_ops {
    void (*ready)(void *arg);
    void (*healthy)(void *arg);
    void (*unhealthy)(void *arg, const char *text);
};

/* What every service's checks share, owned by the supervisor. */
struct checks_env {
    uv_loop_t *loop;
    struct pidtab *pids;
    int devnull;               /* probes' stdin and output */
    const char *notify_socket; /* NOTIFY_SOCKET for notify: systemd; "" when none */
    struct forkpace *pace;     /* exec probes fork in their turn; NULL: at once */
};

enum checks_mode {
    CHECKS_IDLE,
    CHECKS_READINESS,
    CHECKS_HEALTH,
};

struct checks {
    const struct checks_env *env;
    const struct checks_ops *ops;
    void *arg;
    const struct conf_service *conf; /* the service's current configuration */
    struct svcplan *plan;            /* how to run its probes */
    enum svc_state state;            /* the service's, as last told */
    int pid;                         /* its main process, as last told */
    struct probe probe;
    struct forkpace_waiter turn; /* queued: an exec probe waits its turn to fork */
    uv_timer_t tick;             /* the next attempt */
    enum checks_mode mode;
    struct notify_fd *nfd;
    int nfd_child;  /* the service's end between prepare and spawned */
    uint32_t fails; /* health failures in a row */
    bool healthy;   /* a health check passed (or there is none) since up */
    uint64_t up_ms; /* when it became up: start_period counts from here */
    bool warned_unknown;
    bool said_mainpid;     /* a MAINPID= refused this run: said once, not per datagram */
    bool said_stopping;    /* the same for STOPPING=1 */
    char last[160];        /* the last check's result */
    char status_text[128]; /* sd_notify STATUS= */
};

/* ops and arg are how results reach the owner; env outlives ck. */
int checks_init(struct checks *ck, const struct checks_env *env, const struct checks_ops *ops,
                void *arg);

/* The service's configuration and spawn plan (at creation and whenever a
 * reload gives it new ones); both outlive their use here. */
void checks_set_conf(struct checks *ck, const struct conf_service *conf, struct svcplan *plan);

/* Before a spawn: the notify fd pipe (its number goes into *keep_fd and the
 * environment through *env, "NOTIFY_FD=N"), or the sd_notify socket's name.
 * env is a buffer of env_len bytes; empty when nothing is needed. */
void checks_prepare_spawn(struct checks *ck, int *keep_fd, char *env, size_t env_len);

/* After the spawn (ok false: it failed). */
void checks_spawned(struct checks *ck, bool ok);

/* The service's state (and pid) now: start or stop what runs. */
void checks_on_state(struct checks *ck, enum svc_state state, int pid);

/* A line of its output (for readiness.log). */
void checks_on_line(struct checks *ck, const char *text, size_t len);

/* A datagram on the sd_notify socket from a process of this service. */
void checks_on_sdnotify(struct checks *ck, const char *msg, size_t len);

/* Cancels everything and closes its handles with cb, each handle's data
 * set to data first. Returns how many: the owner counts their close
 * callbacks (libuv never calls one from uv_close itself). */
int checks_close(struct checks *ck, uv_close_cb cb, void *data);

#endif
