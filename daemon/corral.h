/* corral.h - the daemon's one mutable context (STYLE.md §5): built by main.c,
 * reached by every callback through handle->data or an argument. */
#ifndef CORRAL_CORRAL_H
#define CORRAL_CORRAL_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "cli.h"
#include "conf.h"
#include "control.h"
#include "notify.h"
#include "output.h"
#include "pidtab.h"
#include "reaper.h"
#include "shutdown.h"
#include "signals.h"
#include "supervisor.h"

struct corral {
    uv_loop_t *loop;
    struct cli_opts opts;
    struct pidtab pids;
    struct output out;
    struct reaper reaper;
    struct signals signals;
    struct supervisor sup;
    struct shutdown shutdown;
    struct control control;
    struct conf_global global; /* corral.yaml, as loaded at start */
    char *services_dir;        /* NULL in pure init mode; reload reads it again */
    struct sdnotify *sdnotify; /* the sd_notify socket, or NULL */
    char notify_socket[128];   /* what NOTIFY_SOCKET is set to ("@corral-notify-...") */
    uint64_t started_ms;
    char pids_dir[600]; /* corral's pids cgroup, found at start; "" when none */
    bool is_pid1;
    bool interactive; /* stdin is our terminal and we are its foreground */
    int exit_code;
};

#endif
