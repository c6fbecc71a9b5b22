/* conf_deps.c - depends_on of one service file: a list of names (condition
 * ready) or a map of name -> {condition}. Whether the names exist, and
 * whether they form a cycle, is checked once the whole set is loaded (conf.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parse.h"
#include "dups.h"

static const char *const conf_deps_conditions[] = {"started", "ready", "healthy", "completed",
                                                   "finished"};
#define CONF_DEPS_NCONDITIONS (sizeof conf_deps_conditions / sizeof conf_deps_conditions[0])

const char *conf_condition_name(enum conf_condition c)
{
    return (unsigned)c < CONF_DEPS_NCONDITIONS ? conf_deps_conditions[c] : "?";
}

static int conf_deps_condition(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    int i;
    int rc = ynode_enum(c, v, path, conf_deps_conditions, CONF_DEPS_NCONDITIONS, &i);
    if (rc == 0)
        ((struct conf_dep *)obj)->condition = (enum conf_condition)i;
    return rc;
}

static int conf_deps_name_ok(const char *s)
{
    return *s && *s != '.' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s);
}

/* Adds one dependency named by the scalar k; v (may be NULL) holds its
 * options; twice is true when an earlier entry has the same name. */
static int conf_deps_add(struct ynode_ctx *c, struct conf_service *s, yaml_node_t *k,
                         yaml_node_t *v, bool twice, const char *path)
{
    static const struct ynode_key keys[] = {
        {"condition", conf_deps_condition},
        {NULL, NULL},
    };
    char q[64], sub[YNODE_PATH_MAX];
    const char *name = ynode_scalar(c, k, path, "a service name");

    if (!name)
        return -EINVAL;
    if (!conf_deps_name_ok(name))
        return ynode_error(c, k, "%s: expected a service name ([a-z0-9_.-]+), got %s", path,
                           ynode_quote(name, q, sizeof q));
    if (strcmp(name, s->name) == 0)
        return ynode_error(c, k, "%s: %s depends on itself", path, s->name);
    if (twice)
        return ynode_error(c, k, "%s: %s is listed twice", path, name);
    struct conf_dep d = {
        .condition = CONF_COND_READY,
        .line = (unsigned)k->start_mark.line + 1,
        .col = (unsigned)k->start_mark.column + 1,
    };
    /* `db:` with nothing after it is a null scalar: the default condition. */
    bool empty = !v || (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 &&
                        v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
    if (!empty) {
        int rc = ynode_map(c, v, ynode_path(sub, sizeof sub, path, name), keys, &d);
        if (rc < 0)
            return rc;
    }
    d.name = strdup(name);
    if (!d.name)
        return -ENOMEM;
    s->deps[s->n_deps++] = d;
    return 0;
}

/* The name node of entry i of depends_on (a list item or a map key). */
static yaml_node_t *conf_deps_key(struct ynode_ctx *c, yaml_node_t *v, size_t i)
{
    if (v->type == YAML_SEQUENCE_NODE)
        return ynode_at(c, v->data.sequence.items.start[i]);
    return ynode_at(c, v->data.mapping.pairs.start[i].key);
}

int conf_deps_parse(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    const char **names = NULL;
    size_t n, *first = NULL;
    int rc = 0;

    if (v->type == YAML_SEQUENCE_NODE)
        n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    else if (v->type == YAML_MAPPING_NODE)
        n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    else
        return ynode_error(
            c, v,
            "%s: expected a list of service names or a map of name: {condition: started|ready|healthy|completed|finished}, got %s",
            path, ynode_kind(v));
    s->deps = calloc(n ? n : 1, sizeof *s->deps);
    names = calloc(n ? n : 1, sizeof *names);
    first = calloc(n ? n : 1, sizeof *first);
    if (!s->deps || !names || !first) {
        rc = -ENOMEM;
        goto out;
    }
    /* Names listed twice, found by sorting rather than by a look at every
     * earlier entry (quadratic in the length of the list). */
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = conf_deps_key(c, v, i);
        names[i] = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : NULL;
    }
    rc = dups_first(names, n, first);
    for (size_t i = 0; i < n && rc != -ENOMEM; i++) {
        yaml_node_t *val =
            v->type == YAML_MAPPING_NODE ? ynode_at(c, v->data.mapping.pairs.start[i].value) : NULL;
        int r = conf_deps_add(c, s, conf_deps_key(c, v, i), val, first[i] != i, path);
        if (r < 0 && rc != -ENOMEM)
            rc = r;
    }
out:
    free(names);
    free(first);
    return rc;
}
