/* imp_ini.h - supervisord's INI dialect: [sections], `key = value` or
 * `key: value`, comment lines starting with ';' or '#', inline comments
 * after a blank and ';', indented continuation lines. Keys are lowercased,
 * as supervisord's parser does. */
#ifndef CORRAL_IMP_INI_H
#define CORRAL_IMP_INI_H

#include <stdbool.h>
#include <stddef.h>

struct imp_ini_key {
    char *key;
    char *val;
    unsigned line;
    bool used; /* mapped or reported: what is left unused is reported as unknown */
};

struct imp_ini_sec {
    char *name; /* "program:web" */
    char *file; /* image path */
    unsigned line;
    struct imp_ini_key *keys;
    size_t n;
};

struct imp_ini {
    struct imp_ini_sec *secs;
    size_t n;
};

/* Adds the sections of text (read from file) to ini. Returns 0, or -1 with
 * "file:line: reason" in err. */
int imp_ini_parse(struct imp_ini *ini, const char *file, const char *text, char *err,
                  size_t errlen);
void imp_ini_free(struct imp_ini *ini);
/* The key of a section, marked used, or NULL. */
struct imp_ini_key *imp_ini_get(struct imp_ini_sec *s, const char *key);
const char *imp_ini_val(struct imp_ini_sec *s, const char *key);

#endif
