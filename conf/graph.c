/* graph.c - Kahn's algorithm for the start order, picking the smallest ready
 * index each round (O(n^2), fine for the tens of services of a container) so
 * that the same directory always starts in the same order; a colouring DFS for
 * cycles, so that the error can name them: `a -> b -> a`. */
#include "graph.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int graph_init(struct graph *g, size_t n)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    if (n == 0)
        return 0;
    g->deps = calloc(n, sizeof *g->deps);
    g->ndeps = calloc(n, sizeof *g->ndeps);
    if (!g->deps || !g->ndeps) {
        graph_close(g);
        return -ENOMEM;
    }
    return 0;
}

void graph_close(struct graph *g)
{
    for (size_t i = 0; i < g->n && g->deps; i++)
        free(g->deps[i]);
    free(g->deps);
    free(g->ndeps);
    memset(g, 0, sizeof *g);
}

int graph_add_edge(struct graph *g, size_t from, size_t to)
{
    if (from >= g->n || to >= g->n || from == to)
        return -EINVAL;
    for (size_t k = 0; k < g->ndeps[from]; k++)
        if (g->deps[from][k] == to)
            return 0;
    size_t *d = realloc(g->deps[from], (g->ndeps[from] + 1) * sizeof *d);
    if (!d)
        return -ENOMEM;
    d[g->ndeps[from]++] = to;
    g->deps[from] = d;
    return 0;
}

int graph_order(const struct graph *g, size_t *order)
{
    if (g->n == 0)
        return 0;
    bool *placed = calloc(g->n, sizeof *placed);
    if (!placed)
        return -ENOMEM;
    int rc = 0;
    for (size_t pos = 0; pos < g->n; pos++) {
        size_t next = g->n;
        for (size_t i = 0; i < g->n && next == g->n; i++) {
            if (placed[i])
                continue;
            size_t k = 0;
            while (k < g->ndeps[i] && placed[g->deps[i][k]])
                k++;
            if (k == g->ndeps[i])
                next = i;
        }
        if (next == g->n) {
            rc = -ELOOP;
            break;
        }
        placed[next] = true;
        order[pos] = next;
    }
    free(placed);
    return rc;
}

enum graph_colour {
    GRAPH_WHITE,
    GRAPH_GREY,
    GRAPH_BLACK,
};

struct graph_dfs {
    const struct graph *g;
    unsigned char *colour;
    size_t *path; /* the grey nodes, from the root down */
    size_t depth;
    graph_cycle_fn fn;
    void *arg;
    int found;
};

static void graph_visit(struct graph_dfs *d, size_t u)
{
    d->colour[u] = GRAPH_GREY;
    d->path[d->depth++] = u;
    for (size_t k = 0; k < d->g->ndeps[u]; k++) {
        size_t v = d->g->deps[u][k];
        if (d->colour[v] == GRAPH_WHITE) {
            graph_visit(d, v);
        } else if (d->colour[v] == GRAPH_GREY) {
            /* A back edge u -> v: the cycle is the path from v down to u. */
            size_t start = d->depth;
            while (d->path[start - 1] != v)
                start--;
            d->found++;
            if (d->fn)
                d->fn(d->arg, d->path + start - 1, d->depth - start + 1);
        }
    }
    d->depth--;
    d->colour[u] = GRAPH_BLACK;
}

int graph_cycles(const struct graph *g, graph_cycle_fn fn, void *arg)
{
    struct graph_dfs d = {.g = g, .fn = fn, .arg = arg};

    if (g->n == 0)
        return 0;
    d.colour = calloc(g->n, 1);
    d.path = calloc(g->n, sizeof *d.path);
    if (!d.colour || !d.path) {
        free(d.colour);
        free(d.path);
        return -ENOMEM;
    }
    for (size_t i = 0; i < g->n; i++)
        if (d.colour[i] == GRAPH_WHITE)
            graph_visit(&d, i);
    free(d.colour);
    free(d.path);
    return d.found;
}

int graph_dependents(const struct graph *g, size_t node, size_t **out, size_t *n)
{
    size_t count = 0;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < g->ndeps[i]; k++)
            count += g->deps[i][k] == node;
    if (count == 0)
        return 0;
    size_t *v = malloc(count * sizeof *v);
    if (!v)
        return -ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < g->ndeps[i]; k++)
            if (g->deps[i][k] == node)
                v[m++] = i;
    *out = v;
    *n = m;
    return 0;
}
