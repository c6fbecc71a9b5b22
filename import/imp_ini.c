/* imp_ini.c - reads supervisord's INI files into sections of keys, each
 * with its line, so that every key can be mapped or reported. */
#include "imp_ini.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "imp_text.h"

static struct imp_ini_sec *imp_ini_add_sec(struct imp_ini *ini, const char *name, const char *file,
                                           unsigned line)
{
    ini->secs = imp_xrealloc(ini->secs, (ini->n + 1) * sizeof *ini->secs);
    struct imp_ini_sec *s = &ini->secs[ini->n++];
    memset(s, 0, sizeof *s);
    s->name = imp_xstrdup(name);
    s->file = imp_xstrdup(file);
    s->line = line;
    return s;
}

/* Drops an inline comment: ';' after a blank (supervisord 4's rule). */
static void imp_ini_strip_comment(char *v)
{
    for (char *p = v; *p; p++)
        if (*p == ';' && p > v && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
}

int imp_ini_parse(struct imp_ini *ini, const char *file, const char *text, char *err, size_t errlen)
{
    struct imp_ini_sec *sec = NULL;
    struct imp_ini_key *last = NULL;
    unsigned lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = imp_xstrndup(p, len);
        p += len + (nl ? 1 : 0);
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        bool indented = line[0] == ' ' || line[0] == '\t';
        imp_trim(line);
        if (!line[0] || line[0] == ';' || line[0] == '#') {
            free(line);
            continue;
        }
        if (indented && last) {
            imp_ini_strip_comment(line);
            imp_trim(line);
            char *v = imp_xasprintf("%s\n%s", last->val, line);
            free(last->val);
            last->val = v;
            free(line);
            continue;
        }
        if (line[0] == '[') {
            char *end = strchr(line, ']');
            if (!end) {
                snprintf(err, errlen, "%s:%u: expected ] to end the section name", file, lineno);
                free(line);
                return -1;
            }
            *end = '\0';
            sec = imp_ini_add_sec(ini, imp_trim(line + 1), file, lineno);
            last = NULL;
            free(line);
            continue;
        }
        char *eq = line + strcspn(line, "=:");
        if (!*eq || !sec) {
            snprintf(err, errlen, "%s:%u: expected %s, got \"%s\"", file, lineno,
                     sec ? "key=value" : "a [section] first", line);
            free(line);
            return -1;
        }
        *eq = '\0';
        char *key = imp_trim(line);
        for (char *k = key; *k; k++)
            *k = (char)tolower((unsigned char)*k);
        char *val = eq + 1;
        imp_ini_strip_comment(val);
        imp_trim(val);
        sec->keys = imp_xrealloc(sec->keys, (sec->n + 1) * sizeof *sec->keys);
        last = &sec->keys[sec->n++];
        last->key = imp_xstrdup(key);
        last->val = imp_xstrdup(val);
        last->line = lineno;
        last->used = false;
        free(line);
    }
    return 0;
}

void imp_ini_free(struct imp_ini *ini)
{
    for (size_t i = 0; i < ini->n; i++) {
        struct imp_ini_sec *s = &ini->secs[i];
        for (size_t k = 0; k < s->n; k++) {
            free(s->keys[k].key);
            free(s->keys[k].val);
        }
        free(s->keys);
        free(s->name);
        free(s->file);
    }
    free(ini->secs);
    ini->secs = NULL;
    ini->n = 0;
}

struct imp_ini_key *imp_ini_get(struct imp_ini_sec *s, const char *key)
{
    struct imp_ini_key *found = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->keys[i].key, key) == 0) {
            s->keys[i].used = true;
            found = &s->keys[i]; /* the last one wins, as in supervisord */
        }
    return found;
}

const char *imp_ini_val(struct imp_ini_sec *s, const char *key)
{
    struct imp_ini_key *k = imp_ini_get(s, key);
    return k ? k->val : NULL;
}
