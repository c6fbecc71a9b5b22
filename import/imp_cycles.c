/* imp_cycles.c - dependency cycles in an imported set, broken
 * (imp_cycles.h). */
#include "imp_cycles.h"

#include <stdlib.h>
#include <string.h>

struct imp_walk {
    char *edges;
    size_t n_edges, stride;
    const char *const *names;
    imp_cycle_fn on_cycle;
    void *arg;
    unsigned char *color; /* 0 not seen, 1 on the path, 2 done */
    size_t *path;
};

static struct imp_dep *imp_walk_edge(const struct imp_walk *w, size_t k)
{
    return (struct imp_dep *)(void *)(w->edges + k * w->stride);
}

/* Edge k closes a cycle: path[0..depth] ends at its source, and its
 * target is on it. */
static void imp_walk_break(struct imp_walk *w, size_t k, size_t depth)
{
    struct imp_dep *e = imp_walk_edge(w, k);
    size_t at = depth;
    while (at > 0 && w->path[at] != e->to)
        at--;
    size_t len = strlen(w->names[e->to]) + 1;
    for (size_t i = at; i <= depth; i++)
        len += strlen(w->names[w->path[i]]) + 4;
    char *cycle = imp_xmalloc(len);
    cycle[0] = '\0';
    for (size_t i = at; i <= depth; i++) {
        strcat(cycle, w->names[w->path[i]]);
        strcat(cycle, " -> ");
    }
    strcat(cycle, w->names[e->to]);
    for (size_t i = 0; i < w->n_edges; i++) {
        struct imp_dep *o = imp_walk_edge(w, i);
        if (o->from == e->from && o->to == e->to)
            o->dropped = true;
    }
    w->on_cycle(w->arg, k, cycle);
    free(cycle);
}

static void imp_walk_visit(struct imp_walk *w, size_t u, size_t depth)
{
    w->color[u] = 1;
    w->path[depth] = u;
    for (size_t k = 0; k < w->n_edges; k++) {
        struct imp_dep *e = imp_walk_edge(w, k);
        if (e->from != u || e->dropped)
            continue;
        if (w->color[e->to] == 1)
            imp_walk_break(w, k, depth);
        else if (w->color[e->to] == 0)
            imp_walk_visit(w, e->to, depth + 1);
    }
    w->color[u] = 2;
}

void imp_break_cycles(void *edges, size_t n_edges, size_t stride, size_t n,
                      struct imp_service *const *svc, const char *const *names,
                      imp_cycle_fn on_cycle, void *arg)
{
    struct imp_walk w = {.edges = edges,
                         .n_edges = n_edges,
                         .stride = stride,
                         .names = names,
                         .on_cycle = on_cycle,
                         .arg = arg,
                         .color = imp_xcalloc(n + 1, 1),
                         .path = imp_xcalloc(n + 1, sizeof *w.path)};
    for (size_t i = 0; i < n; i++)
        if (svc[i] && w.color[i] == 0)
            imp_walk_visit(&w, i, 0);
    free(w.path);
    free(w.color);
}
