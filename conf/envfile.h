/* envfile.h - env_file: KEY=VALUE lines read at load time. */
#ifndef CORRAL_ENVFILE_H
#define CORRAL_ENVFILE_H

#include <stddef.h>

#include "conf.h"

/* Parses data (len bytes) as an env file: one KEY=VALUE per line, KEY being
 * [A-Za-z_][A-Za-z0-9_]*, VALUE everything after the first = taken literally
 * (no quotes, no ${} expansion); blank lines and lines starting with # (after
 * blanks) are skipped; a trailing \r is dropped. Each bad line is recorded in
 * errs as label:line:col, and so is the line past CONF_ENTRIES_MAX variables
 * (the file is read no further). On success *vars (caller-owned, see
 * envfile_free) holds the pairs in file order. Returns 0, -EINVAL or -ENOMEM. */
int envfile_parse(const char *label, const char *data, size_t len, struct conf_kv **vars, size_t *n,
                  struct conf_errors *errs);

/* Reads the file at path with readfile_all() and parses it as above.
 * Returns 0, -EINVAL (errors recorded), -ENOMEM, or readfile_all()'s error
 * (nothing recorded: the caller knows where the path came from). */
int envfile_read(const char *path, struct conf_kv **vars, size_t *n, struct conf_errors *errs);

/* Frees n pairs and the array. */
void envfile_free(struct conf_kv *vars, size_t n);

#endif
