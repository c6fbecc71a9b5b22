/* table.c - prints rows of cells as aligned columns. Widths count bytes of
 * UTF-8 as characters would be counted (continuation bytes are free), and
 * colour escapes are added after padding is computed, so colour never skews
 * the alignment. */
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void table_init(struct table *t, size_t ncols)
{
    *t = (struct table){.ncols = ncols > TABLE_COLS_MAX ? TABLE_COLS_MAX : ncols, .colour_col = -1};
}

void table_close(struct table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    table_init(t, t->ncols);
}

int table_add(struct table *t, const char *const *cells)
{
    size_t base = t->nrows * t->ncols;

    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **v = realloc(t->cells, cap * t->ncols * sizeof *v);
        if (!v)
            return -ENOMEM;
        t->cells = v;
        t->cap = cap;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        t->cells[base + c] = strdup(cells[c] ? cells[c] : "-");
        if (!t->cells[base + c]) {
            while (c-- > 0)
                free(t->cells[base + c]);
            return -ENOMEM;
        }
    }
    t->nrows++;
    return 0;
}

/* Characters in a UTF-8 string: every byte but continuation bytes. */
static size_t table_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

int table_print(const struct table *t, FILE *out, table_colour_fn colour)
{
    size_t width[TABLE_COLS_MAX] = {0};

    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            size_t w = table_width(t->cells[r * t->ncols + c]);
            width[c] = w > width[c] ? w : width[c];
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            const char *esc = NULL;
            bool last = c + 1 == t->ncols;

            if (colour && (r > 0 || !t->has_header) && (int)c == t->colour_col)
                esc = colour(cell);
            fprintf(out, "%s%s%s", esc ? esc : "", cell, esc ? "\033[0m" : "");
            if (!last)
                fprintf(out, "%*s", (int)(width[c] - table_width(cell) + 2), "");
        }
        fputc('\n', out);
    }
    return ferror(out) ? -EIO : 0;
}

bool table_use_colour(void)
{
    const char *no = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(no && *no);
}
