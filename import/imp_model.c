/* imp_model.c - the import's model: allocation that exits on failure (the
 * importer is a command, never PID 1), YAML value trees, services and the
 * report. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "imp.h"

_Noreturn void imp_oom(void)
{
    fputs("corral import: out of memory\n", stderr);
    exit(1);
}

void *imp_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        imp_oom();
    return p;
}

void *imp_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        imp_oom();
    return p;
}

void *imp_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        imp_oom();
    return p;
}

char *imp_xstrdup(const char *s)
{
    return imp_xstrndup(s, strlen(s));
}

char *imp_xstrndup(const char *s, size_t n)
{
    char *p = imp_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *imp_xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        imp_oom();
    char *p = imp_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *imp_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = imp_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void imp_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* ---- values ------------------------------------------------------------ */

struct imp_iv *imp_iv_new(enum imp_iv_kind kind)
{
    struct imp_iv *v = imp_xcalloc(1, sizeof *v);
    v->kind = kind;
    return v;
}

void imp_iv_free(struct imp_iv *v)
{
    while (v) {
        struct imp_iv *next = v->next;
        imp_iv_free(v->first);
        free(v->key);
        free(v->text);
        free(v->comment);
        free(v);
        v = next;
    }
}

struct imp_iv *imp_iv_get(const struct imp_iv *map, const char *key)
{
    for (struct imp_iv *e = map ? map->first : NULL; e; e = e->next)
        if (e->key && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static void imp_iv_append(struct imp_iv *parent, struct imp_iv *v)
{
    if (parent->last)
        parent->last->next = v;
    else
        parent->first = v;
    parent->last = v;
}

/* Makes entry e of kind, emptied, keeping its key and place. */
static void imp_iv_reset(struct imp_iv *e, enum imp_iv_kind kind)
{
    imp_iv_free(e->first);
    e->first = e->last = NULL;
    free(e->text);
    e->text = NULL;
    free(e->comment);
    e->comment = NULL;
    e->kind = kind;
}

struct imp_iv *imp_iv_set(struct imp_iv *map, const char *key, const char *text, bool plain)
{
    struct imp_iv *e = imp_iv_get(map, key);
    if (!e) {
        e = imp_iv_new(IMP_IV_SCALAR);
        e->key = imp_xstrdup(key);
        imp_iv_append(map, e);
    }
    imp_iv_reset(e, IMP_IV_SCALAR);
    e->text = imp_xstrdup(text);
    e->plain = plain;
    return e;
}

struct imp_iv *imp_iv_setf(struct imp_iv *map, const char *key, bool plain, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = imp_xvasprintf(fmt, ap);
    va_end(ap);
    struct imp_iv *e = imp_iv_set(map, key, t, plain);
    free(t);
    return e;
}

struct imp_iv *imp_iv_child(struct imp_iv *map, const char *key, enum imp_iv_kind kind)
{
    struct imp_iv *e = imp_iv_get(map, key);
    if (!e) {
        e = imp_iv_new(kind);
        e->key = imp_xstrdup(key);
        imp_iv_append(map, e);
    } else if (e->kind != kind) {
        imp_iv_reset(e, kind);
    }
    return e;
}

bool imp_iv_del(struct imp_iv *map, const char *key)
{
    struct imp_iv *prev = NULL;
    for (struct imp_iv *e = map->first; e; prev = e, e = e->next) {
        if (!e->key || strcmp(e->key, key) != 0)
            continue;
        if (prev)
            prev->next = e->next;
        else
            map->first = e->next;
        if (map->last == e)
            map->last = prev;
        e->next = NULL;
        imp_iv_free(e);
        return true;
    }
    return false;
}

struct imp_iv *imp_iv_push(struct imp_iv *list, const char *text, bool plain)
{
    struct imp_iv *v = imp_iv_new(IMP_IV_SCALAR);
    v->text = imp_xstrdup(text);
    v->plain = plain;
    imp_iv_append(list, v);
    return v;
}

void imp_iv_note(struct imp_iv *entry, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(entry->comment);
    entry->comment = imp_xvasprintf(fmt, ap);
    va_end(ap);
}

size_t imp_iv_count(const struct imp_iv *v)
{
    size_t n = 0;
    for (const struct imp_iv *e = v->first; e; e = e->next)
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
        struct imp_service *s = m->svcs;
        m->svcs = s->next;
        free(s->name);
        free(s->origin);
        imp_iv_free(s->map);
        free(s);
    }
    imp_iv_free(m->global);
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

struct imp_service *imp_find(const struct imp *m, const char *name)
{
    for (struct imp_service *s = m->svcs; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* corral's service names: [a-z0-9_.-]+, not starting with a dot
 * (docs/configuration.md, "Service files"), and short enough for a file
 * name. */
char *imp_name(const char *src)
{
    size_t n = strnlen(src, IMP_NAME_MAX);
    char *name = imp_xmalloc(n + sizeof "service"); /* room for the name of an empty one */
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

struct imp_service *imp_svc(struct imp *m, const char *src_name, const char *where, const char *fmt,
                            ...)
{
    char *name = imp_name(src_name);
    if (imp_find(m, name) || strcmp(name, "main") == 0) {
        for (int i = 2;; i++) {
            int room = IMP_NAME_MAX - snprintf(NULL, 0, "-%d", i);
            char *alt = imp_xasprintf("%.*s-%d", room, name, i);
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
                   "unique, not main, and at most %d characters",
                   name, IMP_NAME_MAX);
    struct imp_service *s = imp_xcalloc(1, sizeof *s);
    s->name = name;
    va_list ap;
    va_start(ap, fmt);
    s->origin = imp_xvasprintf(fmt, ap);
    va_end(ap);
    s->map = imp_iv_new(IMP_IV_MAP);
    struct imp_service **p = &m->svcs;
    while (*p)
        p = &(*p)->next;
    *p = s;
    return s;
}

char *imp_group_name(struct imp *m, const char *src, const char *where)
{
    if (!src[0]) {
        if (where)
            imp_report(m, IMP_UNMAPPED, where, "(empty)",
                       "a group with no name: corral's groups: takes none; its members are in "
                       "no group");
        return NULL;
    }
    char *name = imp_name(src);
    if (where && strcmp(name, src) != 0)
        imp_report(m, IMP_CHANGED, where, src,
                   "group named %s: a group name is lowercase letters, digits, '_', '.' and '-', "
                   "not starting with '.' (`corralctl restart @%s`)",
                   name, name);
    return name;
}

void imp_group_add(struct imp *m, struct imp_service *s, const char *group, const char *where,
                   const char *note)
{
    struct imp_iv *g = imp_iv_child(s->map, "groups", IMP_IV_LIST);
    imp_iv_note(g, "%s", note);
    for (struct imp_iv *e = g->first; e; e = e->next)
        if (strcmp(e->text, group) == 0) {
            imp_report(m, IMP_UNNEEDED, where, group,
                       "%s is in group %s already: a group is listed once", s->name, group);
            return;
        }
    if (imp_iv_count(g) >= CONF_GROUPS_MAX) {
        imp_report(m, IMP_UNMAPPED, where, group,
                   "%s is in %d groups already, the most corral takes: not in %s", s->name,
                   CONF_GROUPS_MAX, group);
        return;
    }
    imp_iv_push(g, group, false);
}

void imp_drop(struct imp *m, const char *svc_name)
{
    char *name = imp_xstrdup(svc_name); /* svc_name may be the dropped service's own */
    for (struct imp_service **p = &m->svcs; *p; p = &(*p)->next) {
        if (strcmp((*p)->name, name) != 0)
            continue;
        struct imp_service *s = *p;
        *p = s->next;
        free(s->name);
        free(s->origin);
        imp_iv_free(s->map);
        free(s);
        break;
    }
    for (struct imp_service *s = m->svcs; s; s = s->next)
        if (imp_dep_del(s, name))
            imp_report(m, IMP_UNMAPPED, s->origin, "depends_on",
                       "%s: dropped the dependency on %s, which was not imported", s->name, name);
    free(name);
}

bool imp_dep_del(struct imp_service *s, const char *dep)
{
    struct imp_iv *deps = imp_iv_get(s->map, "depends_on");
    if (!deps)
        return false;
    bool was = deps->kind == IMP_IV_MAP && imp_iv_del(deps, dep);
    if (!deps->first)
        imp_iv_del(s->map, "depends_on");
    return was;
}

void imp_report(struct imp *m, enum imp_kind kind, const char *where, const char *what,
                const char *fmt, ...)
{
    struct imp_item *it = imp_xcalloc(1, sizeof *it);
    it->kind = kind;
    it->where = imp_xstrdup(where ? where : "");
    it->what = imp_xstrdup(what ? what : "");
    va_list ap;
    va_start(ap, fmt);
    it->why = imp_xvasprintf(fmt, ap);
    va_end(ap);
    if (m->items_last)
        m->items_last->next = it;
    else
        m->items = it;
    m->items_last = it;
}

struct imp_iv *imp_global(struct imp *m)
{
    if (!m->global)
        m->global = imp_iv_new(IMP_IV_MAP);
    return m->global;
}
