/* conf_errors.c - the list of configuration errors and warnings: each one a
 * file label, a 1-based line and column and a sentence, kept in the order
 * found so that a person can fix them all in one go. Bounded by
 * CONF_ERRORS_MAX and CONF_WARNINGS_MAX, each kind on its own (warnings never
 * crowd errors out), so a garbage file cannot make the list grow without end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

void conf_errors_init(struct conf_errors *e)
{
    memset(e, 0, sizeof *e);
}

void conf_errors_close(struct conf_errors *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].file);
        free(e->v[i].msg);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}

/* Stores one entry, unless its kind is at its cap (then only counted). */
static int conf_errors_push(struct conf_errors *e, bool warning, const char *file, unsigned line,
                            unsigned col, const char *fmt, va_list ap)
{
    if (warning && e->warnings >= CONF_WARNINGS_MAX) {
        e->dropped_warnings++;
        return 0;
    }
    if (!warning && conf_errors_full(e)) {
        e->dropped++;
        return 0;
    }
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 8;
        struct conf_error *v = realloc(e->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        e->v = v;
        e->cap = cap;
    }
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        return -ENOMEM;
    char *f = strdup(file ? file : "corral");
    if (!f) {
        free(msg);
        return -ENOMEM;
    }
    e->v[e->n++] =
        (struct conf_error){.file = f, .line = line, .col = col, .msg = msg, .warning = warning};
    e->warnings += warning;
    return 0;
}

bool conf_errors_full(const struct conf_errors *e)
{
    return e->n - e->warnings >= CONF_ERRORS_MAX;
}

int conf_errors_vadd(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                     const char *fmt, va_list ap)
{
    return conf_errors_push(e, false, file, line, col, fmt, ap);
}

int conf_errors_add(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = conf_errors_push(e, false, file, line, col, fmt, ap);
    va_end(ap);
    return rc;
}

int conf_errors_vwarn(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                      const char *fmt, va_list ap)
{
    return conf_errors_push(e, true, file, line, col, fmt, ap);
}

int conf_errors_warn(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = conf_errors_push(e, true, file, line, col, fmt, ap);
    va_end(ap);
    return rc;
}

char *conf_errors_format(const struct conf_error *err, char *buf, size_t len)
{
    const char *kind = err->warning ? "warning: " : "";

    if (len == 0)
        return buf;
    /* A message cut by a short buffer is still a prefix of the right one. */
    if (err->line)
        snprintf(buf, len, "%s:%u:%u: %s%s", err->file, err->line, err->col, kind, err->msg);
    else
        snprintf(buf, len, "%s: %s%s", err->file, kind, err->msg);
    return buf;
}
