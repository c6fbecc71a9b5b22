/* conf_parse.h - what the files of the service schema share while one
 * service file is read: the service being filled, and the nodes that checks
 * across keys need (a restart that depends on type, a user and a group
 * resolved together). Internal to conf/. */
#ifndef CORRAL_CONF_PARSE_H
#define CORRAL_CONF_PARSE_H

#include "conf.h"
#include "ynode.h"

struct conf_parse {
    struct conf_service *s;
    bool section; /* corral.yaml's main: section, not a service file */
    yaml_node_t *command;
    yaml_node_t *depends_on;
    yaml_node_t *stop_signal;
    yaml_node_t *stop_timeout;
    yaml_node_t *restart;
    yaml_node_t *user;
    yaml_node_t *group;
    yaml_node_t *env_file;
    yaml_node_t *readiness;
    yaml_node_t *health;
    yaml_node_t *schedule, *every, *overlap, *run_timeout, *timezone;
    yaml_node_t *autostart;
};

/* conf_service.c: fills s->file/name-independent defaults. */
void conf_service_defaults(struct conf_service *s);

/* conf_policy.c: restart, success_codes, backoff, start_limit, stop_signal,
 * stop_timeout, rlimits. Handlers for ynode_map (obj is a struct conf_parse). */
int conf_policy_restart(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_policy_success_codes(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_policy_backoff(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_policy_start_limit(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_policy_stop_signal(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_policy_signal_to(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_policy_stop_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_policy_rlimits(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);

/* conf_probe.c: readiness and health. */
int conf_probe_readiness(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_probe_health(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
void conf_probe_defaults(struct conf_probe *p, bool health);
void conf_probe_close(struct conf_probe *p);

/* conf_logs.c: logs. */
int conf_logs_parse(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
void conf_logs_defaults(struct conf_logs *l);

/* conf_deps.c: depends_on. */
int conf_deps_parse(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);

/* conf_schedule.c: schedule, timezone, every, overlap, run_timeout, and their checks
 * once every key is read (0 or -EINVAL, recorded). */
int conf_schedule_schedule(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_schedule_every(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_schedule_timezone(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_schedule_overlap(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_schedule_run_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_schedule_check(struct ynode_ctx *c, struct conf_parse *p);
/* conf_members.c: instances and groups. */
int conf_members_instances(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);
int conf_members_groups(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);

/* conf_service.c: parses the document of one service file into a new
 * service (ctx->errors tells whether anything was wrong). Returns 0 with *out
 * set, -EINVAL (errors recorded, *out NULL) or -ENOMEM. */
int conf_service_parse(struct ynode_ctx *c, const char *name, struct conf_service **out);

/* conf_service.c: parses corral.yaml's `main:` map (node n, keys under
 * "main.") into a new service named main without a command: the command is
 * the one after `corral --`. Same return contract. */
int conf_service_parse_main_section(struct ynode_ctx *c, yaml_node_t *n, struct conf_service **out);

#endif
