/* graph.h - the dependency graph of a service set over indexes 0..n-1: a
 * start order (dependencies first, ties broken by the smaller index, which is
 * name order for a set), cycles named node by node, and each node's
 * dependents for a stop in reverse order. Pure: no I/O. */
#ifndef CORRAL_GRAPH_H
#define CORRAL_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

struct graph {
    size_t n;
    size_t **deps; /* deps[i]: the nodes i depends on, in insertion order */
    size_t *ndeps;
    /* graph.c's own: the capacity of each deps[i], and what tells a
     * repeated edge without a search (graph_add_edge). */
    size_t *cap;
    size_t *seen;
    size_t run;
    bool run_exact;
};

/* Called for each cycle: nodes[0] -> nodes[1] -> ... -> nodes[len-1] ->
 * nodes[0], where "->" reads "depends on". */
typedef void (*graph_cycle_fn)(void *arg, const size_t *nodes, size_t len);

/* Embedded graph of n nodes and no edges. Returns 0 or -ENOMEM. */
int graph_init(struct graph *g, size_t n);
void graph_close(struct graph *g);

/* Records that from depends on to. A repeated edge is kept once. Returns 0,
 * -EINVAL for an index out of range or from == to, or -ENOMEM. Constant time
 * while the edges of one node are added one after the other. */
int graph_add_edge(struct graph *g, size_t from, size_t to);

/* Fills order (g->n entries) with a topological order: every node comes after
 * all the nodes it depends on, and among the nodes that could come next the
 * smallest index goes first (so the order is stable by name). Returns 0, or
 * -ELOOP when there is a cycle (order is then unspecified). */
int graph_order(const struct graph *g, size_t *order);

/* Calls fn for every cycle met by a depth-first search from node 0 up (one
 * per back edge, so every node on a cycle is reported at least once).
 * Returns the number of cycles, or -ENOMEM. */
int graph_cycles(const struct graph *g, graph_cycle_fn fn, void *arg);

/* The nodes that depend on node, in increasing order, in a new array (caller
 * frees; NULL when there are none). Returns 0 or -ENOMEM. O(edges): for every
 * node at once, graph_dependents_all. */
int graph_dependents(const struct graph *g, size_t node, size_t **out, size_t *n);

/* The same for every node in one pass: lists[t] and counts[t] (g->n entries
 * each, filled; each list the caller's to free, NULL when empty). Returns 0,
 * or -ENOMEM with every list NULL. */
int graph_dependents_all(const struct graph *g, size_t **lists, size_t *counts);

#endif
