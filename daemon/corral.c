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
#include "diag_metrics.h"
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

/* ---- /dev/log ----------------------------------------------------------------- */

/* corral.yaml's syslog: the socket, and whose each message is. Failing to
 * bind costs the messages, never the services. */
static void corral_open_syslog(struct corral *c)
{
    const struct conf_syslog *cs = &c->global.syslog;
    if (!cs->enabled)
        return;
    int rc = sup_syslog_init(&c->syslog, c->sup, &c->out, cs->name);
    if (rc == 0)
        rc = syslogd_open(&c->syslogd, c->loop, cs->path, cs->buffer, sup_syslog_on_datagram,
                          &c->syslog);
    if (rc == 0 && sup_find(c->sup, cs->name))
        log_warn("syslog: name %s is also a service's: messages of no service are shown as its",
                 cs->name);
    if (rc < 0)
        log_warn("syslog: %s: %s; messages sent there are lost", cs->path, strerror(-rc));
    else
        log_debug("syslog: listening on %s", cs->path);
}

/* Before a service's exit is handled: what it sent to /dev/log last is
 * still placed by its pid. */
static void corral_syslog_drain(void *arg)
{
    struct corral *c = arg;
    syslogd_drain(c->syslogd);
}

/* True when corral.yaml's syslog: differs between a and b. */
static bool corral_syslog_changed(const struct conf_syslog *a, const struct conf_syslog *b)
{
    return a->enabled != b->enabled || !reloadplan_str_eq(a->path, b->path) ||
           !reloadplan_str_eq(a->name, b->name) || a->buffer != b->buffer;
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
    if (!reloadplan_str_eq(g->metrics_host, old->metrics_host) ||
        g->metrics_port != old->metrics_port)
        log_warn("reload: corral.yaml: `metrics` changed; it takes effect when corral starts "
                 "again");
    if (!reloadplan_str_eq(g->socket_path, old->socket_path) && !c->opts.socket_path &&
        !(env_sock && *env_sock))
        log_warn("reload: corral.yaml: `socket` changed; corral listens on %s until it starts "
                 "again",
                 c->control.listening ? c->control.path : "no socket");
    if (corral_syslog_changed(&g->syslog, &old->syslog))
        log_warn("reload: corral.yaml: `syslog` changed; it takes effect when corral starts again");
    /* The socket and its names stay as they started. */
    struct conf_syslog keep = old->syslog;
    old->syslog = (struct conf_syslog){0};
    if (!reloadplan_str_eq(g->container_environment, old->container_environment) ||
        g->write_container_environment != old->write_container_environment)
        log_warn("reload: corral.yaml: `container_environment` changed; corral reads %s until "
                 "it starts again",
                 old->container_environment ? old->container_environment : "no directory");
    if (c->booted)
        shutdown_set_scripts(&c->shutdown, g->pre_shutdown_scripts, g->post_shutdown_scripts);
    conf_global_close(old);
    *old = *g;
    free(old->syslog.path);
    free(old->syslog.name);
    old->syslog = keep;
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
    if (me && c->syslogd)
        json_object_set_new(me, "syslog",
                            json_pack("{s:s, s:I, s:I, s:I, s:I}", "path", c->global.syslog.path,
                                      "received", (json_int_t)syslogd_received(c->syslogd), "lines",
                                      (json_int_t)c->syslog.lines, "unattributed",
                                      (json_int_t)c->syslog.unattributed, "dropped",
                                      (json_int_t)c->syslog.dropped));
    return me;
}

/* ---- diagnostics (docs/diagnosing.md) ----------------------------------------- */

static json_t *corral_figures(void *arg, bool detail)
{
    struct corral *c = arg;
    struct diag_figures f;
    json_t *o = diag_collect(&c->diag, detail, &f) == 0 ? diag_json(&c->diag, &f, detail) : NULL;
    diag_figures_free(&f);
    if (o)
        json_object_set_new(json_object_get(o, "corral"), "orphans_unattributed",
                            json_integer((json_int_t)sup_orphans_unattributed(c->sup)));
    return o;
}

static char *corral_metrics(void *arg, size_t *len)
{
    struct corral *c = arg;
    struct diag_corral me = {.uptime_ms = uv_now(c->loop) - c->started_ms,
                             .orphans_reaped = c->reaper.orphans_reaped,
                             .children_reaped = c->reaper.children_reaped,
                             .control_clients = control_clients(&c->control)};
    return diag_metrics(&c->diag, &me, len);
}

/* GET /metrics on corral.yaml's metrics.listen. A metrics endpoint that
 * cannot listen is said and left out: the services run regardless. */
static void corral_listen_metrics(struct corral *c)
{
    const struct conf_global *g = &c->global;
    if (!g->metrics_host)
        return;
    bool v6 = strchr(g->metrics_host, ':') != NULL;
    int rc =
        diag_http_listen(&c->http, c->loop, g->metrics_host, g->metrics_port, corral_metrics, c);
    if (rc < 0)
        log_warn("metrics: cannot listen on %s%s%s:%u: %s; no HTTP metrics", v6 ? "[" : "",
                 g->metrics_host, v6 ? "]" : "", (unsigned)g->metrics_port, uv_strerror(rc));
    else
        log_info("metrics: serving http://%s%s%s:%u/metrics", v6 ? "[" : "", g->metrics_host,
                 v6 ? "]" : "", (unsigned)g->metrics_port);
}

/* A warning of the diagnostics, for every events stream. */
static void corral_on_warning(void *arg, const char *kind, const char *service, const char *text)
{
    struct corral *c = arg;
    control_publish_warning(&c->control, kind, service, text);
}

static const struct control_ops corral_control_ops = {
    .reload = corral_reload,
    .scale = corral_scale,
    .shutdown = corral_shutdown,
    .shutting_down = corral_shutting_down,
    .corral_status = corral_status,
    .figures = corral_figures,
    .metrics = corral_metrics,
};

/* ---- signals ------------------------------------------------------------------ */

static void corral_on_signal(void *data, int sig)
{
    struct corral *c = data;
    char name[32];

    if (sig == SIGCHLD) {
        bool none = reaper_drain(&c->reaper);
        diag_poke(&c->diag);
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
        if (corral_shutting_down(c)) {
            log_info("SIGHUP: not reloading: corral is shutting down");
            return;
        }
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
    c->startup = config_take_startup(cfg);
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
                          .pids_dir = c->pids_dir,
                          .quiet = cfg->pure_init,
                          .interactive = c->interactive,
                          .single_child = c->opts.single_child,
                          .before_exit = corral_syslog_drain,
                          .before_exit_arg = c};
    rc = sup_new(&env, config_take_set(cfg), &c->sup);
    if (rc < 0)
        return rc;
    reaper_on_orphan(&c->reaper, sup_on_orphan, c->sup);
    struct diag_env de = {.loop = loop,
                          .sup = c->sup,
                          .pids_dir = c->pids_dir,
                          .on_warning = corral_on_warning,
                          .arg = c};
    rc = diag_init(&c->diag, &de);
    rc = sup_container_env(c->sup, c->global.container_environment,
                           c->global.write_container_environment);
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
    corral_open_syslog(c);
    /* The control socket is optional in pure init mode (a drop-in tini may
     * run where nothing is writable); with services it is how they are
     * operated, so failing to listen is fatal there. */
    struct control_env ce = {
        .loop = loop, .sup = c->sup, .ops = &corral_control_ops, .arg = c, .quiet = cfg->pure_init};
    rc = control_listen(&c->control, &ce, &c->global, c->opts.socket_path);
    if (rc < 0 && cfg->pure_init && !c->opts.socket_path && rc != -EADDRINUSE)
        rc = 0;
    if (rc == 0)
        corral_listen_metrics(c);
    return rc;
}

/* The startup scripts are done (or there were none): the services start,
 * and from now on a shutdown runs the shutdown scripts around their stop. */
static void corral_boot(struct corral *c)
{
    c->booted = true;
    shutdown_set_scripts(&c->shutdown, c->global.pre_shutdown_scripts,
                         c->global.post_shutdown_scripts);
    sup_start_all(c->sup);
}

static void corral_on_startup_done(void *arg, int code, const char *why)
{
    struct corral *c = arg;
    if (c->shutdown.phase != SHUTDOWN_RUNNING)
        return;
    if (code != 0) {
        /* Nothing started: the container ends with the script's code, as
         * my_init and s6-overlay's cont-init.d do. */
        shutdown_begin(&c->shutdown, SHUTDOWN_CAUSE_CRITICAL, code, why);
        return;
    }
    corral_boot(c);
}

int corral_run(struct corral *c)
{
    struct conf_set *startup = c->startup;
    c->startup = NULL;
    if (!startup || startup->n == 0) {
        conf_set_free(startup);
        corral_boot(c);
    } else if (sup_scripts_run(c->sup, startup, "startup script", true, corral_on_startup_done, c) <
               0) {
        shutdown_begin(&c->shutdown, SHUTDOWN_CAUSE_CRITICAL, 1, "startup scripts: out of memory");
    }
    uv_run(c->loop, UV_RUN_DEFAULT);
    return shutdown_exit_code(&c->shutdown);
}

void corral_teardown(struct corral *c)
{
    signals_close(&c->signals);
    shutdown_close(&c->shutdown);
    control_close(&c->control);
    sdnotify_close(c->sdnotify);
    syslogd_close(c->syslogd);
    reaper_on_orphan(&c->reaper, NULL, NULL);
    diag_http_close(&c->http);
    diag_close(&c->diag);
    sup_close(c->sup);
    /* What is still queued for stdout/stderr goes out now (bounded wait);
     * from here on, corral's own lines are written directly. */
    log_set_writer(NULL, NULL);
    output_close(&c->out);
    sup_syslog_close(&c->syslog);
    /* Let the close callbacks run, then the loop can be closed. */
    uv_run(c->loop, UV_RUN_NOWAIT);
    uv_loop_close(c->loop);
    sup_free(c->sup);
    pidtab_close(&c->pids);
    conf_global_close(&c->global);
    free(c->services_dir);
    conf_set_free(c->startup);
}
