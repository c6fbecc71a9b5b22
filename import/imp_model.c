/* imp_model.c - the import's model: allocation that exits on failure (the
 * importer is a command, never PID 1), YAML value trees, services and the
 * report. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"

_Noreturn void imp_oom(void)
{
    fputs("corral import: out of memory\n", stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        imp_oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        imp_oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        imp_oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        imp_oom();
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

/* ---- values ------------------------------------------------------------ */

struct iv *iv_new(enum iv_kind kind)
{
    struct iv *v = xcalloc(1, sizeof *v);
    v->kind = kind;
    return v;
}

void iv_free(struct iv *v)
{
    while (v) {
        struct iv *next = v->next;
        iv_free(v->first);
        free(v->key);
        free(v->text);
        free(v->comment);
        free(v);
        v = next;
    }
}

struct iv *iv_get(const struct iv *map, const char *key)
{
    for (struct iv *e = map ? map->first : NULL; e; e = e->next)
        if (e->key && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static void iv_append(struct iv *parent, struct iv *v)
{
    if (parent->last)
        parent->last->next = v;
    else
        parent->first = v;
    parent->last = v;
}

/* Makes entry e of kind, emptied, keeping its key and place. */
static void iv_reset(struct iv *e, enum iv_kind kind)
{
    iv_free(e->first);
    e->first = e->last = NULL;
    free(e->text);
    e->text = NULL;
    free(e->comment);
    e->comment = NULL;
    e->kind = kind;
}

struct iv *iv_set(struct iv *map, const char *key, const char *text, bool plain)
{
    struct iv *e = iv_get(map, key);
    if (!e) {
        e = iv_new(IV_SCALAR);
        e->key = xstrdup(key);
        iv_append(map, e);
    }
    iv_reset(e, IV_SCALAR);
    e->text = xstrdup(text);
    e->plain = plain;
    return e;
}

struct iv *iv_setf(struct iv *map, const char *key, bool plain, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = xvasprintf(fmt, ap);
    va_end(ap);
    struct iv *e = iv_set(map, key, t, plain);
    free(t);
    return e;
}

struct iv *iv_child(struct iv *map, const char *key, enum iv_kind kind)
{
    struct iv *e = iv_get(map, key);
    if (!e) {
        e = iv_new(kind);
        e->key = xstrdup(key);
        iv_append(map, e);
    } else if (e->kind != kind) {
        iv_reset(e, kind);
    }
    return e;
}

bool iv_del(struct iv *map, const char *key)
{
    struct iv *prev = NULL;
    for (struct iv *e = map->first; e; prev = e, e = e->next) {
        if (!e->key || strcmp(e->key, key) != 0)
            continue;
        if (prev)
            prev->next = e->next;
        else
            map->first = e->next;
        if (map->last == e)
            map->last = prev;
        e->next = NULL;
        iv_free(e);
        return true;
    }
    return false;
}

struct iv *iv_push(struct iv *list, const char *text, bool plain)
{
    struct iv *v = iv_new(IV_SCALAR);
    v->text = xstrdup(text);
    v->plain = plain;
    iv_append(list, v);
    return v;
}

void iv_note(struct iv *entry, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(entry->comment);
    entry->comment = xvasprintf(fmt, ap);
    va_end(ap);
}

size_t iv_count(const struct iv *v)
{
    size_t n = 0;
    for (const struct iv *e = v->first; e; e = e->next)
        n++;
    return n;
}

/* ---- the import -------------------------------------------------------- */

void imp_init(struct imp *m, const char *format, const char *root)
{
    memset(m, 0, sizeof *m);
    m->format = format;
    m->root = root ? root : "";
}

void imp_free(struct imp *m)
{
    while (m->svcs) {
        struct isvc *s = m->svcs;
        m->svcs = s->next;
        free(s->name);
        free(s->origin);
        iv_free(s->map);
        free(s);
    }
    iv_free(m->global);
    free(m->global_origin);
    free(m->inputs);
    while (m->items) {
        struct imp_item *it = m->items;
        m->items = it->next;
        free(it->where);
        free(it->what);
        free(it->why);
        free(it);
    }
    imp_strv_free(m->sources);
    m->sources = NULL;
}

int imp_fail(struct imp *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err, sizeof m->err, fmt, ap);
    va_end(ap);
    return -1;
}

struct isvc *imp_find(const struct imp *m, const char *name)
{
    for (struct isvc *s = m->svcs; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* corral's service names: [a-z0-9_.-]+, not starting with a dot
 * (docs/configuration.md, "Service files"). */
char *imp_name(const char *src)
{
    size_t n = strlen(src);
    char *name = xmalloc(n + 2);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        c = (unsigned char)tolower(c);
        name[j++] = (char)((isalnum(c) && c < 0x80) || c == '_' || c == '.' || c == '-' ? c : '-');
    }
    name[j] = '\0';
    if (j == 0)
        strcpy(name, "service");
    else if (name[0] == '.')
        name[0] = '_';
    return name;
}

struct isvc *imp_svc(struct imp *m, const char *src_name, const char *where, const char *fmt, ...)
{
    char *name = imp_name(src_name);
    if (imp_find(m, name) || strcmp(name, "main") == 0) {
        for (int i = 2;; i++) {
            char *alt = xasprintf("%s-%d", name, i);
            if (!imp_find(m, alt)) {
                free(name);
                name = alt;
                break;
            }
            free(alt);
        }
    }
    if (strcmp(name, src_name) != 0)
        imp_report(m, IMP_CHANGED, where, src_name,
                   "named %s: a service name is lowercase letters, digits, '_', '.' and '-', "
                   "unique, and not main",
                   name);
    struct isvc *s = xcalloc(1, sizeof *s);
    s->name = name;
    va_list ap;
    va_start(ap, fmt);
    s->origin = xvasprintf(fmt, ap);
    va_end(ap);
    s->map = iv_new(IV_MAP);
    struct isvc **p = &m->svcs;
    while (*p)
        p = &(*p)->next;
    *p = s;
    return s;
}

void imp_drop(struct imp *m, const char *name)
{
    for (struct isvc **p = &m->svcs; *p; p = &(*p)->next) {
        if (strcmp((*p)->name, name) != 0)
            continue;
        struct isvc *s = *p;
        *p = s->next;
        free(s->name);
        free(s->origin);
        iv_free(s->map);
        free(s);
        break;
    }
    for (struct isvc *s = m->svcs; s; s = s->next) {
        struct iv *deps = iv_get(s->map, "depends_on");
        if (!deps)
            continue;
        if (deps->kind == IV_MAP && iv_del(deps, name))
            imp_report(m, IMP_UNMAPPED, s->origin, "depends_on",
                       "%s: dropped the dependency on %s, which was not imported", s->name, name);
        if (!deps->first)
            iv_del(s->map, "depends_on");
    }
}

void imp_report(struct imp *m, enum imp_kind kind, const char *where, const char *what,
                const char *fmt, ...)
{
    struct imp_item *it = xcalloc(1, sizeof *it);
    it->kind = kind;
    it->where = xstrdup(where ? where : "");
    it->what = xstrdup(what ? what : "");
    va_list ap;
    va_start(ap, fmt);
    it->why = xvasprintf(fmt, ap);
    va_end(ap);
    if (m->items_last)
        m->items_last->next = it;
    else
        m->items = it;
    m->items_last = it;
}

struct iv *imp_global(struct imp *m)
{
    if (!m->global)
        m->global = iv_new(IV_MAP);
    return m->global;
}
