/* diag.h - what makes the container's incidents visible before they hurt
 * (docs/diagnosing.md): the PID budget, re-read on the events that change it
 * (spawns, exits, reaps) at most every DIAG_CHECK_MS, with a warning at 80%
 * and 95% (and when it falls back) naming the service whose tree holds the
 * most processes; the zombies inside each service's tree, named by the
 * process that does not wait for them; and the per-service figures that
 * status, top and metrics show, read from /proc only when asked. Nothing
 * here runs on a timer while the container is healthy. */
#ifndef CORRAL_DIAG_H
#define CORRAL_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "diagwarn.h"
#include "procscan.h"
#include "supervisor.h"

/* The shortest gap between two reads of the budget; events closer than this
 * are covered by one read at the end of the gap. */
#define DIAG_CHECK_MS 250
/* While the budget is at 80% or more, or a service holds a pile of
 * zombies, the budget is read again this often even without events (an
 * incident in progress, not an idle container). */
#define DIAG_WATCH_MS 10000
/* pids.current grown by this many (or max/20, whichever is more) since the
 * last /proc scan: the zombies are counted again once the count has held for
 * DIAG_SETTLE_MS (a burst that is reaped at once costs no scan). */
#define DIAG_GROWTH_MIN 64
#define DIAG_SETTLE_MS  1000

/* A warning for the events stream: kind "pids" or "zombies"; service may be
 * NULL; text is the log line without "corral: ". */
typedef void (*diag_warning_cb)(void *arg, const char *kind, const char *service, const char *text);

struct diag_env {
    uv_loop_t *loop;
    struct supervisor *sup;
    const char *pids_dir; /* the pids cgroup (pidbudget_locate); "" when none */
    diag_warning_cb on_warning;
    void *arg;
};

/* What one service's tree holds now. */
struct diag_svc {
    long procs;          /* processes, its own included */
    long tasks;          /* threads of those: what a pids cgroup counts */
    long zombies;        /* exited children its processes have not waited for */
    pid_t zombie_parent; /* the process with the most of them, and how many */
    long zombie_parent_count;
    char zombie_parent_comm[16];
    uint64_t cpu_ticks;
    uint64_t rss_kib;
    long fds; /* -1: not counted */
};

/* One reading: the budget and every current service (sup_at order). */
struct diag_figures {
    bool has_budget;
    long pids_current, pids_max; /* max -1: no limit */
    size_t n;
    struct diag_svc *svc; /* owned, n of them */
    bool scanned;         /* /proc could be read */
    long procs_total;     /* processes in /proc */
    long zombies_total;
    struct procscan_entry self; /* corral itself */
    bool has_self;
};

/* Per service, the zombie count last warned about (diagwarn_zombies). */
struct diag_warned {
    char *name; /* owned */
    uint32_t warned;
};

struct diag {
    struct diag_env env;
    struct sup_listener listener;
    uv_timer_t check_timer; /* the read that ends a gap, or the watch */
    uv_timer_t settle_timer;
    bool check_armed, settle_armed, open;
    uint64_t last_check_ms;
    uint64_t check_due_ms; /* when check_timer fires, while armed */
    bool checked;          /* last_check_ms means something */
    enum diagwarn_level level;
    long scan_base; /* pids.current at the last /proc scan (its low mark since) */
    /* The last scan a request made: it serves the other requests of the
     * same loop turn, unless a spawn, an exit or a reap came between. With
     * thousands of processes a scan costs tens of ms or more, and clients
     * pipelining status requests (16 each per turn) must not cost corral
     * one each; a request in a later turn reads /proc afresh. */
    struct procscan kept;
    bool kept_valid, kept_fds;
    uint64_t kept_ms;
    struct diag_warned *warned;
    size_t n_warned;
    bool zombie_watch; /* some service is over the zombie threshold */
};

/* Starts listening to the supervisor's changes (spawns, exits). */
int diag_init(struct diag *d, const struct diag_env *env);
/* Closes its timers (the loop runs their close callbacks) and frees. */
void diag_close(struct diag *d);

/* Something that changes pids.current happened (a reap). */
void diag_poke(struct diag *d);

/* Reads the budget and /proc now (detail: CPU, memory and fds too, for
 * top). Warnings that are due are given. Returns 0 or -ENOMEM. */
int diag_collect(struct diag *d, bool detail, struct diag_figures *f);
void diag_figures_free(struct diag_figures *f);

/* The figures as JSON: {"budget": {...} or null, "services": {NAME: {...}},
 * "corral": {...}} (a new reference, NULL when out of memory). */
json_t *diag_json(const struct diag *d, const struct diag_figures *f, bool detail);

#endif
