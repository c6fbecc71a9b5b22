/* conf_global.c - corral.yaml: the daemon-wide settings (services directory,
 * control socket and its groups, shutdown bounds, log format). Every key is
 * optional; the command line and the environment win over this file, which
 * is the daemon's business, not ours. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_parse.h"
#include "ident.h"
#include "readfile.h"
#include "ynode.h"

struct conf_global_parse {
    struct conf_global *g;
    const char *base_dir;
    yaml_node_t *kill_grace;
};

void conf_global_init(struct conf_global *g)
{
    memset(g, 0, sizeof *g);
    g->shutdown_timeout_ms = 9000;
    g->kill_grace_ms = 2000;
    g->log_format = CONF_LOG_FORMAT_TEXT;
    g->log_level = CONF_LOG_LEVEL_INFO;
}

void conf_global_close(struct conf_global *g)
{
    free(g->services_dir);
    free(g->socket_path);
    free(g->read_group);
    free(g->admin_group);
    conf_service_free(g->main);
    conf_global_init(g);
}

static int conf_global_path(struct ynode_ctx *c, yaml_node_t *v, const char *path, char **out)
{
    int rc = ynode_string(c, v, path, true, out);
    if (rc == 0 && (*out)[0] == '\0') {
        free(*out);
        *out = NULL;
        return ynode_error(c, v, "%s: expected a path, got \"\"", path);
    }
    return rc;
}

static int conf_global_services(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_global_parse *gp = obj;
    char *dir;
    int rc = conf_global_path(c, v, path, &dir);
    if (rc < 0)
        return rc;
    if (dir[0] != '/' && gp->base_dir) {
        char *full = NULL;
        if (asprintf(&full, "%s/%s", gp->base_dir, dir) < 0)
            full = NULL;
        free(dir);
        if (!full)
            return -ENOMEM;
        dir = full;
    }
    gp->g->services_dir = dir;
    return 0;
}

static int conf_global_socket(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_global_parse *gp = obj;
    int rc = conf_global_path(c, v, path, &gp->g->socket_path);
    /* sun_path holds 108 bytes with the NUL (unix(7)). */
    if (rc == 0 && strlen(gp->g->socket_path) > 107)
        return ynode_error(c, v, "%s: expected a path of at most 107 bytes (unix(7) sun_path)",
                           path);
    return rc;
}

static int conf_global_shutdown_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                                        void *obj)
{
    struct conf_global *g = ((struct conf_global_parse *)obj)->g;
    int rc = ynode_duration(c, v, path, &g->shutdown_timeout_ms);
    if (rc == 0 && g->shutdown_timeout_ms == 0)
        return ynode_error(c, v, "%s: expected a duration greater than 0", path);
    return rc;
}

static int conf_global_kill_grace(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_global_parse *gp = obj;
    gp->kill_grace = v;
    return ynode_duration(c, v, path, &gp->g->kill_grace_ms);
}

static int conf_global_group(struct ynode_ctx *c, yaml_node_t *v, const char *path, char **name,
                             gid_t *gid)
{
    int rc = ynode_string(c, v, path, false, name);
    if (rc < 0)
        return rc;
    rc = (*name)[0] ? ident_group(c->env, *name, gid) : -ENOENT;
    if (rc == -ENOMEM)
        return rc;
    if (rc < 0)
        return ynode_error(c, v, "%s: expected a group name or gid, got unknown group \"%.60s\"",
                           path, *name);
    return 0;
}

static int conf_global_read_group(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_global *g = ((struct conf_global_parse *)obj)->g;
    return conf_global_group(c, v, path, &g->read_group, &g->read_gid);
}

static int conf_global_admin_group(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_global *g = ((struct conf_global_parse *)obj)->g;
    return conf_global_group(c, v, path, &g->admin_group, &g->admin_gid);
}

static int conf_global_log_format(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const names[] = {"text", "json"};
    int i;
    int rc = ynode_enum(c, v, path, names, 2, &i);
    if (rc == 0)
        ((struct conf_global_parse *)obj)->g->log_format = (enum conf_log_format)i;
    return rc;
}

static int conf_global_log_level(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    int i;
    int rc = ynode_enum(c, v, path, names, 4, &i);
    if (rc == 0)
        ((struct conf_global_parse *)obj)->g->log_level = (enum conf_log_level)i;
    return rc;
}

static int conf_global_timestamps(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return ynode_bool(c, v, path, &((struct conf_global_parse *)obj)->g->timestamps);
}

static int conf_global_main(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    (void)path;
    struct conf_global *g = ((struct conf_global_parse *)obj)->g;
    return conf_service_parse_main_section(c, v, &g->main);
}

static int conf_global_parse(const char *label, const char *base_dir, const char *data, size_t len,
                             const struct conf_env *env, struct conf_global *g,
                             struct conf_errors *errs)
{
    static const struct ynode_key keys[] = {
        {"services", conf_global_services},
        {"socket", conf_global_socket},
        {"shutdown_timeout", conf_global_shutdown_timeout},
        {"kill_grace", conf_global_kill_grace},
        {"read_group", conf_global_read_group},
        {"admin_group", conf_global_admin_group},
        {"log_format", conf_global_log_format},
        {"log_level", conf_global_log_level},
        {"timestamps", conf_global_timestamps},
        {"main", conf_global_main},
        {NULL, NULL},
    };
    struct ynode_ctx c = {.file = label, .base_dir = base_dir, .errs = errs, .env = env};
    struct conf_global_parse gp = {.g = g, .base_dir = base_dir};

    conf_global_close(g);
    int rc = ynode_load(&c, data, len);
    yaml_node_t *root = rc == 0 ? ynode_root(&c) : NULL;
    /* An empty corral.yaml is a valid one: every key has a default. */
    if (root && !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
        rc = ynode_map(&c, root, "", keys, &gp);
    if (rc == 0 && gp.kill_grace && g->kill_grace_ms >= g->shutdown_timeout_ms)
        rc = ynode_error(&c, gp.kill_grace,
                         "kill_grace: expected less than shutdown_timeout (%llums)",
                         (unsigned long long)g->shutdown_timeout_ms);
    ynode_close(&c);
    if (rc == 0 && c.errors)
        rc = -EINVAL;
    if (c.oom)
        rc = -ENOMEM;
    if (rc < 0)
        conf_global_close(g);
    return rc;
}

int conf_global_load_buffer(const char *file_label, const char *data, size_t len,
                            const struct conf_env *env, struct conf_global *g,
                            struct conf_errors *errs)
{
    return conf_global_parse(file_label, NULL, data, len, env, g, errs);
}

int conf_global_load(const char *path, bool missing_ok, const struct conf_env *env,
                     struct conf_global *g, struct conf_errors *errs)
{
    char *data, *copy;
    size_t len;

    conf_global_close(g);
    int rc = readfile_all(path, &data, &len);
    if (rc == -ENOENT && missing_ok)
        return 0;
    if (rc < 0) {
        int r = conf_errors_add(errs, path, 0, 0, "cannot read: %s", readfile_why(rc));
        return r < 0 ? r : rc;
    }
    copy = strdup(path);
    if (!copy) {
        free(data);
        return -ENOMEM;
    }
    rc = conf_global_parse(path, dirname(copy), data, len, env, g, errs);
    free(copy);
    free(data);
    return rc;
}
