/* svcplan.c - prepares a service's environment block and resource limits in
 * the parent, once, so that the child between fork and exec only hands
 * ready pointers to its calls (docs/dev/STYLE.md §6). */
#include "svcplan.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strjoin.h"

struct svcplan_env {
    char **v;
    size_t n, cap;
};

static int svcplan_env_grow(struct svcplan_env *e)
{
    if (e->n + 2 <= e->cap)
        return 0;
    size_t cap = e->cap ? e->cap * 2 : 32;
    char **v = realloc(e->v, cap * sizeof *v);
    if (!v)
        return -ENOMEM;
    e->v = v;
    e->cap = cap;
    return 0;
}

/* Appends kv, whatever e holds: the inherited environment goes in as it
 * came. */
static int svcplan_env_append(struct svcplan_env *e, char *kv)
{
    if (svcplan_env_grow(e) < 0)
        return -ENOMEM;
    e->v[e->n++] = kv;
    e->v[e->n] = NULL;
    return 0;
}

/* Sets key=value: the first entry of that key is replaced, later ones (an
 * environment may hold a key twice) are dropped. The new string is the
 * plan's (p->owned), freed with it. */
static int svcplan_env_set(struct svcplan_env *e, struct svcplan *p, const char *key,
                           const char *value)
{
    size_t klen = strlen(key), len = klen + strlen(value) + 2;
    char **ov = realloc(p->owned, (p->nowned + 1) * sizeof *ov);
    if (!ov)
        return -ENOMEM;
    p->owned = ov;
    char *kv = malloc(len);
    if (!kv)
        return -ENOMEM;
    strjoin(kv, len, key, "=", value, NULL);
    p->owned[p->nowned++] = kv;

    size_t keep = 0;
    bool placed = false;
    for (size_t i = 0; i < e->n; i++) {
        bool same = strncmp(e->v[i], key, klen) == 0 && e->v[i][klen] == '=';
        if (!same)
            e->v[keep++] = e->v[i];
        else if (!placed) {
            e->v[keep++] = kv;
            placed = true;
        }
    }
    if (!placed)
        return svcplan_env_append(e, kv);
    e->n = keep;
    e->v[e->n] = NULL;
    return 0;
}

/* A service run as another user gets that user's HOME, USER and LOGNAME (as
 * login(1) and su(1) set them), unless env_file or environment set them
 * (they come after). Looked up once here, in the parent: getpwuid_r is not
 * for the child. */
static int svcplan_user_env(struct svcplan_env *e, struct svcplan *p,
                            const struct conf_service *conf)
{
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (!conf->set_ids || !conf->user || getpwuid_r(conf->uid, &pw, buf, sizeof buf, &found) != 0 ||
        !found)
        return 0;
    int rc = svcplan_env_set(e, p, "HOME", pw.pw_dir);
    if (rc == 0)
        rc = svcplan_env_set(e, p, "USER", pw.pw_name);
    if (rc == 0)
        rc = svcplan_env_set(e, p, "LOGNAME", pw.pw_name);
    return rc;
}

int svcplan_init(struct svcplan *p, const struct conf_service *conf, char *const *base_env)
{
    struct svcplan_env e = {0};
    int rc = 0;

    memset(p, 0, sizeof *p);
    if (!conf->clear_env)
        for (char *const *v = base_env; v && *v && rc == 0; v++) {
            /* corral's own notification channels (it may itself run under
             * systemd, s6 or another corral) are not the service's: its own
             * come per start, and an inherited one would shadow them. */
            if (strncmp(*v, "NOTIFY_FD=", 10) == 0 || strncmp(*v, "NOTIFY_SOCKET=", 14) == 0)
                continue;
            rc = svcplan_env_append(&e, *v);
        }
    if (rc == 0)
        rc = svcplan_user_env(&e, p, conf);
    for (size_t i = 0; i < conf->n_env_file_vars && rc == 0; i++)
        rc = svcplan_env_set(&e, p, conf->env_file_vars[i].key, conf->env_file_vars[i].value);
    for (size_t i = 0; i < conf->n_environment && rc == 0; i++)
        rc = svcplan_env_set(&e, p, conf->environment[i].key, conf->environment[i].value);
    if (rc == 0)
        rc = svcplan_env_set(&e, p, "CORRAL_SERVICE", conf->name);
    if (rc == 0 && !e.v) {
        e.v = calloc(1, sizeof *e.v);
        rc = e.v ? 0 : -ENOMEM;
    }
    p->envp = e.v;
    if (rc < 0)
        goto err;
    for (size_t i = 0; i < e.n; i++)
        if (strncmp(e.v[i], "PATH=", 5) == 0)
            p->path_env = e.v[i] + 5;
    p->nenv = e.n;
    p->envp_extra = calloc(e.n + 2, sizeof *p->envp_extra);
    if (!p->envp_extra) {
        rc = -ENOMEM;
        goto err;
    }
    memcpy(p->envp_extra, e.v, e.n * sizeof *e.v);
    if (conf->n_rlimits) {
        p->rlimits = calloc(conf->n_rlimits, sizeof *p->rlimits);
        if (!p->rlimits) {
            rc = -ENOMEM;
            goto err;
        }
        for (size_t i = 0; i < conf->n_rlimits; i++) {
            const struct conf_rlimit *r = &conf->rlimits[i];
            p->rlimits[i].resource = r->resource;
            p->rlimits[i].lim.rlim_cur = r->soft == CONF_RLIM_UNLIMITED ? RLIM_INFINITY : r->soft;
            p->rlimits[i].lim.rlim_max = r->hard == CONF_RLIM_UNLIMITED ? RLIM_INFINITY : r->hard;
        }
        p->nrlimits = conf->n_rlimits;
    }
    return 0;

err:
    svcplan_close(p);
    return rc;
}

void svcplan_close(struct svcplan *p)
{
    for (size_t i = 0; i < p->nowned; i++)
        free(p->owned[i]);
    free(p->owned);
    free(p->envp);
    free(p->envp_extra);
    free(p->rlimits);
    memset(p, 0, sizeof *p);
}

void svcplan_fill(struct svcplan *p, const struct conf_service *conf, int stdin_fd, bool foreground,
                  char *path, size_t path_len, struct spawn_plan *plan)
{
    int err = -spawn_resolve(conf->argv[0], p->path_env, path, path_len);
    *plan = (struct spawn_plan){
        .path = path,
        .path_err = err,
        .argv = conf->argv,
        .envp = p->envp,
        .dir = conf->directory,
        .stdio = {stdin_fd, -1, -1},
        .keep_fd = -1,
        .foreground = foreground,
        .set_ids = conf->set_ids,
        .set_uid = conf->set_ids && conf->user != NULL,
        .uid = conf->uid,
        .gid = conf->gid,
        .groups = conf->groups,
        .ngroups = conf->ngroups,
        .umask = conf->set_umask ? (int)conf->umask : -1,
        .rlimits = p->rlimits,
        .nrlimits = p->nrlimits,
    };
}

void svcplan_add_env(struct svcplan *p, struct spawn_plan *plan, char *extra)
{
    if (!extra || !*extra || !p->envp_extra)
        return;
    p->envp_extra[p->nenv] = extra;
    p->envp_extra[p->nenv + 1] = NULL;
    plan->envp = p->envp_extra;
}
