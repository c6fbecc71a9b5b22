/* table.h - aligned text tables for people: rows of strings, columns padded
 * to their widest cell, one column optionally coloured by its content. */
#ifndef CORRAL_TABLE_H
#define CORRAL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_COLS_MAX 12

struct table {
    size_t ncols;
    char **cells; /* nrows * ncols, owned */
    size_t nrows;
    size_t cap;
    int colour_col;  /* -1: none */
    bool has_header; /* row 0 names the columns: never coloured */
};

/* Returns the escape sequence that colours cell, or NULL for none. */
typedef const char *(*table_colour_fn)(const char *cell);

/* Embedded table of ncols (<= TABLE_COLS_MAX) columns; close frees it. */
void table_init(struct table *t, size_t ncols);
void table_close(struct table *t);

/* Appends a row of ncols cells (NULL = "-"), copied. Returns 0 or -ENOMEM. */
int table_add(struct table *t, const char *const *cells);

/* Prints the rows, columns separated by two spaces, the last one unpadded.
 * When colour is given, the cells of column colour_col are wrapped in what it
 * returns and a reset. Returns 0 or -EIO. */
int table_print(const struct table *t, FILE *out, table_colour_fn colour);

/* True when colour should be used on stdout: it is a terminal and NO_COLOR
 * is unset or empty (https://no-color.org). */
bool table_use_colour(void);

#endif
