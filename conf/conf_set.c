/* conf_set.c - a loaded directory as one validated whole: every depends_on
 * names a service that exists and can meet the condition, there is no cycle
 * (reported as `a -> b -> a`), and the start order and each service's
 * dependents are computed once for the daemon (start in order, stop in
 * reverse). Also the implicit `main` service of `corral -- CMD`. */
#include "conf_set.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parse.h"
#include "graph.h"
#include "suggest.h"

static int conf_set_cmp(const void *a, const void *b)
{
    const struct conf_service *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static int conf_set_cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static long conf_set_index(struct conf_service **v, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, v[mid]->name);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

struct conf_service *conf_set_find(const struct conf_set *set, const char *name)
{
    long i = conf_set_index(set->services, set->n, name);
    return i < 0 ? NULL : set->services[i];
}

long conf_set_position(const struct conf_set *set, const char *name)
{
    return conf_set_index(set->services, set->n, name);
}

void conf_set_free(struct conf_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        conf_service_free(set->services[i]);
    free(set->services);
    free(set->start_order);
    for (size_t i = 0; i < set->n_ignored; i++)
        free(set->ignored[i]);
    free(set->ignored);
    free(set);
}

int conf_set_new(struct conf_set **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -ENOMEM;
}

/* Reports a missing dependency, with the closest name when it looks like a typo. */
static int conf_set_missing(struct conf_set *set, struct conf_service *s, struct conf_dep *d,
                            struct conf_errors *errs)
{
    /* The suggestion looks at every name: not for a message only counted. */
    if (conf_errors_full(errs)) {
        int rc = conf_errors_add(errs, s->file, d->line, d->col, "depends_on: %s does not exist",
                                 d->name);
        return rc < 0 ? rc : -EINVAL;
    }
    const char **names = malloc((set->n ? set->n : 1) * sizeof *names);
    if (!names)
        return -ENOMEM;
    for (size_t i = 0; i < set->n; i++)
        names[i] = set->services[i]->name;
    const char *best = suggest_closest(d->name, names, set->n);
    int rc = conf_errors_add(
        errs, s->file, d->line, d->col,
        "depends_on: expected the name of a service, got \"%s\", which does not exist%s%s%s",
        d->name, best ? " (did you mean \"" : "", best ? best : "", best ? "\"?)" : "");
    free(names);
    return rc < 0 ? rc : -EINVAL;
}

/* Checks that the target of d can meet its condition. */
static int conf_set_condition(struct conf_service *s, struct conf_dep *d,
                              const struct conf_service *t, struct conf_errors *errs)
{
    const char *why = NULL;
    if (d->condition == CONF_COND_HEALTHY && t->health.kind == CONF_PROBE_NONE)
        why = "has no health check (expected started or ready)";
    else if (d->condition == CONF_COND_COMPLETED && t->type != CONF_TYPE_ONESHOT)
        why = "is a longrun service and never completes (expected a oneshot, or started or ready)";
    else if (d->condition == CONF_COND_FINISHED && t->type != CONF_TYPE_ONESHOT)
        why = "is a longrun service and never finishes by itself (expected a oneshot, or started "
              "or ready)";
    if (!why)
        return 0;
    int rc = conf_errors_add(errs, s->file, d->line, d->col, "depends_on: condition %s, but %s %s",
                             conf_condition_name(d->condition), t->name, why);
    return rc < 0 ? rc : -EINVAL;
}

struct conf_set_cycles {
    struct conf_set *set;
    struct conf_errors *errs;
    int rc;
};

static void conf_set_on_cycle(void *arg, const size_t *nodes, size_t len)
{
    struct conf_set_cycles *cc = arg;

    /* One call per back edge: past the cap, no message to make. */
    if (conf_errors_full(cc->errs)) {
        cc->errs->dropped++;
        cc->rc = cc->rc ? cc->rc : -EINVAL;
        return;
    }
    struct conf_service *first = cc->set->services[nodes[0]];
    const struct conf_dep *d = NULL;
    char text[1024] = "";
    size_t used = 0;

    for (size_t i = 0; i <= len && used < sizeof text; i++) {
        int w = snprintf(text + used, sizeof text - used, "%s%s", i ? " -> " : "",
                         cc->set->services[nodes[i % len]]->name);
        used += w > 0 ? (size_t)w : 0;
    }
    /* Point at the depends_on entry of the first service that starts the cycle. */
    const char *next = cc->set->services[nodes[len > 1 ? 1 : 0]]->name;
    for (size_t k = 0; k < first->n_deps && !d; k++)
        if (strcmp(first->deps[k].name, next) == 0)
            d = &first->deps[k];
    int rc = conf_errors_add(cc->errs, first->file, d ? d->line : 0, d ? d->col : 0,
                             "depends_on: expected no dependency cycle, got %s", text);
    if (rc < 0 || cc->rc == 0)
        cc->rc = rc < 0 ? rc : -EINVAL;
}

/* Resolves names, checks conditions, builds the graph, order and dependents. */
static int conf_set_link(struct conf_set *set, char **failed, size_t n_failed,
                         struct conf_errors *errs)
{
    struct graph g;
    int rc = graph_init(&g, set->n), r;

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < set->n; i++) {
        struct conf_service *s = set->services[i];
        for (size_t k = 0; k < s->n_deps; k++) {
            struct conf_dep *d = &s->deps[k];
            long t = conf_set_index(set->services, set->n, d->name);
            bool known_bad =
                t < 0 && n_failed &&
                bsearch(&d->name, failed, n_failed, sizeof *failed, conf_set_cmp_name) != NULL;
            if (t < 0)
                r = known_bad ? -EINVAL : conf_set_missing(set, s, d, errs);
            else
                r = conf_set_condition(s, d, set->services[t], errs);
            if (t >= 0) {
                d->index = (size_t)t;
                int e = graph_add_edge(&g, i, (size_t)t);
                r = e == -ENOMEM ? e : r;
            }
            if (r == -ENOMEM)
                goto err_graph;
            if (r < 0)
                rc = r;
        }
    }
    struct conf_set_cycles cc = {.set = set, .errs = errs};
    r = graph_cycles(&g, conf_set_on_cycle, &cc);
    if (r < 0 || cc.rc == -ENOMEM) {
        rc = -ENOMEM;
        goto err_graph;
    }
    if (cc.rc < 0)
        rc = cc.rc;
    if (rc < 0)
        goto err_graph;
    free(set->start_order);
    set->start_order = malloc((set->n ? set->n : 1) * sizeof *set->start_order);
    if (!set->start_order) {
        rc = -ENOMEM;
        goto err_graph;
    }
    rc = graph_order(&g, set->start_order);
    size_t **lists = rc == 0 ? calloc(set->n ? set->n : 1, sizeof *lists) : NULL;
    size_t *counts = rc == 0 ? calloc(set->n ? set->n : 1, sizeof *counts) : NULL;
    if (rc == 0 && (!lists || !counts))
        rc = -ENOMEM;
    if (rc == 0)
        rc = graph_dependents_all(&g, lists, counts);
    for (size_t i = 0; i < set->n && rc == 0; i++) {
        struct conf_service *s = set->services[i];
        free(s->dependents);
        s->dependents = lists[i];
        s->n_dependents = counts[i];
    }
    free(lists);
    free(counts);
err_graph:
    graph_close(&g);
    return rc;
}

int conf_set_build(struct conf_service **services, size_t n, char **failed, size_t n_failed,
                   struct conf_errors *errs, struct conf_set **out)
{
    struct conf_set *set;

    *out = NULL;
    int rc = conf_set_new(&set);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            conf_service_free(services[i]);
        free(services);
        return rc;
    }
    set->services = services;
    set->n = n;
    if (n)
        qsort(set->services, n, sizeof *set->services, conf_set_cmp);
    rc = conf_set_link(set, failed, n_failed, errs);
    if (rc < 0) {
        conf_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

/* A oneshot that runs at boot: not a scheduled job, which runs at its
 * times only, nor one with autostart: false, which waits for corralctl
 * start. */
static bool conf_set_boot_oneshot(const struct conf_service *s)
{
    return s->type == CONF_TYPE_ONESHOT && !s->schedule && !s->every_ms && s->autostart;
}

/* The implicit main waits for the oneshots of the directory that run at
 * boot, the way startup scripts run before the command. (No service file
 * can depend on the implicit main: it is not in the directory.) */
static int conf_set_main_waits(const struct conf_set *set, struct conf_service *m)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        n += conf_set_boot_oneshot(set->services[i]);
    if (n == 0)
        return 0;
    m->deps = calloc(n, sizeof *m->deps);
    if (!m->deps)
        return -ENOMEM;
    for (size_t i = 0; i < set->n; i++) {
        const struct conf_service *s = set->services[i];
        if (!conf_set_boot_oneshot(s))
            continue;
        struct conf_dep *dep = &m->deps[m->n_deps];
        dep->name = strdup(s->name);
        if (!dep->name)
            return -ENOMEM;
        dep->condition = CONF_COND_FINISHED;
        m->n_deps++;
    }
    return 0;
}

int conf_set_add_main(struct conf_set *set, char *const argv[], struct conf_service **section,
                      struct conf_errors *errs)
{
    struct conf_service *m = section ? *section : NULL;
    if (section)
        *section = NULL;
    struct conf_service *existing = conf_set_find(set, "main");
    if (existing) {
        conf_service_free(m);
        int rc = conf_errors_add(
            errs, existing->file, 0, 0,
            "a service named main is given on the command line (corral -- CMD): expected no main.yaml beside it");
        return rc < 0 ? rc : -EEXIST;
    }
    if (!argv || !argv[0]) {
        conf_service_free(m);
        return -EINVAL;
    }
    if (!m) {
        m = calloc(1, sizeof *m);
        if (!m)
            return -ENOMEM;
        conf_service_defaults(m);
        m->main = true;
        m->restart = CONF_RESTART_NEVER;
        m->name = strdup("main");
        m->file = strdup("command line");
    }
    while (argv[m->argc])
        m->argc++;
    m->argv = calloc(m->argc + 1, sizeof *m->argv);
    int rc = m->name && m->file && m->argv ? 0 : -ENOMEM;
    for (size_t i = 0; i < m->argc && rc == 0; i++) {
        m->argv[i] = strdup(argv[i]);
        if (!m->argv[i])
            rc = -ENOMEM;
    }
    if (rc == 0 && !m->depends_on_given)
        rc = conf_set_main_waits(set, m);
    struct conf_service **v = NULL;
    if (rc == 0) {
        v = malloc((set->n + 1) * sizeof *v);
        rc = v ? 0 : -ENOMEM;
    }
    if (rc < 0)
        goto err_free;
    if (set->n)
        memcpy(v, set->services, set->n * sizeof *v);
    v[set->n] = m;
    qsort(v, set->n + 1, sizeof *v, conf_set_cmp);
    /* Relink a copy, so that a failure leaves the set as it was. */
    struct conf_set tmp = {.services = v, .n = set->n + 1};
    rc = conf_set_link(&tmp, NULL, 0, errs);
    if (rc < 0) {
        free(tmp.start_order);
        free(v);
        /* Dependents and indexes of the old set may have been rewritten. */
        conf_set_link(set, NULL, 0, errs);
        goto err_free;
    }
    free(set->services);
    free(set->start_order);
    set->services = v;
    set->start_order = tmp.start_order;
    set->n = tmp.n;
    return 0;

err_free:
    conf_service_free(m);
    return rc;
}
