/* linesplit.c - the line splitter. Whole lines found in the input are passed
 * on straight from the caller's buffer; only a line cut by the end of a read
 * is copied, so a fast writer costs one scan per byte. */
#include "linesplit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void linesplit_init(struct linesplit *ls, size_t max_line)
{
    ls->buf = NULL;
    ls->len = 0;
    ls->cap = max_line;
}

void linesplit_close(struct linesplit *ls)
{
    free(ls->buf);
    ls->buf = NULL;
    ls->len = 0;
}

int linesplit_pending(const struct linesplit *ls)
{
    return ls->len > 0;
}

static void linesplit_emit(const char *p, size_t n, int flags, linesplit_cb cb, void *arg)
{
    /* "\r\n" ends a line like "\n" does. */
    if (!(flags & (LINESPLIT_CONT | LINESPLIT_PARTIAL)) && n > 0 && p[n - 1] == '\r')
        n--;
    cb(arg, p, n, flags);
}

/* Appends to the pending buffer, emitting full pieces when it fills. */
static int linesplit_keep(struct linesplit *ls, const char *p, size_t n, linesplit_cb cb, void *arg)
{
    if (!ls->buf) {
        ls->buf = malloc(ls->cap);
        if (!ls->buf) {
            cb(arg, p, n, LINESPLIT_CONT);
            return -ENOMEM;
        }
    }
    while (n > 0) {
        /* A full buffer goes out only when more of the line arrives, so a
         * line of exactly cap bytes still comes out whole. */
        if (ls->len == ls->cap) {
            cb(arg, ls->buf, ls->len, LINESPLIT_CONT);
            ls->len = 0;
        }
        size_t room = ls->cap - ls->len, take = n < room ? n : room;
        memcpy(ls->buf + ls->len, p, take);
        ls->len += take;
        p += take;
        n -= take;
    }
    return 0;
}

int linesplit_feed(struct linesplit *ls, const char *data, size_t n, linesplit_cb cb, void *arg)
{
    const char *p = data, *end = data + n;
    int rc = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return linesplit_keep(ls, p, (size_t)(end - p), cb, arg);
        size_t n_line = (size_t)(nl - p);
        if (ls->len == 0 && n_line <= ls->cap) {
            linesplit_emit(p, n_line, 0, cb, arg);
        } else if (ls->len == 0) {
            /* Too long for one piece even on its own. */
            size_t off = 0;
            for (; n_line - off > ls->cap; off += ls->cap)
                cb(arg, p + off, ls->cap, LINESPLIT_CONT);
            linesplit_emit(p + off, n_line - off, 0, cb, arg);
        } else {
            rc = linesplit_keep(ls, p, n_line, cb, arg);
            if (ls->buf)
                linesplit_emit(ls->buf, ls->len, 0, cb, arg);
            /* Partial lines are rare per stream: keep no buffer between them. */
            linesplit_close(ls);
        }
        p = nl + 1;
    }
    return rc;
}

void linesplit_flush(struct linesplit *ls, linesplit_cb cb, void *arg)
{
    if (ls->len == 0)
        return;
    cb(arg, ls->buf, ls->len, LINESPLIT_PARTIAL);
    ls->len = 0;
    free(ls->buf);
    ls->buf = NULL;
}
