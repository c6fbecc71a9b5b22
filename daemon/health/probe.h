/* probe.h - one attempt of a readiness or health check: exec (a command that
 * must exit 0), tcp (a connect that must succeed) or http (a GET that must
 * answer 2xx), bounded by the check's timeout, never blocking the loop. A
 * probe that cannot even be forked (PID limit) is UNKNOWN, never a failure:
 * that is how the PID-exhaustion incident started killing healthy services. */
#ifndef CORRAL_PROBE_H
#define CORRAL_PROBE_H

#include <stdbool.h>
#include <sys/types.h>

#include <uv.h>

#include "conf.h"
#include "pidtab.h"
#include "spawn.h"

enum probe_result {
    PROBE_OK,
    PROBE_FAIL,
    PROBE_UNKNOWN, /* could not be run: says nothing about the service */
};

struct probe;
struct probe_net;

typedef void (*probe_cb)(struct probe *p, enum probe_result r, const char *why);

struct probe {
    struct pidtab_owner owner; /* exec: the reaper hands the exit back */
    uv_loop_t *loop;
    struct pidtab *pids;
    const struct conf_probe *conf;
    uv_timer_t timeout;
    bool busy;
    pid_t pid; /* exec: the probe's process */
    bool timed_out;
    struct probe_net *net; /* tcp/http: the attempt in flight */
    probe_cb cb;
    void *data;
};

int probe_init(struct probe *p, uv_loop_t *loop, struct pidtab *pids, probe_cb cb, void *data);

/* Starts one attempt of conf. For exec, plan is the service's spawn plan
 * (user, directory, environment); its argv is replaced by the probe's.
 * The result comes through cb, once. */
void probe_start(struct probe *p, const struct conf_probe *conf, const struct spawn_plan *plan,
                 int devnull);

/* Abandons the attempt in flight (its process is killed); no callback. */
void probe_cancel(struct probe *p);

/* True for an HTTP status line that says 2xx ("HTTP/1.1 204 No Content"). */
bool probe_http_ok(const char *status_line, size_t len, int *code);

#endif
