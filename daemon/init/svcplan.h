/* svcplan.h - what a service's spawn needs, prepared once from its
 * configuration: the environment block (inherited or clear, env_file, then
 * environment, then CORRAL_SERVICE), and a spawn_plan filled per start. */
#ifndef CORRAL_SVCPLAN_H
#define CORRAL_SVCPLAN_H

#include <stdbool.h>

#include "conf.h"
#include "spawn.h"

struct svcplan {
    char **envp;       /* NULL-terminated; the inherited strings are corral's
                        * own environ (shared by every plan, never changed) */
    char **envp_extra; /* envp's pointers, one free slot, NULL */
    size_t nenv;
    const char *path_env;         /* PATH as the service sees it (in envp), or NULL */
    struct spawn_rlimit *rlimits; /* owned */
    size_t nrlimits;
    char **owned; /* the strings envp holds that this plan made */
    size_t nowned;
};

/* Builds the environment and limits of conf over base_env (corral's own
 * environ, which must outlive the plan unchanged: its strings are shared,
 * not copied). Returns 0 or -ENOMEM. */
int svcplan_init(struct svcplan *p, const struct conf_service *conf, char *const *base_env);
void svcplan_close(struct svcplan *p);

/* Fills plan for one start: resolves argv[0] on the service's PATH now (a
 * oneshot may have installed it since) into path, the caller's buffer that
 * must outlive the spawn. stdin_fd is the service's stdin, -1 to keep
 * corral's. */
void svcplan_fill(struct svcplan *p, const struct conf_service *conf, int stdin_fd, bool foreground,
                  char *path, size_t path_len, struct spawn_plan *plan);

/* Adds one "KEY=VALUE" for this start only (NOTIFY_FD, NOTIFY_SOCKET):
 * plan->envp then points to a copy with it. extra must outlive the spawn. */
void svcplan_add_env(struct svcplan *p, struct spawn_plan *plan, char *extra);

#endif
