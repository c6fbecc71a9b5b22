/* treeowner.c - each process's owning root, found by climbing parent links
 * through a pid-sorted index; every process on a climb takes the answer, so
 * each is climbed through once. */
#include "treeowner.h"

#include <errno.h>
#include <stdlib.h>

struct treeowner_key {
    pid_t pid;
    size_t at;
};

static int treeowner_cmp(const void *a, const void *b)
{
    pid_t x = ((const struct treeowner_key *)a)->pid, y = ((const struct treeowner_key *)b)->pid;
    return (x > y) - (x < y);
}

/* The entry for pid in keys (n, sorted), or NULL. */
static const struct treeowner_key *treeowner_find(const struct treeowner_key *keys, size_t n,
                                                  pid_t pid)
{
    struct treeowner_key k = {.pid = pid};
    return bsearch(&k, keys, n, sizeof *keys, treeowner_cmp);
}

#define TREEOWNER_UNKNOWN (-2)

int treeowner_assign(const pid_t *pid, const pid_t *ppid, size_t n, const pid_t *roots, size_t m,
                     int *out)
{
    if (n == 0)
        return 0;
    struct treeowner_key *keys = malloc(n * sizeof *keys);
    struct treeowner_key *rkeys = malloc((m ? m : 1) * sizeof *rkeys);
    size_t *path = malloc(n * sizeof *path);
    if (!keys || !rkeys || !path) {
        free(keys);
        free(rkeys);
        free(path);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        keys[i] = (struct treeowner_key){.pid = pid[i], .at = i};
        out[i] = TREEOWNER_UNKNOWN;
    }
    for (size_t j = 0; j < m; j++)
        rkeys[j] = (struct treeowner_key){.pid = roots[j], .at = j};
    qsort(keys, n, sizeof *keys, treeowner_cmp);
    qsort(rkeys, m, sizeof *rkeys, treeowner_cmp);
    for (size_t i = 0; i < n; i++) {
        /* Climb until an answer: a known process, a root, or the top. A
         * cycle (pids reused while /proc was read) ends at the path's
         * length. */
        size_t len = 0, at = i;
        int owner = -1;
        for (;;) {
            if (out[at] != TREEOWNER_UNKNOWN) {
                owner = out[at];
                break;
            }
            const struct treeowner_key *r = m ? treeowner_find(rkeys, m, pid[at]) : NULL;
            if (r) {
                owner = (int)r->at;
                break;
            }
            path[len++] = at;
            const struct treeowner_key *up =
                ppid[at] > 0 ? treeowner_find(keys, n, ppid[at]) : NULL;
            if (!up || len == n)
                break;
            at = up->at;
        }
        if (out[at] == TREEOWNER_UNKNOWN)
            out[at] = owner; /* a root itself */
        for (size_t k = 0; k < len; k++)
            out[path[k]] = owner;
    }
    free(keys);
    free(rkeys);
    free(path);
    return 0;
}
