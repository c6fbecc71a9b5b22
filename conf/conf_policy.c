/* conf_policy.c - the keys that say what happens around a run of a service:
 * restart policy and success codes, backoff, start limit, how it is stopped,
 * and the resource limits it runs under. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "conf_parse.h"
#include "signame.h"
#include "suggest.h"
#include "units.h"

int conf_policy_restart(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const names[] = {"always", "on-failure", "never"};
    struct conf_parse *p = obj;
    int r;

    p->restart = v;
    int rc = ynode_enum(c, v, path, names, 3, &r);
    if (rc == 0)
        p->s->restart = (enum conf_restart)r;
    return rc;
}

int conf_policy_success_codes(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    uint8_t codes[32] = {0};
    int rc = 0;

    if (v->type != YAML_SEQUENCE_NODE)
        return ynode_error(c, v, "%s: expected a list of exit codes 0-255, got %s", path,
                           ynode_kind(v));
    if (v->data.sequence.items.top == v->data.sequence.items.start)
        return ynode_error(c, v, "%s: expected a non-empty list of exit codes 0-255, got []", path);
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
        uint64_t code;
        int r = ynode_uint(c, ynode_at(c, *i), path, 0, 255, &code);
        if (r < 0)
            rc = r;
        else
            codes[code / 8] |= (uint8_t)(1u << (code % 8));
    }
    if (rc == 0)
        memcpy(p->s->success_codes, codes, sizeof codes);
    return rc;
}

static int conf_policy_initial(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return ynode_duration(c, v, path, &((struct conf_backoff *)obj)->initial_ms);
}

static int conf_policy_max(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return ynode_duration(c, v, path, &((struct conf_backoff *)obj)->max_ms);
}

static int conf_policy_reset_after(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return ynode_duration(c, v, path, &((struct conf_backoff *)obj)->reset_after_ms);
}

static int conf_policy_factor(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    char q[64];
    const char *s = ynode_scalar(c, v, path, "a number from 1 to 10");
    if (!s)
        return -EINVAL;
    /* Digits and at most one point: strtod would also take "inf", "1e3" and hex. */
    size_t digits = strspn(s, "0123456789");
    if (digits && s[digits] == '.' && strspn(s + digits + 1, "0123456789") > 0)
        digits += 1 + strspn(s + digits + 1, "0123456789");
    double f = digits && !s[digits] && digits < 12 ? strtod(s, NULL) : 0;
    if (f < 1 || f > 10)
        return ynode_error(c, v, "%s: expected a number from 1 to 10, got %s", path,
                           ynode_quote(s, q, sizeof q));
    ((struct conf_backoff *)obj)->factor = f;
    return 0;
}

int conf_policy_backoff(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const struct ynode_key keys[] = {
        {"initial", conf_policy_initial},
        {"max", conf_policy_max},
        {"factor", conf_policy_factor},
        {"reset_after", conf_policy_reset_after},
        {NULL, NULL},
    };
    struct conf_parse *p = obj;
    struct conf_backoff b = p->s->backoff;

    int rc = ynode_map(c, v, path, keys, &b);
    if (rc < 0)
        return rc;
    if (b.initial_ms > b.max_ms)
        return ynode_error(c, v, "%s: expected initial (%llums) to be at most max (%llums)", path,
                           (unsigned long long)b.initial_ms, (unsigned long long)b.max_ms);
    p->s->backoff = b;
    return 0;
}

static int conf_policy_burst(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    uint64_t n;
    int rc = ynode_uint(c, v, path, 1, 1000000, &n);
    if (rc == 0)
        ((struct conf_start_limit *)obj)->burst = (uint32_t)n;
    return rc;
}

static int conf_policy_interval(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_start_limit *l = obj;
    int rc = ynode_duration(c, v, path, &l->interval_ms);
    if (rc == 0 && l->interval_ms == 0)
        return ynode_error(c, v, "%s: expected a duration greater than 0", path);
    return rc;
}

int conf_policy_start_limit(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const struct ynode_key keys[] = {
        {"burst", conf_policy_burst},
        {"interval", conf_policy_interval},
        {NULL, NULL},
    };
    struct conf_parse *p = obj;
    struct conf_start_limit l = p->s->start_limit;

    int rc = ynode_map(c, v, path, keys, &l);
    if (rc == 0)
        p->s->start_limit = l;
    return rc;
}

int conf_policy_signal_to(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const names[] = {"group", "process"};
    int i;
    int rc = ynode_enum(c, v, path, names, 2, &i);
    if (rc == 0)
        ((struct conf_parse *)obj)->s->signal_process = i == 1;
    return rc;
}

int conf_policy_stop_signal(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    char q[64];
    const char *s = ynode_scalar(c, v, path, "a signal name");

    if (!s)
        return -EINVAL;
    int sig = signame_parse(s);
    if (sig < 0)
        return ynode_error(c, v, "%s: expected a signal name like TERM, SIGINT or QUIT, got %s",
                           path, ynode_quote(s, q, sizeof q));
    p->s->stop_signal = sig;
    return 0;
}

int conf_policy_stop_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    return ynode_duration(c, v, path, &p->s->stop_timeout_ms);
}

static const struct {
    const char *name;
    int resource;
    int bytes; /* a size ("64MiB") is accepted */
} conf_policy_rlims[] = {
    {"as", RLIMIT_AS, 1},
    {"core", RLIMIT_CORE, 1},
    {"cpu", RLIMIT_CPU, 0},
    {"data", RLIMIT_DATA, 1},
    {"fsize", RLIMIT_FSIZE, 1},
    {"locks", RLIMIT_LOCKS, 0},
    {"memlock", RLIMIT_MEMLOCK, 1},
    {"msgqueue", RLIMIT_MSGQUEUE, 1},
    {"nice", RLIMIT_NICE, 0},
    {"nofile", RLIMIT_NOFILE, 0},
    {"nproc", RLIMIT_NPROC, 0},
    {"rss", RLIMIT_RSS, 1},
    {"rtprio", RLIMIT_RTPRIO, 0},
    {"rttime", RLIMIT_RTTIME, 0},
    {"sigpending", RLIMIT_SIGPENDING, 0},
    {"stack", RLIMIT_STACK, 1},
};

#define CONF_POLICY_NRLIMS (sizeof conf_policy_rlims / sizeof conf_policy_rlims[0])

static int conf_policy_rlim_value(struct ynode_ctx *c, yaml_node_t *v, const char *path, int bytes,
                                  uint64_t *out)
{
    const char *s = ynode_scalar(c, v, path, "a number or \"unlimited\"");
    if (!s)
        return -EINVAL;
    if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
        *out = CONF_RLIM_UNLIMITED;
        return 0;
    }
    if (bytes) {
        char q[64];
        if (units_parse_size(s, out) == 0 && *out != CONF_RLIM_UNLIMITED)
            return 0;
        return ynode_error(c, v,
                           "%s: expected a size like 65536 or 64MiB, or \"unlimited\", got %s",
                           path, ynode_quote(s, q, sizeof q));
    }
    return ynode_uint(c, v, path, 0, UINT64_MAX - 1, out);
}

/* One rlimit: a scalar sets soft and hard, {soft, hard} sets each (a missing
 * one takes the other's value). */
static int conf_policy_rlim(struct ynode_ctx *c, yaml_node_t *v, const char *path, int bytes,
                            struct conf_rlimit *out)
{
    if (v->type != YAML_MAPPING_NODE) {
        int rc = conf_policy_rlim_value(c, v, path, bytes, &out->soft);
        out->hard = out->soft;
        return rc;
    }
    yaml_node_t *soft = NULL, *hard = NULL;
    int rc = 0;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ynode_at(c, p->key);
        const char *name = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
        yaml_node_t **slot = strcmp(name, "soft") == 0   ? &soft
                             : strcmp(name, "hard") == 0 ? &hard
                                                         : NULL;
        if (!slot || *slot) {
            char q[64];
            int r = ynode_error(c, k, "%s: %s key %s: expected soft or hard", path,
                                slot ? "duplicate" : "unknown", ynode_quote(name, q, sizeof q));
            if (r == -ENOMEM)
                return r;
            rc = r;
            continue;
        }
        *slot = ynode_at(c, p->value);
    }
    if (rc < 0)
        return rc;
    if (!soft && !hard)
        return ynode_error(c, v, "%s: expected soft and/or hard, got an empty map", path);
    char sub[YNODE_PATH_MAX];
    if (soft)
        rc = conf_policy_rlim_value(c, soft, ynode_path(sub, sizeof sub, path, "soft"), bytes,
                                    &out->soft);
    if (hard) {
        int r = conf_policy_rlim_value(c, hard, ynode_path(sub, sizeof sub, path, "hard"), bytes,
                                       &out->hard);
        rc = rc < 0 ? rc : r;
    }
    if (rc < 0)
        return rc;
    if (!soft)
        out->soft = out->hard;
    if (!hard)
        out->hard = out->soft;
    if (out->soft > out->hard)
        return ynode_error(c, v, "%s: expected soft to be at most hard", path);
    return 0;
}

int conf_policy_rlimits(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    const char *names[CONF_POLICY_NRLIMS];
    int rc = 0;

    if (v->type != YAML_MAPPING_NODE)
        return ynode_error(c, v, "%s: expected a map of limits like {nofile: 65536}, got %s", path,
                           ynode_kind(v));
    for (size_t i = 0; i < CONF_POLICY_NRLIMS; i++)
        names[i] = conf_policy_rlims[i].name;
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    s->rlimits = calloc(n ? n : 1, sizeof *s->rlimits);
    if (!s->rlimits)
        return -ENOMEM;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ynode_at(c, p->key);
        const char *name = ynode_scalar(c, k, path, "a limit name");
        char q[64], sub[YNODE_PATH_MAX];
        int r = -EINVAL;
        size_t i = 0;
        if (name) {
            while (i < CONF_POLICY_NRLIMS && strcmp(name, names[i]) != 0)
                i++;
            for (size_t j = 0; j < s->n_rlimits && i < CONF_POLICY_NRLIMS; j++)
                if (s->rlimits[j].resource == conf_policy_rlims[i].resource)
                    i = CONF_POLICY_NRLIMS + 1;
        }
        if (!name) {
            r = -EINVAL;
        } else if (i == CONF_POLICY_NRLIMS + 1) {
            r = ynode_error(c, k, "%s.%s: duplicate key", path, name);
        } else if (i == CONF_POLICY_NRLIMS) {
            const char *best = suggest_closest(name, names, CONF_POLICY_NRLIMS);
            if (best)
                r = ynode_error(c, k, "%s: unknown key %s (did you mean \"%s\"?)", path,
                                ynode_quote(name, q, sizeof q), best);
            else
                r = ynode_error(
                    c, k,
                    "%s: unknown key %s, expected one of as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack",
                    path, ynode_quote(name, q, sizeof q));
        } else {
            struct conf_rlimit rl = {.resource = conf_policy_rlims[i].resource};
            r = conf_policy_rlim(c, ynode_at(c, p->value), ynode_path(sub, sizeof sub, path, name),
                                 conf_policy_rlims[i].bytes, &rl);
            if (r == 0)
                s->rlimits[s->n_rlimits++] = rl;
        }
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            rc = r;
    }
    return rc;
}
