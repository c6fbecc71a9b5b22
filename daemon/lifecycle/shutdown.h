/* shutdown.h - the way out (docs/dev/DESIGN.md "Shutdown"): stop the services in
 * reverse dependency order (the supervisor does it, each with its stop signal
 * and stop_timeout), sweep whatever is left (SIGTERM, grace, SIGKILL:
 * kill(-1) as PID 1, corral's descendants as a subreaper), reap until nothing
 * is left, and stop the loop with the exit code. Bounded by shutdown_timeout. */
#ifndef CORRAL_SHUTDOWN_H
#define CORRAL_SHUTDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "cli.h"
#include "reaper.h"
#include "supervisor.h"

/* What the shutdown sequence works with; each outlives it. */
struct shutdown_env {
    uv_loop_t *loop;
    struct supervisor *sup;
    struct reaper *reaper;
    const struct cli_opts *opts; /* --success-code and friends map the main's code */
    bool is_pid1;                /* kill(-1) reaches the whole namespace */
    bool interactive;            /* take the terminal back from the main */
    bool quiet;                  /* pure init mode: a main that simply exited says nothing */
};

enum shutdown_phase {
    SHUTDOWN_RUNNING,
    SHUTDOWN_PRE_SCRIPTS,  /* pre_shutdown_scripts running; the services still run */
    SHUTDOWN_STOPPING,     /* services being stopped in order */
    SHUTDOWN_POST_SCRIPTS, /* services gone; post_shutdown_scripts running */
    SHUTDOWN_SWEEP_TERM,   /* services gone; SIGTERM sent to the rest, grace armed */
    SHUTDOWN_SWEEP_KILL,   /* SIGKILL sent to the rest; reaping the last */
    SHUTDOWN_DONE,
};

enum shutdown_cause {
    SHUTDOWN_CAUSE_SIGNAL,   /* SIGTERM/SIGINT */
    SHUTDOWN_CAUSE_MAIN,     /* the main service finished */
    SHUTDOWN_CAUSE_CRITICAL, /* a critical service failed for good */
    SHUTDOWN_CAUSE_SETTLED,  /* no main, and every service has finished */
    SHUTDOWN_CAUSE_REQUEST,  /* corralctl shutdown */
};

struct shutdown {
    struct shutdown_env env;
    struct sup_listener listener; /* the supervisor's fate and all-stopped */
    enum shutdown_phase phase;
    enum shutdown_cause cause;
    int exit_code;  /* for CRITICAL and SETTLED; the main's status decides otherwise */
    int final_code; /* what corral exits with, once DONE */
    char why[256];
    uint64_t grace_ms;
    uint64_t timeout_ms; /* the whole sequence */
    uv_timer_t timer;    /* grace, then the final bound */
    uv_timer_t bound;    /* shutdown_timeout */
    char *pre_dir;       /* owned: pre_shutdown_scripts; NULL: none */
    char *post_dir;      /* owned: post_shutdown_scripts; NULL: none */
    int main_sig;        /* for the services' stop, once the pre-shutdown scripts are done */
};

/* Prepares the sequence and listens to env->sup. Returns 0 or -errno. */
int shutdown_init(struct shutdown *s, const struct shutdown_env *env, uint64_t grace_ms,
                  uint64_t timeout_ms);

/* A SIGTERM or SIGINT arrived. The first starts the shutdown (the main
 * service is stopped with main_sig, 0 for none); a second skips ahead. */
void shutdown_request(struct shutdown *s, int sig, int main_sig);

/* The container's fate is decided by something else than a signal. The
 * first cause wins; code and why are used for CRITICAL and SETTLED. */
void shutdown_begin(struct shutdown *s, enum shutdown_cause cause, int code, const char *why);

/* After each reaper drain: finishes the sweep once no child is left. */
void shutdown_on_drained(struct shutdown *s, bool no_children);

/* New grace and shutdown_timeout (a reload of corral.yaml): taken while
 * nothing is shutting down, ignored once the shutdown has begun. */
void shutdown_set_timings(struct shutdown *s, uint64_t grace_ms, uint64_t timeout_ms);

/* The script directories run before the services stop and once they have
 * stopped (copied; NULL: none). Taken while nothing is shutting down. */
void shutdown_set_scripts(struct shutdown *s, const char *pre_dir, const char *post_dir);

/* What corral exits with, once the loop has stopped. */
int shutdown_exit_code(const struct shutdown *s);

void shutdown_close(struct shutdown *s);

#endif
