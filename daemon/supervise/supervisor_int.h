/* supervisor_int.h - what the files of supervise/ share among themselves:
 * the records and the supervisor itself. Each file's job, bottom up (no
 * file calls one above it):
 *   sup_graph.c    the runtime dependency graph of record pointers
 *   sup_records.c  a record's life: made, given a configuration, closed
 *   sup_query.c    plain-values views and lookups for the layers above
 *   sup_spawn.c    starting a record's process, signalling its tree
 *   sup_starts.c   spawns paced over loop turns, the rest waiting in order
 *   sup_orphans.c  which record an adopted orphan came from
 *   sup_leftovers.c  what a dead main process left of its tree
 *   sup_hook.c     a service's finish and stop_command processes
 *   sup_cenv.c     the container environment: read again, plans rebuilt
 *   sup_scripts.c  a directory of scripts, one at a time (above supervisor.c:
 *                  the runtime hears of it only through on_script_change)
 *   supervisor.c   the runtime: events in, actions out, the whole set
 *   sup_reload.c   a reload's plan and the swap of a new set
 *   sup_syslog.c   a /dev/log message printed for the service that sent it
 *   sup_schedule.c a scheduled job's timer: due times and run timeouts
 * Not for other layers: they see supervisor.h. */
#ifndef CORRAL_SUPERVISOR_INT_H
#define CORRAL_SUPERVISOR_INT_H

#include "cenv.h"
#include "checks.h"
#include "execwatch.h"
#include "forkpace.h"
#include "proctree.h"
#include "supervisor.h"
#include "svcplan.h"
#include "svcset.h"

/* Lines of a failed service printed under its exit line. */
#define SUP_TAIL_LINES 10

/* Spawns between two reads of the report pipe within one loop tick. */
#define SUP_REPORT_READ_EVERY 128

/* Process groups of a record's last starts that still attribute orphans. */
#define SUP_PGID_HISTORY 4

/* A loaded configuration, alive while a record still uses it (a reload
 * swaps sets while old services are still stopping). */
struct sup_setref {
    struct conf_set *set;
    int refs;
};

enum sup_hook_kind {
    SUP_HOOK_FINISH, /* finish: after each exit, before anything else */
    SUP_HOOK_STOP,   /* stop_command: instead of stop_signal */
};

/* One hook process of a service (sup_hook.c). */
struct sup_hook {
    struct pidtab_owner owner; /* first: the reaper hands its exit back */
    struct sup_service *ss;
    int kind; /* enum sup_hook_kind */
    uv_timer_t timer;
    pid_t pid; /* > 0 while it runs */
    uint64_t timeout_ms;
    struct forkpace_waiter turn; /* queued: it waits its turn to fork */
    bool killed;                 /* SIGKILL came while it waited: it never runs */
};

/* The container environment as one read of it made it (sup_cenv.c): the
 * plans built from it share its strings, so it lives while one holds it. */
struct sup_cenv_snap {
    int refs;
    struct cenv_env env;
};

/* A run of a directory of scripts (sup_scripts.c). */
struct sup_scripts {
    struct supervisor *sup;
    struct sup_setref *ref;    /* the scripts' own set */
    struct sup_service **recs; /* in order; each owned, closed by sup_close */
    size_t n, next;            /* next: the one to start next */
    const char *what;          /* "startup script" */
    bool stop_at_failure;      /* a failure ends the run (else: logged, next) */
    bool aborted;              /* stopped by a shutdown: nothing more runs, no cb */
    bool told;                 /* cb has been called */
    int code;                  /* 0, or the failure's exit code */
    char why[256];
    sup_scripts_cb cb;
    void *arg;
    struct sup_scripts *next_run;
};

/* An edge of the runtime dependency graph (sup_graph.c). */
struct sup_dep {
    struct sup_service *ss;
    enum conf_condition condition;
};

/* A scheduled job's clock (sup_schedule.c); freed by its timer's close
 * callback, which may come after its record is gone. */
struct sup_sched {
    uv_timer_t timer;
    struct sup_service *ss; /* NULL once dropped */
    uint64_t anchor_ms;     /* wall clock: when its `every` started counting */
    uint64_t every_ms;      /* the every it was armed for */
    uint64_t next_ms;       /* wall clock: the next due time, or SCHEDULE_NEVER */
    uint64_t deadline_ms;   /* loop time: the current run's run_timeout; 0: none */
    uint64_t last_start_ms; /* wall clock: when the last run started; 0: never */
    uint64_t runs;          /* runs started by the schedule */
    uint64_t skipped;       /* due times skipped: the last run still went on */
    bool queued;            /* overlap: queue: run again once the current run ends */
};

/* A process its main left, and when it started (proctree_started): a pid
 * given again is not it. */
struct sup_leftover {
    pid_t pid;
    unsigned long long started;
};

struct sup_service {
    struct pidtab_owner owner; /* first: the reaper hands this back */
    struct supervisor *sup;
    struct svc svc;
    uv_timer_t timer;
    uint32_t timer_gen;    /* bumped whenever timer is armed or stopped */
    uint64_t timer_due_ms; /* loop time the timer was last armed for */
    uint64_t exit_read_ms; /* loop time its last process's exit was read */
    struct svcplan plan;
    struct output_svc output;
    struct checks checks;
    bool closed;            /* closed: its memory goes once its handles have closed */
    int closes_pending;     /* its own handles still closing before it is freed */
    uint32_t fork_failures; /* failed tries to start (fork or pipe) in the current burst */
    uint32_t output_waits;  /* starts put off in a row: its earlier runs' lines wait */
    bool blocked;           /* waiting on a dependency that will never meet its condition */
    struct execwatch *exec; /* until its process's execve is known to have succeeded */
    /* Diagnostics (docs/diagnosing.md): fork failures in all, with the PID
     * budget when the last one happened (-1: not known; max -1: no limit);
     * the process groups of its last starts, newest first (an orphan still
     * in one of them came from its tree), and the orphans so attributed. */
    uint64_t fork_failures_total;
    long fork_pids_current, fork_pids_max;
    pid_t pgids[SUP_PGID_HISTORY];
    uint64_t orphans_reaped;
    bool tail_pending;           /* print its last lines under the next state line */
    struct svcset_intent intent; /* pending_conf mirrors pending_conf below */
    /* A stop (or the stop of a restart) asked with others: sent once no
     * dependent being stopped with it still runs (sup_stop_ordered). */
    bool stop_queued;
    bool retire_deferred;   /* a removed instance: stopped after the higher ones */
    struct sup_setref *ref; /* the set svc.conf belongs to */
    /* A changed configuration, applied once the process has stopped. */
    const struct conf_service *pending_conf;
    struct sup_setref *pending_ref;
    struct sup_service *next_retiring;
    /* What its last main process left running (sup_leftovers.c). */
    struct pidtab_owner leftover_owner;
    uv_timer_t leftover_timer;      /* SIGKILL at leftover_deadline; or a look soon */
    struct sup_leftover *leftovers; /* owned: the ones still alive */
    size_t n_leftovers;
    pid_t leftover_pgid;
    uint64_t leftover_deadline; /* loop time */
    bool leftover_killed;       /* SIGKILL sent: the next deadline gives up waiting */
    bool leftover_look_soon;    /* leftover_timer runs at the next turn */
    bool leftover_waiting;      /* its exit waits for them (begin to done) */
    int leftover_wstatus;       /* the main's exit, fed once they are gone */
    /* Its finish and stop_command processes (sup_hook.c). */
    struct sup_hook finish_hook, stop_hook;
    int finish_wstatus;         /* the exit the running finish is about */
    struct sup_scripts *run;    /* a script's record: its run; NULL for a service */
    struct sup_cenv_snap *cenv; /* the container environment its plan was built from */
    uint64_t cenv_gen;          /* ... and its generation (0: corral's own environ) */
    /* The runtime dependency graph, rebuilt whenever the records change. */
    struct sup_dep *deps; /* what it waits for (current records only) */
    size_t n_deps;
    struct sup_service **dependents; /* what waits for it, retiring ones included */
    size_t n_dependents;
    struct sup_sched *sched; /* a scheduled job's clock, or NULL */
    /* Ready to start, or a restart due, waiting its turn (sup_starts.c):
     * start.queued. */
    struct forkpace_waiter start;
};

/* Forks of one loop turn (sup_starts.c): the services', their hooks' and
 * their exec probes', all in one pace (a test may set fewer). */
#define SUP_STARTS_PER_TURN 32

struct supervisor {
    struct sup_env env;
    struct checks_env checks_env;
    struct sup_listener *listeners;
    struct conf_set *set;      /* the current set (setref->set) */
    struct sup_setref *setref; /* one reference held by the supervisor */
    struct sup_service **svcs; /* in the order of set->services; each owned */
    size_t n;
    struct sup_service *retiring; /* removed by a reload, still stopping */
    struct sup_service *main;     /* the main service, or NULL */
    /* How records hand their events back (set by supervisor.c). */
    void (*on_exit)(struct pidtab_owner *owner, pid_t pid, int wstatus);
    void (*on_exec)(void *ss, bool exec_ok); /* the exec of a spawn is known */
    void (*on_leftovers_gone)(struct sup_service *ss, int wstatus);
    /* A scheduled job's time has come; its run went on past run_timeout. */
    void (*on_due)(struct sup_service *ss);
    void (*on_run_timeout)(struct sup_service *ss);
    void (*on_hook_done)(struct sup_hook *h, pid_t pid, int wstatus);
    pidtab_exit_cb on_hook_exit; /* a hook's pidtab owner (set by sup_hook.c) */
    void (*on_script_change)(struct sup_service *ss); /* set by sup_scripts.c */
    /* The container environment (sup_cenv.c); cenv_dir NULL: none. */
    char *cenv_dir;
    bool cenv_write, cenv_loaded;
    struct conf_kv *cenv_initial, *cenv_vars; /* the first read, the latest */
    size_t n_cenv_initial, n_cenv_vars;
    struct sup_cenv_snap *cenv;
    uint64_t cenv_gen;
    struct sup_scripts *script_runs; /* every run so far, the latest first */
    const struct checks_ops *check_ops;
    /* /proc as read for the stops of this loop tick (see sup_signal_tree). */
    struct proctree_snap snap;
    uint64_t snap_ms;
    uint64_t snap_reaped;
    int devnull;       /* stdin of every service but the main */
    bool stopping;     /* stopping everything: dependents first */
    bool killing;      /* killing everything: no finish or stop_command starts */
    int main_stop_sig; /* while stopping: the main's stop signal (-1: its own) */
    /* The pipe every service's child reports a failed exec on, and its watch. */
    int report_fds[2];
    uv_poll_t report_poll;
    bool report_polling;
    unsigned spawns_unread;        /* spawns since the pipe was last read */
    uint64_t orphans_unattributed; /* reaped orphans no record's groups held */
    struct forkpace pace;
    void (*on_start_turn)(struct sup_service *ss); /* its turn to start came */
    void (*on_hook_turn)(struct sup_hook *h);      /* a waiting hook's turn came */
};

/* A record's name, for the files below sup_query.c (a call of sup_name
 * would make them depend on it). */
static inline const char *sup_record_name(const struct sup_service *ss)
{
    return ss->svc.conf->name;
}

/* sup_records.c */
struct sup_setref *sup_setref_new(struct conf_set *set);
void sup_setref_put(struct sup_setref *ref);
/* A record for conf of ref's set (taking a reference), or NULL. */
struct sup_service *sup_record_new(struct supervisor *sup, const struct conf_service *conf,
                                   struct sup_setref *ref, int index);
/* Gives a record a configuration now (its process, if any, keeps running). */
void sup_record_set_conf(struct sup_service *ss, const struct conf_service *conf,
                         struct sup_setref *ref);
/* Closes its handles; its memory goes after the last close callback. A
 * second call is a no-op. */
void sup_record_close(struct sup_service *ss);
/* The record as the set logic sees it. */
struct svcset_node sup_record_node(const struct sup_service *ss);

/* sup_graph.c: rebuilds every record's deps and dependents; frees one's. */
int sup_graph_rebuild(struct supervisor *sup);
void sup_graph_free(struct sup_service *ss);

/* sup_spawn.c */
/* Starts the record's process. Returns 0 (pid set, in the pid table) or
 * -errno (logged, once per burst of failures), *what then naming what
 * failed: "fork", or "pipe" for the pipes of its output. */
int sup_spawn(struct sup_service *ss, const char **what);
/* Signals the record's whole tree: its group and every descendant. */
void sup_signal_tree(struct sup_service *ss, int sig);
int sup_spawn_reports_open(struct supervisor *sup);
void sup_spawn_reports_close(struct supervisor *sup);
/* Logs every failure report in the pipe, naming the service (and the hook)
 * it belongs to; exiting/owner: a pid already taken out of the pid table and
 * its owner (0/NULL: none). */
void sup_read_spawn_reports(struct supervisor *sup, pid_t exiting, struct pidtab_owner *owner);

/* sup_orphans.c: a new start's process group, remembered for attribution. */
void sup_orphans_note_spawn(struct sup_service *ss, pid_t pgid);

/* Takes the exits the loop has not read yet: a turn that ran long (a
 * reload forking hundreds) runs its due timers before it reads SIGCHLD, and
 * a timeout must not act on a process that has exited already (a SIGKILL
 * and "did not exit in time" for one that did). Each timeout calls it
 * first, then looks again whether it still has something to do. */
static inline void sup_reap_pending(struct supervisor *sup)
{
    if (sup->env.reaper)
        (void)reaper_drain(sup->env.reaper); /* the SIGCHLD still comes, and finds none */
}

/* sup_leftovers.c */
/* After ss's main process pid exited with wstatus: a long-running service's
 * leftovers get its stop signal (SIGKILL after stop_timeout) and true is
 * returned: sup->on_leftovers_gone(ss, wstatus) follows once they are gone.
 * A oneshot's are named and left; false then, and when nothing is left. */
bool sup_leftovers_begin(struct sup_service *ss, pid_t pid, int wstatus);
/* Sends sig to ss's leftovers (their group and each one), if any. */
void sup_leftovers_signal(struct sup_service *ss, int sig);
/* The record is closing: its leftovers' exits go to an owner that outlives it. */
void sup_leftovers_close(struct sup_service *ss);

/* sup_schedule.c */
/* Arms, re-arms or drops ss's schedule for its current configuration. */
void sup_sched_update(struct sup_service *ss);
/* No more schedule for ss (its timer closes and frees itself). */
void sup_sched_drop(struct sup_service *ss);
/* A run has started: its run_timeout starts counting. */
void sup_sched_started(struct sup_service *ss);
/* A run has ended; returns true when a run was queued meanwhile. */
bool sup_sched_ended(struct sup_service *ss);
/* "ran longer than run_timeout 30s", into buf. */
const char *sup_sched_timeout_text(const struct sup_service *ss, char *buf, size_t len);
/* sup_hook.c */
/* Prepares h (its timer) for ss. */
void sup_hook_init(struct sup_hook *h, struct sup_service *ss, int kind);
/* Runs the hook of h's kind from ss's current configuration, as ss runs,
 * its output under ss's name, with its variables after ss's environment (a
 * finish: CORRAL_EXIT_CODE and CORRAL_EXIT_SIGNAL of ss->finish_wstatus; a
 * stop_command: MAINPID, ss's process); SIGKILL to its group after its
 * timeout (finish_timeout, stop_timeout), counted from its fork. Its fork
 * is paced with the services' (sup->pace, init/forkpace.c). Returns 0 (it runs:
 * sup->on_hook_done follows its exit), SUP_HOOK_WAITS (it waits its turn:
 * sup->on_hook_turn follows, which starts it again or gives it up), or
 * -errno (logged, but -ENOENT when ss has no such hook; nothing runs). */
#define SUP_HOOK_WAITS 1
int sup_hook_start(struct sup_hook *h);
bool sup_hook_running(const struct sup_hook *h);
/* True while it waits its turn to fork. */
bool sup_hook_waiting(const struct sup_hook *h);
/* Sends sig to the hook's process group, if it runs. A SIGKILL to one that
 * waits its turn means it never runs: its turn says so (h->killed). */
void sup_hook_signal(struct sup_hook *h, int sig);
/* The record is closing: a running hook is killed and let go, a waiting
 * one leaves the queue; closes its timer with cb (data: the record).
 * Returns the handles closed (1). */
int sup_hook_close(struct sup_hook *h, uv_close_cb cb);

/* sup_cenv.c */
/* Reads the container environment again; when it changed, every record's
 * plan is rebuilt before its next spawn (and the files are written out
 * when asked). */
void sup_cenv_load(struct supervisor *sup);
/* Rebuilds ss's plan over the current container environment if it is
 * older. */
void sup_cenv_replan(struct sup_service *ss);
void sup_cenv_put(struct sup_cenv_snap *snap);
void sup_cenv_free(struct supervisor *sup);

/* sup_starts.c */
void sup_starts_init(struct supervisor *sup);
/* Whether a spawn of ss now would have to wait its turn: others wait, or
 * this loop turn's allowance is spent (false for the one whose turn came). */
bool sup_starts_must_wait(const struct sup_service *ss);
/* ss waits its turn, kept in order (a second call keeps its place), and
 * sup->on_start_turn hears when it comes. */
void sup_starts_wait(struct sup_service *ss);
/* Whether ss, ready to start, may start in this loop turn; if not, it
 * waits its turn (sup_starts_wait). */
bool sup_starts_admit(struct sup_service *ss);
/* A process of a record is being spawned: it counts in this turn. */
void sup_starts_spawned(struct supervisor *sup);
/* A record closed, no longer ready or whose state changed leaves the queue. */
void sup_starts_drop(struct sup_service *ss);
void sup_starts_close(struct supervisor *sup);

/* supervisor.c: starts a record now, whatever its dependencies and even
 * while everything stops (a script of a run). */
void sup_start_now(struct sup_service *ss);

/* supervisor.c: what sup_reload.c asks of the runtime. */
void sup_after_change(struct sup_service *ss);
/* A record already on the retiring list: stopped, then freed. */
void sup_retire(struct sup_service *ss);
/* Removed instances of one file stop one at a time, the highest number
 * first: retires the highest one still deferred, unless one is stopping. */
void sup_retire_next(struct supervisor *sup, const char *base);
/* Every waiting record looks at its dependencies again, and every queued
 * stop at its dependents (the graph changed: one it waited for may be
 * gone, or no longer asked for). */
void sup_recheck_waiting(struct supervisor *sup);
/* A running record that changed: restarted with conf once stopped. */
void sup_reconf_later(struct sup_service *ss, const struct conf_service *conf,
                      struct sup_setref *ref);

#endif
