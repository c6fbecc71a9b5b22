/* supervisor.h - the service runtime: runs the services of a conf_set,
 * feeds events to each service's state machine (core/service.c) and carries
 * out the actions it returns (spawn, signal the tree, timers); starts
 * dependents when their dependencies meet their conditions; stops in
 * reverse dependency order; swaps in a reloaded set. It tells the layers
 * above what happens only through the listeners they register (a service
 * changed state, is going away, the container's fate is decided, every
 * service has stopped), and offers them a query and request API. Nobody
 * outside supervise/ reads a record's fields. */
#ifndef CORRAL_SUPERVISOR_H
#define CORRAL_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "conf.h"
#include "notify.h"
#include "output.h"
#include "pidtab.h"
#include "reaper.h"
#include "ring.h"
#include "service.h"
#include "spawn.h"

struct supervisor;
struct sup_service;

/* How the supervisor starts and signals processes: spawn_start and kill(2)
 * unless a test gives its own (no process is then made or signalled). */
struct sup_procs {
    int (*spawn)(const struct spawn_plan *plan, int report_fd, pid_t *pid, int *exec_fd);
    int (*kill)(pid_t pid, int sig);
};

/* What the supervisor is given, from the layers below; each outlives it. */
struct sup_env {
    const struct sup_procs *procs; /* NULL: the real ones */
    uv_loop_t *loop;
    struct pidtab *pids;
    struct output *out;
    struct reaper *reaper;
    const char *notify_socket; /* NOTIFY_SOCKET for notify: systemd; "" when none */
    const char *pids_dir;      /* the pids cgroup (pidbudget_locate); NULL or "": none */
    bool quiet;                /* pure init mode: state changes are debug lines */
    bool interactive;          /* the main gets corral's terminal */
    bool single_child;         /* signals reach the main's process alone */
    /* Called before a service's exit is handled, while its pid still names
     * it (the /dev/log messages it sent last); NULL: nothing to do. */
    void (*before_exit)(void *arg);
    void *before_exit_arg;
};

/* Why the container should end (decided by the supervisor, carried out by
 * whoever listens: the shutdown sequence). */
enum sup_fate {
    SUP_FATE_MAIN,     /* the main service finished */
    SUP_FATE_CRITICAL, /* a critical service failed for good: code, why */
    SUP_FATE_SETTLED,  /* no main, and every service has finished: code, why */
};

/* Someone who hears what the supervisor decides (dinit's service_listener).
 * Any callback may be NULL. A listener must not free the supervisor from a
 * callback. */
struct sup_listener {
    /* A service changed state (or reason). */
    void (*on_change)(struct sup_listener *l, struct sup_service *ss);
    /* A record is going away: drop every pointer to it now (docs/dev/STYLE.md
     * §5a). */
    void (*on_gone)(struct sup_listener *l, struct sup_service *ss);
    void (*on_fate)(struct sup_listener *l, enum sup_fate fate, int code, const char *why);
    /* During a stop of everything: no service has a process any more. */
    void (*on_all_stopped)(struct sup_listener *l);
    struct sup_listener *next;
};

/* ---- life of the supervisor ---------------------------------------------- */

/* Takes ownership of set and makes a record per service. On success *out
 * is the caller's, to close with sup_close and free with sup_free. Returns
 * 0 or -errno (set is freed either way). */
int sup_new(const struct sup_env *env, struct conf_set *set, struct supervisor **out);

/* l hears everything from now on; it stays registered while sup lives. */
void sup_listen(struct supervisor *sup, struct sup_listener *l);

/* Wants every service: each starts once its dependencies allow. */
void sup_start_all(struct supervisor *sup);

/* Stops every service, each once no running service depends on it. The main
 * service is stopped with main_sig instead of its stop_signal (the signal
 * that asked corral to stop, as tini forwards it), unless its file sets
 * stop_signal; -1 keeps its own. */
void sup_stop_all(struct supervisor *sup, int main_sig);

/* SIGKILLs the tree of every running service at once. */
void sup_kill_all(struct supervisor *sup);

/* At corral's exit: reads all that every service's pipes still hold (before
 * the exit line). */
void sup_drain_output(struct supervisor *sup);

/* True when no service has a process any more. */
bool sup_all_stopped(const struct supervisor *sup);

/* Closes every record (their memory goes in close callbacks); sup_free,
 * after the loop has run them, frees the rest. NULL is a no-op. */
void sup_close(struct supervisor *sup);
void sup_free(struct supervisor *sup);

/* ---- script directories ---------------------------------------------------- */

/* Told once when a run of scripts is over: code 0 when every script
 * succeeded (or, without stop_at_failure, ran), else the failing script's
 * exit code (128+N for signal N) and why ("startup script DIR/10_x exited
 * 3"). */
typedef void (*sup_scripts_cb)(void *arg, int code, const char *why);

/* Runs the scripts of set (conf_scripts_load; taken, also on failure) one
 * at a time in order, each to completion, their lines under their own
 * names; what names them in the log ("startup script"). With
 * stop_at_failure, a failing script ends the run. A script is no service:
 * status and events do not show it. cb comes once the run is over (at once
 * for an empty set), unless it is aborted. Returns 0 or -ENOMEM. */
int sup_scripts_run(struct supervisor *sup, struct conf_set *set, const char *what,
                    bool stop_at_failure, sup_scripts_cb cb, void *arg);

/* Ends every run in flight: the running script gets its stop signal
 * (SIGKILL after its stop_timeout, or at once with sup_kill_all), nothing
 * more runs and no cb comes. sup_all_stopped counts its process. */
void sup_scripts_abort(struct supervisor *sup);

/* ---- the container environment ---------------------------------------------- */

/* Reads the NAME files of dir (corral.yaml's container_environment; NULL:
 * none) now, and again after each script and each oneshot that exits: what
 * they write reaches every process started after. A variable of corral's
 * own environment wins over a file that was there at the start, unchanged.
 * With write, the final environment is written to dir, dir.sh and
 * dir.json (mode 0600). Creates dir (0700) when missing. Returns 0 or
 * -ENOMEM; read errors are logged. */
int sup_container_env(struct supervisor *sup, const char *dir, bool write);

/* ---- requests -------------------------------------------------------------- */

/* Start a service (its dependencies decide when), stop it (held down until
 * started again), or stop it and start it again. */
void sup_start_service(struct sup_service *ss);
void sup_stop_service(struct sup_service *ss);
void sup_restart_service(struct sup_service *ss);

/* Stops every service of list (or, with restart, stops and starts it again)
 * in dependency order: each gets its stop once no service of the list that
 * depends on it still runs, and a restarted one starts again once what it
 * depends on in the list is back. */
void sup_stop_ordered(struct sup_service **list, size_t n, bool restart);

/* Sends sig by the one rule: the service's process group (its process
 * alone if it left the group), or the main's process alone under
 * --single-child. Returns 0, or -ESRCH when it has no process. */
int sup_signal_service(struct sup_service *ss, int sig);

/* The same for the main service; -ESRCH when there is none running. */
int sup_signal_main(struct supervisor *sup, int sig);

/* A datagram on the sd_notify socket (arg: the supervisor), from a process
 * of corral's PID namespace: handed to the service whose process tree holds
 * the sender. Returns false when no service of notify: systemd has it in
 * its tree (the socket counts and logs the refusal: sdnotify_cb). */
bool sup_on_sdnotify(void *arg, const struct notify_sender *from, const char *msg, size_t len);

/* ---- reload ---------------------------------------------------------------- */

/* What a reload would do to each service, by name (owned; see
 * sup_plan_close). */
struct sup_plan {
    char **added, **removed, **restarted, **kept;
    size_t n_added, n_removed, n_restarted, n_kept;
};

/* Compares the running records with set. Returns 0 or -ENOMEM. */
int sup_plan(const struct supervisor *sup, const struct conf_set *set, struct sup_plan *plan);
void sup_plan_close(struct sup_plan *plan);

/* Swaps set in (taking ownership, also on failure): added services start,
 * removed ones stop and go away, changed ones restart with their new
 * configuration, the others take it at once. Returns 0 or -ENOMEM (then
 * nothing changed). */
int sup_swap_set(struct supervisor *sup, struct conf_set *set);

/* ---- queries ---------------------------------------------------------------- */

/* The service named name, or NULL. */
struct sup_service *sup_find(const struct supervisor *sup, const char *name);

/* The services of the current set, in start order (i < sup_count). */
size_t sup_count(const struct supervisor *sup);
struct sup_service *sup_at(const struct supervisor *sup, size_t i);

/* The main service, or NULL. */
struct sup_service *sup_main(const struct supervisor *sup);

const char *sup_name(const struct sup_service *ss);
enum svc_state sup_state(const struct sup_service *ss);

/* The configuration the service runs with (valid while the record lives). */
const struct conf_service *sup_conf(const struct sup_service *ss);

/* A plain-values copy of what `status` shows of a service at now (loop ms). */
struct sup_view {
    const char *name; /* valid while the record lives */
    enum svc_state state;
    const char *reason;
    int pid;
    uint32_t restarts;
    enum conf_type type;
    bool main, critical, held;
    uint64_t uptime_ms;
    bool has_exited;
    int last_wstatus;
    bool exit_code_is_success; /* its last exit code (128+N for signal N) is in success_codes */
    uint64_t next_start_in_ms; /* BACKOFF only */
    bool has_health;           /* a health check is configured */
    bool healthy;              /* see sup_is_healthy */
    bool health_passed;        /* one has passed since it became up */
    const char *check;         /* the last check's result, "" when none */
    const char *status_text;   /* sd_notify STATUS=, "" when none */
    uint64_t log_file_lost;    /* lines its log file could not take (a full disk) */
    /* A scheduled job (schedule or every): */
    bool scheduled;
    const char *schedule; /* as written; NULL for every */
    bool schedule_local;  /* read in corral's local time (timezone: local) */
    uint64_t every_ms;
    uint64_t next_run_ms;     /* wall clock; UINT64_MAX: none to come */
    uint64_t last_run_ms;     /* wall clock: when its last run started; 0: never */
    uint64_t runs;            /* runs its schedule started */
    uint64_t skipped;         /* due times skipped while a run went on */
    bool queued;              /* a run waits for the current one to end */
    uint64_t log_run_dropped; /* lines of its latest run that missed corral's output */
    pid_t pgid;               /* its latest process's group (0: never started) */
    uint64_t orphans_reaped;  /* orphans from its tree corral has reaped */
    uint64_t fork_failures;   /* forks of its process that failed, in all */
    long fork_pids_current;   /* the PID budget at the last one (-1: unknown) */
    long fork_pids_max;       /* ... (-1: no limit) */
};
void sup_view(const struct sup_service *ss, uint64_t now, struct sup_view *v);

/* An adopted orphan (a reaper_orphan_cb; arg: the supervisor): counted for
 * the record whose recent process group, or (while it is a zombie) session,
 * holds it (docs/diagnosing.md "Orphans"). True when the group named it. */
bool sup_on_orphan(void *arg, pid_t pid, pid_t pgid, bool zombie);

/* Orphans reaped that no service's groups held. */
uint64_t sup_orphans_unattributed(const struct supervisor *sup);

/* The one meaning of healthy (core/svcset.h svcset_is_healthy). */
bool sup_is_healthy(const struct sup_service *ss);

/* New lines of the service's output go to f until sup_unfollow (which the
 * follower must call before the record goes away: on_gone). */
void sup_follow(struct sup_service *ss, struct output_follower *f);
void sup_unfollow(struct sup_service *ss, struct output_follower *f);

/* The last n lines kept for the service, at or after since_ms (0: all),
 * oldest first, each handed to fn. */
void sup_logs(const struct sup_service *ss, size_t n, uint64_t since_ms, ring_cb fn, void *arg);

#endif
