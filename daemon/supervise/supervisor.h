/* supervisor.h - runs the services of a conf_set: feeds events to each
 * service's state machine (service.c) and carries out the actions it returns
 * (spawn, signal the tree, timers); starts dependents when their dependencies
 * meet their conditions; stops in reverse dependency order; and tells the
 * shutdown module when the container's fate is decided (main exited, a
 * critical service failed, everything finished). */
#ifndef CORRAL_SUPERVISOR_H
#define CORRAL_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "checks.h"
#include "conf.h"
#include "output.h"
#include "pidtab.h"
#include "proctree.h"
#include "service.h"
#include "svcplan.h"

struct corral;
struct supervisor;

/* A loaded configuration, alive while a service record still uses it (a
 * reload swaps sets while old services are still stopping). */
struct sup_setref {
    struct conf_set *set;
    int refs;
};

/* An edge of the runtime dependency graph (sup_graph.c). */
struct sup_dep {
    struct sup_service *ss;
    enum conf_condition condition;
};

struct sup_service {
    struct pidtab_owner owner; /* first: the reaper hands this back */
    struct supervisor *sup;
    struct svc svc;
    uv_timer_t timer;
    struct svcplan plan;
    struct output_svc output;
    struct checks checks;
    int closing;            /* handles still closing before it is freed */
    uint32_t fork_failures; /* in the current burst */
    bool tail_pending;      /* print its last lines under the next state line */
    bool held;              /* stopped by request: corral does not count it as finished */
    bool restart_pending;   /* restart by request: start again once stopped */
    struct sup_setref *ref; /* the set svc.conf belongs to */
    /* reload: a changed configuration, applied once the process has stopped */
    const struct conf_service *pending_conf;
    struct sup_setref *pending_ref;
    bool retiring; /* removed by a reload: freed once stopped */
    struct sup_service *next_retiring;
    /* The runtime dependency graph, rebuilt whenever the records change. */
    struct sup_dep *deps; /* what it waits for (current records only) */
    size_t n_deps;
    struct sup_service **dependents; /* what waits for it, retiring ones included */
    size_t n_dependents;
};

struct supervisor {
    struct corral *corral;
    struct conf_set *set;      /* the current set (setref->set) */
    struct sup_setref *setref; /* one reference held by the supervisor */
    struct sup_service **svcs; /* in the order of set->services; each owned */
    size_t n;
    struct sup_service *retiring; /* removed by a reload, still stopping */
    /* /proc as read for the stops of this loop tick (see sup_signal_tree). */
    struct proctree_snap snap;
    uint64_t snap_ms;
    uint64_t snap_reaped;
    struct sup_service *main; /* the main service, or NULL */
    int devnull;              /* stdin of every service but the main */
    bool stopping;            /* shutdown: stop all, dependents first */
    int main_stop_sig;        /* during shutdown: the main's stop signal (0: none) */
    bool quiet;               /* pure init mode: state changes are debug lines */
    uint64_t stopped_ms;      /* when stopping began */
    /* The pipe every service's child reports a failed exec on, and its watch. */
    int report_fds[2];
    uv_poll_t report_poll;
    bool report_polling;
    unsigned spawns_unread; /* spawns since the pipe was last read */
};

/* Takes ownership of set and prepares a runtime record per service.
 * Returns 0 or -errno. */
int sup_init(struct supervisor *sup, struct corral *c, struct conf_set *set, bool quiet);

/* Wants every service: each starts once its dependencies allow. */
void sup_start_all(struct supervisor *sup);

/* Stops every service, each once no running service depends on it. The main
 * service is stopped with main_sig instead of its stop_signal (the signal
 * that asked corral to stop, as tini forwards it); -1 keeps its own. */
void sup_stop_all(struct supervisor *sup, int main_sig);

/* SIGKILLs the tree of every running service at once. */
void sup_kill_all(struct supervisor *sup);

/* Reads what every service's pipes still hold (before the exit line). */
void sup_drain_output(struct supervisor *sup);

/* True when no service has a process any more. */
bool sup_all_stopped(const struct supervisor *sup);

/* Requests from the control socket: start a service (and let its
 * dependencies decide when), stop it (held down until started again), or
 * stop it and start it again. */
void sup_start_service(struct sup_service *ss);
void sup_stop_service(struct sup_service *ss);
void sup_restart_service(struct sup_service *ss);

/* From checks.c: the service is ready; it passed its first health check;
 * it failed `retries` health checks in a row (text says how). */
void sup_ready(struct sup_service *ss);
void sup_healthy(struct sup_service *ss);
void sup_unhealthy(struct sup_service *ss, const char *text);

/* A datagram on the sd_notify socket: handed to the service whose process
 * tree holds pid; from anyone else it is ignored. */
void sup_on_sdnotify(void *arg, pid_t pid, const char *msg, size_t len);

/* Sends sig to the main service (its process group, or the process alone
 * when single_child). Returns 0, or -ESRCH when there is no main running. */
int sup_signal_main(struct supervisor *sup, int sig, bool single_child);

/* Creates the record of one service of ref's set (taking a reference).
 * Returns NULL when out of memory. */
struct sup_service *sup_service_new(struct supervisor *sup, const struct conf_service *conf,
                                    struct sup_setref *ref, int index);

/* Gives a running record a new configuration now (its process keeps
 * running: only what does not touch the process changed), or once stopped
 * (then it starts again with it). */
void sup_service_reconf(struct sup_service *ss, const struct conf_service *conf,
                        struct sup_setref *ref, bool restart);

/* A service removed by a reload, already marked retiring and on the
 * supervisor's retiring list: stopped, then freed. */
void sup_service_retire(struct sup_service *ss);

struct sup_setref *sup_setref_new(struct conf_set *set);
void sup_setref_put(struct sup_setref *ref);

/* Closes every record (their memory goes in close callbacks); sup_free, after
 * the loop has run them, frees the rest. */
void sup_close(struct supervisor *sup);
void sup_free(struct supervisor *sup);

#endif
