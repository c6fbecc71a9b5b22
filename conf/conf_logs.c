/* conf_logs.c - where a service's output goes: corral's stdout (prefixed or as
 * JSON lines), a size-rotated file, or nowhere, and the bounds of its queue
 * and ring buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parse.h"

struct conf_logs_parse {
    struct conf_logs l;
    yaml_node_t *stdout_node;
    yaml_node_t *file_node;
    yaml_node_t *raw_node;
};

void conf_logs_defaults(struct conf_logs *l)
{
    memset(l, 0, sizeof *l);
    l->sinks = CONF_LOG_PREFIX;
    l->max_size = 10ULL * 1024 * 1024;
    l->keep = 5;
    l->overflow = CONF_OVERFLOW_BLOCK;
    l->ring_size = 64 * 1024;
}

static int conf_logs_sink(struct ynode_ctx *c, yaml_node_t *v, const char *path, bool in_list,
                          unsigned *sinks)
{
    static const char *const names[] = {"prefix", "json", "file", "both", "none"};
    static const unsigned bits[] = {CONF_LOG_PREFIX, CONF_LOG_JSON, CONF_LOG_FILE,
                                    CONF_LOG_PREFIX | CONF_LOG_FILE, 0};
    int i;
    int rc = ynode_enum(c, v, path, names, in_list ? 3 : 5, &i);
    if (rc == 0)
        *sinks |= bits[i];
    return rc;
}

static int conf_logs_stdout(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_logs_parse *lp = obj;
    unsigned sinks = 0;
    int rc = 0;

    lp->stdout_node = v;
    if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            int r = conf_logs_sink(c, ynode_at(c, *i), path, true, &sinks);
            rc = rc < 0 ? rc : r;
        }
    } else {
        rc = conf_logs_sink(c, v, path, false, &sinks);
    }
    if (rc < 0)
        return rc;
    if ((sinks & CONF_LOG_PREFIX) && (sinks & CONF_LOG_JSON))
        return ynode_error(c, v, "%s: expected prefix or json, not both", path);
    lp->l.sinks = sinks;
    return 0;
}

static int conf_logs_file(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_logs_parse *lp = obj;
    lp->file_node = v;
    int rc = ynode_string(c, v, path, true, &lp->l.file);
    if (rc == 0 && lp->l.file[0] == '\0')
        return ynode_error(c, v, "%s: expected a file path, got \"\"", path);
    return rc;
}

static int conf_logs_max_size(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_logs_parse *lp = obj;
    int rc = ynode_size(c, v, path, &lp->l.max_size);
    if (rc == 0 && lp->l.max_size < CONF_LOGS_MIN_SIZE)
        return ynode_error(c, v, "%s: expected at least 4KiB", path);
    return rc;
}

static int conf_logs_keep(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    uint64_t n;
    int rc = ynode_uint(c, v, path, 0, 100, &n);
    if (rc == 0)
        ((struct conf_logs_parse *)obj)->l.keep = (uint32_t)n;
    return rc;
}

static int conf_logs_raw(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    ((struct conf_logs_parse *)obj)->raw_node = v;
    return ynode_bool(c, v, path, &((struct conf_logs_parse *)obj)->l.raw);
}

static int conf_logs_overflow(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const names[] = {"block", "drop"};
    int i;
    int rc = ynode_enum(c, v, path, names, 2, &i);
    if (rc == 0)
        ((struct conf_logs_parse *)obj)->l.overflow = (enum conf_overflow)i;
    return rc;
}

static int conf_logs_ring_size(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_logs_parse *lp = obj;
    int rc = ynode_size(c, v, path, &lp->l.ring_size);
    if (rc == 0 && (lp->l.ring_size < CONF_LOGS_MIN_SIZE || lp->l.ring_size > (64ULL << 20)))
        return ynode_error(c, v, "%s: expected a size from 4KiB to 64MiB", path);
    return rc;
}

int conf_logs_parse(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const struct ynode_key keys[] = {
        {"stdout", conf_logs_stdout},
        {"file", conf_logs_file},
        {"max_size", conf_logs_max_size},
        {"keep", conf_logs_keep},
        {"raw", conf_logs_raw},
        {"overflow", conf_logs_overflow},
        {"ring_size", conf_logs_ring_size},
        {NULL, NULL},
    };
    struct conf_service *s = ((struct conf_parse *)obj)->s;
    struct conf_logs_parse lp = {0};

    conf_logs_defaults(&lp.l);
    int rc = ynode_map(c, v, path, keys, &lp);
    if (rc == 0 && lp.file_node && !lp.stdout_node)
        lp.l.sinks |= CONF_LOG_FILE; /* a file alone means "also to this file" */
    if (rc == 0 && (lp.l.sinks & CONF_LOG_FILE) && !lp.l.file)
        rc = ynode_error(c, lp.stdout_node ? lp.stdout_node : v,
                         "%s.stdout: writes to a file, expected %s.file to name it", path, path);
    else if (rc == 0 && lp.l.file && !(lp.l.sinks & CONF_LOG_FILE))
        rc =
            ynode_error(c, lp.file_node,
                        "%s.file: set, but %s.stdout does not include file (expected file or both)",
                        path, path);
    /* raw output never passes through corral, so a file would stay empty:
     * refused rather than silently ignored. */
    if (rc == 0 && lp.l.raw && (lp.l.sinks & CONF_LOG_FILE))
        rc = ynode_error(c, lp.raw_node,
                         "%s.raw: bypasses corral, so %s.file would stay empty (expected raw or a "
                         "file, not both)",
                         path, path);
    if (rc < 0) {
        free(lp.l.file);
        return rc;
    }
    s->logs = lp.l;
    return 0;
}
