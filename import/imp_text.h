/* imp_text.h - text helpers the mappers share: shell words, `${` escaping,
 * booleans, whole seconds, dependencies and commands in the model. */
#ifndef CORRAL_IMP_TEXT_H
#define CORRAL_IMP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "imp.h"

/* Splits s into words the way a POSIX shell (and Python's shlex) does with
 * '...', "..." and backslashes. *meta (when not NULL) is set when the text
 * needs a shell: an unquoted $ ` | & ; < > ( ) * ? [ or ~, a newline, or $
 * or ` inside double quotes. Returns a NULL-terminated vector (free with
 * imp_strv_free), or NULL when a quote is not closed. */
char **imp_words(const char *s, bool *meta);
size_t imp_strv_len(char *const *v);

/* s with every "${" written "$${", so that corral passes it on instead of
 * expanding it when it loads the file (docs/configuration.md, "Variables").
 * Caller frees. */
char *imp_escape_vars(const char *s);

/* true/false/yes/no/on/off/1/0, any case. Returns 0 or -1. */
int imp_bool(const char *s, bool *out);

/* A whole non-negative number of at most 9 digits. Returns 0 or -1. */
int imp_uint(const char *s, unsigned long *out);

/* Whether k is a name corral takes for a variable ([A-Za-z_][A-Za-z0-9_]*). */
bool imp_env_name_ok(const char *k);

/* s without leading and trailing blanks, in place; returns s. */
char *imp_trim(char *s);

/* depends_on: {dep: {condition: cond}} with an optional trailing comment
 * (NULL). A second call for the same dependency replaces the first. */
void imp_dep(struct imp_service *s, const char *dep, const char *cond, const char *comment);

/* command: as a list of strings, `${` escaped when escape is true. */
struct imp_iv *imp_command_list(struct imp_iv *map, char *const *argv, bool escape);

/* An .env file for service s: env_file: path when corral reads it as it is
 * (KEY=VALUE lines, docs/configuration.md "env_file"), else its variables
 * copied into environment: without `export` and quotes, as foreman and
 * compose read them, but for names corral does not take (both reported
 * when report is true: once per file). Nothing when the file cannot be
 * read. */
void imp_env_file(struct imp *m, struct imp_service *s, const char *path, const char *note,
                  bool report);

/* Joins argv with single spaces, quoting words that need it for a shell. */
char *imp_shell_join(char *const *argv);

#endif
