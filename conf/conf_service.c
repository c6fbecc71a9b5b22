/* conf_service.c - one service file: the top-level keys of the schema, the
 * defaults, and the checks that need several keys at once (a restart policy
 * that depends on type, user and group resolved together, the env_file read
 * from disk). The rest of the schema lives in conf_policy.c, conf_probe.c,
 * conf_logs.c and conf_deps.c. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_exec.h"
#include "conf_parse.h"
#include "dups.h"
#include "envfile.h"
#include "ident.h"
#include "readfile.h"

static const char *const conf_service_types[] = {"longrun", "oneshot"};
static const char *const conf_service_restarts[] = {"always", "on-failure", "never"};

const char *conf_type_name(enum conf_type t)
{
    return (unsigned)t < 2 ? conf_service_types[t] : "?";
}

const char *conf_restart_name(enum conf_restart r)
{
    return (unsigned)r < 3 ? conf_service_restarts[r] : "?";
}

bool conf_is_success(const struct conf_service *s, int code)
{
    return code >= 0 && code <= 255 && (s->success_codes[code / 8] >> (code % 8)) & 1;
}

void conf_service_defaults(struct conf_service *s)
{
    s->type = CONF_TYPE_LONGRUN;
    s->restart = CONF_RESTART_ALWAYS;
    memset(s->success_codes, 0, sizeof s->success_codes);
    s->success_codes[0] = 1; /* [0] */
    s->backoff = (struct conf_backoff){
        .initial_ms = 100, .max_ms = 30000, .factor = 2, .reset_after_ms = 60000};
    s->start_limit = (struct conf_start_limit){.burst = 10, .interval_ms = 60000};
    s->stop_signal = SIGTERM;
    s->stop_timeout_ms = 7000;
    s->autostart = true;
    s->finish_timeout_ms = 5000; /* s6-supervise's default for ./finish */
    conf_probe_defaults(&s->readiness, false);
    conf_probe_defaults(&s->health, true);
    conf_logs_defaults(&s->logs);
}

static void conf_service_free_kv(struct conf_kv *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].value);
    }
    free(v);
}

void conf_service_free(struct conf_service *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->file);
    ynode_argv_free(s->argv);
    free(s->directory);
    free(s->user);
    free(s->group);
    free(s->groups);
    conf_service_free_kv(s->environment, s->n_environment);
    free(s->env_file);
    conf_service_free_kv(s->env_file_vars, s->n_env_file_vars);
    for (size_t i = 0; i < s->n_deps; i++)
        free(s->deps[i].name);
    free(s->deps);
    free(s->dependents);
    conf_probe_close(&s->readiness);
    conf_probe_close(&s->health);
    free(s->logs.file);
    free(s->rlimits);
    free(s->schedule);
    ynode_argv_free(s->finish_argv);
    ynode_argv_free(s->stop_argv);
    free(s->base);
    for (size_t i = 0; i < s->n_member_of; i++)
        free(s->member_of[i]);
    free(s->member_of);
    free(s);
}

/* Keys that corral.yaml's main: section cannot take: the main command is
 * the one given after `corral --`, and it is the main long-running process. */
static int conf_service_not_in_section(struct ynode_ctx *c, yaml_node_t *v, const char *path)
{
    return ynode_error(c, v,
                       "%s: expected no %s in corral.yaml's main: section (it configures the "
                       "command given after corral --, which is the main long-running service)",
                       path, path + sizeof "main");
}

/* A command as a list (exec'd as is) or a string (run by /bin/sh -c) into
 * *argv (NULL-terminated) and *argc. */
static int conf_service_argv(struct ynode_ctx *c, yaml_node_t *v, const char *path, char ***argv,
                             size_t *argc, bool *shell)
{
    char *line;

    if (v->type == YAML_SEQUENCE_NODE) {
        int rc = ynode_argv(c, v, path, true, argv, argc);
        if (rc == 0 && (*argv)[0][0] == '\0')
            return ynode_error(c, v, "%s: expected a program as the first item, got \"\"", path);
        return rc;
    }
    if (v->type != YAML_SCALAR_NODE)
        return ynode_error(
            c, v, "%s: expected a list (exec'd as is) or a string (run by /bin/sh -c), got %s",
            path, ynode_kind(v));
    int rc = ynode_string(c, v, path, true, &line);
    if (rc < 0)
        return rc;
    if (line[strspn(line, " \t\n")] == '\0') {
        free(line);
        return ynode_error(c, v, "%s: expected a command, got an empty string", path);
    }
    *argv = calloc(4, sizeof **argv);
    if (!*argv) {
        free(line);
        return -ENOMEM;
    }
    (*argv)[0] = strdup("/bin/sh");
    (*argv)[1] = strdup("-c");
    (*argv)[2] = line;
    *argc = 3;
    if (shell)
        *shell = true;
    return (*argv)[0] && (*argv)[1] ? 0 : -ENOMEM;
}

static int conf_service_command(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    struct conf_service *s = p->s;

    if (p->section)
        return conf_service_not_in_section(c, v, path);
    p->command = v;
    return conf_service_argv(c, v, path, &s->argv, &s->argc, &s->shell);
}

static int conf_service_finish_cmd(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    size_t n;
    return conf_service_argv(c, v, path, &s->finish_argv, &n, NULL);
}

static int conf_service_finish_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                                       void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    int rc = ynode_duration(c, v, path, &s->finish_timeout_ms);
    if (rc == 0 && s->finish_timeout_ms == 0)
        return ynode_error(c, v, "%s: expected a duration greater than 0", path);
    return rc;
}

static int conf_service_stop_command(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                                     void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    size_t n;
    return conf_service_argv(c, v, path, &s->stop_argv, &n, NULL);
}

static int conf_service_autostart(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    p->autostart = v;
    return ynode_bool(c, v, path, &p->s->autostart);
}

static int conf_service_type(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    if (((struct conf_parse *)obj)->section)
        return conf_service_not_in_section(c, v, path);
    int t;
    int rc = ynode_enum(c, v, path, conf_service_types, 2, &t);
    if (rc == 0)
        ((struct conf_parse *)obj)->s->type = (enum conf_type)t;
    return rc;
}

static int conf_service_main(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    if (((struct conf_parse *)obj)->section)
        return conf_service_not_in_section(c, v, path);
    return ynode_bool(c, v, path, &((struct conf_parse *)obj)->s->main);
}

static int conf_service_critical(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return ynode_bool(c, v, path, &((struct conf_parse *)obj)->s->critical);
}

static int conf_service_clear_env(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return ynode_bool(c, v, path, &((struct conf_parse *)obj)->s->clear_env);
}

static int conf_service_directory(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    int rc = ynode_string(c, v, path, true, &s->directory);
    if (rc == 0 && s->directory[0] != '/')
        return ynode_error(c, v, "%s: expected an absolute path, got \"%.60s\"", path,
                           s->directory);
    return rc;
}

static int conf_service_name_key(struct ynode_ctx *c, yaml_node_t *v, const char *path, char **out)
{
    int rc = ynode_string(c, v, path, false, out);
    if (rc == 0 && (*out)[0] == '\0') {
        free(*out);
        *out = NULL; /* nothing to resolve later */
        return ynode_error(c, v, "%s: expected a name or a number, got \"\"", path);
    }
    return rc;
}

static int conf_service_user(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    p->user = v;
    return conf_service_name_key(c, v, path, &p->s->user);
}

static int conf_service_group(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    p->group = v;
    return conf_service_name_key(c, v, path, &p->s->group);
}

static int conf_service_umask(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    char q[64];
    const char *str = ynode_scalar(c, v, path, "an octal string like \"0022\"");
    if (!str)
        return -EINVAL;
    size_t n = strspn(str, "01234567");
    if (n == 0 || n > 4 || str[n] || strtoul(str, NULL, 8) > 0777)
        return ynode_error(c, v, "%s: expected an octal mode from \"0000\" to \"0777\", got %s",
                           path, ynode_quote(str, q, sizeof q));
    s->umask = (mode_t)strtoul(str, NULL, 8);
    s->set_umask = true;
    return 0;
}

static int conf_service_env_name_ok(const char *k)
{
    if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_'))
        return 0;
    return strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
           strlen(k);
}

static int conf_service_environment(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                                    void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    const char **keys = NULL;
    size_t *first = NULL;
    int rc = 0;

    if (v->type != YAML_MAPPING_NODE)
        return ynode_error(c, v, "%s: expected a map of NAME: value, got %s", path, ynode_kind(v));
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    s->environment = calloc(n ? n : 1, sizeof *s->environment);
    keys = calloc(n ? n : 1, sizeof *keys);
    first = calloc(n ? n : 1, sizeof *first);
    if (!s->environment || !keys || !first) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = ynode_at(c, v->data.mapping.pairs.start[i].key);
        keys[i] = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : NULL;
    }
    rc = dups_first(keys, n, first);
    for (size_t i = 0; i < n && rc != -ENOMEM; i++) {
        yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
        yaml_node_t *k = ynode_at(c, p->key);
        char q[64], sub[YNODE_PATH_MAX];
        int r = -EINVAL;
        const char *key = ynode_scalar(c, k, path, "a variable name");
        if (key && !conf_service_env_name_ok(key)) {
            r = ynode_error(c, k, "%s: expected a variable name ([A-Za-z_][A-Za-z0-9_]*), got %s",
                            path, ynode_quote(key, q, sizeof q));
            key = NULL;
        }
        if (key && first[i] != i) {
            yaml_node_t *kf = ynode_at(c, v->data.mapping.pairs.start[first[i]].key);
            r = ynode_error(c, k, "%s.%s: duplicate key (first at line %u)", path, key,
                            (unsigned)kf->start_mark.line + 1);
            key = NULL;
        }
        char *value = NULL;
        if (key)
            r = ynode_string(c, ynode_at(c, p->value), ynode_path(sub, sizeof sub, path, key), true,
                             &value);
        if (r == 0) {
            s->environment[s->n_environment].key = strdup(key);
            s->environment[s->n_environment++].value = value;
            if (!s->environment[s->n_environment - 1].key)
                r = -ENOMEM;
        }
        if (r < 0 && rc != -ENOMEM)
            rc = r;
    }
out:
    free(keys);
    free(first);
    return rc;
}

static int conf_service_env_file(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    char *file;

    p->env_file = v;
    int rc = ynode_string(c, v, path, true, &file);
    if (rc < 0)
        return rc;
    if (!file[0]) {
        free(file);
        return ynode_error(c, v, "%s: expected a file path, got \"\"", path);
    }
    if (file[0] != '/' && c->base_dir) {
        char *full = NULL;
        if (asprintf(&full, "%s/%s", c->base_dir, file) < 0)
            full = NULL;
        free(file);
        if (!full)
            return -ENOMEM;
        file = full;
    }
    p->s->env_file = file;
    return 0;
}

static int conf_service_depends_on(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    ((struct conf_parse *)obj)->depends_on = v;
    return conf_deps_parse(c, v, path, obj);
}

static int conf_service_stop_signal(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                                    void *obj)
{
    ((struct conf_parse *)obj)->stop_signal = v;
    return conf_policy_stop_signal(c, v, path, obj);
}

static int conf_service_stop_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                                     void *obj)
{
    ((struct conf_parse *)obj)->stop_timeout = v;
    return conf_policy_stop_timeout(c, v, path, obj);
}

/* Only root may switch users: corral run as another user (docker run
 * --user 1000) can run a service as itself only. A user: that names corral's
 * own ids changes nothing, so it is dropped; any other is an error now, not
 * exit 127 and a crash loop at every start (setgroups: Operation not
 * permitted). */
static int conf_service_ids_allowed(struct ynode_ctx *c, struct conf_parse *p)
{
    struct conf_service *s = p->s;
    uid_t uid;
    gid_t gid;
    if (c->env && c->env->any_ids)
        return 0;
    if (c->env && c->env->own_ids) {
        c->env->own_ids(c->env->arg, &uid, &gid);
    } else {
        uid = geteuid();
        gid = getegid();
    }
    if (uid == 0)
        return 0;
    /* Without user:, the uid stays corral's own. */
    bool same_uid = !s->user || s->uid == uid;
    if (same_uid && s->gid == gid) {
        s->set_ids = false;
        return 0;
    }
    if (!s->user)
        s->uid = uid;
    yaml_node_t *at = !same_uid ? p->user : p->group ? p->group : p->user;
    return ynode_error(c, at,
                       "%s: expected corral's own user (uid %u, gid %u) or none: corral does not "
                       "run as root, so it cannot run a service as uid %u, gid %u (run corral "
                       "as root, or remove %s)",
                       at == p->user ? "user" : "group", (unsigned)uid, (unsigned)gid,
                       (unsigned)s->uid, (unsigned)s->gid, at == p->user ? "user:" : "group:");
}

/* Checks made once every key is read. */
static int conf_service_finish(struct ynode_ctx *c, struct conf_parse *p, yaml_node_t *root)
{
    struct conf_service *s = p->s;
    int rc = 0, r;

    if (p->section)
        s->main = true;
    else if (!p->command)
        rc = ynode_error(
            c, root,
            "missing command: expected command: [\"program\", \"arg\", ...] or command: \"shell line\"");
    /* A oneshot runs once; so does the main, whose exit ends the container
     * (a restart: policy given explicitly still applies, then its final
     * exit does). */
    if ((s->type == CONF_TYPE_ONESHOT || s->main) && !p->restart)
        s->restart = CONF_RESTART_NEVER;
    if (s->type == CONF_TYPE_ONESHOT && s->restart == CONF_RESTART_ALWAYS && p->restart)
        rc =
            ynode_error(c, p->restart,
                        "restart: expected on-failure|never for a oneshot service, got \"always\"");
    /* Checks that would silently never run are errors, not surprises. */
    if (s->type == CONF_TYPE_ONESHOT && p->readiness && s->readiness.kind != CONF_PROBE_NONE)
        rc = ynode_error(c, p->readiness,
                         "readiness: expected no readiness check on a oneshot service, remove it "
                         "(it is ready once it exits successfully: dependents use condition: "
                         "completed)");
    if (s->type == CONF_TYPE_ONESHOT && p->health && s->health.kind != CONF_PROBE_NONE)
        rc = ynode_error(c, p->health,
                         "health: expected no health check on a oneshot service, remove it "
                         "(checks run only while a longrun service is up)");
    if (conf_schedule_check(c, p) < 0)
        rc = -EINVAL;
    if (!s->autostart && s->main && p->autostart)
        rc = ynode_error(c, p->autostart,
                         "autostart: expected true for the main service (its exit ends the "
                         "container, so it must start)");
    if (s->readiness.kind == CONF_PROBE_LOG && s->logs.raw && p->readiness)
        rc = ynode_error(c, p->readiness,
                         "readiness.log: expected another kind of check with logs.raw: true (raw "
                         "output bypasses corral, so no line would ever match)");
    if (s->main && s->instances_file)
        rc = ynode_error(c, root,
                         "instances: expected no instances on the main service (its exit ends "
                         "the container: there is one)");
    bool resolve = !(c->env && c->env->no_resolve);
    if ((s->user || s->group) && resolve) {
        struct ident id;
        int bad_group;
        r = ident_resolve(c->env, s->user, s->group, &id, &bad_group);
        if (r == -ENOMEM)
            return r;
        if (r < 0 && bad_group)
            rc = ynode_error(c, p->group,
                             "group: expected a group name or gid, got unknown group \"%.60s\"",
                             s->group);
        else if (r < 0)
            rc = ynode_error(c, p->user,
                             "user: expected a user name or uid, got unknown user \"%.60s\"",
                             s->user);
        if (r == 0) {
            s->set_ids = true;
            s->uid = id.uid;
            s->gid = id.gid;
            s->groups = id.groups;
            s->ngroups = id.ngroups;
            r = conf_service_ids_allowed(c, p);
            if (r < 0)
                rc = r;
        }
    }
    if (p->command && resolve) {
        yaml_node_t *at = p->command;
        if (at->type == YAML_SEQUENCE_NODE &&
            at->data.sequence.items.top > at->data.sequence.items.start)
            at = ynode_at(c, at->data.sequence.items.start[0]);
        r = conf_exec_check(c, at, s);
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            rc = r;
    }
    if (s->env_file && resolve) {
        r = envfile_read(s->env_file, &s->env_file_vars, &s->n_env_file_vars, c->errs);
        if (r == -EINVAL)
            c->errors++;
        else if (r < 0 && r != -ENOMEM)
            r = ynode_error(c, p->env_file, "env_file: cannot read %s: %s", s->env_file,
                            readfile_why(r));
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            rc = r;
    }
    return rc;
}

static int conf_service_parse_node(struct ynode_ctx *c, yaml_node_t *root, const char *name,
                                   bool section, struct conf_service **out)
{
    static const struct ynode_key keys[] = {
        {"command", conf_service_command},
        {"type", conf_service_type},
        {"main", conf_service_main},
        {"critical", conf_service_critical},
        {"directory", conf_service_directory},
        {"user", conf_service_user},
        {"group", conf_service_group},
        {"umask", conf_service_umask},
        {"environment", conf_service_environment},
        {"clear_env", conf_service_clear_env},
        {"env_file", conf_service_env_file},
        {"depends_on", conf_service_depends_on},
        {"readiness", conf_probe_readiness},
        {"health", conf_probe_health},
        {"restart", conf_policy_restart},
        {"success_codes", conf_policy_success_codes},
        {"backoff", conf_policy_backoff},
        {"start_limit", conf_policy_start_limit},
        {"stop_signal", conf_service_stop_signal},
        {"signal_to", conf_policy_signal_to},
        {"stop_timeout", conf_service_stop_timeout},
        {"logs", conf_logs_parse},
        {"rlimits", conf_policy_rlimits},
        {"schedule", conf_schedule_schedule},
        {"timezone", conf_schedule_timezone},
        {"every", conf_schedule_every},
        {"overlap", conf_schedule_overlap},
        {"run_timeout", conf_schedule_run_timeout},
        {"autostart", conf_service_autostart},
        {"finish", conf_service_finish_cmd},
        {"finish_timeout", conf_service_finish_timeout},
        {"stop_command", conf_service_stop_command},
        {"instances", conf_members_instances},
        {"groups", conf_members_groups},
        {NULL, NULL},
    };
    struct conf_parse p = {.section = section};
    int rc;

    *out = NULL;
    p.s = calloc(1, sizeof *p.s);
    if (!p.s)
        return -ENOMEM;
    conf_service_defaults(p.s);
    p.s->name = strdup(name);
    p.s->file = strdup(c->file);
    if (!p.s->name || !p.s->file) {
        rc = -ENOMEM;
        goto err_free;
    }
    if (!root) {
        rc = ynode_error(c, NULL, "expected a map with at least a command, got an empty file");
        goto err_free;
    }
    rc = ynode_map(c, root, section ? "main" : "", keys, &p);
    if (rc == -ENOMEM)
        goto err_free;
    if (root->type != YAML_MAPPING_NODE)
        goto err_free;
    int r = conf_service_finish(c, &p, root);
    if (r < 0)
        rc = r;
    if (rc < 0)
        goto err_free;
    p.s->depends_on_given = p.depends_on != NULL;
    p.s->stop_signal_given = p.stop_signal != NULL;
    p.s->stop_timeout_given = p.stop_timeout != NULL;
    *out = p.s;
    return 0;

err_free:
    conf_service_free(p.s);
    return rc;
}

int conf_service_parse(struct ynode_ctx *c, const char *name, struct conf_service **out)
{
    return conf_service_parse_node(c, ynode_root(c), name, false, out);
}

int conf_service_parse_main_section(struct ynode_ctx *c, yaml_node_t *n, struct conf_service **out)
{
    return conf_service_parse_node(c, n, "main", true, out);
}
