/* ynode.c - libyaml's document tree read against a schema. Every message has
 * the shape "path: expected X, got Y" and sits at the offending node's start
 * mark (or, for a "${" on a later line of a value, at that "${"); libyaml
 * counts lines and columns from 0, people from 1. A file is first read as
 * events against the caps of conf.h, so that no file can keep PID 1's loop
 * busy for long; only then is its tree built. */
#include "ynode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envexpand.h"
#include "suggest.h"
#include "units.h"

/* What the unset-variable hook of envexpand needs to place its warning. */
struct ynode_unset {
    struct ynode_ctx *c;
    const yaml_node_t *n;
    const char *path;
};

/* Records libyaml's problem and mark after a failed parse or load. */
static int ynode_parse_error(struct ynode_ctx *c, const yaml_parser_t *parser)
{
    int rc;

    if (parser->error == YAML_MEMORY_ERROR)
        return -ENOMEM;
    const char *problem = parser->problem ? parser->problem : "syntax error";
    yaml_mark_t m = parser->problem_mark;
    if (parser->context)
        rc = conf_errors_add(c->errs, c->file, (unsigned)m.line + 1, (unsigned)m.column + 1,
                             "invalid YAML: %s %s (line %u)", parser->context, problem,
                             (unsigned)parser->context_mark.line + 1);
    else
        rc = conf_errors_add(c->errs, c->file, (unsigned)m.line + 1, (unsigned)m.column + 1,
                             "invalid YAML: %s", problem);
    c->errors++;
    return rc < 0 ? rc : -EINVAL;
}

static int ynode_mark_error(struct ynode_ctx *c, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ynode_mark_error(struct ynode_ctx *c, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc =
        conf_errors_vadd(c->errs, c->file, (unsigned)m.line + 1, (unsigned)m.column + 1, fmt, ap);
    va_end(ap);
    c->errors++;
    return rc < 0 ? rc : -EINVAL;
}

/* The collections open around the event being read. */
struct ynode_open {
    size_t nodes;  /* nodes in it so far (a map's keys and values) */
    unsigned line; /* where it starts, 1-based */
    bool map;
};

/* Checks one node event against the caps. Returns 0 or an error recorded. */
static int ynode_check_node(struct ynode_ctx *c, const yaml_event_t *ev, struct ynode_open *open,
                            size_t depth, size_t *anchors, size_t *aliases)
{
    const yaml_char_t *anchor =
        ev->type == YAML_SCALAR_EVENT           ? ev->data.scalar.anchor
        : ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
        : ev->type == YAML_MAPPING_START_EVENT  ? ev->data.mapping_start.anchor
                                                : NULL;

    if (anchor && ++*anchors > CONF_ANCHORS_MAX)
        return ynode_mark_error(c, ev->start_mark,
                                "expected at most %d anchors (&name) in one file, got more",
                                CONF_ANCHORS_MAX);
    if (ev->type == YAML_ALIAS_EVENT && ++*aliases > CONF_ANCHORS_MAX)
        return ynode_mark_error(c, ev->start_mark,
                                "expected at most %d aliases (*name) in one file, got more",
                                CONF_ANCHORS_MAX);
    if (depth > 0) {
        struct ynode_open *o = &open[depth - 1];
        o->nodes++;
        /* A map's nodes go key, value, key, ...: an odd count is a new key. */
        if (o->map && o->nodes % 2 == 1 && (o->nodes + 1) / 2 > CONF_ENTRIES_MAX)
            return ynode_mark_error(
                c, ev->start_mark,
                "expected at most %d keys in one map, got more (the map starts at line %u)",
                CONF_ENTRIES_MAX, o->line);
        if (!o->map && o->nodes > CONF_ENTRIES_MAX)
            return ynode_mark_error(
                c, ev->start_mark,
                "expected at most %d items in one list, got more (the list starts at line %u)",
                CONF_ENTRIES_MAX, o->line);
    }
    if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT)
        return 0;
    if (depth == CONF_DEPTH_MAX)
        return ynode_mark_error(c, ev->start_mark,
                                "expected at most %d levels of lists and maps nested in one "
                                "another, got more",
                                CONF_DEPTH_MAX);
    open[depth] = (struct ynode_open){
        .line = (unsigned)ev->start_mark.line + 1,
        .map = ev->type == YAML_MAPPING_START_EVENT,
    };
    return 0;
}

/* Reads the events of data once before the tree is built, and stops at the
 * first cap passed. libyaml 0.2.5 has no cap of its own: its scanner walks
 * every open flow level for every token (yaml_parser_stale_simple_keys), so
 * 100,000 nested "[" (200 KB) kept PID 1 busy for 52.6 s on a reload, and its
 * loader (iterative since 0.2.2, no stack to overflow) builds the whole tree
 * first and looks every anchor up among all the earlier ones. Events are
 * freed as they come; a stop here comes after at most one simple-key window
 * (1024 characters) of read-ahead, in under a millisecond. A second
 * document is refused at its root. Returns 0, -EINVAL (recorded) or -ENOMEM. */
static int ynode_precheck(struct ynode_ctx *c, const char *data, size_t len)
{
    struct ynode_open open[CONF_DEPTH_MAX];
    size_t depth = 0, docs = 0, anchors = 0, aliases = 0;
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = 0;

    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    while (rc == 0) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = ynode_parse_error(c, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            docs++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            /* A second document would be silently ignored: refuse it. */
            if (docs > 1)
                rc = ynode_mark_error(c, ev.start_mark,
                                      "expected a single YAML document, got a second one");
            else
                rc = ynode_check_node(c, &ev, open, depth, &anchors, &aliases);
            if (rc == 0 &&
                (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT))
                depth++;
            break;
        default:
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (end)
            break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

int ynode_load(struct ynode_ctx *c, const char *data, size_t len)
{
    yaml_parser_t parser;

    c->src = data;
    c->src_len = len;
    c->at_index = 0;
    c->at_byte = 0;
    c->pl_node = NULL;
    if (len > CONF_FILE_MAX_BYTES) {
        int rc = conf_errors_add(c->errs, c->file, 0, 0,
                                 "expected a file of at most %d bytes (1 MiB), got %zu bytes",
                                 CONF_FILE_MAX_BYTES, len);
        c->errors++;
        return rc < 0 ? rc : -EINVAL;
    }
    int rc = ynode_precheck(c, data, len);
    if (rc < 0)
        return rc;
    /* Within the caps: the same parser again, now building the tree (twice
     * the parsing of a file of at most 1 MiB, in exchange for libyaml's own
     * loader and its marks, unchanged). */
    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (yaml_parser_load(&parser, &c->doc))
        c->loaded = true;
    else
        rc = ynode_parse_error(c, &parser); /* an alias to no anchor, ... */
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

/* The byte offset in c->src of libyaml's character index: marks count
 * characters (a UTF-8 sequence is one, CR LF two), after a leading BOM.
 * Walks from the last place asked, which is usually just before. Returns
 * false when it cannot tell (UTF-16 input, an index past the end). */
static bool ynode_byte_of(struct ynode_ctx *c, size_t index, size_t *byte)
{
    const unsigned char *p = (const unsigned char *)c->src;
    size_t len = c->src_len;

    if (!p || (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))))
        return false;
    if (index < c->at_index || c->at_byte == 0) {
        c->at_index = 0;
        c->at_byte = len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf ? 3 : 0;
    }
    while (c->at_index < index && c->at_byte < len) {
        c->at_byte++;
        while (c->at_byte < len && (p[c->at_byte] & 0xc0) == 0x80)
            c->at_byte++;
        c->at_index++;
    }
    *byte = c->at_byte;
    return c->at_index == index;
}

/* Whether a line break (as libyaml counts them) starts at p[i]; *w is its
 * width in bytes. */
static bool ynode_is_break(const unsigned char *p, size_t i, size_t len, size_t *w)
{
    *w = 1;
    if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
        *w = 2;
    else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] == 0x85) /* NEL */
        *w = 2;
    else if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 && (p[i + 2] | 1) == 0xa9)
        *w = 3; /* LS, PS */
    else
        return p[i] == '\r' || p[i] == '\n';
    return true;
}

/* Counts the "${" of s[0..len). */
static size_t ynode_count_refs(const unsigned char *s, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i + 1 < len; i++)
        k += s[i] == '$' && s[i + 1] == '{';
    return k;
}

/* Starts placing inside the scalar n: the k-th "${" of its value is the
 * k-th of its text when both hold as many (an escape such as "\x24{" makes
 * one that the text does not show; then nothing is placed inside n).
 * Returns false when nothing can be placed. */
static bool ynode_place_start(struct ynode_ctx *c, const yaml_node_t *n)
{
    size_t b0, b1;

    c->pl_node = n;
    c->pl_ok = false;
    if (!ynode_byte_of(c, n->start_mark.index, &b0) || !ynode_byte_of(c, n->end_mark.index, &b1))
        return false;
    const unsigned char *p = (const unsigned char *)c->src;
    if (ynode_count_refs(p + b0, b1 - b0) !=
        ynode_count_refs(n->data.scalar.value, n->data.scalar.length))
        return false;
    c->pl_ok = true;
    c->pl_v = 0;
    c->pl_b = b0;
    c->pl_end = b1;
    c->pl_line = (unsigned)n->start_mark.line + 1;
    c->pl_col = (unsigned)n->start_mark.column + 1;
    return true;
}

/* Moves c->pl_b to the next "${" of the text, counting lines and columns
 * (in characters, as libyaml does) on the way. */
static void ynode_place_next(struct ynode_ctx *c)
{
    const unsigned char *p = (const unsigned char *)c->src;
    size_t i = c->pl_b, w;

    while (i + 1 < c->pl_end && !(p[i] == '$' && p[i + 1] == '{')) {
        if (ynode_is_break(p, i, c->pl_end, &w)) {
            c->pl_line++;
            c->pl_col = 1;
        } else {
            for (w = 1; i + w < c->pl_end && (p[i + w] & 0xc0) == 0x80; w++)
                ;
            c->pl_col++;
        }
        i += w;
    }
    c->pl_b = i;
}

/* The 1-based line and column of byte at of the scalar n's value: n's start
 * mark, unless at is the "$" of a "${" on a later line of the file than that
 * mark. A message about a variable in the fourth line of a `command: |`
 * block then names that line and the column of its "${", not the line of
 * the "|". The walk goes on from the last "${" placed in the same value, so
 * that placing every "${" of a value costs one pass over it and its text. */
static void ynode_place(struct ynode_ctx *c, const yaml_node_t *n, size_t at, unsigned *line,
                        unsigned *col)
{
    *line = (unsigned)n->start_mark.line + 1;
    *col = (unsigned)n->start_mark.column + 1;
    if (n->type != YAML_SCALAR_NODE || at + 1 >= n->data.scalar.length)
        return;
    const unsigned char *v = n->data.scalar.value;
    if (v[at] != '$' || v[at + 1] != '{')
        return;
    if ((c->pl_node != n || at < c->pl_v) && !ynode_place_start(c, n))
        return;
    if (!c->pl_ok)
        return;
    for (; c->pl_v < at; c->pl_v++) {
        if (v[c->pl_v] == '$' && v[c->pl_v + 1] == '{') {
            ynode_place_next(c);
            c->pl_b++; /* past its "$" */
            c->pl_col++;
        }
    }
    ynode_place_next(c);
    /* On the node's first line the node's own start stays the place, as
     * for every other message about a value. */
    if (c->pl_line != *line) {
        *line = c->pl_line;
        *col = c->pl_col;
    }
}

static int ynode_vreport_at(struct ynode_ctx *c, const yaml_node_t *n, size_t at, bool warning,
                            const char *fmt, va_list ap)
{
    unsigned line = 0, col = 0;
    /* Placing looks through the value and the file: not for a message that
     * would only be counted (a value may hold thousands of "${"). */
    bool kept = warning ? c->errs->warnings < CONF_WARNINGS_MAX : !conf_errors_full(c->errs);
    if (kept)
        ynode_place(c, n, at, &line, &col);
    int rc = warning ? conf_errors_vwarn(c->errs, c->file, line, col, fmt, ap)
                     : conf_errors_vadd(c->errs, c->file, line, col, fmt, ap);
    if (!warning)
        c->errors++;
    if (rc < 0) {
        c->oom = true;
        return rc;
    }
    return warning ? 0 : -EINVAL;
}

int ynode_error_at(struct ynode_ctx *c, const yaml_node_t *n, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ynode_vreport_at(c, n, at, false, fmt, ap);
    va_end(ap);
    return rc;
}

int ynode_warn_at(struct ynode_ctx *c, const yaml_node_t *n, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ynode_vreport_at(c, n, at, true, fmt, ap);
    va_end(ap);
    return rc;
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
    const struct ynode_ctx *c = ((const struct ynode_unset *)arg)->c;
    const struct conf_env *env = c->env;
    if (c->instance && strcmp(name, "CORRAL_INSTANCE") == 0)
        return c->instance;
    if (env && env->lookup)
        return env->lookup(env->arg, name);
    return getenv(name);
}

/* An unset ${VAR} without a default expands to nothing, which is seldom
 * what was meant: in `command: echo "hello ${name}"` the shell never sees
 * ${name}. A warning, not an error, so that files relying on it still load. */
static int ynode_unset(void *arg, const char *name, size_t at)
{
    const struct ynode_unset *u = arg;
    int rc = ynode_warn_at(u->c, u->n, at,
                           "%s: ${%s} is not set, so it expands to nothing (write ${%s:-} for an "
                           "empty default, or $${%s} for a literal ${%s})",
                           u->path, name, name, name, name);
    return rc == -ENOMEM ? rc : 0;
}

int ynode_string(struct ynode_ctx *c, yaml_node_t *n, const char *path, bool expand, char **out)
{
    const char *s = ynode_scalar(c, n, path, "a string");
    char err[300];
    size_t at = 0;

    if (!s)
        return -EINVAL;
    /* A NUL inside the scalar ("\0" escape) would silently cut the string. */
    if (strlen(s) != n->data.scalar.length)
        return ynode_error(c, n, "%s: expected a string without NUL bytes", path);
    if (!expand) {
        *out = strdup(s);
        return *out ? 0 : -ENOMEM;
    }
    struct ynode_unset u = {.c = c, .n = n, .path = path};
    struct envexpand_hooks h = {.lookup = ynode_getenv, .unset = ynode_unset, .arg = &u};
    int rc = envexpand_string(s, &h, out, err, sizeof err, &at);
    if (rc == -EINVAL)
        return ynode_error_at(c, n, at, "%s: %s", path, err);
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
    /* No suggestion for a message that would not be kept. */
    const char *best = conf_errors_full(c->errs) ? NULL : suggest_closest(name, cands, n);
    if (best)
        return ynode_error(c, k, "%s%sunknown key %s (did you mean \"%s\"?)", path,
                           path[0] ? ": " : "", ynode_quote(name, q, sizeof q), best);
    return ynode_error(c, k, "%s%sunknown key %s", path, path[0] ? ": " : "",
                       ynode_quote(name, q, sizeof q));
}

int ynode_map(struct ynode_ctx *c, yaml_node_t *n, const char *path, const struct ynode_key *keys,
              void *obj)
{
    /* The first key node of each known key: a key is looked up once among
     * the schema's keys (at most YNODE_MAX_KEYS), never among the keys
     * before it, so a map of many keys is read in linear time. An unknown
     * key is reported as unknown each time it appears. */
    yaml_node_t *seen[YNODE_MAX_KEYS] = {0};
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
        size_t i = 0;
        while (i < YNODE_MAX_KEYS && keys[i].name && strcmp(keys[i].name, name) != 0)
            i++;
        if (i == YNODE_MAX_KEYS || !keys[i].name) {
            r = ynode_unknown(c, k, path, keys);
            goto next;
        }
        char kpath[YNODE_PATH_MAX];
        ynode_path(kpath, sizeof kpath, path, name);
        if (seen[i]) {
            r = ynode_error(c, k, "%s: duplicate key (first at line %u)", kpath,
                            (unsigned)seen[i]->start_mark.line + 1);
            goto next;
        }
        seen[i] = k;
        r = keys[i].fn(c, ynode_at(c, p->value), kpath, obj);
next:
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            rc = r;
    }
    return rc;
}
