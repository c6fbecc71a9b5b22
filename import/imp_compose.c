/* imp_compose.c - the services of a docker-compose.yaml, meant to run
 * together in one container, into corral services: command and entrypoint,
 * environment and env_file, depends_on with its conditions, healthcheck
 * (as health, and as readiness where a dependent waits for it), restart,
 * stop_signal, stop_grace_period, user, working_dir, ulimits and replicas.
 * What belongs to a container (image, ports, volumes, networks...) is
 * reported: it goes on the one container that runs corral. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "conf.h"
#include "imp.h"
#include "imp_cycles.h"
#include "imp_text.h"
#include "signame.h"
#include "units.h"

struct cy {
    struct imp *m;
    yaml_document_t doc;
    const char *file;         /* image path of the compose file */
    struct imp_service **svc; /* per service of the file, NULL when skipped */
    yaml_node_t **node;       /* per service: its mapping */
    const char **name;        /* per service: its key */
    size_t n;
    bool *healthy_wanted; /* a dependent waits with service_healthy */
    bool *completed_wanted;
    struct cy_edge *edges; /* every depends_on entry written, for cy_cycles */
    size_t n_edges;
};

/* One depends_on entry: service from waits for service to (indexes),
 * written at node at. */
struct cy_edge {
    struct imp_dep dep; /* first: imp_break_cycles reads it */
    yaml_node_t *at;
};

static yaml_node_t *cy_node(struct cy *c, int id)
{
    return yaml_document_get_node(&c->doc, id);
}

static const char *cy_str(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static char *cy_where(struct cy *c, yaml_node_t *n)
{
    return imp_xasprintf("%s:%lu", c->file, n ? (unsigned long)n->start_mark.line + 1 : 0UL);
}

static void cy_report(struct cy *c, enum imp_kind kind, yaml_node_t *at, const char *what,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void cy_report(struct cy *c, enum imp_kind kind, yaml_node_t *at, const char *what,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = imp_xvasprintf(fmt, ap);
    va_end(ap);
    char *where = cy_where(c, at);
    imp_report(c->m, kind, where, what, "%s", why);
    free(where);
    free(why);
}

/* The value of key in map, following `<<: *anchor` merge keys (the map's
 * own keys win). */
static yaml_node_t *cy_get(struct cy *c, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    yaml_node_t *merged = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = cy_str(cy_node(c, p->key));
        if (!k)
            continue;
        if (strcmp(k, key) == 0)
            return cy_node(c, p->value);
        if (strcmp(k, "<<") == 0 && !merged) {
            yaml_node_t *v = cy_node(c, p->value);
            if (v && v->type == YAML_MAPPING_NODE) {
                merged = cy_get(c, v, key);
            } else if (v && v->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *i = v->data.sequence.items.start;
                     i < v->data.sequence.items.top && !merged; i++)
                    merged = cy_get(c, cy_node(c, *i), key);
            }
        }
    }
    return merged;
}

/* Every key of map, merged ones after the map's own, each once. */
static size_t cy_keys(struct cy *c, yaml_node_t *map, const char **keys, yaml_node_t **at,
                      size_t max, size_t n)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return n;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = cy_str(cy_node(c, p->key));
        if (!k || strcmp(k, "<<") == 0)
            continue;
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(keys[i], k) == 0;
        if (!seen && n < max) {
            at[n] = cy_node(c, p->key);
            keys[n++] = k;
        }
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = cy_str(cy_node(c, p->key));
        if (!k || strcmp(k, "<<") != 0)
            continue;
        yaml_node_t *v = cy_node(c, p->value);
        if (v && v->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
                 i++)
                n = cy_keys(c, cy_node(c, *i), keys, at, max, n);
        } else {
            n = cy_keys(c, v, keys, at, max, n);
        }
    }
    return n;
}

/* compose's interpolation into corral's (docs/configuration.md,
 * "Variables"): $$ is a literal $, $VAR and ${VAR} read the environment,
 * ${VAR-d} and ${VAR?e} become ${VAR:-d} and ${VAR:?e} (an empty value
 * counts as unset in corral), ${VAR:+x} has no equivalent. */
static char *cy_interp(struct cy *c, yaml_node_t *at, const char *what, const char *s)
{
    size_t cap = strlen(s) * 2 + 16, n = 0;
    char *out = imp_xmalloc(cap);
#define PUT(ch)                                \
    do {                                       \
        if (n + 4 >= cap)                      \
            out = imp_xrealloc(out, cap *= 2); \
        out[n++] = (ch);                       \
    } while (0)
    for (const char *p = s; *p;) {
        if (p[0] != '$') {
            PUT(*p++);
        } else if (p[1] == '$') {
            if (p[2] == '{')
                PUT('$'); /* corral's literal ${ is $${ */
            PUT('$');
            p += 2;
        } else if (p[1] == '{') {
            const char *close = strchr(p, '}');
            if (!close) {
                PUT(*p++);
                continue;
            }
            const char *name_end = p + 2 +
                                   strspn(p + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                                 "nopqrstuvwxyz0123456789_");
            char op[3] = {0};
            if (name_end < close) {
                op[0] = *name_end;
                if (op[0] == ':' && name_end + 1 < close)
                    op[1] = name_end[1];
            }
            const char *fix = NULL;
            if (op[0] == '-' || op[0] == '?')
                fix = ":";
            if (op[0] == '+' || (op[0] == ':' && op[1] == '+')) {
                char *lit = imp_xstrndup(p, (size_t)(close + 1 - p));
                cy_report(c, IMP_UNMAPPED, at, what,
                          "%s: corral has no ${VAR:+value}; written as the literal text", lit);
                free(lit);
                PUT('$');
                PUT('$');
                for (const char *q = p + 1; q <= close; q++)
                    PUT(*q);
                p = close + 1;
                continue;
            }
            if (fix)
                cy_report(c, IMP_CHANGED, at, what,
                          "${VAR%c...} became ${VAR:%c...}: corral treats an empty variable as "
                          "unset",
                          op[0], op[0]);
            for (const char *q = p; q <= close; q++) {
                if (q == name_end && fix)
                    PUT(':');
                PUT(*q);
            }
            p = close + 1;
        } else {
            size_t len = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789_");
            if (len == 0) {
                PUT(*p++);
                continue;
            }
            PUT('$');
            PUT('{');
            for (size_t i = 0; i < len; i++)
                PUT(p[1 + i]);
            PUT('}');
            p += 1 + len;
        }
    }
#undef PUT
    out[n] = '\0';
    return out;
}

/* A list of strings, or a string split into words as compose splits it. */
static char **cy_argv(struct cy *c, yaml_node_t *v, const char *what)
{
    char **argv = NULL;
    if (v && v->type == YAML_SEQUENCE_NODE) {
        size_t n = 0;
        argv = imp_xcalloc(1, sizeof *argv);
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            const char *s = cy_str(cy_node(c, *i));
            argv = imp_xrealloc(argv, (n + 2) * sizeof *argv);
            argv[n++] = cy_interp(c, v, what, s ? s : "");
            argv[n] = NULL;
        }
    } else if (cy_str(v)) {
        char *s = cy_interp(c, v, what, cy_str(v));
        argv = imp_words(s, NULL);
        free(s);
    }
    return argv;
}

static char *cy_duration(struct cy *c, yaml_node_t *v, const char *what)
{
    const char *s = cy_str(v);
    uint64_t ms;
    if (!s)
        return NULL;
    if (units_parse_duration_ms(s, &ms) == 0)
        return imp_xstrdup(s);
    cy_report(c, IMP_UNMAPPED, v, what, "expected a duration like 10s or 1m30s, got \"%s\"", s);
    return NULL;
}

/* A variable compose sets but corral cannot: not a name corral takes. */
static void cy_env_bad_name(struct cy *c, yaml_node_t *at, const char *k)
{
    cy_report(c, IMP_UNMAPPED, at, "environment",
              "\"%s\" is not a variable name corral takes ([A-Za-z_][A-Za-z0-9_]*)", k);
}

static void cy_env(struct cy *c, struct imp_service *s, yaml_node_t *v)
{
    struct imp_iv *env = imp_iv_child(s->map, "environment", IMP_IV_MAP);
    if (v->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
             p++) {
            const char *k = cy_str(cy_node(c, p->key));
            yaml_node_t *val = cy_node(c, p->value);
            const char *t = cy_str(val);
            if (!k)
                continue;
            if (!imp_env_name_ok(k)) {
                cy_env_bad_name(c, cy_node(c, p->key), k);
                continue;
            }
            if (!t || (val->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                       (strcmp(t, "") == 0 || strcmp(t, "~") == 0 || strcmp(t, "null") == 0))) {
                cy_report(c, IMP_UNNEEDED, val, k,
                          "no value: compose passes the variable on from its environment, and "
                          "corral's services inherit corral's");
                continue;
            }
            char *x = cy_interp(c, val, k, t);
            imp_iv_set(env, k, x, false);
            free(x);
        }
    } else if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            yaml_node_t *item = cy_node(c, *i);
            const char *t = cy_str(item);
            if (!t)
                continue;
            const char *eq = strchr(t, '=');
            if (!eq) {
                cy_report(c, IMP_UNNEEDED, item, t,
                          "no value: compose passes the variable on from its environment, and "
                          "corral's services inherit corral's");
                continue;
            }
            char *k = imp_xstrndup(t, (size_t)(eq - t));
            if (!imp_env_name_ok(k)) {
                cy_env_bad_name(c, item, k);
                free(k);
                continue;
            }
            char *x = cy_interp(c, item, k, eq + 1);
            imp_iv_set(env, k, x, false);
            free(x);
            free(k);
        }
    }
    if (!env->first)
        imp_iv_del(s->map, "environment");
}

static void cy_env_file(struct cy *c, struct imp_service *s, yaml_node_t *v, const char *what)
{
    yaml_node_t *first = v;
    if (v->type == YAML_SEQUENCE_NODE) {
        first = NULL;
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            yaml_node_t *item = cy_node(c, *i);
            if (item->type == YAML_MAPPING_NODE)
                item = cy_get(c, item, "path");
            if (!first)
                first = item;
            else
                cy_report(c, IMP_UNMAPPED, item, what,
                          "corral reads one env_file per service: copy its lines into the first "
                          "(%s) or into environment:",
                          cy_str(first) ? cy_str(first) : "?");
        }
    }
    if (!cy_str(first))
        return;
    char *path = imp_abs(c->m, c->file, cy_str(first));
    bool seen = false;
    for (size_t i = 0; i < c->m->n_sources; i++)
        seen |= strcmp(c->m->sources[i], path) == 0;
    if (imp_is_file(c->m, path))
        imp_env_file(c->m, s, path, "relative to the compose file", !seen);
    else
        cy_report(c, IMP_UNMAPPED, first, what, "%s: no such file here", path);
    free(path);
}

static const char *cy_condition(const char *compose)
{
    if (strcmp(compose, "service_started") == 0)
        return "started";
    if (strcmp(compose, "service_healthy") == 0)
        return "healthy";
    if (strcmp(compose, "service_completed_successfully") == 0)
        return "completed";
    return NULL;
}

static int cy_index(struct cy *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0)
            return (int)i;
    return -1;
}

static void cy_edge_add(struct cy *c, size_t from, size_t to, yaml_node_t *at)
{
    c->edges = imp_xrealloc(c->edges, (c->n_edges + 1) * sizeof *c->edges);
    c->edges[c->n_edges++] = (struct cy_edge){.dep = {.from = from, .to = to}, .at = at};
}

/* The index of the service dep names, or -1 when it names none that was
 * imported: reported at at, the entry that lists it. */
static int cy_dep_index(struct cy *c, size_t idx, const char *dep, yaml_node_t *at)
{
    int d = dep ? cy_index(c, dep) : -1;
    if (d >= 0 && c->svc[d])
        return d;
    if (!dep)
        return -1;
    char *w = imp_xasprintf("services.%s.depends_on.%s", c->name[idx], dep);
    cy_report(c, IMP_UNMAPPED, at, w,
              d < 0 ? "no service of that name in this file (compose refuses it too); the "
                      "dependency is left out"
                    : "that service is left out (see its line), so the dependency is too");
    free(w);
    return -1;
}

static void cy_depends(struct cy *c, size_t idx, yaml_node_t *v)
{
    struct imp_service *s = c->svc[idx];
    if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            int d = cy_dep_index(c, idx, cy_str(cy_node(c, *i)), cy_node(c, *i));
            if (d >= 0) {
                imp_dep(s, c->svc[d]->name, "started", "compose: service_started");
                cy_edge_add(c, idx, (size_t)d, cy_node(c, *i));
            }
        }
        return;
    }
    if (v->type != YAML_MAPPING_NODE)
        return;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const char *dep = cy_str(cy_node(c, p->key));
        yaml_node_t *spec = cy_node(c, p->value);
        int d = cy_dep_index(c, idx, dep, cy_node(c, p->key));
        if (d < 0)
            continue;
        const char *cond = cy_str(cy_get(c, spec, "condition"));
        const char *ours = cy_condition(cond ? cond : "service_started");
        if (!ours) {
            cy_report(c, IMP_CHANGED, spec, dep,
                      "unknown condition \"%s\": condition started is used", cond);
            ours = "started";
        }
        char *note = imp_xasprintf("compose: %s", cond ? cond : "service_started");
        imp_dep(s, c->svc[d]->name, ours, note);
        free(note);
        cy_edge_add(c, idx, (size_t)d, cy_node(c, p->key));
        yaml_node_t *x;
        char *w = imp_xasprintf("services.%s.depends_on.%s", c->name[idx], dep);
        if ((x = cy_get(c, spec, "restart")) && cy_str(x) && strcmp(cy_str(x), "true") == 0)
            cy_report(c, IMP_UNMAPPED, x, w,
                      "corral does not restart a service when a dependency restarts");
        if ((x = cy_get(c, spec, "required")) && cy_str(x) && strcmp(cy_str(x), "false") == 0)
            cy_report(c, IMP_CHANGED, x, w, "every dependency of a corral service is required");
        free(w);
    }
}

/* Takes out edge k, which closes cycle (imp_break_cycles). */
static void cy_break(void *arg, size_t k, const char *cycle)
{
    struct cy *c = arg;
    struct cy_edge *e = &c->edges[k];
    struct imp_service *from = c->svc[e->dep.from], *to = c->svc[e->dep.to];
    (void)imp_dep_del(from, to->name);
    char *w = imp_xasprintf("services.%s.depends_on.%s", c->name[e->dep.from], c->name[e->dep.to]);
    if (from == to)
        cy_report(c, IMP_UNMAPPED, e->at, w,
                  "%s depends on itself: compose refuses a dependency cycle; left out: take it "
                  "out of the source",
                  c->name[e->dep.from]);
    else
        cy_report(c, IMP_UNMAPPED, e->at, w,
                  "a dependency cycle (%s): compose refuses it; this dependency is left out, so "
                  "%s no longer waits for %s: break the cycle in the source",
                  cycle, c->name[e->dep.from], c->name[e->dep.to]);
    free(w);
}

/* compose refuses a file whose depends_on make a cycle ("dependency cycle
 * detected"), a service that depends on itself too: each cycle loses the
 * dependency that closes it, in the order of the file, reported with the
 * cycle at the entry that lists it. Then what the dependents that are
 * left wait for: a service some waits for with service_healthy gets a
 * readiness check, one some wait for to complete becomes a oneshot. */
static void cy_cycles(struct cy *c)
{
    imp_break_cycles(c->edges, c->n_edges, sizeof *c->edges, c->n, c->svc, c->name, cy_break, c);
    for (size_t k = 0; k < c->n_edges; k++) {
        struct cy_edge *e = &c->edges[k];
        struct imp_iv *deps =
            e->dep.dropped ? NULL : imp_iv_get(c->svc[e->dep.from]->map, "depends_on");
        struct imp_iv *d = deps ? imp_iv_get(deps, c->svc[e->dep.to]->name) : NULL;
        const char *cond = d ? imp_iv_get(d, "condition")->text : "";
        c->healthy_wanted[e->dep.to] |= strcmp(cond, "healthy") == 0;
        c->completed_wanted[e->dep.to] |= strcmp(cond, "completed") == 0;
    }
}

/* healthcheck: into health:, and kept for readiness (cy_readiness). */
static void cy_health(struct cy *c, struct imp_service *s, yaml_node_t *hc)
{
    yaml_node_t *test = cy_get(c, hc, "test"), *v;
    const char *dis = cy_str(cy_get(c, hc, "disable"));
    if (dis && strcmp(dis, "true") == 0)
        return;
    struct imp_iv *h = imp_iv_new(IMP_IV_MAP);
    struct imp_iv *exec = NULL;
    if (test && test->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *i = test->data.sequence.items.start;
        const char *kind = i < test->data.sequence.items.top ? cy_str(cy_node(c, *i)) : NULL;
        if (kind && strcmp(kind, "NONE") == 0) {
            imp_iv_free(h);
            return;
        }
        exec = imp_iv_child(h, "exec", IMP_IV_LIST);
        if (kind && strcmp(kind, "CMD-SHELL") == 0) {
            imp_iv_push(exec, "/bin/sh", false);
            imp_iv_push(exec, "-c", false);
        }
        for (i++; i < test->data.sequence.items.top; i++) {
            char *x = cy_interp(c, test, "healthcheck.test",
                                cy_str(cy_node(c, *i)) ? cy_str(cy_node(c, *i)) : "");
            imp_iv_push(exec, x, false);
            free(x);
        }
    } else if (cy_str(test)) {
        exec = imp_iv_child(h, "exec", IMP_IV_LIST);
        imp_iv_push(exec, "/bin/sh", false);
        imp_iv_push(exec, "-c", false);
        char *x = cy_interp(c, test, "healthcheck.test", cy_str(test));
        imp_iv_push(exec, x, false);
        free(x);
    }
    if (!exec || !exec->first) {
        cy_report(c, IMP_UNMAPPED, hc, "healthcheck",
                  "no test: the image's HEALTHCHECK is not "
                  "known here; write health.exec");
        imp_iv_free(h);
        return;
    }
    static const char *const keys[][3] = {{"interval", "interval", "30s"},
                                          {"timeout", "timeout", "30s"},
                                          {"start_period", "start_period", NULL}};
    /* A duration of 0 is Docker's default (the API's 0 means "inherit"):
     * 30s for interval and timeout, no start period; corral's durations
     * are greater than 0, so the default is written, or nothing. */
    for (size_t k = 0; k < 3; k++) {
        yaml_node_t *at = cy_get(c, hc, keys[k][0]);
        char *d = cy_duration(c, at, keys[k][0]);
        uint64_t ms = 1;
        if (d && units_parse_duration_ms(d, &ms) == 0 && ms == 0) {
            cy_report(c, keys[k][2] ? IMP_CHANGED : IMP_UNNEEDED, at, keys[k][0],
                      "0 is Docker's default: %s", keys[k][2] ? keys[k][2] : "no start period");
            free(d);
            d = NULL;
        }
        if (d || keys[k][2])
            imp_iv_set(h, keys[k][1], d ? d : keys[k][2], true);
        free(d);
    }
    v = cy_get(c, hc, "retries");
    unsigned long r;
    if (cy_str(v) && (imp_uint(cy_str(v), &r) < 0 || r == 0)) {
        cy_report(c, IMP_CHANGED, v, "retries", "%s: Docker's default, 3, is used", cy_str(v));
        r = 3;
    } else if (!cy_str(v)) {
        r = 3;
    }
    imp_iv_setf(h, "retries", true, "%lu", r);
    if ((v = cy_get(c, hc, "start_interval"))) {
        char *d = cy_duration(c, v, "start_interval");
        uint64_t ms = 1;
        if (d && units_parse_duration_ms(d, &ms) == 0 && ms == 0)
            cy_report(c, IMP_UNNEEDED, v, "start_interval", "0 is Docker's default: interval");
        else if (d)
            imp_iv_set(h, "start_interval", d, true); /* moved to readiness, or dropped */
        free(d);
    }
    struct imp_iv *e = imp_iv_child(s->map, "health", IMP_IV_MAP);
    e->first = h->first;
    e->last = h->last;
    h->first = h->last = NULL;
    imp_iv_free(h);
    imp_iv_note(e, "healthcheck, line %lu (compose's defaults: interval 30s, timeout 30s)",
                (unsigned long)hc->start_mark.line + 1);
}

/* A service a dependent waits for with service_healthy gets a readiness
 * check that runs its healthcheck, so the dependent starts once it passes;
 * its timeout lets the check fail `retries` times after start_period, as
 * compose would before calling it unhealthy. */
/* Dependents wait with service_healthy for service idx, which has no
 * health check here: its compose file has no healthcheck (compose takes the
 * image's HEALTHCHECK, which is not known here, and refuses to start the
 * dependent without one), or one that is disabled or none corral can run.
 * corral's healthy needs a health check; its ready is the condition
 * service_healthy stands for, and the readiness check a user adds. */
static void cy_no_health(struct cy *c, size_t idx)
{
    struct imp_service *s = c->svc[idx];
    bool written = cy_get(c, c->node[idx], "healthcheck") != NULL;
    for (size_t k = 0; k < c->n_edges; k++) {
        struct cy_edge *e = &c->edges[k];
        struct imp_iv *deps = e->dep.to == idx && !e->dep.dropped
                                  ? imp_iv_get(c->svc[e->dep.from]->map, "depends_on")
                                  : NULL;
        struct imp_iv *d = deps ? imp_iv_get(deps, s->name) : NULL;
        if (!d || strcmp(imp_iv_get(d, "condition")->text, "healthy") != 0)
            continue;
        imp_iv_set(d, "condition", "ready", true);
        imp_iv_note(d, "compose: service_healthy (%s has no health check here)", c->name[idx]);
        char *w = imp_xasprintf("services.%s.depends_on.%s", c->name[e->dep.from], c->name[idx]);
        cy_report(c, IMP_CHANGED, e->at, w,
                  "service_healthy, but %s %s; condition ready instead: %s starts once %s is "
                  "ready, which is as soon as it runs until %s has a readiness: check",
                  c->name[idx],
                  written ? "has no health check corral runs (see its healthcheck)"
                          : "has no healthcheck in this file (compose takes its image's "
                            "HEALTHCHECK, which is not known here, and without one refuses to "
                            "start the dependent)",
                  c->name[e->dep.from], c->name[idx], c->name[idx]);
        free(w);
    }
}

static void cy_readiness(struct cy *c, size_t idx)
{
    struct imp_service *s = c->svc[idx];
    struct imp_iv *h = imp_iv_get(s->map, "health");
    struct imp_iv *si = h ? imp_iv_get(h, "start_interval") : NULL;
    if (!h && c->healthy_wanted[idx])
        cy_no_health(c, idx);
    if (!h || !c->healthy_wanted[idx]) {
        if (si)
            imp_iv_del(h, "start_interval");
        return;
    }
    uint64_t interval = 0, timeout = 0, start = 0, retries = 3;
    units_parse_duration_ms(imp_iv_get(h, "interval")->text, &interval);
    units_parse_duration_ms(imp_iv_get(h, "timeout")->text, &timeout);
    if (imp_iv_get(h, "start_period"))
        units_parse_duration_ms(imp_iv_get(h, "start_period")->text, &start);
    retries = strtoull(imp_iv_get(h, "retries")->text, NULL, 10);
    struct imp_iv *r = imp_iv_child(s->map, "readiness", IMP_IV_MAP);
    struct imp_iv *exec = imp_iv_child(r, "exec", IMP_IV_LIST);
    for (struct imp_iv *a = imp_iv_get(h, "exec")->first; a; a = a->next)
        imp_iv_push(exec, a->text, false);
    char buf[32];
    imp_iv_set(r, "interval", si ? si->text : imp_iv_get(h, "interval")->text, true);
    uint64_t total = start + retries * (interval + timeout) + interval;
    imp_iv_set(r, "timeout", units_format_duration(total, buf, sizeof buf), true);
    imp_iv_note(r, "the healthcheck, which a dependent waits for (service_healthy)");
    if (si)
        imp_iv_del(h, "start_interval");
    for (size_t i = 0; i < c->n; i++) {
        struct imp_iv *deps = c->svc[i] ? imp_iv_get(c->svc[i]->map, "depends_on") : NULL;
        struct imp_iv *d = deps ? imp_iv_get(deps, s->name) : NULL;
        if (d && strcmp(imp_iv_get(d, "condition")->text, "healthy") == 0) {
            imp_iv_set(d, "condition", "ready", true);
            imp_iv_note(d, "compose: service_healthy (readiness runs %s's healthcheck)", s->name);
        }
    }
}

static void cy_restart(struct cy *c, struct imp_service *s, yaml_node_t *v, bool oneshot)
{
    const char *t = cy_str(v) ? cy_str(v) : "no";
    const char *policy = "never";
    if (strcmp(t, "always") == 0 || strcmp(t, "unless-stopped") == 0)
        policy = oneshot ? "on-failure" : "always";
    else if (strncmp(t, "on-failure", 10) == 0)
        policy = "on-failure";
    if (strncmp(t, "on-failure:", 11) == 0)
        cy_report(c, IMP_CHANGED, v, t,
                  "corral counts starts in a window (start_limit, 10 in 60s by default), not "
                  "retries in a row");
    struct imp_iv *e = imp_iv_set(s->map, "restart", policy, true);
    if (v)
        imp_iv_note(e, "restart: \"%s\", line %lu", t, (unsigned long)v->start_mark.line + 1);
    else
        imp_iv_note(e, "compose's default: restart: \"no\"");
}

/* user: "USER[:GROUP]" as Docker reads it (runc's GetExecUser, whose
 * rules corral's ident.c follows): an empty USER is uid 0, not the image's
 * USER, which Docker takes only when user: is not set, or empty; an empty
 * GROUP is the user's primary group, corral's default too; a third field
 * is not read. Written that way, an empty part is never refused by corral
 * and taken out by the last check, which would leave the service out. */
static void cy_user(struct cy *c, struct imp_service *s, yaml_node_t *v, const char *svc)
{
    const char *u = cy_str(v);
    if (!u)
        return;
    char *w = imp_xasprintf("%s.user", svc);
    if (!u[0]) {
        cy_report(c, IMP_CHANGED, v, w,
                  "an empty user is compose's \"not set\": the container runs as its image's "
                  "USER, which is not known here, and the service as corral's own user; set "
                  "user: to the image's");
        free(w);
        return;
    }
    size_t n = strcspn(u, ":");
    const char *g = u[n] ? u + n + 1 : NULL;
    size_t gn = g ? strcspn(g, ":") : 0;
    char *user = n ? imp_xstrndup(u, n) : imp_xstrdup("0");
    struct imp_iv *e = imp_iv_set(s->map, "user", user, false);
    if (gn)
        imp_iv_note(imp_iv_setf(s->map, "group", false, "%.*s", (int)gn, g), "user: \"%s\"", u);
    if (!n) {
        imp_iv_note(e, "user: \"%s\": an empty user is uid 0", u);
        cy_report(c, IMP_CHANGED, v, w,
                  "\"%s\": Docker runs an empty user as uid 0 (root), not as the image's USER: "
                  "written user: \"0\"%s",
                  u, gn ? " with the group" : "");
    }
    if (n && g && !gn)
        cy_report(c, IMP_UNNEEDED, v, w,
                  "\"%s\": an empty group is the user's primary group, as without one, in "
                  "Docker and in corral",
                  u);
    if (g && g[gn])
        cy_report(c, IMP_CHANGED, v, w,
                  "\"%s\": Docker reads USER:GROUP and ignores what follows (\"%s\"); so does "
                  "the import",
                  u, g + gn);
    free(user);
    free(w);
}

/* scale or deploy.replicas as instances: 2 to CONF_INSTANCES_MAX (1 is one
 * copy named after the service, as without instances:); 0 (created, not
 * started) as autostart: false. */
static void cy_instances(struct cy *c, struct imp_service *s, yaml_node_t *v, const char *key)
{
    unsigned long n;
    if (imp_uint(cy_str(v), &n) < 0) {
        cy_report(c, IMP_UNMAPPED, v, key, "expected a whole number, got \"%s\"", cy_str(v));
    } else if (n == 0) {
        imp_iv_note(imp_iv_set(s->map, "autostart", "false", true), "%s: 0", key);
    } else if (n > CONF_INSTANCES_MAX) {
        imp_iv_note(imp_iv_setf(s->map, "instances", true, "%d", CONF_INSTANCES_MAX), "%s: %lu",
                    key, n);
        cy_report(c, IMP_CHANGED, v, key, "%lu: corral runs at most %d instances of a service", n,
                  CONF_INSTANCES_MAX);
    } else if (n == 1) {
        cy_report(c, IMP_UNNEEDED, v, key, "one copy, named %s: corral's default", s->name);
    } else {
        imp_iv_note(imp_iv_setf(s->map, "instances", true, "%lu", n), "%s", key);
    }
}

/* stop_signal as corral names signals (signame.c): a name like TERM or
 * SIGRTMIN+2, or a number, as Docker takes them. One corral does not know
 * is left out, so TERM is sent, Docker's default too. */
static void cy_stop_signal(struct cy *c, struct imp_service *s, yaml_node_t *v, const char *svc)
{
    const char *t = cy_str(v);
    if (signame_parse(t) > 0) {
        imp_iv_set(s->map, "stop_signal", t, false);
        return;
    }
    char *w = imp_xasprintf("%s.stop_signal", svc);
    if (strchr(t, '$'))
        cy_report(c, IMP_UNMAPPED, v, w,
                  "\"%s\": corral reads stop_signal: as written, without variables; left out, "
                  "so TERM is sent: write the signal's name",
                  t);
    else
        cy_report(c, IMP_UNMAPPED, v, w,
                  "\"%s\" is not a signal corral knows (a name like TERM, SIGINT or RTMIN+2, or "
                  "a number from 1 to %d); left out, so TERM is sent: write the signal's name",
                  t, NSIG - 1);
    free(w);
}

/* A YAML null (`command:`, `command: ~`): compose's "not set". */
static bool cy_null(yaml_node_t *v)
{
    const char *t = cy_str(v);
    return t && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (strcmp(t, "") == 0 || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
            strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0);
}

/* The limits Docker takes (docker run --ulimit, go-units' names); it
 * refuses any other name, and corral takes each of these. */
static const char *const cy_ulimit_names[] = {
    "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
    "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",
};

/* One limit of ulimits: a whole number up to 2^63-1, or -1 (Docker's and
 * setrlimit's RLIM_INFINITY), which corral writes unlimited, into *out
 * (UINT64_MAX for unlimited). Docker reads a limit as a signed 64-bit
 * number (go-units' ParseInt) and refuses one above 2^63-1. Returns 0, or
 * -1 with *why (static) saying what Docker refuses: anything else, a list
 * or a map too. */
static int cy_limit(yaml_node_t *v, uint64_t *out, const char **why)
{
    const char *t = cy_str(v);
    if (!t) {
        *why = "expected a whole number or -1 (unlimited), got a list or a map";
        return -1;
    }
    if (strcmp(t, "-1") == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    size_t len = strlen(t);
    if (!len || strspn(t, "0123456789") != len) {
        *why = "expected a whole number or -1 (unlimited)";
        return -1;
    }
    const char *big = t + strspn(t, "0"); /* without leading zeros */
    size_t big_len = strlen(big);
    if (big_len > 19 || (big_len == 19 && strcmp(big, "9223372036854775807") > 0)) {
        *why = "above 9223372036854775807 (2^63-1): Docker reads a limit as a signed 64-bit "
               "number; write -1 for unlimited";
        return -1;
    }
    *out = strtoull(t, NULL, 10);
    return 0;
}

/* The limits corral reads as sizes (conf_policy.c): a number of bytes, up
 * to what its size reading takes (units_parse_size, about 16 PiB). */
static const char *const cy_ulimit_bytes[] = {
    "core", "data", "fsize", "memlock", "msgqueue", "rss", "stack",
};

/* A limit of resource k, read by cy_limit, that corral can take: a
 * number of bytes past what corral reads as a size limits nothing any
 * machine has, and is written unlimited (reported). */
static uint64_t cy_limit_fit(struct cy *c, yaml_node_t *v, const char *what, const char *k,
                             uint64_t n)
{
    bool bytes = false;
    for (size_t i = 0; i < sizeof cy_ulimit_bytes / sizeof *cy_ulimit_bytes; i++)
        bytes |= strcmp(k, cy_ulimit_bytes[i]) == 0;
    char text[32];
    uint64_t parsed;
    snprintf(text, sizeof text, "%llu", (unsigned long long)n);
    if (!bytes || n == UINT64_MAX || units_parse_size(text, &parsed) == 0)
        return n;
    cy_report(c, IMP_CHANGED, v, what,
              "%s bytes is more than corral reads as a size (about 16 PiB) and more than any "
              "machine holds: written unlimited",
              cy_str(v));
    return UINT64_MAX;
}

/* Sets map[key] to limit v, whose source text is src. */
static void cy_limit_set(struct imp_iv *map, const char *key, uint64_t v, const char *src)
{
    if (v == UINT64_MAX)
        imp_iv_note(imp_iv_set(map, key, "unlimited", true), "%s", src);
    else
        imp_iv_setf(map, key, true, "%llu", (unsigned long long)v);
}

/* Whether limit k is one Docker takes. */
static bool cy_ulimit_known(const char *k)
{
    for (size_t i = 0; i < sizeof cy_ulimit_names / sizeof *cy_ulimit_names; i++)
        if (strcmp(k, cy_ulimit_names[i]) == 0)
            return true;
    return false;
}

/* Reports a limit Docker refuses (at node at, what services.a.ulimits.X)
 * with why; the caller leaves the service out. */
static void cy_ulimit_refused(struct cy *c, yaml_node_t *at, const char *what, const char *why,
                              const char *text)
{
    cy_report(c, IMP_UNMAPPED, at, what,
              "%s%s%s%s: Docker refuses the service with it, so it never ran; the service is "
              "left out, rather than run without the limit",
              text ? "\"" : "", text ? text : "", text ? "\": " : "", why);
}

/* Reads n, the soft or hard (part) of limit w, into *out; reports it
 * refused where Docker refuses it. */
static bool cy_limit_part(struct cy *c, yaml_node_t *n, const char *w, const char *part,
                          uint64_t *out)
{
    const char *why = NULL;
    if (cy_limit(n, out, &why) == 0)
        return true;
    char *wp = imp_xasprintf("%s.%s", w, part);
    cy_ulimit_refused(c, n, wp, why, cy_str(n));
    free(wp);
    return false;
}

/* Checks service idx's ulimits as Docker reads them: a name it does not
 * take, a value cy_limit refuses (the soft or the hard one), a soft limit
 * above the hard one (setrlimit(2) refuses it, -1 counting as the
 * largest), or anything but a number or {soft, hard} (both, and no other
 * key: the compose file schema) makes Docker refuse the whole service: each is reported, and -1
 * returned for the service to be left out, since running it without the limit would give it more
 * than its file did. */
static int cy_ulimits_check(struct cy *c, size_t idx)
{
    yaml_node_t *v = cy_get(c, c->node[idx], "ulimits");
    if (!v || cy_null(v))
        return 0;
    char *w = imp_xasprintf("services.%s.ulimits", c->name[idx]);
    int rc = 0;
    if (v->type != YAML_MAPPING_NODE) {
        cy_ulimit_refused(c, v, w, "expected a map of limits", NULL);
        free(w);
        return -1;
    }
    free(w);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = cy_node(c, p->key), *val = cy_node(c, p->value);
        const char *k = cy_str(kn), *why = NULL;
        uint64_t soft = 0, hard = 0;
        w = imp_xasprintf("services.%s.ulimits.%s", c->name[idx], k ? k : "?");
        if (!k || !cy_ulimit_known(k)) {
            cy_ulimit_refused(c, kn, w,
                              "not a limit Docker takes (core, cpu, data, fsize, locks, memlock, "
                              "msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, "
                              "stack)",
                              NULL);
            rc = -1;
        } else if (val->type == YAML_SCALAR_NODE) {
            if (cy_limit(val, &soft, &why) < 0) {
                cy_ulimit_refused(c, val, w, why, cy_str(val));
                rc = -1;
            }
        } else if (val->type == YAML_MAPPING_NODE) {
            yaml_node_t *sn = cy_get(c, val, "soft"), *hn = cy_get(c, val, "hard");
            bool bad = false;
            if (!sn || !hn) {
                cy_ulimit_refused(c, val, w,
                                  !sn && !hn ? "a map without soft and hard: the compose file "
                                               "schema requires both"
                                  : !sn      ? "no soft: the compose file schema requires both "
                                               "soft and hard"
                                             : "no hard: the compose file schema requires both "
                                               "soft and hard",
                                  NULL);
                bad = true;
            }
            for (yaml_node_pair_t *q = val->data.mapping.pairs.start;
                 q < val->data.mapping.pairs.top; q++) {
                const char *qk = cy_str(cy_node(c, q->key));
                if (qk && (strcmp(qk, "soft") == 0 || strcmp(qk, "hard") == 0))
                    continue;
                char *wk = imp_xasprintf("%s.%s", w, qk ? qk : "?");
                cy_ulimit_refused(c, cy_node(c, q->key), wk,
                                  "not soft or hard: the compose file schema takes no other key "
                                  "in a limit",
                                  NULL);
                free(wk);
                bad = true;
            }
            bad |= sn && !cy_limit_part(c, sn, w, "soft", &soft);
            bad |= hn && !cy_limit_part(c, hn, w, "hard", &hard);
            if (!bad && sn && hn && soft > hard) {
                char *t = imp_xasprintf("soft (%s) is more than hard (%s): the container cannot "
                                        "start with it (setrlimit(2) refuses it)",
                                        cy_str(sn), cy_str(hn));
                cy_ulimit_refused(c, val, w, t, NULL);
                free(t);
                bad = true;
            }
            rc = bad ? -1 : rc;
        } else {
            cy_ulimit_refused(c, val, w, "expected a number or {soft: N, hard: N}, got a list",
                              NULL);
            rc = -1;
        }
        free(w);
    }
    return rc;
}

/* Writes ulimits, which cy_ulimits_check took, as rlimits:. */
static void cy_ulimits(struct cy *c, struct imp_service *s, yaml_node_t *v, const char *svc)
{
    if (v->type != YAML_MAPPING_NODE)
        return;
    struct imp_iv *rl = imp_iv_child(s->map, "rlimits", IMP_IV_MAP);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const char *k = cy_str(cy_node(c, p->key)), *why;
        yaml_node_t *val = cy_node(c, p->value);
        uint64_t soft = 0, hard = 0;
        char *w = imp_xasprintf("%s.ulimits.%s", svc, k);
        if (cy_str(val)) {
            cy_limit(val, &soft, &why);
            cy_limit_set(rl, k, cy_limit_fit(c, val, w, k, soft), cy_str(val));
            free(w);
            continue;
        }
        yaml_node_t *sn = cy_get(c, val, "soft"), *hn = cy_get(c, val, "hard");
        char *ws = imp_xasprintf("%s.soft", w), *wh = imp_xasprintf("%s.hard", w);
        struct imp_iv *m2 = imp_iv_child(rl, k, IMP_IV_MAP);
        if (sn && cy_limit(sn, &soft, &why) == 0)
            cy_limit_set(m2, "soft", cy_limit_fit(c, sn, ws, k, soft), cy_str(sn));
        if (hn && cy_limit(hn, &hard, &why) == 0)
            cy_limit_set(m2, "hard", cy_limit_fit(c, hn, wh, k, hard), cy_str(hn));
        if (!m2->first)
            imp_iv_del(rl, k);
        free(ws);
        free(wh);
        free(w);
    }
    if (!rl->first) /* ulimits: {} */
        imp_iv_del(s->map, "rlimits");
}

/* Keys of a compose service that belong to the container, not to a
 * process in it. */
static const char *const cy_container_keys[] = {
    "container_name",
    "hostname",
    "domainname",
    "ports",
    "expose",
    "networks",
    "network_mode",
    "volumes",
    "volumes_from",
    "labels",
    "logging",
    "cap_add",
    "cap_drop",
    "privileged",
    "secrets",
    "configs",
    "profiles",
    "platform",
    "pull_policy",
    "extra_hosts",
    "dns",
    "dns_search",
    "dns_opt",
    "links",
    "external_links",
    "mem_limit",
    "memswap_limit",
    "mem_reservation",
    "cpus",
    "cpu_shares",
    "cpuset",
    "devices",
    "sysctls",
    "security_opt",
    "tmpfs",
    "shm_size",
    "pid",
    "ipc",
    "cgroup",
    "cgroup_parent",
    "isolation",
    "read_only",
    "runtime",
    "userns_mode",
    "uts",
    "mac_address",
    "oom_score_adj",
    "oom_kill_disable",
    "pids_limit",
    "storage_opt",
    "device_cgroup_rules",
    "group_add",
    "init",
    "tty",
    "stdin_open",
    "develop",
    "attach",
    "annotations",
    "blkio_config",
    "credential_spec",
    "label_file",
    "models",
    "post_start",
    "pre_stop",
    "provider",
    "use_api_socket",
};

static void cy_service(struct cy *c, size_t idx)
{
    yaml_node_t *svc = c->node[idx];
    const char *keys[256];
    yaml_node_t *at[256];
    size_t nk = cy_keys(c, svc, keys, at, 256, 0);
    char *where = cy_where(c, svc);
    struct imp_service *s = c->svc[idx];
    char *what = imp_xasprintf("services.%s", c->name[idx]);
    yaml_node_t *v;
    for (size_t k = 0; k < nk; k++) {
        const char *key = keys[k];
        v = cy_get(c, svc, key);
        if (strcmp(key, "command") == 0 || strcmp(key, "entrypoint") == 0 ||
            strcmp(key, "depends_on") == 0 || strcmp(key, "restart") == 0 ||
            strcmp(key, "healthcheck") == 0) {
            /* below: they need the whole file */
        } else if (strcmp(key, "environment") == 0) {
            cy_env(c, s, v);
        } else if (strcmp(key, "env_file") == 0) {
            char *w = imp_xasprintf("%s.env_file", what);
            cy_env_file(c, s, v, w);
            free(w);
        } else if (strcmp(key, "stop_signal") == 0 && cy_str(v)) {
            cy_stop_signal(c, s, v, what);
        } else if (strcmp(key, "stop_grace_period") == 0) {
            char *d = cy_duration(c, v, key);
            if (d)
                imp_iv_set(s->map, "stop_timeout", d, true);
            free(d);
        } else if (strcmp(key, "user") == 0) {
            cy_user(c, s, v, what);
        } else if (strcmp(key, "working_dir") == 0 && cy_str(v)) {
            /* A path in the container; Docker refuses a relative one, and
             * nothing says what it would be relative to. A variable may
             * hold an absolute path: kept. */
            char *d = cy_interp(c, v, key, cy_str(v));
            if (d[0] == '/' || d[0] == '$')
                imp_iv_set(s->map, "directory", d, false);
            else
                cy_report(c, IMP_UNMAPPED, v, key,
                          "\"%s\" is relative: the container's working directory is an absolute "
                          "path; set directory: to it",
                          cy_str(v));
            free(d);
        } else if (strcmp(key, "ulimits") == 0) {
            cy_ulimits(c, s, v, what);
        } else if (strcmp(key, "scale") == 0 && cy_str(v)) {
            cy_instances(c, s, v, "scale");
        } else if (strcmp(key, "deploy") == 0) {
            yaml_node_t *r = cy_get(c, v, "replicas");
            if (cy_str(r))
                cy_instances(c, s, r, "deploy.replicas");
            char *w = imp_xasprintf("%s.deploy", what);
            cy_report(c, IMP_UNMAPPED, v, w,
                      "%sresources, placement and update settings belong to the container",
                      cy_str(r) ? "replicas became instances; " : "");
            free(w);
        } else if (strcmp(key, "image") == 0 || strcmp(key, "build") == 0) {
            char *w = imp_xasprintf("%s.%s", what, key);
            cy_report(c, IMP_CHANGED, v, w,
                      "%s: every service runs in this one container: install what %s's image "
                      "holds in it",
                      c->name[idx], c->name[idx]);
            free(w);
        } else if (strncmp(key, "x-", 2) == 0) {
            cy_report(c, IMP_UNNEEDED, at[k], key, "a compose extension");
        } else {
            bool container = false;
            for (size_t j = 0; j < sizeof cy_container_keys / sizeof *cy_container_keys; j++)
                container |= strcmp(key, cy_container_keys[j]) == 0;
            char *w = imp_xasprintf("%s.%s", what, key);
            if (strcmp(key, "init") == 0)
                cy_report(c, IMP_UNNEEDED, at[k], w, "corral is the init: it reaps every orphan");
            else
                cy_report(c, IMP_UNMAPPED, at[k], w,
                          container ? "a setting of the container: give it to the one container "
                                      "that runs corral"
                                    : "not a compose key corral maps");
            free(w);
        }
    }
    if ((v = cy_get(c, svc, "healthcheck")))
        cy_health(c, s, v);
    free(what);
    free(where);
}

/* Why a service's command cannot be written, or NULL: compose's rules
 * (compose spec, "command" and "entrypoint"): a null one is the image's,
 * which is not known here; an empty one ([] or "") overrides the image's
 * with nothing, and an entrypoint that is set, even empty, drops the
 * image's CMD. */
static const char *cy_no_command(bool has_ep, bool has_cmd, size_t na, size_t nb, const char *first)
{
    if (!has_ep && !has_cmd)
        return "no command or entrypoint: the image's CMD is not known here, so the service is "
               "left out; write its file by hand";
    if (has_ep && na == 0 && nb == 0)
        return has_cmd ? "entrypoint and command are both empty: the container has nothing to "
                         "run (Docker refuses it: no command specified); the service is left out"
                       : "an empty entrypoint and no command: the entrypoint drops the image's "
                         "CMD, so the container has nothing to run (Docker refuses it: no command "
                         "specified); the service is left out";
    if (!has_ep && nb == 0)
        return "an empty command and no entrypoint: the image's ENTRYPOINT would run alone, and "
               "it is not known here, so the service is left out; write its command: by hand";
    if (first && !first[0])
        return "the program to run (the first word of entrypoint, else of command) is an empty "
               "string: nothing can be started by that name; the service is left out";
    return NULL;
}

static int cy_commands(struct cy *c, size_t idx)
{
    yaml_node_t *svc = c->node[idx];
    yaml_node_t *ep = cy_get(c, svc, "entrypoint"), *cmd = cy_get(c, svc, "command");
    if (ep && cy_null(ep))
        ep = NULL;
    if (cmd && cy_null(cmd))
        cmd = NULL;
    char *wa = imp_xasprintf("services.%s.entrypoint", c->name[idx]);
    char *wb = imp_xasprintf("services.%s.command", c->name[idx]);
    char **a = ep ? cy_argv(c, ep, wa) : NULL;
    char **b = cmd ? cy_argv(c, cmd, wb) : NULL;
    free(wa);
    free(wb);
    size_t na = imp_strv_len(a), nb = imp_strv_len(b);
    const char *why = cy_no_command(ep != NULL, cmd != NULL, na, nb, na ? a[0] : nb ? b[0] : NULL);
    yaml_node_t *bad = ep && !a ? ep : cmd && !b ? cmd : NULL;
    if (bad)
        why = cy_str(bad)
                  ? "a quote is not closed (compose refuses it too); the service is left out"
                  : "expected a list or a string (compose refuses anything else); the "
                    "service is left out";
    if (why) {
        yaml_node_t *at = bad ? bad : na ? ep : cmd ? cmd : ep ? ep : svc;
        cy_report(c, IMP_UNMAPPED, at, c->name[idx], "%s", why);
        imp_strv_free(a);
        imp_strv_free(b);
        return -1;
    }
    char **argv = imp_xcalloc(na + nb + 1, sizeof *argv);
    for (size_t i = 0; i < na; i++)
        argv[i] = a[i];
    for (size_t i = 0; i < nb; i++)
        argv[na + i] = b[i];
    struct imp_iv *e = imp_command_list(c->svc[idx]->map, argv, false);
    imp_iv_note(e, "%s%s%s, line %lu", ep ? "entrypoint" : "", ep && cmd ? " + " : "",
                cmd ? "command" : "", (unsigned long)(cmd ? cmd : ep)->start_mark.line + 1);
    free(argv);
    imp_strv_free(a);
    imp_strv_free(b);
    return 0;
}

static int cy_load(struct cy *c, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int ok = yaml_parser_load(&parser, &c->doc);
    if (!ok) {
        imp_fail(c->m, "%s:%lu:%lu: %s", c->file, (unsigned long)parser.problem_mark.line + 1,
                 (unsigned long)parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "not YAML");
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_parser_delete(&parser);
    return 0;
}

static int cy_file(struct imp *m, const char *img)
{
    size_t len;
    char *text = imp_read(m, img, &len);
    if (!text)
        return imp_fail(m, "%s: cannot read: %m", img);
    struct cy c = {.m = m, .file = img};
    int rc = cy_load(&c, text, len);
    free(text);
    if (rc < 0)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&c.doc);
    yaml_node_t *services = cy_get(&c, root, "services");
    if (!services || services->type != YAML_MAPPING_NODE) {
        yaml_document_delete(&c.doc);
        return imp_fail(m, "%s: expected a services: map", img);
    }
    size_t n = (size_t)(services->data.mapping.pairs.top - services->data.mapping.pairs.start);
    c.svc = imp_xcalloc(n, sizeof *c.svc);
    c.node = imp_xcalloc(n, sizeof *c.node);
    c.name = imp_xcalloc(n, sizeof *c.name);
    c.healthy_wanted = imp_xcalloc(n, sizeof *c.healthy_wanted);
    c.completed_wanted = imp_xcalloc(n, sizeof *c.completed_wanted);
    for (yaml_node_pair_t *p = services->data.mapping.pairs.start;
         p < services->data.mapping.pairs.top; p++) {
        const char *name = cy_str(cy_node(&c, p->key));
        if (!name)
            continue;
        c.name[c.n] = name;
        c.node[c.n] = cy_node(&c, p->value);
        char *where = cy_where(&c, c.node[c.n]);
        c.svc[c.n] = imp_svc(m, name, where, "%s (services.%s)", where, name);
        free(where);
        c.n++;
    }
    for (size_t i = 0; i < c.n; i++)
        if (cy_commands(&c, i) < 0 || cy_ulimits_check(&c, i) < 0) {
            imp_drop(m, c.svc[i]->name);
            c.svc[i] = NULL;
        }
    for (size_t i = 0; i < c.n; i++)
        if (c.svc[i])
            cy_service(&c, i);
    for (size_t i = 0; i < c.n; i++) {
        yaml_node_t *d = c.svc[i] ? cy_get(&c, c.node[i], "depends_on") : NULL;
        if (d)
            cy_depends(&c, i, d);
    }
    cy_cycles(&c);
    for (size_t i = 0; i < c.n; i++) {
        if (!c.svc[i])
            continue;
        if (c.completed_wanted[i]) {
            imp_iv_note(imp_iv_set(c.svc[i]->map, "type", "oneshot", true),
                        "a dependent waits for it to complete");
            if (imp_iv_get(c.svc[i]->map, "health")) {
                imp_iv_del(c.svc[i]->map, "health");
                cy_report(&c, IMP_UNMAPPED, c.node[i], c.name[i],
                          "healthcheck: a oneshot has no health check");
            }
        }
        cy_restart(&c, c.svc[i], cy_get(&c, c.node[i], "restart"), c.completed_wanted[i]);
        cy_readiness(&c, i);
    }
    /* Top-level keys other than services. */
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = cy_node(&c, p->key);
        const char *k = cy_str(kn);
        if (!k || strcmp(k, "services") == 0)
            continue;
        if (strcmp(k, "version") == 0 || strcmp(k, "name") == 0 || strncmp(k, "x-", 2) == 0)
            cy_report(&c, IMP_UNNEEDED, kn, k, "not needed for the services of one container");
        else
            cy_report(&c, IMP_UNMAPPED, kn, k,
                      "a setting of containers: give it to the one container that runs corral");
    }
    free(c.svc);
    free(c.node);
    free(c.name);
    free(c.healthy_wanted);
    free(c.completed_wanted);
    free(c.edges);
    yaml_document_delete(&c.doc);
    return 0;
}

int imp_compose(struct imp *m, char **sources, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *img = imp_abs(m, NULL, sources[i]);
        int rc = cy_file(m, img);
        free(img);
        if (rc < 0)
            return rc;
    }
    return 0;
}
