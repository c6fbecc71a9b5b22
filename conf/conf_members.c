/* conf_members.c - the keys that make a service one of several: instances:
 * (how many copies of the file run) and groups: (names that address several
 * services at once), what a group takes in, and how many instances run when
 * corralctl scale has replaced a file's count. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parse.h"
#include "dups.h"

int conf_members_instances(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    uint64_t n;
    int rc = ynode_uint(c, v, path, 1, CONF_INSTANCES_MAX, &n);
    if (rc < 0)
        return rc;
    s->instances_file = (uint32_t)n;
    s->instances_line = (unsigned)v->start_mark.line + 1;
    s->instances_col = (unsigned)v->start_mark.column + 1;
    return 0;
}

/* A group's name follows the rules of a service's name. */
static bool conf_members_name_ok(const char *g)
{
    return g[0] && g[0] != '.' && strspn(g, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(g);
}

int conf_members_groups(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    const char *names[CONF_GROUPS_MAX] = {0};
    size_t first[CONF_GROUPS_MAX];
    char q[64];

    if (v->type != YAML_SEQUENCE_NODE)
        return ynode_error(c, v, "%s: expected a list of group names, like [web], got %s", path,
                           ynode_kind(v));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n > CONF_GROUPS_MAX)
        return ynode_error(c, v, "%s: expected at most %d groups, got %zu", path, CONF_GROUPS_MAX,
                           n);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = ynode_at(c, v->data.sequence.items.start[i]);
        names[i] = ynode_scalar(c, item, path, "a group name");
        if (!names[i]) {
            rc = -EINVAL;
        } else if (!conf_members_name_ok(names[i])) {
            rc = ynode_error(c, item, "%s: expected a group name ([a-z0-9_.-]+), got %s", path,
                             ynode_quote(names[i], q, sizeof q));
            names[i] = NULL;
        }
    }
    if (rc < 0)
        return rc;
    rc = dups_first(names, n, first);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (first[i] != i)
            return ynode_error(c, ynode_at(c, v->data.sequence.items.start[i]),
                               "%s: %s is listed twice", path, names[i]);
    s->member_of = calloc(n + 2, sizeof *s->member_of); /* room for the base of an instance */
    if (!s->member_of)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        s->member_of[i] = strdup(names[i]);
        if (!s->member_of[i])
            return -ENOMEM;
        s->n_member_of = i + 1;
    }
    return 0;
}

bool conf_service_in_group(const struct conf_service *s, const char *group)
{
    for (size_t i = 0; i < s->n_member_of; i++)
        if (strcmp(s->member_of[i], group) == 0)
            return true;
    return false;
}

uint32_t conf_scale_count(const char *name, uint32_t file_count, const struct conf_scale *scales,
                          size_t n_scales)
{
    for (size_t i = 0; i < n_scales; i++) {
        if (strcmp(scales[i].name, name) != 0)
            continue;
        /* The first one naming the file decides: a count the file changed
         * since corralctl scale set it is the file's again. */
        if (scales[i].file_count && scales[i].file_count != file_count)
            return file_count;
        return scales[i].count ? scales[i].count : file_count;
    }
    return file_count;
}
