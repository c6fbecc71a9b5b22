/* svcset.h - what only the whole set of services can decide, as pure
 * functions over each service's state machine record: whether a dependency
 * meets its condition or never will, whether a service is healthy, whether
 * it may be stopped yet, whether the set has settled, and the exit code of
 * a set that finished by itself. No syscalls, no clock, no libuv: the
 * supervisor asks, then acts (docs/dev/DESIGN.md "Layout"). */
#ifndef CORRAL_SVCSET_H
#define CORRAL_SVCSET_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "service.h"

/* One service as the set logic sees it. */
struct svcset_node {
    const struct svc *svc;
    bool held;          /* stopped on request: it may be started again */
    bool health_passed; /* a health check passed since it last became up */
    bool blocked;       /* waiting on a dependency that will never meet its condition */
};

/* True when dep meets cond now. A oneshot is never up: `ready` means it
 * finished well. `healthy` without a health check means `ready`.
 * `finished` is any end of a oneshot that was started: done, failed, fatal
 * or stopped, or a wait that can never end (blocked); but a critical one
 * that fails or is blocked ends the container instead (the dependency is
 * hopeless). `started` means its program runs (the exec succeeded). */
bool svcset_dep_met(const struct svcset_node *dep, enum conf_condition cond);

/* True when dep will never meet cond by itself (failed, fatal, or finished
 * without meeting it). */
bool svcset_dep_hopeless(const struct svcset_node *dep, enum conf_condition cond);

/* The one meaning of healthy, for `condition: healthy` and for `corralctl
 * health` alike: a long-running service is up and, when it has a health
 * check, one has passed since it became up; a oneshot has not failed; a
 * service stopped on request is not a fault. */
bool svcset_is_healthy(const struct svcset_node *n);

/* During a shutdown: whether n may get its stop request now (a running
 * service waits until no dependent runs). */
bool svcset_may_stop(const struct svcset_node *n, bool has_running_dependent);

/* Whether n keeps a set without a main service alive: it is held, running,
 * or waiting for dependencies that may still come (blocked: one of them is
 * hopeless). */
bool svcset_keeps_running(const struct svcset_node *n, bool blocked);

/* Operator intent, beside what the state machine keeps. */
struct svcset_intent {
    bool held;            /* stopped by request: not counted as finished */
    bool restart_pending; /* restart by request: start again once stopped */
    bool retiring;        /* removed by a reload: goes away once stopped */
    bool pending_conf;    /* a reload's new configuration waits for the stop */
};

/* What follows a change of a service's state. */
struct svcset_after {
    bool go_away;          /* retiring and stopped: announce it, then free it */
    bool apply_pending;    /* take the pending configuration now */
    bool restart;          /* start it again now (and nothing else) */
    bool stop_deps;        /* stopping everything: its dependencies may stop now */
    bool start_dependents; /* its dependents may start now */
    bool judge_fate;       /* main, critical or settled: the container's fate may be decided */
};
struct svcset_after svcset_after_change(const struct svcset_intent *in, bool running,
                                        bool stopping_all);

/* The exit code of a set that finished by itself, from its services in
 * start order: the first failed oneshot's code, else 1 when anything failed
 * for good, else 0; why says which (why_len bytes). */
int svcset_settled_code(const struct svc *const *in_start_order, size_t n, char *why,
                        size_t why_len);

#endif
