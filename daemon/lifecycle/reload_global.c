/* reload_global.c - corral.yaml, read again by a reload. See reload_global.h. */
#include "reload_global.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "corral.h"
#include "log.h"
#include "reload.h"

int reload_global_load(const struct corral *c, struct conf_global *g, struct conf_errors *errs)
{
    const char *path = c->opts.config_path ? c->opts.config_path : CONFIG_DEFAULT_FILE;
    conf_global_init(g);
    /* As at start: only the default file may be missing. */
    return conf_global_load(path, c->opts.config_path == NULL, NULL, g, errs);
}

/* Appends key to the list of what changed, "a, b, c". */
static void reload_global_note(char *buf, size_t len, const char *key)
{
    size_t used = strlen(buf);
    if (used + strlen(key) + 3 > len)
        return;
    if (used)
        strcat(buf, ", ");
    strcat(buf, key);
}

void reload_global_apply(struct corral *c, struct conf_global *g)
{
    struct conf_global *old = &c->global;
    char changed[160] = "";

    /* --verbose and --log-format win over the file, at start and now. */
    if (c->opts.log_format >= 0)
        g->log_format = old->log_format;
    /* Only what takes effect is named: --verbose keeps debug. */
    if (g->log_level != old->log_level && !c->opts.verbose) {
        reload_global_note(changed, sizeof changed, "log_level");
        log_max_level = config_log_level(g->log_level);
    }
    if (g->log_format != old->log_format) {
        reload_global_note(changed, sizeof changed, "log_format");
        c->out.json = g->log_format == CONF_LOG_FORMAT_JSON;
        log_set_json(c->out.json);
    }
    if (g->timestamps != old->timestamps) {
        reload_global_note(changed, sizeof changed, "timestamps");
        c->out.timestamps = g->timestamps;
        log_set_timestamps(g->timestamps);
    }
    if (!reload_str_eq(g->read_group, old->read_group) || g->read_gid != old->read_gid ||
        !reload_str_eq(g->admin_group, old->admin_group) || g->admin_gid != old->admin_gid) {
        reload_global_note(changed, sizeof changed, "read_group/admin_group");
        control_set_groups(&c->control, g);
    }
    /* In pure init mode the command line sets the shutdown's timings, and
     * --grace wins over kill_grace; once shutting down, they stay. */
    bool timeout_changed = g->shutdown_timeout_ms != old->shutdown_timeout_ms;
    bool grace_changed = g->kill_grace_ms != old->kill_grace_ms && !c->opts.grace_set;
    if (c->services_dir && c->shutdown.phase == SHUTDOWN_RUNNING &&
        (timeout_changed || grace_changed)) {
        if (timeout_changed)
            reload_global_note(changed, sizeof changed, "shutdown_timeout");
        if (grace_changed)
            reload_global_note(changed, sizeof changed, "kill_grace");
        shutdown_set_timings(&c->shutdown, c->opts.grace_set ? c->opts.grace_ms : g->kill_grace_ms,
                             g->shutdown_timeout_ms);
    }
    if (changed[0])
        log_info("reload: corral.yaml: %s now in effect", changed);
    /* Where corral reads services and listens cannot move under it; the file
     * only matters where the command line and environment left it a say. */
    const char *env_dir = getenv("CORRAL_SERVICES"), *env_sock = getenv("CORRAL_SOCKET");
    if (!reload_str_eq(g->services_dir, old->services_dir) && !c->opts.services_dir &&
        !(env_dir && *env_dir))
        log_warn("reload: corral.yaml: `services` changed; corral reads %s until it starts again",
                 c->services_dir ? c->services_dir : "no directory");
    if (!reload_str_eq(g->socket_path, old->socket_path) && !c->opts.socket_path &&
        !(env_sock && *env_sock))
        log_warn("reload: corral.yaml: `socket` changed; corral listens on %s until it starts "
                 "again",
                 c->control.listening ? c->control.path : "no socket");
    conf_global_close(old);
    *old = *g;
    conf_global_init(g); /* moved into c */
}
