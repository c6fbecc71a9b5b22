/* corral.c - the composition root: builds every layer from the bottom up
 * (control and shutdown register their own listeners with the supervisor it
 * hands them), gives control its operations (reload, shutdown, corral's own
 * figures), reacts to the signals signalfd reads, applies what a reload of
 * corral.yaml changes in one place, and tears it all down. The only file
 * that knows every layer (docs/dev/DESIGN.md "Layout"). */
#include "corral.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bounds.h"
#include "log.h"
#include "pidbudget.h"
#include "reloadplan.h"
#include "signame.h"

/* ---- the sd_notify socket ---------------------------------------------------- */

/* True when a service of set says it is ready with sd_notify. */
static bool corral_uses_sdnotify(const struct conf_set *set)
{
    for (size_t i = 0; set && i < set->n; i++)
        if (set->services[i]->readiness.kind == CONF_PROBE_NOTIFY_SYSTEMD)
            return true;
    return false;
}

/* Opens the one sd_notify socket, once: every datagram on it is somebody's
 * to read, so it exists only once a service may use it. */
static void corral_open_sdnotify(struct corral *c)
{
    if (c->sdnotify)
        return;
    int rc = sdnotify_open(&c->sdnotify, c->loop, sup_on_sdnotify, c->sup, c->notify_socket,
                           sizeof c->notify_socket);
    if (rc < 0)
        log_warn("sd_notify socket: %s; notify: systemd will not work", strerror(-rc));
}

/* ---- reload ----------------------------------------------------------------- */

/* Appends key to the list of what changed, "a, b, c". */
static void corral_note(char *buf, size_t len, const char *key)
{
    size_t used = strlen(buf);
    if (used + strlen(key) + 3 > len)
        return;
    if (used)
        strcat(buf, ", ");
    strcat(buf, key);
}

/* corral.yaml read again: every setting that can change live, through its
 * module's setter, in one place; and the sd_notify socket, opened before a
 * service of set that uses it starts. Takes g. */
static void corral_apply_global(void *arg, struct conf_global *g, const struct conf_set *set)
{
    struct corral *c = arg;
    struct conf_global *old = &c->global;
    char changed[160] = "";

    /* --verbose and --log-format win over the file, at start and now. */
    if (c->opts.log_format >= 0)
        g->log_format = old->log_format;
    /* Only what takes effect is named: --verbose keeps debug. */
    if (g->log_level != old->log_level && !c->opts.verbose) {
        corral_note(changed, sizeof changed, "log_level");
        log_max_level = config_log_level(g->log_level);
    }
    if (g->log_format != old->log_format) {
        corral_note(changed, sizeof changed, "log_format");
        c->out.json = g->log_format == CONF_LOG_FORMAT_JSON;
        log_set_json(c->out.json);
    }
    if (g->timestamps != old->timestamps) {
        corral_note(changed, sizeof changed, "timestamps");
        c->out.timestamps = g->timestamps;
        log_set_timestamps(g->timestamps);
    }
    if (!reloadplan_str_eq(g->read_group, old->read_group) || g->read_gid != old->read_gid ||
        !reloadplan_str_eq(g->admin_group, old->admin_group) || g->admin_gid != old->admin_gid) {
        corral_note(changed, sizeof changed, "read_group/admin_group");
        control_set_groups(&c->control, g);
    }
    /* In pure init mode the command line sets the shutdown's timings, and
     * --grace wins over kill_grace; once shutting down, they stay. */
    bool timeout_changed = g->shutdown_timeout_ms != old->shutdown_timeout_ms;
    bool grace_changed = g->kill_grace_ms != old->kill_grace_ms && !c->opts.grace_set;
    if (c->services_dir && c->shutdown.phase == SHUTDOWN_RUNNING &&
        (timeout_changed || grace_changed)) {
        if (timeout_changed)
            corral_note(changed, sizeof changed, "shutdown_timeout");
        if (grace_changed)
            corral_note(changed, sizeof changed, "kill_grace");
        shutdown_set_timings(&c->shutdown, c->opts.grace_set ? c->opts.grace_ms : g->kill_grace_ms,
                             g->shutdown_timeout_ms);
    }
    if (changed[0])
        log_info("reload: corral.yaml: %s now in effect", changed);
    /* Where corral reads services and listens cannot move under it; the file
     * only matters where the command line and environment left it a say. */
    const char *env_dir = getenv("CORRAL_SERVICES"), *env_sock = getenv("CORRAL_SOCKET");
    if (!reloadplan_str_eq(g->services_dir, old->services_dir) && !c->opts.services_dir &&
        !(env_dir && *env_dir))
        log_warn("reload: corral.yaml: `services` changed; corral reads %s until it starts again",
                 c->services_dir ? c->services_dir : "no directory");
    if (!reloadplan_str_eq(g->socket_path, old->socket_path) && !c->opts.socket_path &&
        !(env_sock && *env_sock))
        log_warn("reload: corral.yaml: `socket` changed; corral listens on %s until it starts "
                 "again",
                 c->control.listening ? c->control.path : "no socket");
    conf_global_close(old);
    *old = *g;
    conf_global_init(g); /* moved into c */
    if (corral_uses_sdnotify(set))
        corral_open_sdnotify(c);
}

static int corral_reload(void *arg, bool dry_run, json_t **result, json_t **errors)
{
    struct corral *c = arg;
    return reload_run(&c->source, c->sup, dry_run, NULL, corral_apply_global, c, result, errors);
}

static int corral_scale(void *arg, const struct conf_scale *scale, bool dry_run, json_t **result,
                        json_t **errors)
{
    struct corral *c = arg;
    return reload_run(&c->source, c->sup, dry_run, scale, corral_apply_global, c, result, errors);
}

/* ---- what control asks of the root ------------------------------------------ */

static void corral_shutdown(void *arg, const char *why)
{
    struct corral *c = arg;
    shutdown_begin(&c->shutdown, SHUTDOWN_CAUSE_REQUEST, 0, why);
}

static bool corral_shutting_down(void *arg)
{
    struct corral *c = arg;
    return c->shutdown.phase != SHUTDOWN_RUNNING;
}

static json_t *corral_status(void *arg)
{
    struct corral *c = arg;
    struct pidbudget b;
    uint64_t now = uv_now(c->loop);
    json_t *me =
        json_pack("{s:I, s:I, s:I, s:I, s:b}", "pid", (json_int_t)getpid(), "uptime_ms",
                  (json_int_t)(now - c->started_ms), "orphans_reaped",
                  (json_int_t)c->reaper.orphans_reaped, "children_reaped",
                  (json_int_t)c->reaper.children_reaped, "shutting_down", corral_shutting_down(c));
    if (me && c->pids_dir[0] && pidbudget_read_at(c->pids_dir, &b) == 0) {
        json_object_set_new(me, "pids_current", json_integer(b.current));
        json_object_set_new(me, "pids_max", b.max < 0 ? json_null() : json_integer(b.max));
    }
    return me;
}

static const struct control_ops corral_control_ops = {
    .reload = corral_reload,
    .scale = corral_scale,
    .shutdown = corral_shutdown,
    .shutting_down = corral_shutting_down,
    .corral_status = corral_status,
};

/* ---- signals ------------------------------------------------------------------ */

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
    if (sig == SIGHUP && !sup_main(c->sup)) {
        /* No main to forward it to: SIGHUP reloads, as corralctl reload. */
        json_t *result = NULL, *errors = NULL;
        log_info("SIGHUP: reloading %s", c->services_dir ? c->services_dir : "(no directory)");
        (void)corral_reload(c, false, &result, &errors);
        json_decref(result);
        json_decref(errors);
        return;
    }
    if (fwd)
        (void)sup_signal_main(c->sup, fwd);
}

/* ---- building and tearing down --------------------------------------------------- */

int corral_setup(struct corral *c, uv_loop_t *loop, struct config *cfg)
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
    c->started_ms = uv_now(loop);
    (void)pidbudget_locate(c->pids_dir, sizeof c->pids_dir);
    if (c->opts.log_format >= 0)
        cfg->global.log_format = c->opts.log_format ? CONF_LOG_FORMAT_JSON : CONF_LOG_FORMAT_TEXT;
    c->global = cfg->global;
    conf_global_init(&cfg->global); /* moved into c */
    c->services_dir = cfg->services_dir;
    cfg->services_dir = NULL;
    c->source = (struct reload_source){.config_path = c->opts.config_path,
                                       .services_dir = c->services_dir,
                                       .main_argv = c->opts.main_argv,
                                       .main_stop_timeout_ms = c->opts.stop_timeout_ms};
    rc = output_init(&c->out, loop, &c->global, cfg->set);
    if (rc < 0)
        return rc;
    log_set_json(c->global.log_format == CONF_LOG_FORMAT_JSON);
    log_set_timestamps(c->global.timestamps);
    log_set_writer(&c->out.err, &c->out.log_owner);
    bool sdnotify = corral_uses_sdnotify(cfg->set);
    struct sup_env env = {.loop = loop,
                          .pids = &c->pids,
                          .out = &c->out,
                          .reaper = &c->reaper,
                          .notify_socket = c->notify_socket,
                          .quiet = cfg->pure_init,
                          .interactive = c->interactive,
                          .single_child = c->opts.single_child};
    rc = sup_new(&env, config_take_set(cfg), &c->sup);
    if (rc < 0)
        return rc;
    /* In pure init mode the command line decides the timings; with a service
     * directory corral.yaml does, unless --grace says otherwise. */
    uint64_t grace =
        c->opts.grace_set || cfg->pure_init ? c->opts.grace_ms : c->global.kill_grace_ms;
    uint64_t bound =
        cfg->pure_init ? c->opts.stop_timeout_ms + grace + 1000 : c->global.shutdown_timeout_ms;
    struct shutdown_env sd = {.loop = loop,
                              .sup = c->sup,
                              .reaper = &c->reaper,
                              .opts = &c->opts,
                              .is_pid1 = c->is_pid1,
                              .interactive = c->interactive,
                              .quiet = cfg->pure_init};
    rc = shutdown_init(&c->shutdown, &sd, grace, bound);
    if (rc < 0)
        return rc;
    /* One sd_notify socket for every service that asks for it, when one
     * does (a reload may add one later). */
    if (sdnotify)
        corral_open_sdnotify(c);
    /* The control socket is optional in pure init mode (a drop-in tini may
     * run where nothing is writable); with services it is how they are
     * operated, so failing to listen is fatal there. */
    struct control_env ce = {
        .loop = loop, .sup = c->sup, .ops = &corral_control_ops, .arg = c, .quiet = cfg->pure_init};
    rc = control_listen(&c->control, &ce, &c->global, c->opts.socket_path);
    if (rc < 0 && cfg->pure_init && !c->opts.socket_path && rc != -EADDRINUSE)
        rc = 0;
    return rc;
}

int corral_run(struct corral *c)
{
    sup_start_all(c->sup);
    uv_run(c->loop, UV_RUN_DEFAULT);
    return shutdown_exit_code(&c->shutdown);
}

void corral_teardown(struct corral *c)
{
    signals_close(&c->signals);
    shutdown_close(&c->shutdown);
    control_close(&c->control);
    sdnotify_close(c->sdnotify);
    sup_close(c->sup);
    /* What is still queued for stdout/stderr goes out now (bounded wait);
     * from here on, corral's own lines are written directly. */
    log_set_writer(NULL, NULL);
    output_close(&c->out);
    /* Let the close callbacks run, then the loop can be closed. */
    uv_run(c->loop, UV_RUN_NOWAIT);
    uv_loop_close(c->loop);
    sup_free(c->sup);
    pidtab_close(&c->pids);
    conf_global_close(&c->global);
    free(c->services_dir);
}
