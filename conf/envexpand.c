/* envexpand.c - the ${...} forms of docker compose and POSIX sh that people
 * already write in their files, and nothing more: no nesting, no $VAR without
 * braces (that would break every `sh -c '... $1'` command), no commands. */
#include "envexpand.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct envexpand_buf {
    char *p;
    size_t len;
    size_t cap;
};

static int envexpand_put(struct envexpand_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int envexpand_is_name_start(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
}

static int envexpand_is_name(char ch)
{
    return envexpand_is_name_start(ch) || (ch >= '0' && ch <= '9');
}

/* Expands the ${...} whose body (between the braces) is body[0..n). */
static int envexpand_one(const char *body, size_t n, size_t at, const struct envexpand_hooks *h,
                         struct envexpand_buf *b, char *err, size_t errlen)
{
    char name[256];
    size_t i = 0;

    if (n == 0 || !envexpand_is_name_start(body[0]))
        goto bad;
    while (i < n && envexpand_is_name(body[i]))
        i++;
    if (i >= sizeof name) {
        snprintf(err, errlen, "variable name longer than %zu characters", sizeof name - 1);
        return -EINVAL;
    }
    memcpy(name, body, i);
    name[i] = '\0';
    const char *val = h->lookup(h->arg, name);
    if (i == n && !val && h->unset) {
        int rc = h->unset(h->arg, name, at);
        if (rc < 0)
            return rc;
    }
    if (i == n)
        return envexpand_put(b, val ? val : "", val ? strlen(val) : 0);
    if (n - i < 2 || body[i] != ':' || (body[i + 1] != '-' && body[i + 1] != '?'))
        goto bad;
    const char *word = body + i + 2;
    size_t wlen = n - i - 2;
    if (val && *val)
        return envexpand_put(b, val, strlen(val));
    if (body[i + 1] == '-')
        return envexpand_put(b, word, wlen);
    if (wlen)
        snprintf(err, errlen, "%s: %.*s", name, (int)(wlen > 200 ? 200 : wlen), word);
    else
        snprintf(err, errlen, "%s: is not set", name);
    return -EINVAL;

bad:
    snprintf(err, errlen,
             "bad substitution \"${%.*s}\": expected ${VAR}, ${VAR:-default} or ${VAR:?message}",
             (int)(n > 40 ? 40 : n), body);
    return -EINVAL;
}

int envexpand_string(const char *in, const struct envexpand_hooks *h, char **out, char *err,
                     size_t errlen, size_t *err_at)
{
    struct envexpand_buf b = {0};
    const char *s = in, *dollar = in;
    int rc = envexpand_put(&b, "", 0);

    while (rc == 0 && *s) {
        dollar = strchr(s, '$');
        if (!dollar) {
            rc = envexpand_put(&b, s, strlen(s));
            break;
        }
        rc = envexpand_put(&b, s, (size_t)(dollar - s));
        if (rc < 0)
            break;
        if (dollar[1] == '$' && dollar[2] == '{') {
            rc = envexpand_put(&b, "${", 2);
            s = dollar + 3;
        } else if (dollar[1] != '{') {
            rc = envexpand_put(&b, "$", 1);
            s = dollar + 1;
        } else {
            const char *close = strchr(dollar + 2, '}');
            if (!close) {
                snprintf(err, errlen, "unterminated \"${\": expected a closing }");
                rc = -EINVAL;
                break;
            }
            rc = envexpand_one(dollar + 2, (size_t)(close - dollar - 2), (size_t)(dollar - in), h,
                               &b, err, errlen);
            s = close + 1;
        }
    }
    if (rc < 0) {
        if (rc == -EINVAL && err_at)
            *err_at = dollar ? (size_t)(dollar - in) : 0;
        free(b.p);
        return rc;
    }
    *out = b.p;
    return 0;
}
