/* conf_instances.c - instances: one service file read once per instance, the
 * names its instances take (and the files that would collide with them), and
 * dependencies on the file meaning every instance. See conf_instances.h. */
#include "conf_instances.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parse.h"

int conf_svc_list_push(struct conf_svc_list *l, struct conf_service *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct conf_service **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            conf_service_free(s);
            return -ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

/* What makes a parsed copy instance k of count: its base, number, group
 * and CORRAL_INSTANCE (unless environment: sets it). */
static int conf_instances_mark(struct conf_service *s, const char *base, uint32_t k, uint32_t count)
{
    char num[16];
    snprintf(num, sizeof num, "%u", (unsigned)k);
    s->base = strdup(base);
    s->instance = k;
    s->instances = count;
    if (!s->base)
        return -ENOMEM;
    if (!s->member_of) {
        s->member_of = calloc(2, sizeof *s->member_of);
        if (!s->member_of)
            return -ENOMEM;
    }
    if (!conf_service_in_group(s, base)) {
        s->member_of[s->n_member_of] = strdup(base);
        if (!s->member_of[s->n_member_of])
            return -ENOMEM;
        s->n_member_of++;
    }
    for (size_t i = 0; i < s->n_environment; i++)
        if (strcmp(s->environment[i].key, "CORRAL_INSTANCE") == 0)
            return 0;
    struct conf_kv *env = realloc(s->environment, (s->n_environment + 1) * sizeof *env);
    if (!env)
        return -ENOMEM;
    s->environment = env;
    env[s->n_environment].key = strdup("CORRAL_INSTANCE");
    env[s->n_environment].value = strdup(num);
    s->n_environment++;
    return env[s->n_environment - 1].key && env[s->n_environment - 1].value ? 0 : -ENOMEM;
}

/* Instance k of the file name, read with ${CORRAL_INSTANCE} = k. */
static int conf_instances_one(struct ynode_ctx *c, const char *name, uint32_t k,
                              struct conf_service **out)
{
    char num[16], full[300];
    snprintf(num, sizeof num, "%u", (unsigned)k);
    snprintf(full, sizeof full, "%s.%s", name, num);
    c->instance = num;
    int rc = conf_service_parse(c, full, out);
    c->instance = NULL;
    return rc;
}

int conf_instances_parse(struct ynode_ctx *c, const char *name, const struct conf_scale *scales,
                         size_t n_scales, struct conf_svc_list *out)
{
    struct conf_service *s = NULL;
    yaml_node_t *root = ynode_root(c);
    bool many = root && root->type == YAML_MAPPING_NODE && ynode_lookup(c, root, "instances");

    if (!many) {
        int rc = conf_service_parse(c, name, &s);
        return rc < 0 ? rc : conf_svc_list_push(out, s);
    }
    int rc = conf_instances_one(c, name, 1, &s);
    if (rc < 0)
        return rc;
    uint32_t count = conf_scale_count(name, s->instances_file, scales, n_scales);
    rc = conf_instances_mark(s, name, 1, count);
    if (rc == 0)
        rc = conf_svc_list_push(out, s);
    else
        conf_service_free(s);
    /* The other copies differ only by ${CORRAL_INSTANCE}: what the first one
     * reported is not said again, but an error that only a later number
     * causes (a port out of range) is. */
    struct conf_errors *errs = c->errs;
    unsigned errors = c->errors;
    for (uint32_t k = 2; k <= count && rc == 0; k++) {
        struct conf_errors mine;
        conf_errors_init(&mine);
        c->errs = &mine;
        c->errors = 0;
        rc = conf_instances_one(c, name, k, &s);
        c->errs = errs;
        for (size_t i = 0; i < mine.n && rc == -EINVAL; i++)
            if (!mine.v[i].warning &&
                conf_errors_add(errs, mine.v[i].file, mine.v[i].line, mine.v[i].col,
                                "%s (instance %u)", mine.v[i].msg, (unsigned)k) < 0)
                rc = -ENOMEM;
        errors += c->errors;
        conf_errors_close(&mine);
        if (rc == 0)
            rc = conf_instances_mark(s, name, k, count);
        if (rc == 0)
            rc = conf_svc_list_push(out, s);
        else if (s)
            conf_service_free(s);
        s = NULL;
    }
    c->errors = errors;
    return rc;
}

/* The stem of the file s came from. */
static const char *conf_instances_stem(const struct conf_service *s)
{
    return s->base ? s->base : s->name;
}

bool conf_instances_named_like(const char *name, const char *base)
{
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) != 0 || name[bl] != '.' || !name[bl + 1])
        return false;
    return strspn(name + bl + 1, "0123456789") == strlen(name + bl + 1);
}

int conf_instances_collisions(struct conf_service *const *v, size_t n, struct conf_errors *errs)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct conf_service *b = v[i];
        if (b->instance != 1)
            continue; /* each file with instances once */
        for (size_t k = 0; k < n; k++) {
            const struct conf_service *t = v[k];
            if (t->instance > 1 || !conf_instances_named_like(conf_instances_stem(t), b->base))
                continue;
            int r = conf_errors_add(
                errs, b->file, b->instances_line, b->instances_col,
                "instances: the instances of %s are named %s.1 .. %s.%u, and %s is a service of "
                "its own (%s): rename one of them",
                b->base, b->base, b->base, (unsigned)b->instances, conf_instances_stem(t), t->file);
            rc = r < 0 ? r : rc ? rc : -EINVAL;
        }
    }
    return rc;
}

/* The first instance of the file base among v, or NULL. */
static const struct conf_service *conf_instances_first(struct conf_service *const *v, size_t n,
                                                       const char *base)
{
    for (size_t i = 0; i < n; i++)
        if (v[i]->instance == 1 && strcmp(v[i]->base, base) == 0)
            return v[i];
    return NULL;
}

int conf_instances_deps(struct conf_service *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct conf_service *s = v[i];
        size_t want = 0;
        bool any = false;
        for (size_t k = 0; k < s->n_deps; k++) {
            const struct conf_service *b = conf_instances_first(v, n, s->deps[k].name);
            want += b ? b->instances : 1;
            any = any || b;
        }
        if (!any)
            continue;
        struct conf_dep *deps = calloc(want, sizeof *deps);
        if (!deps)
            return -ENOMEM;
        size_t m = 0;
        for (size_t k = 0; k < s->n_deps; k++) {
            struct conf_dep *d = &s->deps[k];
            const struct conf_service *b = conf_instances_first(v, n, d->name);
            if (!b) {
                deps[m++] = *d;
                d->name = NULL;
                continue;
            }
            for (uint32_t j = 1; j <= b->instances; j++) {
                deps[m] = *d;
                if (asprintf(&deps[m].name, "%s.%u", b->base, (unsigned)j) < 0) {
                    for (size_t x = 0; x < m; x++)
                        free(deps[x].name);
                    free(deps);
                    return -ENOMEM;
                }
                m++;
            }
        }
        for (size_t k = 0; k < s->n_deps; k++)
            free(s->deps[k].name);
        free(s->deps);
        s->deps = deps;
        s->n_deps = m;
    }
    return 0;
}
