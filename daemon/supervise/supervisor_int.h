/* supervisor_int.h - what the files of supervise/ share among themselves:
 * the records and the supervisor itself. Each file's job, bottom up (no
 * file calls one above it):
 *   sup_graph.c    the runtime dependency graph of record pointers
 *   sup_records.c  a record's life: made, given a configuration, closed
 *   sup_query.c    plain-values views and lookups for the layers above
 *   sup_spawn.c    starting a record's process, signalling its tree
 *   sup_leftovers.c  what a dead main process left of its tree
 *   supervisor.c   the runtime: events in, actions out, the whole set
 *   sup_reload.c   a reload's plan and the swap of a new set
 * Not for other layers: they see supervisor.h. */
#ifndef CORRAL_SUPERVISOR_INT_H
#define CORRAL_SUPERVISOR_INT_H

#include "checks.h"
#include "execwatch.h"
#include "proctree.h"
#include "supervisor.h"
#include "svcplan.h"
#include "svcset.h"

/* Lines of a failed service printed under its exit line. */
#define SUP_TAIL_LINES 10

/* Spawns between two reads of the report pipe within one loop tick. */
#define SUP_REPORT_READ_EVERY 128

/* A loaded configuration, alive while a record still uses it (a reload
 * swaps sets while old services are still stopping). */
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
    bool closed;                 /* closed: its memory goes once its handles have closed */
    int closes_pending;          /* its own handles still closing before it is freed */
    uint32_t fork_failures;      /* in the current burst */
    bool blocked;                /* waiting on a dependency that will never meet its condition */
    struct execwatch *exec;      /* until its process's execve is known to have succeeded */
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
    uv_timer_t leftover_timer; /* SIGKILL after stop_timeout */
    pid_t *leftovers;          /* owned: the ones still alive */
    size_t n_leftovers;
    pid_t leftover_pgid;
    bool leftover_killed; /* SIGKILL sent: the next timeout gives up waiting */
    int leftover_wstatus; /* the main's exit, fed once they are gone */
    /* The runtime dependency graph, rebuilt whenever the records change. */
    struct sup_dep *deps; /* what it waits for (current records only) */
    size_t n_deps;
    struct sup_service **dependents; /* what waits for it, retiring ones included */
    size_t n_dependents;
};

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
    const struct checks_ops *check_ops;
    /* /proc as read for the stops of this loop tick (see sup_signal_tree). */
    struct proctree_snap snap;
    uint64_t snap_ms;
    uint64_t snap_reaped;
    int devnull;       /* stdin of every service but the main */
    bool stopping;     /* stopping everything: dependents first */
    int main_stop_sig; /* while stopping: the main's stop signal (-1: its own) */
    /* The pipe every service's child reports a failed exec on, and its watch. */
    int report_fds[2];
    uv_poll_t report_poll;
    bool report_polling;
    unsigned spawns_unread; /* spawns since the pipe was last read */
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
 * -errno (logged, once per burst of fork failures). */
int sup_spawn(struct sup_service *ss);
/* Signals the record's whole tree: its group and every descendant. */
void sup_signal_tree(struct sup_service *ss, int sig);
int sup_spawn_reports_open(struct supervisor *sup);
void sup_spawn_reports_close(struct supervisor *sup);
/* Logs every failure report in the pipe; exiting/owner: a pid already taken
 * out of the pid table and its record (0/NULL: none). */
void sup_read_spawn_reports(struct supervisor *sup, pid_t exiting, struct sup_service *owner);

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

/* supervisor.c: what sup_reload.c asks of the runtime. */
void sup_after_change(struct sup_service *ss);
/* A record already on the retiring list: stopped, then freed. */
void sup_retire(struct sup_service *ss);
/* Removed instances of one file stop one at a time, the highest number
 * first: retires the highest one still deferred, unless one is stopping. */
void sup_retire_next(struct supervisor *sup, const char *base);
/* A running record that changed: restarted with conf once stopped. */
void sup_reconf_later(struct sup_service *ss, const struct conf_service *conf,
                      struct sup_setref *ref);

#endif
