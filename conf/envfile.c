/* envfile.c - env_file reading, the format of `docker run --env-file`:
 * KEY=VALUE lines, # comments, blank lines, values taken literally. The file
 * is read at load time, so a typo is a configuration error with its file and
 * line, not a surprise at spawn. */
#include "envfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"

void envfile_free(struct conf_kv *vars, size_t n)
{
    for (size_t i = 0; i < n && vars; i++) {
        free(vars[i].key);
        free(vars[i].value);
    }
    free(vars);
}

static int envfile_is_name(char ch, int first)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
           (!first && ch >= '0' && ch <= '9');
}

/* Parses one line (without its newline). Returns 0 and fills kv (key NULL for
 * a line that holds nothing), -EINVAL after recording, or -ENOMEM. */
static int envfile_line(const char *label, unsigned lineno, const char *line, size_t len,
                        struct conf_kv *kv, struct conf_errors *errs)
{
    size_t i = 0, start;

    if (len && line[len - 1] == '\r')
        len--;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len || line[i] == '#')
        return 0;
    start = i;
    while (i < len && envfile_is_name(line[i], i == start))
        i++;
    if (i == start || i == len || line[i] != '=') {
        const char *want =
            i == start ? "expected a variable name ([A-Za-z_][A-Za-z0-9_]*)" : "expected KEY=VALUE";
        int rc = conf_errors_add(errs, label, lineno, (unsigned)i + 1, "%s", want);
        return rc < 0 ? rc : -EINVAL;
    }
    if (memchr(line, '\0', len))
        return conf_errors_add(errs, label, lineno, 1, "expected text, got a NUL byte") < 0
                   ? -ENOMEM
                   : -EINVAL;
    kv->key = strndup(line + start, i - start);
    kv->value = strndup(line + i + 1, len - i - 1);
    if (!kv->key || !kv->value) {
        free(kv->key);
        free(kv->value);
        kv->key = kv->value = NULL;
        return -ENOMEM;
    }
    return 0;
}

int envfile_parse(const char *label, const char *data, size_t len, struct conf_kv **vars, size_t *n,
                  struct conf_errors *errs)
{
    struct conf_kv *v = NULL;
    size_t count = 0, cap = 0;
    unsigned lineno = 0;
    int rc = 0;

    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - data - pos) : len - pos;
        struct conf_kv kv = {0};
        int r = envfile_line(label, ++lineno, data + pos, llen, &kv, errs);
        pos += llen + 1;
        if (r == -ENOMEM) {
            rc = r;
            goto err_free;
        }
        if (r < 0)
            rc = r;
        if (!kv.key)
            continue;
        if (count == CONF_ENTRIES_MAX) {
            free(kv.key);
            free(kv.value);
            r = conf_errors_add(errs, label, lineno, 1,
                                "expected at most %d variables in one env_file, got more",
                                CONF_ENTRIES_MAX);
            rc = r < 0 ? r : -EINVAL;
            goto err_free;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            struct conf_kv *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                free(kv.key);
                free(kv.value);
                rc = -ENOMEM;
                goto err_free;
            }
            v = nv;
        }
        v[count++] = kv;
    }
    if (rc < 0)
        goto err_free;
    *vars = v;
    *n = count;
    return 0;

err_free:
    envfile_free(v, count);
    return rc;
}

int envfile_read(const char *path, struct conf_kv **vars, size_t *n, struct conf_errors *errs)
{
    char *data;
    size_t len;

    int rc = readfile_all(path, &data, &len);
    if (rc < 0)
        return rc;
    rc = envfile_parse(path, data, len, vars, n, errs);
    free(data);
    return rc;
}
