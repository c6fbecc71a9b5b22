/* main.c - corral's entry point: parses the command line, builds the one
 * context, becomes a proper init (or subreaper), starts the main command and
 * runs the loop until the shutdown sequence stops it. From uv_run on, nothing
 * here may end the process but that sequence. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <uv.h>

#include "config.h"
#include "corral.h"
#include "log.h"
#include "pidbudget.h"
#include "reload.h"
#include "signame.h"

static void corral_on_signal(void *data, int sig)
{
    struct corral *c = data;
    char name[32];

    if (sig == SIGCHLD) {
        bool none = reaper_drain(&c->reaper);
        shutdown_on_drained(&c->shutdown, none);
        return;
    }
    log_debug("received %s", signame_format(sig, name, sizeof name));
    int fwd = cli_rewrite_signal(&c->opts, sig);
    if (sig == SIGTERM || sig == SIGINT) {
        /* The main is stopped with the signal itself (as tini forwards it),
         * the other services with their own stop_signal, in order. */
        shutdown_request(&c->shutdown, sig, fwd);
        return;
    }
    if (sig == SIGHUP && !c->sup.main) {
        /* No main to forward it to: SIGHUP reloads, as corralctl reload. */
        struct reload_result r;
        json_t *errors = NULL;
        log_info("SIGHUP: reloading %s", c->services_dir ? c->services_dir : "(no directory)");
        if (reload_run(c, false, &r, &errors) == 0)
            reload_result_close(&r);
        json_decref(errors);
        return;
    }
    if (fwd)
        (void)sup_signal_main(&c->sup, fwd, c->opts.single_child);
}

/* fds 0-2 must exist: otherwise the first pipe or socket we open would land
 * on one of them and a child would write its output into it. */
static void corral_ensure_stdio(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int nul = open("/dev/null", O_RDWR);
        if (nul < 0)
            nul = memfd_create("corral-null", 0); /* no /dev: an empty file */
        if (nul >= 0 && nul != fd) {
            dup2(nul, fd);
            close(nul);
        }
    }
}

static void corral_ignore_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    /* SIGPIPE: a reader that went away is an error return, not our death.
     * SIGTTOU/SIGTTIN: corral hands its terminal to the main and takes it
     * back from a background group (tcsetpgrp(3)); tini does the same. */
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGTTOU, &sa, NULL);
    sigaction(SIGTTIN, &sa, NULL);
}

static int corral_setup(struct corral *c, uv_loop_t *loop, struct config *cfg)
{
    c->loop = loop;
    c->is_pid1 = getpid() == 1;
    c->interactive = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
    if (c->opts.pdeathsig && prctl(PR_SET_PDEATHSIG, c->opts.pdeathsig, 0, 0, 0) < 0)
        log_warn("--pdeathsig: %s", strerror(errno));
    if (!c->is_pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        log_warn("cannot become a subreaper: %s; orphans will go to the real init",
                 strerror(errno));
    int rc = pidtab_init(&c->pids, PIDTAB_CAPACITY);
    if (rc < 0)
        return rc;
    reaper_init(&c->reaper, &c->pids);
    rc = signals_start(&c->signals, loop, corral_on_signal, c);
    if (rc < 0)
        return rc;
    /* In pure init mode the command line decides the timings; with a service
     * directory corral.yaml does, unless --grace says otherwise. */
    uint64_t grace =
        c->opts.grace_set || cfg->pure_init ? c->opts.grace_ms : cfg->global.kill_grace_ms;
    uint64_t bound =
        cfg->pure_init ? c->opts.stop_timeout_ms + grace + 1000 : cfg->global.shutdown_timeout_ms;
    rc = shutdown_init(&c->shutdown, c, grace, bound);
    if (rc < 0)
        return rc;
    c->started_ms = uv_now(loop);
    (void)pidbudget_locate(c->pids_dir, sizeof c->pids_dir);
    if (c->opts.log_format >= 0)
        cfg->global.log_format = c->opts.log_format ? CONF_LOG_FORMAT_JSON : CONF_LOG_FORMAT_TEXT;
    c->global = cfg->global;
    conf_global_init(&cfg->global); /* moved into c */
    c->services_dir = cfg->services_dir;
    cfg->services_dir = NULL;
    rc = output_init(&c->out, loop, &c->global, cfg->set);
    if (rc < 0)
        return rc;
    log_set_json(c->global.log_format == CONF_LOG_FORMAT_JSON);
    log_set_timestamps(c->global.timestamps);
    log_set_writer(&c->out.err, &c->out.log_owner);
    rc = sup_init(&c->sup, c, config_take_set(cfg), cfg->pure_init);
    if (rc < 0)
        return rc;
    /* One sd_notify socket for every service that asks for it (a reload may
     * add one later, so it opens unless this is pure init mode). */
    if (!cfg->pure_init && sdnotify_open(&c->sdnotify, loop, sup_on_sdnotify, &c->sup,
                                         c->notify_socket, sizeof c->notify_socket) < 0)
        log_warn("sd_notify socket: %s; notify: systemd will not work", strerror(errno));
    /* The control socket is optional in pure init mode (a drop-in tini may
     * run where nothing is writable); with services it is how they are
     * operated, so failing to listen is fatal there. */
    rc = control_listen(&c->control, c, c->opts.socket_path);
    if (rc < 0 && cfg->pure_init && !c->opts.socket_path && rc != -EADDRINUSE)
        rc = 0;
    return rc;
}

static void corral_teardown(struct corral *c)
{
    signals_close(&c->signals);
    shutdown_close(&c->shutdown);
    control_close(&c->control);
    sdnotify_close(c->sdnotify);
    sup_close(&c->sup);
    /* What is still queued for stdout/stderr goes out now (bounded wait);
     * from here on, corral's own lines are written directly. */
    log_set_writer(NULL, NULL);
    output_close(&c->out);
    /* Let the close callbacks run, then the loop can be closed. */
    uv_run(c->loop, UV_RUN_NOWAIT);
    uv_loop_close(c->loop);
    sup_free(&c->sup);
    pidtab_close(&c->pids);
    conf_global_close(&c->global);
    free(c->services_dir);
}

int main(int argc, char **argv)
{
    static struct corral c;
    struct config cfg;
    char err[256];
    uv_loop_t loop;

    if (cli_parse(argc, argv, &c.opts, err, sizeof err) < 0) {
        fprintf(stderr, "corral: %s\n%s", err, cli_usage);
        return 2;
    }
    if (c.opts.help) {
        fputs(cli_usage, stdout);
        return 0;
    }
    if (c.opts.version) {
        printf("corral %s\n", CORRAL_VERSION);
        return 0;
    }
    if (c.opts.verbose)
        log_max_level = LOG_DEBUG;
    int rc = config_load(&cfg, &c.opts);
    if (rc == 0 && !c.opts.verbose)
        log_max_level = config_log_level(cfg.global.log_level);
    if (rc != 0 || c.opts.check) {
        if (rc == 0)
            config_print_plan(&cfg);
        config_close(&cfg);
        return rc;
    }
    corral_ensure_stdio();
    corral_ignore_signals();
    rc = uv_loop_init(&loop);
    if (rc == 0)
        rc = corral_setup(&c, &loop, &cfg);
    config_close(&cfg);
    if (rc < 0) {
        if (rc != -EADDRINUSE)
            log_error("cannot start: %s", uv_strerror(rc));
        return 1;
    }
    sup_start_all(&c.sup);
    uv_run(&loop, UV_RUN_DEFAULT);
    corral_teardown(&c);
    return c.exit_code;
}
