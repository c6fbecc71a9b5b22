/* ynode.c - libyaml's document tree read against a schema. Every message has
 * the shape "path: expected X, got Y" and sits at the offending node's start
 * mark; libyaml counts lines and columns from 0, people from 1. */
#include "ynode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envexpand.h"
#include "suggest.h"
#include "units.h"

#define YNODE_MAX_KEYS 64

int ynode_load(struct ynode_ctx *c, const char *data, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t extra;
    int rc = 0;

    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &c->doc))
        goto err_parse;
    c->loaded = true;
    /* A second document would be silently ignored: refuse it. */
    if (!yaml_parser_load(&parser, &extra))
        goto err_parse;
    if (yaml_document_get_root_node(&extra)) {
        yaml_node_t *n = yaml_document_get_root_node(&extra);
        rc = conf_errors_add(c->errs, c->file, (unsigned)n->start_mark.line + 1,
                             (unsigned)n->start_mark.column + 1,
                             "expected a single YAML document, got a second one");
        c->errors++;
        rc = rc < 0 ? rc : -EINVAL;
    }
    yaml_document_delete(&extra);
    yaml_parser_delete(&parser);
    return rc;

err_parse:
    if (parser.error == YAML_MEMORY_ERROR) {
        rc = -ENOMEM;
    } else {
        const char *problem = parser.problem ? parser.problem : "syntax error";
        yaml_mark_t m = parser.problem_mark;
        if (parser.context)
            rc = conf_errors_add(c->errs, c->file, (unsigned)m.line + 1, (unsigned)m.column + 1,
                                 "invalid YAML: %s %s (line %u)", parser.context, problem,
                                 (unsigned)parser.context_mark.line + 1);
        else
            rc = conf_errors_add(c->errs, c->file, (unsigned)m.line + 1, (unsigned)m.column + 1,
                                 "invalid YAML: %s", problem);
        c->errors++;
        rc = rc < 0 ? rc : -EINVAL;
    }
    yaml_parser_delete(&parser);
    return rc;
}

void ynode_close(struct ynode_ctx *c)
{
    if (c->loaded)
        yaml_document_delete(&c->doc);
    c->loaded = false;
}

yaml_node_t *ynode_root(struct ynode_ctx *c)
{
    return c->loaded ? yaml_document_get_root_node(&c->doc) : NULL;
}

yaml_node_t *ynode_at(struct ynode_ctx *c, int id)
{
    return yaml_document_get_node(&c->doc, id);
}

int ynode_error(struct ynode_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    unsigned line = n ? (unsigned)n->start_mark.line + 1 : 0;
    unsigned col = n ? (unsigned)n->start_mark.column + 1 : 0;

    va_start(ap, fmt);
    int rc = conf_errors_vadd(c->errs, c->file, line, col, fmt, ap);
    va_end(ap);
    c->errors++;
    if (rc < 0) {
        c->oom = true;
        return rc;
    }
    return -EINVAL;
}

const char *ynode_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a map";
    default:
        return "a string";
    }
}

const char *ynode_quote(const char *s, char *buf, size_t len)
{
    size_t o = 0, i = 0;

    if (len < 8)
        return "\"\"";
    buf[o++] = '"';
    for (; s[i] && o + 6 < len && i < 40; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
        else
            buf[o++] = (char)ch;
    }
    if (s[i] && o + 5 < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

const char *ynode_path(char *buf, size_t len, const char *parent, const char *key)
{
    /* Truncation only shortens a message; it is never an error. */
    if (parent && *parent)
        snprintf(buf, len, "%s.%s", parent, key);
    else
        snprintf(buf, len, "%s", key);
    return buf;
}

const char *ynode_scalar(struct ynode_ctx *c, yaml_node_t *n, const char *path, const char *what)
{
    if (n->type == YAML_SCALAR_NODE)
        return (const char *)n->data.scalar.value;
    ynode_error(c, n, "%s: expected %s, got %s", path, what, ynode_kind(n));
    return NULL;
}

static const char *ynode_getenv(void *arg, const char *name)
{
    const struct conf_env *env = arg;
    if (env && env->lookup)
        return env->lookup(env->arg, name);
    return getenv(name);
}

int ynode_string(struct ynode_ctx *c, yaml_node_t *n, const char *path, bool expand, char **out)
{
    const char *s = ynode_scalar(c, n, path, "a string");
    char err[300];

    if (!s)
        return -EINVAL;
    /* A NUL inside the scalar ("\0" escape) would silently cut the string. */
    if (strlen(s) != n->data.scalar.length)
        return ynode_error(c, n, "%s: expected a string without NUL bytes", path);
    if (!expand) {
        *out = strdup(s);
        return *out ? 0 : -ENOMEM;
    }
    int rc = envexpand_string(s, ynode_getenv, (void *)c->env, out, err, sizeof err);
    if (rc == -EINVAL)
        return ynode_error(c, n, "%s: %s", path, err);
    return rc;
}

int ynode_bool(struct ynode_ctx *c, yaml_node_t *n, const char *path, bool *out)
{
    char q[64];
    const char *s = ynode_scalar(c, n, path, "true or false");

    if (!s)
        return -EINVAL;
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *out = s[0] == 't';
        return 0;
    }
    return ynode_error(c, n, "%s: expected true or false, got %s", path,
                       ynode_quote(s, q, sizeof q));
}

int ynode_duration(struct ynode_ctx *c, yaml_node_t *n, const char *path, uint64_t *out_ms)
{
    char q[64];
    const char *s = ynode_scalar(c, n, path, "a duration");

    if (!s)
        return -EINVAL;
    int rc = units_parse_duration_ms(s, out_ms);
    if (rc == -ERANGE)
        return ynode_error(c, n, "%s: duration %s is too large", path, ynode_quote(s, q, sizeof q));
    if (rc < 0)
        return ynode_error(c, n, "%s: expected a duration like 100ms, 1.5s, 2m or 1m30s, got %s",
                           path, ynode_quote(s, q, sizeof q));
    return 0;
}

int ynode_size(struct ynode_ctx *c, yaml_node_t *n, const char *path, uint64_t *out)
{
    char q[64];
    const char *s = ynode_scalar(c, n, path, "a size");

    if (!s)
        return -EINVAL;
    int rc = units_parse_size(s, out);
    if (rc == -ERANGE)
        return ynode_error(c, n, "%s: size %s is too large", path, ynode_quote(s, q, sizeof q));
    if (rc < 0)
        return ynode_error(c, n, "%s: expected a size like 4096, 512K, 10MiB or 1GB, got %s", path,
                           ynode_quote(s, q, sizeof q));
    return 0;
}

int ynode_uint(struct ynode_ctx *c, yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
               uint64_t *out)
{
    char q[64];
    const char *s = ynode_scalar(c, n, path, "an integer");
    uint64_t v = 0;

    if (!s)
        return -EINVAL;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10) {
            v = UINT64_MAX;
            break;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (p == s || (*p && v != UINT64_MAX) || v < min || v > max)
        return ynode_error(c, n, "%s: expected an integer from %llu to %llu, got %s", path,
                           (unsigned long long)min, (unsigned long long)max,
                           ynode_quote(s, q, sizeof q));
    *out = v;
    return 0;
}

int ynode_enum(struct ynode_ctx *c, yaml_node_t *n, const char *path, const char *const *names,
               size_t count, int *out)
{
    char want[256] = "", q[64];
    const char *s = ynode_scalar(c, n, path, "a string");

    if (!s)
        return -EINVAL;
    for (size_t i = 0; i < count; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
        size_t l = strlen(want);
        snprintf(want + l, sizeof want - l, "%s%s", i ? "|" : "", names[i]);
    }
    return ynode_error(c, n, "%s: expected %s, got %s", path, want, ynode_quote(s, q, sizeof q));
}

void ynode_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

int ynode_argv(struct ynode_ctx *c, yaml_node_t *n, const char *path, bool expand, char ***out,
               size_t *argc)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return ynode_error(c, n, "%s: expected a list of strings, got %s", path, ynode_kind(n));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count == 0)
        return ynode_error(c, n, "%s: expected a non-empty list of strings, got []", path);
    char **argv = calloc(count + 1, sizeof *argv);
    if (!argv)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        char ipath[YNODE_PATH_MAX];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        int r =
            ynode_string(c, ynode_at(c, n->data.sequence.items.start[i]), ipath, expand, &argv[i]);
        if (r < 0 && rc != -ENOMEM)
            rc = r;
        if (r < 0)
            argv[i] = strdup(""); /* keep argv dense for the free below */
        if (!argv[i])
            rc = -ENOMEM;
    }
    if (rc < 0) {
        for (size_t i = 0; i < count; i++)
            free(argv[i]);
        free(argv);
        return rc;
    }
    *out = argv;
    *argc = count;
    return 0;
}

yaml_node_t *ynode_lookup(struct ynode_ctx *c, yaml_node_t *n, const char *key)
{
    if (n->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ynode_at(c, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
            return ynode_at(c, p->value);
    }
    return NULL;
}

/* Records an unknown key, with the closest known one when it looks like a typo. */
static int ynode_unknown(struct ynode_ctx *c, yaml_node_t *k, const char *path,
                         const struct ynode_key *keys)
{
    const char *cands[YNODE_MAX_KEYS];
    size_t n = 0;
    char q[64];

    for (; keys[n].name && n < YNODE_MAX_KEYS; n++)
        cands[n] = keys[n].name;
    const char *name = (const char *)k->data.scalar.value;
    const char *best = suggest_closest(name, cands, n);
    if (best)
        return ynode_error(c, k, "%s%sunknown key %s (did you mean \"%s\"?)", path,
                           path[0] ? ": " : "", ynode_quote(name, q, sizeof q), best);
    return ynode_error(c, k, "%s%sunknown key %s", path, path[0] ? ": " : "",
                       ynode_quote(name, q, sizeof q));
}

int ynode_map(struct ynode_ctx *c, yaml_node_t *n, const char *path, const struct ynode_key *keys,
              void *obj)
{
    int rc = 0;

    if (n->type != YAML_MAPPING_NODE)
        return ynode_error(c, n, "%s%sexpected a map, got %s", path, path[0] ? ": " : "",
                           ynode_kind(n));
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ynode_at(c, p->key);
        int r = 0;
        if (k->type != YAML_SCALAR_NODE) {
            r = ynode_error(c, k, "%s%sexpected a key name, got %s", path, path[0] ? ": " : "",
                            ynode_kind(k));
            goto next;
        }
        const char *name = (const char *)k->data.scalar.value;
        yaml_node_t *first = NULL;
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p && !first; q++) {
            yaml_node_t *kq = ynode_at(c, q->key);
            if (kq->type == YAML_SCALAR_NODE &&
                strcmp((const char *)kq->data.scalar.value, name) == 0)
                first = kq;
        }
        char kpath[YNODE_PATH_MAX];
        ynode_path(kpath, sizeof kpath, path, name);
        if (first) {
            r = ynode_error(c, k, "%s: duplicate key (first at line %u)", kpath,
                            (unsigned)first->start_mark.line + 1);
            goto next;
        }
        size_t i = 0;
        while (keys[i].name && strcmp(keys[i].name, name) != 0)
            i++;
        if (!keys[i].name)
            r = ynode_unknown(c, k, path, keys);
        else
            r = keys[i].fn(c, ynode_at(c, p->value), kpath, obj);
next:
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            rc = r;
    }
    return rc;
}
