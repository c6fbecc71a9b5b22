/* imp_check.c - the last step of every import: each service file and
 * corral.yaml, as they would be written, are loaded by corral's own loader
 * (conf/), then the services as one set (dependencies that exist, conditions
 * their targets can meet, no cycle). Whatever the loader refuses is taken
 * out and reported as not mapped, with the loader's own message, so that
 * `corral import` never writes a file `corral --check` refuses. The mappers
 * convert what they know how to convert; this catches the rest. A refused
 * key that takes rights away (user, group, umask, rlimits, clear_env) takes
 * its whole service out with it: nothing runs with more rights than its
 * source gave it.
 *
 * Users, groups, commands and env_files are not looked up (they belong to
 * the image, not to the machine that imports), as with `corralctl check
 * --no-resolve`. A ${VAR} counts as set, to "/": its value is
 * the container's, known when corral loads the file, and "/" keeps a path
 * made of it absolute. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_instances.h"
#include "conf_set.h"
#include "imp.h"
#include "imp_write.h"

/* A file is loaded again after each removal: bounded by what it holds. */
#define IMP_CHECK_ROUNDS 256

static const char *imp_check_lookup(void *arg, const char *name)
{
    (void)arg;
    (void)name;
    return "/";
}

static const struct conf_env imp_check_env = {
    .lookup = imp_check_lookup, .no_resolve = true, .any_ids = true};

/* The top-level key whose lines hold line (1-based) of text, in key (of
 * size len); false when line is before the first key or past the end. */
static bool imp_check_key_at(const char *text, unsigned line, char *key, size_t len)
{
    bool found = false;
    const char *p = text;
    for (unsigned l = 1; *p && l <= line; l++) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        if (n && p[0] != ' ' && p[0] != '#' && p[0] != '-') {
            size_t k = strcspn(p, ":\n");
            if (k < len) {
                memcpy(key, p, k);
                key[k] = '\0';
                found = true;
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return found;
}

/* The first error (not a warning) of errs, or NULL. */
static const struct conf_error *imp_check_first(const struct conf_errors *errs)
{
    for (size_t i = 0; i < errs->n; i++)
        if (!errs->v[i].warning)
            return &errs->v[i];
    return NULL;
}

static void imp_check_refused(struct imp *m, const char *where, const char *what,
                              const struct conf_error *e, const char *done)
{
    imp_report(m, IMP_UNMAPPED, where, what, "corral refuses it (%s); %s",
               e ? e->msg : "the file does not load", done);
}

/* The keys that take rights away from a service (docs/configuration.md),
 * and what it would run with without each. A service whose key of these the
 * loader refuses is left out whole: taken out alone, the key would leave it
 * with more rights than its source gave it, as corral's own user (root in
 * most containers), with corral's umask and limits, or with corral's whole
 * environment, where secrets may be. */
static const struct {
    const char *key, *without;
} imp_check_confining[] = {
    {"user", "as corral's own user"},
    {"group", "with corral's own group"},
    {"umask", "with corral's umask"},
    {"rlimits", "with corral's limits"},
    {"clear_env", "with corral's whole environment"},
};

static const char *imp_check_without(const char *key)
{
    for (size_t i = 0; i < sizeof imp_check_confining / sizeof *imp_check_confining; i++)
        if (strcmp(key, imp_check_confining[i].key) == 0)
            return imp_check_confining[i].without;
    return NULL;
}

/* Loads service s as written; takes out each key the loader refuses, or
 * the whole service when what is refused is its command, a key that takes
 * rights away (imp_check_confining), or the file as a whole. Returns the
 * loaded service (the caller frees it), or NULL when s was dropped. */
static struct conf_service *imp_check_service(struct imp *m, struct imp_service *s)
{
    for (int round = 0; round < IMP_CHECK_ROUNDS; round++) {
        char *text = imp_render_service(s);
        struct conf_errors errs;
        struct conf_service *out = NULL;
        conf_errors_init(&errs);
        int rc = conf_load_buffer(s->name, s->name, text, strlen(text), &imp_check_env, false, &out,
                                  &errs);
        if (rc == -ENOMEM)
            imp_oom();
        if (rc == 0) {
            free(text);
            conf_errors_close(&errs);
            return out;
        }
        const struct conf_error *e = imp_check_first(&errs);
        char key[64];
        bool found = e && e->line && imp_check_key_at(text, e->line, key, sizeof key) &&
                     strcmp(key, "command") != 0 && imp_iv_get(s->map, key);
        const char *without = found ? imp_check_without(key) : NULL;
        char *what;
        if (found) {
            struct imp_iv *entry = imp_iv_get(s->map, key);
            what = imp_xasprintf("%s: %s%s%s%s", s->name, key, entry->comment ? " (" : "",
                                 entry->comment ? entry->comment : "", entry->comment ? ")" : "");
        } else {
            what = imp_xasprintf("%s", s->name);
        }
        if (without) {
            char *done = imp_xasprintf("the service is left out rather than run with more rights "
                                       "than its source gave it (without %s:, it would run %s)",
                                       key, without);
            imp_check_refused(m, s->origin, what, e, done);
            free(done);
        } else if (found) {
            imp_check_refused(m, s->origin, what, e, "left out");
            imp_iv_del(s->map, key);
        } else {
            imp_check_refused(m, s->origin, what, e, "the service is left out");
        }
        free(what);
        free(text);
        conf_errors_close(&errs);
        if (!found || without) {
            imp_drop(m, s->name);
            return NULL;
        }
    }
    imp_report(m, IMP_UNMAPPED, s->origin, s->name, "corral refuses the file; left out");
    imp_drop(m, s->name);
    return NULL;
}

/* The key at line:col of text (a depends_on entry's name), in key. */
static bool imp_check_word_at(const char *text, unsigned line, unsigned col, char *key, size_t len)
{
    const char *p = text;
    for (unsigned l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p || col == 0 || strcspn(p, "\n") < col)
        return false;
    p += col - 1;
    bool quoted = *p == '"'; /* a name that does not start with [a-z0-9_./] (imp_write.c) */
    p += quoted;
    size_t k = strcspn(p, quoted ? "\"\n" : ":,}\n");
    if (k == 0 || k >= len)
        return false;
    memcpy(key, p, k);
    key[k] = '\0';
    return true;
}

/* Takes out the dependency e points at (all of the service's when e points
 * at none). Returns false when e names no service with dependencies. */
static bool imp_check_drop_dep(struct imp *m, const struct conf_error *e)
{
    struct imp_service *s = e->file ? imp_find(m, e->file) : NULL;
    struct imp_iv *deps = s ? imp_iv_get(s->map, "depends_on") : NULL;
    if (!deps)
        return false;
    char *text = imp_render_service(s);
    char dep[256];
    bool ok = deps->kind == IMP_IV_MAP &&
              imp_check_word_at(text, e->line, e->col, dep, sizeof dep) && imp_iv_get(deps, dep);
    free(text);
    if (!ok) {
        char *what = imp_xasprintf("%s: depends_on", s->name);
        imp_check_refused(m, s->origin, what, e, "the dependencies are left out");
        free(what);
        imp_iv_del(s->map, "depends_on");
        return true;
    }
    char *what = imp_xasprintf("%s: depends_on %s", s->name, dep);
    imp_check_refused(m, s->origin, what, e, "the dependency is left out");
    free(what);
    (void)imp_dep_del(s, dep);
    return true;
}

/* instances: names the copies NAME.1 .. NAME.N, and corral refuses a file
 * with instances when another service is named NAME.NUMBER, any number
 * (conf_instances_collisions): the instances are taken out. Returns
 * whether one was. */
static bool imp_check_instances(struct imp *m)
{
    for (struct imp_service *s = m->svcs; s; s = s->next) {
        if (!imp_iv_get(s->map, "instances"))
            continue;
        for (struct imp_service *t = m->svcs; t; t = t->next) {
            if (t == s || !conf_instances_named_like(t->name, s->name))
                continue;
            char *what = imp_xasprintf("%s: instances", s->name);
            imp_report(m, IMP_UNMAPPED, s->origin, what,
                       "corral refuses it (its instances are named %s.1, %s.2 ..., and %s is "
                       "another service); one copy runs",
                       s->name, s->name, t->name);
            free(what);
            imp_iv_del(s->map, "instances");
            return true;
        }
    }
    return false;
}

/* Takes out whole the services errs names (a cycle or a condition too
 * many to take apart by dependencies). Returns whether one was. */
static bool imp_check_drop_named(struct imp *m, const struct conf_errors *errs)
{
    bool dropped = false;
    for (size_t i = 0; i < errs->n; i++) {
        const struct conf_error *e = &errs->v[i];
        if (e->warning || !e->file || !imp_find(m, e->file))
            continue;
        imp_check_refused(m, imp_find(m, e->file)->origin, e->file, e, "the service is left out");
        imp_drop(m, e->file);
        dropped = true;
    }
    return dropped;
}

/* The services as one set: every dependency the loader refuses is taken
 * out, round after round, until the set builds; past IMP_CHECK_ROUNDS, or
 * where an error names no dependency, the services it names go whole.
 * Each round takes something out, so it ends; -1 (m->err) only when what
 * is refused names nothing that can go. */
static int imp_check_set(struct imp *m)
{
    for (int round = 0;; round++) {
        if (imp_check_instances(m))
            continue;
        size_t n = 0;
        for (struct imp_service *s = m->svcs; s; s = s->next)
            n++;
        struct conf_service **v = imp_xcalloc(n ? n : 1, sizeof *v);
        size_t k = 0;
        for (struct imp_service *s = m->svcs; s;) {
            struct imp_service *next = s->next;
            struct conf_service *cs = imp_check_service(m, s);
            if (cs)
                v[k++] = cs;
            s = next;
        }
        struct conf_errors errs;
        struct conf_set *set = NULL;
        conf_errors_init(&errs);
        int rc = conf_set_build(v, k, NULL, 0, &errs, &set); /* takes v */
        if (rc == -ENOMEM)
            imp_oom();
        conf_set_free(set);
        /* One dependency of a service a round: an error's line and column
         * are those of the text before any removal. */
        bool dropped = false;
        const char **touched = imp_xcalloc(errs.n + 1, sizeof *touched);
        size_t n_touched = 0;
        for (size_t i = 0; rc != 0 && round < IMP_CHECK_ROUNDS && i < errs.n; i++) {
            const struct conf_error *ei = &errs.v[i];
            bool seen = false;
            for (size_t t = 0; ei->file && t < n_touched; t++)
                seen = seen || strcmp(touched[t], ei->file) == 0;
            if (ei->warning || seen || !imp_check_drop_dep(m, ei))
                continue;
            dropped = true;
            if (ei->file)
                touched[n_touched++] = ei->file;
        }
        free(touched);
        if (rc != 0 && !dropped)
            dropped = imp_check_drop_named(m, &errs);
        const struct conf_error *e = imp_check_first(&errs);
        if (rc != 0 && !dropped)
            imp_fail(m, "the services do not load as a set: %s",
                     e ? e->msg : "the loader says no more");
        conf_errors_close(&errs);
        if (rc == 0 || !dropped)
            return rc == 0 ? 0 : -1;
    }
}

/* corral.yaml: each key the loader refuses is taken out; where the error
 * names no key it can take out (or past IMP_CHECK_ROUNDS), corral.yaml is
 * left out whole. Each round takes something out, so it ends. */
static void imp_check_global(struct imp *m)
{
    for (int round = 0; m->global; round++) {
        char *text = imp_render_global(m);
        struct conf_errors errs;
        struct conf_global g;
        conf_errors_init(&errs);
        conf_global_init(&g);
        int rc =
            conf_global_load_buffer("corral.yaml", text, strlen(text), &imp_check_env, &g, &errs);
        conf_global_close(&g);
        if (rc == -ENOMEM)
            imp_oom();
        const struct conf_error *e = rc == 0 ? NULL : imp_check_first(&errs);
        char key[64];
        bool found = round < IMP_CHECK_ROUNDS && e && e->line &&
                     imp_check_key_at(text, e->line, key, sizeof key) && imp_iv_get(m->global, key);
        if (found) {
            char *what = imp_xasprintf("corral.yaml: %s", key);
            imp_check_refused(m, m->global_origin, what, e, "left out");
            free(what);
            imp_iv_del(m->global, key);
        }
        free(text);
        if (rc != 0 && !found) {
            /* Nothing it names can go: corral.yaml is left out whole. */
            imp_check_refused(m, m->global_origin, "corral.yaml", e, "it is not written");
            imp_iv_free(m->global);
            m->global = NULL;
        }
        conf_errors_close(&errs);
        if (!found)
            return;
    }
}

int imp_check(struct imp *m)
{
    if (imp_check_set(m) < 0)
        return -1;
    imp_check_global(m);
    return 0;
}
