/* help.c - the text of `corralctl --help` and `corralctl help COMMAND`: one
 * table of commands, kept in the order people look for them. */
#include "help.h"

#include <string.h>

#include "suggest.h"

static const struct help_cmd help_cmds[] = {
    {"status", "status [NAME|@GROUP...]",
     "show the state of every service (or those named) and of corral",
     "Columns: NAME STATE PID UPTIME RESTARTS LAST-EXIT REASON, then one line about corral\n"
     "itself (pid, uptime, processes reaped, the container's PID budget)."},
    {"start", "start NAME|@GROUP...|all", "start services",
     "@GROUP: every service whose groups: lists GROUP, or the instances of a file GROUP."},
    {"stop", "stop NAME|@GROUP...|all",
     "stop services (stop signal, then SIGKILL after stop_timeout)",
     "Dependents first: a service is stopped once the services of the request that\n"
     "depend on it are down."},
    {"restart", "restart NAME|@GROUP...|all", "stop then start services",
     "Stopped dependents first, started dependencies first."},
    {"signal", "signal SIGNAL NAME|@GROUP...|all", "send a signal to services' processes",
     "SIGNAL is a name (HUP, SIGHUP, hup) or a number (1); -HUP and -9 work too."},
    {"pid", "pid NAME", "print the pid of a service's process",
     "Fails (exit 1) when the service has no process."},
    {"wait", "wait [--timeout D] [--for up|ready|done|down] NAME...",
     "wait until every service named reaches a condition",
     "  --for C       up (default), ready, done (finished: done, failed, fatal or stopped),\n"
     "                down (no process)\n"
     "  --timeout D   give up after D (500ms, 30s, 2m); exit 3 on timeout. Default: none."},
    {"logs", "logs NAME [-n N] [-f] [--since D]", "print a service's recent output",
     "  -n, --lines N   the last N lines (default 100)\n"
     "  -f, --follow    keep printing new lines until interrupted\n"
     "  --since D       only lines from the last D (10m, 1h)"},
    {"events", NULL, "print every state change and warning as it happens, until interrupted", NULL},
    {"top", "top [NAME...]", "show each service's processes, zombies, CPU, memory and fds",
     "Columns: NAME PID STATE PROCS ZOMBIES CPU% RSS FDS RESTARTS UPTIME, then corral's own\n"
     "line and the PID budget. On a terminal the table is redrawn every 2s until\n"
     "interrupted; otherwise it is printed once (CPU% over 0.5s). --json prints the reply."},
    {"metrics", NULL, "print every figure in the Prometheus text format",
     "The same text corral serves at GET /metrics when corral.yaml has metrics: {listen: ...}."},
    {"reload", "reload [--dry-run]", "re-read the service directory and apply the changes",
     "Added services start, removed ones stop, changed ones restart, the others keep\n"
     "running. A directory with errors is refused whole: every error is printed, nothing\n"
     "changes.\n"
     "  --dry-run   print what would change, change nothing"},
    {"scale", "scale [--dry-run] NAME COUNT",
     "run COUNT instances of a service file with instances:",
     "Added instances start; removed ones stop, the highest number first, each once the\n"
     "next higher one is down. Applied as a reload with NAME's new count: any other change\n"
     "on disk is applied too. The count holds until NAME's instances: changes in its file.\n"
     "  --dry-run   print what would change, change nothing"},
    {"shutdown", NULL, "stop every service and end the container", NULL},
    {"health", NULL, "exit 0 when every service is healthy, 3 when not (probe)",
     "Healthy: every long-running service is up and no oneshot failed. Prints one line.\n"
     "Use it as a Kubernetes exec probe or a Docker HEALTHCHECK."},
    {"check", "check [--no-resolve] DIR", "validate a service directory offline (no daemon needed)",
     "Prints every error as file:line:column: message; exit 0 when valid, 1 when not.\n"
     "  --no-resolve  the directory is for another root filesystem (an image): do not\n"
     "                look up users, groups, command paths or env_files on this machine"},
    {"version", NULL, "print the versions of corralctl and of the running corral", NULL},
    {"help", "help [COMMAND]", "print this help, or a command's", NULL},
};

#define HELP_N (sizeof help_cmds / sizeof help_cmds[0])

const struct help_cmd *help_find(const char *name)
{
    for (size_t i = 0; i < HELP_N; i++) {
        if (strcmp(help_cmds[i].name, name) == 0)
            return &help_cmds[i];
    }
    return NULL;
}

const char *help_suggest(const char *name)
{
    const char *names[HELP_N];

    for (size_t i = 0; i < HELP_N; i++)
        names[i] = help_cmds[i].name;
    return suggest_closest(name, names, HELP_N);
}

void help_print_all(FILE *out)
{
    fputs("usage: corralctl [--socket PATH] [--config FILE] [--json] COMMAND [ARGS...]\n"
          "\n"
          "Talks to corral, the init and supervisor of this container, over its control socket.\n"
          "\n"
          "Options:\n"
          "  -s, --socket PATH   the control socket (default: $CORRAL_SOCKET, then the\n"
          "                      socket: of corral.yaml, then /run/corral/corral.sock,\n"
          "                      $XDG_RUNTIME_DIR/corral.sock, /tmp/corral-UID/corral.sock)\n"
          "  --config FILE       the corral.yaml whose socket: to use (default\n"
          "                      /etc/corral/corral.yaml; read only without --socket and\n"
          "                      $CORRAL_SOCKET; a missing default file is fine)\n"
          "  -j, --json          print each reply as one JSON object per line\n"
          "  -h, --help          print this help\n"
          "  -V, --version       print corralctl's version\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < HELP_N; i++)
        fprintf(out, "  %-10s %s\n", help_cmds[i].name, help_cmds[i].summary);
    fputs("\n"
          "Exit codes: 0 ok, 1 command failed, 2 usage, 3 unhealthy or wait timed out,\n"
          "4 cannot reach corral.\n"
          "Run 'corralctl help COMMAND' for a command's options.\n",
          out);
}

void help_print_cmd(FILE *out, const struct help_cmd *cmd)
{
    fprintf(out, "usage: corralctl [--socket PATH] [--config FILE] [--json] %s\n\n%s\n",
            cmd->usage ? cmd->usage : cmd->name, cmd->summary);
    if (cmd->details)
        fprintf(out, "\n%s\n", cmd->details);
}
