/* imp_text.c - text helpers of the mappers: shell words, `${` escaping,
 * booleans and numbers, dependencies and commands in the model. */
#include "imp_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct strbuf {
    char *p;
    size_t n, cap;
};

static void sb_put(struct strbuf *b, char c)
{
    if (b->n + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->p = imp_xrealloc(b->p, b->cap);
    }
    b->p[b->n++] = c;
    b->p[b->n] = '\0';
}

size_t imp_strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

char **imp_words(const char *s, bool *meta)
{
    char **v = imp_xcalloc(1, sizeof *v);
    size_t n = 0;
    bool need_shell = false;
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n') {
            need_shell = true;
            p++;
            continue;
        }
        if (!*p)
            break;
        if (*p == '#') { /* a comment to the end of the line */
            need_shell = true;
            break;
        }
        struct strbuf w = {0};
        sb_put(&w, '\0');
        w.n = 0;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end)
                    goto unbalanced;
                for (const char *q = p + 1; q < end; q++)
                    sb_put(&w, *q);
                p = end + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("\\\"$`\n", p[1])) {
                        p++;
                    } else if (*p == '$' || *p == '`') {
                        need_shell = true;
                    }
                    sb_put(&w, *p++);
                }
                if (*p != '"')
                    goto unbalanced;
                p++;
            } else if (*p == '\\' && p[1]) {
                sb_put(&w, p[1]);
                p += 2;
            } else {
                if (strchr("$`|&;<>()*?[~", *p))
                    need_shell = true;
                sb_put(&w, *p++);
            }
            continue;
unbalanced:
            free(w.p);
            imp_strv_free(v);
            return NULL;
        }
        v = imp_xrealloc(v, (n + 2) * sizeof *v);
        v[n++] = w.p;
        v[n] = NULL;
    }
    if (meta)
        *meta = need_shell;
    return v;
}

char *imp_escape_vars(const char *s)
{
    struct strbuf b = {0};
    sb_put(&b, '\0');
    b.n = 0;
    for (const char *p = s; *p; p++) {
        if (p[0] == '$' && p[1] == '{')
            sb_put(&b, '$');
        sb_put(&b, *p);
    }
    return b.p;
}

int imp_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

int imp_uint(const char *s, unsigned long *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 9 || strspn(s, "0123456789") != n)
        return -1;
    *out = strtoul(s, NULL, 10);
    return 0;
}

char *imp_trim(char *s)
{
    char *p = s;
    while (*p && isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    memmove(s, p, n);
    s[n] = '\0';
    return s;
}

void imp_dep(struct imp_service *s, const char *dep, const char *cond, const char *comment)
{
    struct imp_iv *deps = imp_iv_child(s->map, "depends_on", IMP_IV_MAP);
    struct imp_iv *d = imp_iv_child(deps, dep, IMP_IV_MAP);
    imp_iv_set(d, "condition", cond, true);
    if (comment)
        imp_iv_note(d, "%s", comment);
}

struct imp_iv *imp_command_list(struct imp_iv *map, char *const *argv, bool escape)
{
    struct imp_iv *c = imp_iv_child(map, "command", IMP_IV_LIST);
    for (size_t i = 0; argv[i]; i++) {
        char *t = escape ? imp_escape_vars(argv[i]) : imp_xstrdup(argv[i]);
        imp_iv_push(c, t, false);
        free(t);
    }
    return c;
}

char *imp_shell_join(char *const *argv)
{
    struct strbuf b = {0};
    sb_put(&b, '\0');
    b.n = 0;
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            sb_put(&b, ' ');
        const char *w = argv[i];
        bool plain = *w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_-./:=@%+,") == strlen(w);
        if (plain) {
            for (; *w; w++)
                sb_put(&b, *w);
            continue;
        }
        sb_put(&b, '\'');
        for (; *w; w++) {
            if (*w == '\'') {
                sb_put(&b, '\'');
                sb_put(&b, '\\');
                sb_put(&b, '\'');
            }
            sb_put(&b, *w);
        }
        sb_put(&b, '\'');
    }
    return b.p;
}

/* What corral's env_file takes: KEY=VALUE, KEY being [A-Za-z_][A-Za-z0-9_]*. */
bool imp_env_name_ok(const char *k)
{
    size_t n = strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");
    return n > 0 && !isdigit((unsigned char)k[0]) && k[n] == '\0';
}

static bool env_line_ok(const char *l)
{
    size_t n = strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");
    return n > 0 && !isdigit((unsigned char)l[0]) && l[n] == '=' && l[n + 1] != '"' &&
           l[n + 1] != '\'';
}

void imp_env_file(struct imp *m, struct imp_service *s, const char *path, const char *note,
                  bool report)
{
    char *text = imp_read(m, path, NULL);
    if (!text)
        return;
    bool plain = true;
    for (const char *p = text; *p && plain;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *l = imp_trim(imp_xstrndup(p, len));
        p += len + (nl ? 1 : 0);
        if (l[0] && l[0] != '#' && !env_line_ok(l))
            plain = false;
        free(l);
    }
    if (plain) {
        imp_iv_note(imp_iv_set(s->map, "env_file", path, false), "%s", note);
        free(text);
        return;
    }
    struct imp_iv *env = imp_iv_child(s->map, "environment", IMP_IV_MAP);
    unsigned line = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *l = imp_trim(imp_xstrndup(p, len));
        p += len + (nl ? 1 : 0);
        line++;
        char *k = l;
        if (strncmp(k, "export ", 7) == 0)
            k = imp_trim(k + 7);
        char *eq = strchr(k, '=');
        if (!k[0] || k[0] == '#' || !eq) {
            free(l);
            continue;
        }
        *eq = '\0';
        imp_trim(k);
        if (!imp_env_name_ok(k)) {
            /* corral's environment: takes [A-Za-z_][A-Za-z0-9_]* names
             * only (docs/configuration.md), where foreman and compose pass
             * any: the variable is left out, once reported per file. */
            if (report) {
                char *where = imp_xasprintf("%s:%u", path, line);
                imp_report(m, IMP_UNMAPPED, where, k,
                           "\"%s\" is not a variable name corral takes "
                           "([A-Za-z_][A-Za-z0-9_]*): left out of environment: (rename it, "
                           "here and where it is read)",
                           k);
                free(where);
            }
            free(l);
            continue;
        }
        char *v = eq + 1;
        size_t vn = strlen(v);
        if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0]) {
            v[vn - 1] = '\0';
            v++;
        }
        /* environment: wins over an env_file, as in corral and compose; a
         * Procfile's PORT over .env's, as foreman sets it last. */
        if (!imp_iv_get(env, k)) {
            char *esc = imp_escape_vars(v);
            imp_iv_note(imp_iv_set(env, k, esc, false), "%s:%u", path, line);
            free(esc);
        }
        free(l);
    }
    free(text);
    if (!env->first)
        imp_iv_del(s->map, "environment");
    if (report)
        imp_report(m, IMP_CHANGED, path, "env_file",
                   "its variables are copied into environment: without `export` and quotes: "
                   "corral's env_file takes KEY=VALUE lines as written");
}
