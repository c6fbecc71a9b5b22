/* cenv.c - the container environment of cenv.h: the inherited environment
 * built from corral's own and the files of container_environment, and the
 * shell and JSON renderings of it. */
#include "cenv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of key in a NULL-terminated "KEY=VALUE" array, or NULL. */
static const char *cenv_lookup(char *const *envp, const char *key)
{
    size_t klen = strlen(key);
    for (; envp && *envp; envp++)
        if (strncmp(*envp, key, klen) == 0 && (*envp)[klen] == '=')
            return *envp + klen + 1;
    return NULL;
}

static const struct conf_kv *cenv_find(const struct conf_kv *v, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].key, key) == 0)
            return &v[i];
    return NULL;
}

void cenv_env_close(struct cenv_env *e)
{
    for (size_t i = 0; i < e->nowned; i++)
        free(e->owned[i]);
    free(e->owned);
    free(e->envp);
    memset(e, 0, sizeof *e);
}

int cenv_build(struct cenv_env *e, char *const *base, const struct conf_kv *vars, size_t n,
               const struct conf_kv *initial, size_t ninitial)
{
    size_t nbase = 0;
    memset(e, 0, sizeof *e);
    while (base && base[nbase])
        nbase++;
    bool *use = calloc(n ? n : 1, sizeof *use);
    e->envp = calloc(nbase + n + 1, sizeof *e->envp);
    e->owned = calloc(n ? n : 1, sizeof *e->owned);
    if (!use || !e->envp || !e->owned)
        goto err;
    for (size_t i = 0; i < n; i++) {
        const struct conf_kv *first = cenv_find(initial, ninitial, vars[i].key);
        bool unchanged = first && strcmp(first->value, vars[i].value) == 0;
        use[i] = !(unchanged && cenv_lookup(base, vars[i].key));
    }
    /* base first, less what a file replaces; then the files, in order. */
    for (size_t i = 0; i < nbase; i++) {
        const char *eq = strchr(base[i], '=');
        size_t klen = eq ? (size_t)(eq - base[i]) : strlen(base[i]);
        bool replaced = false;
        for (size_t k = 0; k < n && !replaced; k++)
            replaced =
                use[k] && strlen(vars[k].key) == klen && strncmp(vars[k].key, base[i], klen) == 0;
        if (!replaced)
            e->envp[e->n++] = base[i];
    }
    for (size_t i = 0; i < n; i++) {
        if (!use[i])
            continue;
        size_t len = strlen(vars[i].key) + strlen(vars[i].value) + 2;
        char *kv = malloc(len);
        if (!kv)
            goto err;
        snprintf(kv, len, "%s=%s", vars[i].key, vars[i].value);
        e->owned[e->nowned++] = kv;
        e->envp[e->n++] = kv;
    }
    free(use);
    return 0;

err:
    free(use);
    cenv_env_close(e);
    return -ENOMEM;
}

bool cenv_is_personal(const char *kv)
{
    static const char *const names[] = {"HOME", "USER", "GROUP", "UID", "GID", "SHELL"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t len = strlen(names[i]);
        if (strncmp(kv, names[i], len) == 0 && kv[len] == '=')
            return true;
    }
    return false;
}

static bool cenv_is_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_@%+=:,./-", c) != NULL);
}

/* Appends c to out if there is room (the NUL kept); counts it either way. */
static void cenv_put(char *out, size_t len, size_t *at, char c)
{
    if (*at + 1 < len)
        out[*at] = c;
    (*at)++;
}

size_t cenv_shquote(const char *s, char *out, size_t len)
{
    size_t at = 0;
    bool safe = *s != '\0';
    for (const char *p = s; *p && safe; p++)
        safe = cenv_is_safe((unsigned char)*p);
    if (safe) {
        for (const char *p = s; *p; p++)
            cenv_put(out, len, &at, *p);
    } else {
        cenv_put(out, len, &at, '\'');
        for (const char *p = s; *p; p++) {
            if (*p == '\'') {
                for (const char *q = "'\"'\"'"; *q; q++)
                    cenv_put(out, len, &at, *q);
            } else {
                cenv_put(out, len, &at, *p);
            }
        }
        cenv_put(out, len, &at, '\'');
    }
    if (len)
        out[at < len ? at : len - 1] = '\0';
    return at;
}

/* A growing string. */
struct cenv_buf {
    char *s;
    size_t n, cap;
    bool oom;
};

static void cenv_add(struct cenv_buf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static char *cenv_done(struct cenv_buf *b)
{
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    if (!b->s)
        b->s = calloc(1, 1);
    return b->s;
}

char *cenv_render_sh(char *const *envp)
{
    struct cenv_buf b = {0};
    for (; envp && *envp; envp++) {
        const char *eq = strchr(*envp, '=');
        if (!eq || cenv_is_personal(*envp))
            continue;
        size_t need = cenv_shquote(eq + 1, NULL, 0) + 1;
        char *q = malloc(need);
        if (!q) {
            b.oom = true;
            break;
        }
        cenv_shquote(eq + 1, q, need);
        cenv_add(&b, "export ", 7);
        cenv_add(&b, *envp, (size_t)(eq - *envp) + 1);
        cenv_add(&b, q, strlen(q));
        cenv_add(&b, "\n", 1);
        free(q);
    }
    return cenv_done(&b);
}

/* s as a JSON string, quotes included; control characters as \u00XX. */
static void cenv_json_string(struct cenv_buf *b, const char *s, size_t len)
{
    cenv_add(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            cenv_add(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            cenv_add(b, esc, 6);
        } else {
            cenv_add(b, (const char *)&s[i], 1);
        }
    }
    cenv_add(b, "\"", 1);
}

char *cenv_render_json(char *const *envp)
{
    struct cenv_buf b = {0};
    bool first = true;
    cenv_add(&b, "{", 1);
    for (; envp && *envp; envp++) {
        const char *eq = strchr(*envp, '=');
        if (!eq)
            continue;
        if (!first)
            cenv_add(&b, ", ", 2);
        first = false;
        cenv_json_string(&b, *envp, (size_t)(eq - *envp));
        cenv_add(&b, ": ", 2);
        cenv_json_string(&b, eq + 1, strlen(eq + 1));
    }
    cenv_add(&b, "}\n", 2);
    return cenv_done(&b);
}
