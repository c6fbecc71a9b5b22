/* corral.h - the composition root (docs/dev/STYLE.md §5): the daemon's one
 * mutable context, and the only place that knows every layer. It builds
 * each subsystem, wires their callbacks, applies the settings a reload
 * changes, and tears everything down. main.c parses and runs it. */
#ifndef CORRAL_CORRAL_H
#define CORRAL_CORRAL_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "cli.h"
#include "conf.h"
#include "config.h"
#include "control.h"
#include "diag.h"
#include "diag_http.h"
#include "notify.h"
#include "output.h"
#include "pidtab.h"
#include "reaper.h"
#include "reload.h"
#include "shutdown.h"
#include "signals.h"
#include "sup_syslog.h"
#include "supervisor.h"
#include "syslogd.h"

struct corral {
    uv_loop_t *loop;
    struct cli_opts opts;
    struct pidtab pids;
    struct output out;
    struct reaper reaper;
    struct signals signals;
    struct supervisor *sup;
    struct shutdown shutdown;
    struct control control;
    struct diag diag;          /* the PID budget's warnings, zombies, figures, metrics */
    struct diag_http http;     /* GET /metrics, when corral.yaml's metrics.listen asks */
    struct conf_global global; /* corral.yaml, as loaded at start or by a reload */
    struct reload_source source;
    char *services_dir;        /* NULL in pure init mode */
    struct sdnotify *sdnotify; /* the sd_notify socket, or NULL */
    char notify_socket[128];   /* what NOTIFY_SOCKET is set to ("@corral-notify-...") */
    struct syslogd *syslogd;   /* corral.yaml's syslog: socket, or NULL */
    struct sup_syslog syslog;  /* whose each of its messages is */
    uint64_t started_ms;
    char pids_dir[600]; /* corral's pids cgroup, found at start; "" when none */
    bool is_pid1;
    bool interactive;         /* stdin is our terminal and we are its foreground */
    struct conf_set *startup; /* owned until run: corral.yaml's startup_scripts */
    bool booted;              /* the startup scripts are done and the services started */
};

/* Builds and wires everything from the loaded configuration (cfg's set
 * and settings move into c). Returns 0, or -errno after logging why
 * (-EADDRINUSE: another corral listens on the socket). */
int corral_setup(struct corral *c, uv_loop_t *loop, struct config *cfg);

/* Starts the services and runs the loop until the shutdown sequence stops
 * it. Returns corral's exit code. */
int corral_run(struct corral *c);

/* Closes everything (also after a failed setup). */
void corral_teardown(struct corral *c);

#endif
