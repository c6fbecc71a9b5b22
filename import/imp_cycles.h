/* imp_cycles.h - dependency cycles in an imported set, broken as the
 * source's own tool would refuse them (compose, s6-rc-compile): each cycle
 * loses the dependency that closes it. */
#ifndef CORRAL_IMP_CYCLES_H
#define CORRAL_IMP_CYCLES_H

#include <stdbool.h>
#include <stddef.h>

#include "imp.h"

/* What imp_break_cycles reads and marks of an edge: the first member of
 * each element of the caller's array of edges. */
struct imp_dep {
    size_t from, to; /* indexes of services: from depends on to */
    bool dropped;
};

/* The edge at index k of the caller's array closes cycle ("a -> b -> a";
 * "a -> a" for one that depends on itself); it is marked dropped, and so
 * is every other edge from the same service to the same one. */
typedef void (*imp_cycle_fn)(void *arg, size_t k, const char *cycle);

/* Walks services 0..n-1 that svc[i] holds (NULL: not imported) depth
 * first, in their order, each one's edges in the order of the array
 * (n_edges elements of size stride, each beginning with a struct
 * imp_dep), and hands each edge that closes a cycle to on_cycle. names[i]
 * names service i in the cycle. */
void imp_break_cycles(void *edges, size_t n_edges, size_t stride, size_t n,
                      struct imp_service *const *svc, const char *const *names,
                      imp_cycle_fn on_cycle, void *arg);

#endif
