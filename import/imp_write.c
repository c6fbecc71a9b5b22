/* imp_write.c - renders an import: one YAML file per service, corral.yaml
 * and the report, as text. Keys come out in one order whatever the source's
 * (docs/importing.md), small lists and maps in flow style, scripts as
 * literal blocks, and every value quoted unless it is safe plain. */
#include "imp_write.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The order of a service file's keys, as docs/configuration.md lists
 * them; a key not listed comes after these. */
static const char *const imp_key_order[] = {
    "command",       "type",      "main",        "critical",    "autostart", "instances",
    "groups",        "directory", "user",        "group",       "umask",     "clear_env",
    "environment",   "env_file",  "depends_on",  "readiness",   "health",    "restart",
    "success_codes", "backoff",   "start_limit", "stop_signal", "signal_to", "stop_timeout",
    "stop_command",  "finish",    "schedule",    "every",       "logs",      "rlimits",
};

#define FLOW_MAX 72

struct out {
    char *p;
    size_t n, cap;
};

static void out_put(struct out *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        while (o->n + n + 1 > o->cap)
            o->cap = o->cap ? o->cap * 2 : 256;
        o->p = imp_xrealloc(o->p, o->cap);
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

static void out_str(struct out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

static void out_fmt(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_fmt(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = imp_xvasprintf(fmt, ap);
    va_end(ap);
    out_str(o, s);
    free(s);
}

static void out_indent(struct out *o, int n)
{
    for (int i = 0; i < n; i++)
        out_put(o, " ", 1);
}

/* Words YAML 1.1 reads as booleans or null, and anything that looks like a
 * number: quoted so that no reader takes them for another type. */
static bool looks_typed(const char *s)
{
    static const char *const words[] = {"true", "false", "yes",  "no", "on",  "off",
                                        "y",    "n",     "null", "~",  "NULL"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcasecmp(s, words[i]) == 0)
            return true;
    return strspn(s, "0123456789.+-eE_:") == strlen(s);
}

static bool safe_plain(const char *s)
{
    if (!*s || looks_typed(s))
        return false;
    if (!isalnum((unsigned char)s[0]) && s[0] != '/' && s[0] != '_' && s[0] != '.')
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_./@+-", *p))
            return false;
    return true;
}

static bool block_ok(const char *s)
{
    if (!strchr(s, '\n'))
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
            return false;
    /* A trailing blank on a line is kept by a literal block, but lines that
     * are only blanks at the end would be taken for indentation. */
    return s[0] != '\n';
}

static void out_quoted(struct out *o, const char *s)
{
    out_put(o, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            out_put(o, e, 2);
        } else if (*p == '\n') {
            out_str(o, "\\n");
        } else if (*p == '\t') {
            out_str(o, "\\t");
        } else if (*p < 0x20 || *p == 0x7f) {
            out_fmt(o, "\\x%02x", *p);
        } else {
            out_put(o, (const char *)p, 1);
        }
    }
    out_put(o, "\"", 1);
}

/* A map's key: plain when YAML reads it back as written, else quoted (an
 * empty key, or one with a ':', '#', a quote or a blank, would break the
 * file). */
static void out_key(struct out *o, const char *k)
{
    bool plain = *k && (isalnum((unsigned char)k[0]) || strchr("_./", k[0]));
    for (const char *p = k; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("_./@+-", *p);
    if (plain)
        out_str(o, k);
    else
        out_quoted(o, k);
}

static void out_scalar(struct out *o, const struct imp_iv *v, bool in_flow)
{
    if (v->plain || (!in_flow && safe_plain(v->text)))
        out_str(o, v->text);
    else
        out_quoted(o, v->text);
}

/* The flow form of v ("[a, b]", "{k: v}"), or NULL when v holds something
 * that needs block style (a comment, a script) or is too long. */
static char *flow_of(const struct imp_iv *v, size_t budget)
{
    struct out o = {0};
    out_str(&o, v->kind == IMP_IV_LIST ? "[" : "{");
    for (const struct imp_iv *e = v->first; e; e = e->next) {
        if (e->comment || (e->kind == IMP_IV_SCALAR && strchr(e->text, '\n'))) {
            free(o.p);
            return NULL;
        }
        if (e != v->first)
            out_str(&o, ", ");
        if (v->kind == IMP_IV_MAP) {
            out_key(&o, e->key);
            out_str(&o, ": ");
        }
        if (e->kind == IMP_IV_SCALAR) {
            out_scalar(&o, e, v->kind == IMP_IV_LIST);
        } else {
            char *inner = flow_of(e, budget);
            if (!inner) {
                free(o.p);
                return NULL;
            }
            out_str(&o, inner);
            free(inner);
        }
        if (o.n > budget) {
            free(o.p);
            return NULL;
        }
    }
    out_str(&o, v->kind == IMP_IV_LIST ? "]" : "}");
    return o.p;
}

static void out_comment(struct out *o, const char *c)
{
    if (!c)
        return;
    out_str(o, "  # ");
    for (const char *p = c; *p; p++)
        out_put(o, *p == '\n' ? " " : p, 1);
}

static void out_block_scalar(struct out *o, const char *s)
{
    size_t n = strlen(s);
    size_t trailing = 0;
    while (trailing < n && s[n - 1 - trailing] == '\n')
        trailing++;
    out_str(o, "|");
    if (s[0] == ' ')
        out_fmt(o, "%d", 2);
    out_str(o, trailing == 0 ? "-" : trailing == 1 ? "" : "+");
}

static void out_block_body(struct out *o, const char *s, int indent)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n')
        n--;
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len)
            out_indent(o, indent);
        out_put(o, p, len);
        out_put(o, "\n", 1);
        p += len + 1;
    }
    for (size_t t = n + 1; t < strlen(s); t++)
        out_put(o, "\n", 1); /* the extra trailing newlines of "|+" */
}

static void out_value(struct out *o, const struct imp_iv *v, int indent);

/* One "key: value" (or "- value") at indent. */
static void out_entry(struct out *o, const struct imp_iv *e, int indent, bool item)
{
    out_indent(o, indent);
    if (item)
        out_str(o, "- ");
    else {
        out_key(o, e->key);
        out_str(o, ":");
    }
    if (e->kind == IMP_IV_SCALAR) {
        if (!item)
            out_str(o, " ");
        if (block_ok(e->text)) {
            out_block_scalar(o, e->text);
            out_comment(o, e->comment);
            out_str(o, "\n");
            out_block_body(o, e->text, indent + 2);
            return;
        }
        out_scalar(o, e, false);
        out_comment(o, e->comment);
        out_str(o, "\n");
        return;
    }
    size_t budget = FLOW_MAX > indent ? (size_t)(FLOW_MAX - indent) : 8;
    char *flow = flow_of(e, budget);
    if (flow) {
        if (!item)
            out_str(o, " ");
        out_str(o, flow);
        free(flow);
        out_comment(o, e->comment);
        out_str(o, "\n");
        return;
    }
    out_comment(o, e->comment);
    out_str(o, "\n");
    out_value(o, e, indent + 2);
}

static void out_value(struct out *o, const struct imp_iv *v, int indent)
{
    for (const struct imp_iv *e = v->first; e; e = e->next)
        out_entry(o, e, indent, v->kind == IMP_IV_LIST);
}

static int key_rank(const char *key)
{
    size_t n = sizeof imp_key_order / sizeof *imp_key_order;
    for (size_t i = 0; i < n; i++)
        if (strcmp(imp_key_order[i], key) == 0)
            return (int)i;
    return (int)n;
}

char *imp_render_service(const struct imp_service *s)
{
    struct out o = {0};
    out_fmt(&o, "# %s: imported by corral import from %s.\n", s->name, s->origin);
    out_str(&o, "# import-report.txt lists what could not be mapped.\n");
    int n = (int)(sizeof imp_key_order / sizeof *imp_key_order);
    for (int rank = 0; rank <= n; rank++)
        for (const struct imp_iv *e = s->map->first; e; e = e->next)
            if (key_rank(e->key) == rank)
                out_entry(&o, e, 0, false);
    return o.p;
}

char *imp_render_global(const struct imp *m)
{
    struct out o = {0};
    out_fmt(&o, "# corral.yaml: imported by corral import %s from %s.\n", m->format,
            m->global_origin ? m->global_origin
            : m->inputs      ? m->inputs
                             : "?");
    out_str(&o, "services: services.d  # relative to this file's directory\n");
    if (m->global)
        out_value(&o, m->global, 0);
    return o.p;
}

/* Report items by file, then by line ("a.conf:9" before "a.conf:10"). */
static int item_cmp(const void *pa, const void *pb)
{
    const struct imp_item *a = *(const struct imp_item *const *)pa;
    const struct imp_item *b = *(const struct imp_item *const *)pb;
    const char *ca = strrchr(a->where, ':'), *cb = strrchr(b->where, ':');
    size_t la = ca ? (size_t)(ca - a->where) : strlen(a->where);
    size_t lb = cb ? (size_t)(cb - b->where) : strlen(b->where);
    int c = strncmp(a->where, b->where, la < lb ? la : lb);
    if (c == 0 && la != lb)
        c = la < lb ? -1 : 1;
    if (c != 0)
        return c;
    unsigned long na = ca ? strtoul(ca + 1, NULL, 10) : 0, nb = cb ? strtoul(cb + 1, NULL, 10) : 0;
    if (na != nb)
        return na < nb ? -1 : 1;
    return a < b ? -1 : a > b; /* stable: in the order they were reported */
}

static void out_items(struct out *o, const struct imp *m, enum imp_kind kind, const char *title)
{
    size_t n = 0;
    for (const struct imp_item *it = m->items; it; it = it->next)
        n += it->kind == kind;
    if (!n)
        return;
    const struct imp_item **v = imp_xcalloc(n, sizeof *v);
    n = 0;
    for (const struct imp_item *it = m->items; it; it = it->next)
        if (it->kind == kind)
            v[n++] = it;
    qsort(v, n, sizeof *v, item_cmp);
    out_fmt(o, "\n%s\n", title);
    for (size_t i = 0; i < n; i++)
        out_fmt(o, "  %s%s%s\n      %s\n", v[i]->where, *v[i]->where ? ": " : "", v[i]->what,
                v[i]->why);
    free(v);
}

char *imp_render_report(const struct imp *m)
{
    struct out o = {0};
    size_t n = 0;
    for (const struct imp_service *s = m->svcs; s; s = s->next)
        n++;
    out_fmt(&o, "corral import %s %s: %zu service%s\n\nFiles read:\n", m->format,
            m->inputs ? m->inputs : "", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < m->n_sources; i++)
        out_fmt(&o, "  %s\n", m->sources[i]);
    if (!m->items) {
        out_str(&o, "\nEverything was mapped.\n");
        return o.p;
    }
    out_items(&o, m, IMP_UNMAPPED,
              "Not mapped (corral has no equivalent; the files go without it):");
    out_items(&o, m, IMP_CHANGED, "Mapped with a difference:");
    out_items(&o, m, IMP_UNNEEDED, "Not needed under corral:");
    return o.p;
}

void imp_outputs(const struct imp *m, struct imp_file **files, size_t *n)
{
    size_t cnt = 0;
    for (const struct imp_service *s = m->svcs; s; s = s->next)
        cnt++;
    struct imp_file *f = imp_xcalloc(cnt + 2, sizeof *f);
    size_t i = 0;
    for (const struct imp_service *s = m->svcs; s; s = s->next, i++) {
        f[i].path = imp_xasprintf("services.d/%s.yaml", s->name);
        f[i].text = imp_render_service(s);
    }
    f[i].path = imp_xstrdup("corral.yaml");
    f[i++].text = imp_render_global(m);
    f[i].path = imp_xstrdup("import-report.txt");
    f[i++].text = imp_render_report(m);
    *files = f;
    *n = i;
}

void imp_files_free(struct imp_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].path);
        free(files[i].text);
    }
    free(files);
}
