/* promtext.c - the exposition format's lines, escaped per its rules: in
 * HELP, backslash and newline; in label values, backslash, double quote
 * and newline. */
#include "promtext.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void promtext_init(struct promtext *p)
{
    *p = (struct promtext){0};
}

void promtext_close(struct promtext *p)
{
    free(p->buf);
    *p = (struct promtext){0};
}

static void promtext_put(struct promtext *p, const char *s, size_t n)
{
    if (p->failed)
        return;
    if (p->len + n + 1 > p->size) {
        size_t size = p->size ? p->size : 1024;
        while (p->len + n + 1 > size)
            size *= 2;
        char *bigger = realloc(p->buf, size);
        if (!bigger) {
            p->failed = true;
            return;
        }
        p->buf = bigger;
        p->size = size;
    }
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

static void promtext_str(struct promtext *p, const char *s)
{
    promtext_put(p, s, strlen(s));
}

/* s with backslash, newline and (in label values) double quote escaped. */
static void promtext_escaped(struct promtext *p, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            promtext_str(p, "\\\\");
        else if (*s == '\n')
            promtext_str(p, "\\n");
        else if (*s == '"' && quote)
            promtext_str(p, "\\\"");
        else
            promtext_put(p, s, 1);
    }
}

void promtext_family(struct promtext *p, const char *name, const char *type, const char *help)
{
    promtext_str(p, "# HELP ");
    promtext_str(p, name);
    promtext_str(p, " ");
    promtext_escaped(p, help, false);
    promtext_str(p, "\n# TYPE ");
    promtext_str(p, name);
    promtext_str(p, " ");
    promtext_str(p, type);
    promtext_str(p, "\n");
}

void promtext_sample(struct promtext *p, const char *name, const char *const (*labels)[2],
                     size_t n_labels, double value)
{
    char num[64];
    promtext_str(p, name);
    for (size_t i = 0; i < n_labels; i++) {
        promtext_str(p, i ? "," : "{");
        promtext_str(p, labels[i][0]);
        promtext_str(p, "=\"");
        promtext_escaped(p, labels[i][1], true);
        promtext_str(p, "\"");
    }
    if (n_labels)
        promtext_str(p, "}");
    if (isnan(value))
        snprintf(num, sizeof num, "NaN");
    else if (isinf(value))
        snprintf(num, sizeof num, value > 0 ? "+Inf" : "-Inf");
    else if (value > -9e15 && value < 9e15 && value == (double)(long long)value)
        snprintf(num, sizeof num, "%lld", (long long)value);
    else
        snprintf(num, sizeof num, "%.15g", value);
    promtext_str(p, " ");
    promtext_str(p, num);
    promtext_str(p, "\n");
}

char *promtext_take(struct promtext *p, size_t *len)
{
    if (p->failed || !p->buf) {
        promtext_close(p);
        return NULL;
    }
    char *out = p->buf;
    *len = p->len;
    *p = (struct promtext){0};
    return out;
}
