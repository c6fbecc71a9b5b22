/* graph.c - Kahn's algorithm for the start order, the smallest ready index
 * first (a binary heap of the ready nodes) so that the same directory always
 * starts in the same order; a colouring DFS for cycles, so that the error can
 * name them: `a -> b -> a`. Everything is linear in nodes and edges (but the
 * heap's log n): a reload runs this on PID 1's loop, and a directory is not
 * bounded in size. The DFS keeps its own stack: a chain of services as long
 * as the directory must not overflow PID 1's. */
#include "graph.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int graph_init(struct graph *g, size_t n)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    g->run = SIZE_MAX;
    if (n == 0)
        return 0;
    g->deps = calloc(n, sizeof *g->deps);
    g->ndeps = calloc(n, sizeof *g->ndeps);
    g->cap = calloc(n, sizeof *g->cap);
    g->seen = calloc(n, sizeof *g->seen);
    if (!g->deps || !g->ndeps || !g->cap || !g->seen) {
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
    free(g->cap);
    free(g->seen);
    memset(g, 0, sizeof *g);
}

int graph_add_edge(struct graph *g, size_t from, size_t to)
{
    if (from >= g->n || to >= g->n || from == to)
        return -EINVAL;
    /* seen[to] == from + 1 once from -> to is added. While the edges of one
     * node come in one run, as conf_set_link adds them, that alone tells a
     * repeated edge; otherwise the node's list is searched. */
    if (from != g->run) {
        g->run = from;
        g->run_exact = g->ndeps[from] == 0;
    }
    if (g->seen[to] == from + 1)
        return 0;
    for (size_t k = 0; !g->run_exact && k < g->ndeps[from]; k++)
        if (g->deps[from][k] == to)
            return 0;
    if (g->ndeps[from] == g->cap[from]) {
        size_t cap = g->cap[from] ? g->cap[from] * 2 : 4;
        size_t *d = realloc(g->deps[from], cap * sizeof *d);
        if (!d)
            return -ENOMEM;
        g->deps[from] = d;
        g->cap[from] = cap;
    }
    g->deps[from][g->ndeps[from]++] = to;
    g->seen[to] = from + 1;
    return 0;
}

/* Who depends on whom, the edges turned round: the dependents of node t are
 * r->v[r->start[t] .. r->start[t + 1]), in increasing order. */
struct graph_rev {
    size_t *start; /* n + 1 */
    size_t *v;     /* one per edge */
};

static void graph_rev_free(struct graph_rev *r)
{
    free(r->start);
    free(r->v);
}

static int graph_rev_build(const struct graph *g, struct graph_rev *r)
{
    size_t edges = 0;

    for (size_t i = 0; i < g->n; i++)
        edges += g->ndeps[i];
    r->start = calloc(g->n + 1, sizeof *r->start);
    r->v = malloc((edges ? edges : 1) * sizeof *r->v);
    size_t *fill = calloc(g->n ? g->n : 1, sizeof *fill);
    if (!r->start || !r->v || !fill) {
        free(fill);
        graph_rev_free(r);
        return -ENOMEM;
    }
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < g->ndeps[i]; k++)
            r->start[g->deps[i][k] + 1]++;
    for (size_t t = 0; t < g->n; t++)
        r->start[t + 1] += r->start[t];
    /* i grows, so each node's dependents come out in increasing order. */
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < g->ndeps[i]; k++) {
            size_t t = g->deps[i][k];
            r->v[r->start[t] + fill[t]++] = i;
        }
    free(fill);
    return 0;
}

/* A binary min-heap of node indexes. */
static void graph_heap_push(size_t *h, size_t *len, size_t x)
{
    size_t i = (*len)++;
    while (i > 0 && h[(i - 1) / 2] > x) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static size_t graph_heap_pop(size_t *h, size_t *len)
{
    size_t top = h[0], x = h[--*len], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *len)
            break;
        if (c + 1 < *len && h[c + 1] < h[c])
            c++;
        if (h[c] >= x)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*len)
        h[i] = x;
    return top;
}

int graph_order(const struct graph *g, size_t *order)
{
    struct graph_rev r;
    size_t ready = 0, placed = 0;

    if (g->n == 0)
        return 0;
    if (graph_rev_build(g, &r) < 0)
        return -ENOMEM;
    size_t *left = malloc(g->n * sizeof *left); /* dependencies not placed yet */
    size_t *heap = malloc(g->n * sizeof *heap);
    if (!left || !heap) {
        free(left);
        free(heap);
        graph_rev_free(&r);
        return -ENOMEM;
    }
    for (size_t i = 0; i < g->n; i++) {
        left[i] = g->ndeps[i];
        if (left[i] == 0)
            graph_heap_push(heap, &ready, i);
    }
    while (ready) {
        size_t u = graph_heap_pop(heap, &ready);
        order[placed++] = u;
        for (size_t j = r.start[u]; j < r.start[u + 1]; j++)
            if (--left[r.v[j]] == 0)
                graph_heap_push(heap, &ready, r.v[j]);
    }
    free(left);
    free(heap);
    graph_rev_free(&r);
    return placed == g->n ? 0 : -ELOOP;
}

enum graph_colour {
    GRAPH_WHITE,
    GRAPH_GREY,
    GRAPH_BLACK,
};

int graph_cycles(const struct graph *g, graph_cycle_fn fn, void *arg)
{
    int found = 0;

    if (g->n == 0)
        return 0;
    unsigned char *colour = calloc(g->n, 1);
    size_t *path = malloc(g->n * sizeof *path); /* the grey nodes, from the root down */
    size_t *next = malloc(g->n * sizeof *next); /* per depth: the next edge to follow */
    size_t *pos = malloc(g->n * sizeof *pos);   /* per grey node: its depth in path */
    if (!colour || !path || !next || !pos) {
        found = -ENOMEM;
        goto out;
    }
    for (size_t root = 0; root < g->n; root++) {
        if (colour[root] != GRAPH_WHITE)
            continue;
        size_t depth = 0;
        colour[root] = GRAPH_GREY;
        pos[root] = depth;
        path[depth] = root;
        next[depth++] = 0;
        while (depth > 0) {
            size_t u = path[depth - 1];
            if (next[depth - 1] == g->ndeps[u]) {
                colour[u] = GRAPH_BLACK;
                depth--;
                continue;
            }
            size_t v = g->deps[u][next[depth - 1]++];
            if (colour[v] == GRAPH_WHITE) {
                colour[v] = GRAPH_GREY;
                pos[v] = depth;
                path[depth] = v;
                next[depth++] = 0;
            } else if (colour[v] == GRAPH_GREY) {
                /* A back edge u -> v: the cycle is the path from v down to u. */
                found++;
                if (fn)
                    fn(arg, path + pos[v], depth - pos[v]);
            }
        }
    }
out:
    free(colour);
    free(path);
    free(next);
    free(pos);
    return found;
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

int graph_dependents_all(const struct graph *g, size_t **lists, size_t *counts)
{
    struct graph_rev r;

    for (size_t t = 0; t < g->n; t++) {
        lists[t] = NULL;
        counts[t] = 0;
    }
    if (g->n == 0)
        return 0;
    if (graph_rev_build(g, &r) < 0)
        return -ENOMEM;
    int rc = 0;
    for (size_t t = 0; t < g->n && rc == 0; t++) {
        size_t count = r.start[t + 1] - r.start[t];
        if (count == 0)
            continue;
        lists[t] = malloc(count * sizeof *lists[t]);
        if (!lists[t]) {
            rc = -ENOMEM;
            break;
        }
        memcpy(lists[t], r.v + r.start[t], count * sizeof *lists[t]);
        counts[t] = count;
    }
    if (rc < 0) {
        for (size_t t = 0; t < g->n; t++) {
            free(lists[t]);
            lists[t] = NULL;
            counts[t] = 0;
        }
    }
    graph_rev_free(&r);
    return rc;
}
