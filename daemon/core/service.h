/* service.h - the state machine of one service: a pure function
 * (state, event) -> (state, actions, reason). It never forks, kills, writes
 * or reads the clock: time comes in as now_ms, and supervisor.c carries the
 * actions out. Includes neither <uv.h> nor <unistd.h> (docs/dev/STYLE.md §1). */
#ifndef CORRAL_SERVICE_H
#define CORRAL_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "backoff.h"
#include "conf.h"

enum svc_state {
    SVC_DOWN,     /* not wanted */
    SVC_WAITING,  /* wanted, dependencies not yet satisfied */
    SVC_STARTING, /* spawned, not ready yet (a oneshot stays here until it exits) */
    SVC_UP,       /* ready */
    SVC_STOPPING, /* stop signal sent, timer armed */
    SVC_BACKOFF,  /* exited or could not fork; restart timer armed */
    SVC_DONE,     /* finished by itself with success, and its policy says no more */
    SVC_FAILED,   /* failed and its restart policy says no more */
    SVC_FATAL,    /* start limit hit: no more restarts */
    SVC_STOPPED,  /* stopped on purpose before it finished by itself */
};
#define SVC_NSTATES (SVC_STOPPED + 1)

enum svc_event_kind {
    SVC_EV_START,        /* wanted: at start-up, or `start` (in BACKOFF: start now) */
    SVC_EV_DEPS_MET,     /* every dependency meets its condition */
    SVC_EV_SPAWNED,      /* its program runs: the exec succeeded (or, unknown, the fork) */
    SVC_EV_SPAWN_FAILED, /* fork failed (err), or the start must wait (text) */
    SVC_EV_READY,        /* readiness reached */
    SVC_EV_EXITED,       /* the process exited: wstatus */
    SVC_EV_STOP,         /* not wanted any more: shutdown, `stop` */
    SVC_EV_TIMER,        /* the timer the last step armed has fired */
    SVC_EV_UNHEALTHY,    /* the health check failed `retries` times in a row: text */
    SVC_EV_RUN_TIMEOUT,  /* a scheduled run took longer than its run_timeout: text */
};

struct svc_event {
    enum svc_event_kind kind;
    int wstatus;      /* EXITED */
    int err;          /* SPAWN_FAILED: positive errno */
    const char *what; /* SPAWN_FAILED with err: what failed ("pipe"; NULL: the fork) */
    const char *text; /* UNHEALTHY: why; TIMER while starting: the last readiness check;
                         SPAWN_FAILED: why the start waits, when no fork failed */
    /* EXITED, and TIMER or START in BACKOFF: a spawn now would have to wait
     * its turn (the supervisor paces spawns over loop turns). A restart or
     * start then waits in BACKOFF, with no timer, for the TIMER its turn
     * brings (SVC_ACT_AWAIT_TURN). */
    bool spawn_waits;
    /* EXITED while running: a stop of it was asked for and waits (queued
     * behind its dependents): the exit is that stop, not a crash to
     * restart it from. */
    bool as_stop;
};

enum svc_action_kind {
    SVC_ACT_SPAWN,        /* start the process; report SPAWNED or SPAWN_FAILED */
    SVC_ACT_SIGNAL,       /* send sig to the service's whole tree */
    SVC_ACT_ARM_TIMER,    /* (re)arm the service's one timer: delay_ms */
    SVC_ACT_CANCEL_TIMER, /* stop that timer */
    SVC_ACT_AWAIT_TURN,   /* wait for a turn to spawn; report TIMER when it comes */
};

struct svc_action {
    enum svc_action_kind kind;
    int sig;
    uint64_t delay_ms;
};

#define SVC_MAX_ACTIONS 3
#define SVC_REASON_MAX  160
#define SVC_STARTS_KEPT 64 /* start times kept whatever the interval: exact to this burst */

/* The runtime record of one service. Only svc_step changes these fields,
 * apart from what the supervisor sets: pid, no_restart, conf (a reload's
 * new configuration) and reason (a dependency that will never come). */
struct svc {
    const struct conf_service *conf;
    enum svc_state state;
    int pid;              /* > 0 while a process runs */
    bool exec_ok;         /* its program runs: SPAWNED came since the last spawn */
    uint64_t started_ms;  /* when the current/last process was spawned */
    uint32_t restarts;    /* automatic restarts whose process was spawned */
    bool restart_due;     /* the next spawn is an automatic restart */
    bool restart_counted; /* the latest spawn counted one (taken back if it fails) */
    bool has_exited;      /* last_wstatus is meaningful */
    int last_wstatus;
    bool failed_once;       /* the last exit was a failure */
    bool no_restart;        /* set by the supervisor at shutdown: an exit is final */
    bool stop_is_failure;   /* stopping for a failure (stop_cause), which decides what
                               follows (a restart); a stop asked for meanwhile clears it */
    uint64_t next_start_ms; /* BACKOFF: when the restart is due (or was: waiting its turn) */
    struct backoff backoff;
    /* start_limit's sliding window: a ring of spawn times, grown as the
     * service restarts to SVC_STARTS_KEPT, and past it only while starts
     * crowd into one interval, up to burst (only those can matter). One
     * that never ran keeps none. */
    uint64_t *starts;
    uint32_t starts_cap;
    uint32_t starts_head; /* the next slot; the newest time is just before it */
    uint32_t starts_kept; /* times in the ring */
    /* The latest start, for its undoing when nothing ran. */
    bool start_counted;   /* it wrote a time */
    bool start_overwrote; /* over start_displaced, in a full ring */
    uint64_t start_displaced;
    char reason[SVC_REASON_MAX];
    char last_failure[64]; /* what the last failed run ended with ("exited 1", "unhealthy") */
    /* While STOPPING: why corral stops it as a failure ("not ready in time"),
     * kept when a stop asked for meanwhile decides what follows: the run
     * failed all the same. "" for a stop asked for (svc_begin_stop). */
    char stop_cause[96];
};

struct svc_step {
    enum svc_state state;
    struct svc_action actions[SVC_MAX_ACTIONS];
    int nactions;
    bool changed; /* the state or its reason changed: worth a log line */
};

/* Starts a record for conf in state DOWN. It owns memory from its first
 * start on: svc_free releases it. A new conf (a reload) may be set at any
 * time: the starts it made count toward the new start_limit (past a burst
 * of SVC_STARTS_KEPT, those kept under the old interval and burst). */
void svc_init(struct svc *s, const struct conf_service *conf);

void svc_free(struct svc *s);

/* Applies ev at now_ms: updates s (state, counters, reason) and returns the
 * actions for the supervisor. An event that means nothing in the current
 * state changes nothing and returns no action. */
struct svc_step svc_step(struct svc *s, const struct svc_event *ev, uint64_t now_ms);

/* True when the exit status counts as success for this service. */
bool svc_exit_is_success(const struct svc *s, int wstatus);

/* True in the states where a process may exist (STARTING, UP, STOPPING). */
bool svc_is_running(const struct svc *s);

/* True when the service will not run again by itself: DONE, FAILED, FATAL,
 * STOPPED (and DOWN). */
bool svc_is_finished(const struct svc *s);

const char *svc_state_name(enum svc_state st);

#endif
