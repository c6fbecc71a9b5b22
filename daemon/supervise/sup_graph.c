/* sup_graph.c - the runtime dependency graph: for every record, pointers to
 * the records it depends on and to the records that depend on it, rebuilt
 * from the records' own configurations whenever the set of records changes
 * (start, a reload's swap, a pending configuration applied, a retired record
 * leaving the lists before it is closed). Records never follow another set's indexes
 * (docs/dev/STYLE.md §5a). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "supervisor_int.h"

/* The record a dependency names, among the current records (a retiring
 * record is never a dependency), or NULL. A retiring record keeps its own
 * deps: they are stopped after it during a shutdown. */
static struct sup_service *sup_graph_find(const struct supervisor *sup,
                                          const struct sup_service *ss, const struct conf_dep *d)
{
    /* A record of the current set reads its set's index; any other (its new
     * configuration still pending, or retiring) looks the name up. */
    if (ss->ref == sup->setref && d->index < sup->n)
        return sup->svcs[d->index];
    for (size_t i = 0; i < sup->n; i++)
        if (strcmp(sup->svcs[i]->svc.conf->name, d->name) == 0)
            return sup->svcs[i];
    return NULL;
}

/* Every record, current then retiring: *i counts the current ones. */
static struct sup_service *sup_graph_next(const struct supervisor *sup, struct sup_service *prev,
                                          size_t *i)
{
    if (*i < sup->n)
        return sup->svcs[(*i)++];
    if (*i == sup->n) {
        (*i)++;
        return sup->retiring;
    }
    return prev ? prev->next_retiring : NULL;
}

void sup_graph_free(struct sup_service *ss)
{
    free(ss->deps);
    free(ss->dependents);
    ss->deps = NULL;
    ss->dependents = NULL;
    ss->n_deps = ss->n_dependents = 0;
}

/* Adds the edges of ss's configuration: its deps, and ss as a dependent of each (fill: the
 * dependents arrays exist, else they are only counted). */
static void sup_graph_edges(struct supervisor *sup, struct sup_service *ss, bool fill)
{
    const struct conf_service *conf = ss->svc.conf;
    for (size_t d = 0; d < conf->n_deps; d++) {
        struct sup_service *to = sup_graph_find(sup, ss, &conf->deps[d]);
        if (!to || to == ss)
            continue;
        if (!fill) {
            to->n_dependents++;
        } else {
            if (to->dependents)
                to->dependents[to->n_dependents++] = ss;
            if (ss->deps)
                ss->deps[ss->n_deps++] = (struct sup_dep){to, conf->deps[d].condition};
        }
    }
}

int sup_graph_rebuild(struct supervisor *sup)
{
    struct sup_service *ss;
    size_t i;
    int rc = 0;

    for (i = 0, ss = NULL; (ss = sup_graph_next(sup, ss, &i));)
        sup_graph_free(ss);
    for (i = 0, ss = NULL; (ss = sup_graph_next(sup, ss, &i));)
        sup_graph_edges(sup, ss, false);
    for (i = 0, ss = NULL; (ss = sup_graph_next(sup, ss, &i));) {
        size_t n_deps = ss->svc.conf->n_deps;
        if (n_deps && !(ss->deps = calloc(n_deps, sizeof *ss->deps)))
            rc = -ENOMEM;
        if (ss->n_dependents &&
            !(ss->dependents = calloc(ss->n_dependents, sizeof *ss->dependents)))
            rc = -ENOMEM;
        ss->n_dependents = 0;
    }
    for (i = 0, ss = NULL; (ss = sup_graph_next(sup, ss, &i));)
        sup_graph_edges(sup, ss, true);
    if (rc < 0)
        log_error("dependency graph: out of memory; some dependencies are ignored");
    return rc;
}
