/* dups.c - duplicates among names by sorting (name, index) pairs: equal names
 * end up side by side, the smallest index first. See dups.h. */
#include "dups.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dups_entry {
    const char *name;
    size_t index;
};

static int dups_cmp(const void *a, const void *b)
{
    const struct dups_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

int dups_first(const char *const *names, size_t n, size_t *first)
{
    struct dups_entry *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;

    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        first[i] = i;
        if (names[i])
            v[m++] = (struct dups_entry){.name = names[i], .index = i};
    }
    /* qsort(NULL, 0, ...) is undefined behaviour (C11 7.22.5); v is never NULL here. */
    qsort(v, m, sizeof *v, dups_cmp);
    for (size_t j = 1; j < m; j++)
        if (strcmp(v[j].name, v[j - 1].name) == 0)
            first[v[j].index] = first[v[j - 1].index];
    free(v);
    return 0;
}
