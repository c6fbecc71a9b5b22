/* imp.h - what `corral import` builds before it writes anything: services
 * as ordered trees of YAML values (each key remembering where in the source
 * it came from), corral.yaml's keys, and the report of what could not be
 * mapped. The mappers (imp_supervisord.c, imp_procfile.c, imp_compose.c,
 * imp_runit.c, imp_s6.c) fill one `struct imp`; imp_write.c renders it.
 *
 * The importer is a command that runs and exits, never PID 1: running out
 * of memory prints a line and exits 1 (imp_oom), so the mappers stay about
 * mapping. */
#ifndef CORRAL_IMP_H
#define CORRAL_IMP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* The most a source file may hold, and how many files [include] may pull in:
 * an importer reads configuration, not data. */
#define IMP_FILE_MAX  (1024 * 1024)
#define IMP_FILES_MAX 256

/* The longest service name written: NAME.yaml.tmp (the file is written
 * under that name, then renamed) within a file name's 255 bytes
 * (NAME_MAX). */
#define IMP_NAME_MAX (255 - (int)sizeof ".yaml.tmp" + 1)

enum imp_iv_kind {
    IMP_IV_SCALAR,
    IMP_IV_LIST,
    IMP_IV_MAP
};

/* One YAML value. In a map, each entry is a value with a key. */
struct imp_iv {
    enum imp_iv_kind kind;
    char *key;     /* in a map: the entry's key */
    char *text;    /* a scalar's text */
    bool plain;    /* a scalar written as is (numbers, durations, words) */
    char *comment; /* a map entry's trailing comment: where it came from */
    struct imp_iv *first, *last, *next;
};

struct imp_service {
    char *name;   /* the file stem: [a-z0-9_.-]+ */
    char *origin; /* "supervisord.conf:12 [program:web]" */
    struct imp_iv *map;
    struct imp_service *next;
};

enum imp_kind {
    IMP_UNMAPPED, /* not in the output: corral has no equivalent */
    IMP_CHANGED,  /* in the output, with a difference the user should know */
    IMP_UNNEEDED, /* not in the output: corral does it itself, or it is the container's */
};

struct imp_item {
    enum imp_kind kind;
    char *where; /* "supervisord.conf:14" */
    char *what;  /* "[program:web] stdout_events_enabled=true" */
    char *why;
    struct imp_item *next;
};

struct imp {
    const char *format;       /* supervisord, procfile, compose, runit, s6 */
    const char *root;         /* files are read under this directory ("" for /) */
    struct imp_service *svcs; /* in the order they were made */
    struct imp_iv *global;    /* corral.yaml's keys besides services: */
    char *global_origin;      /* where they came from */
    struct imp_item *items, *items_last;
    char *inputs;   /* the SOURCE arguments, as image paths, joined by ", " */
    char **sources; /* image paths of the files read, NULL-terminated */
    size_t n_sources;
    char err[1024]; /* a fatal error (unreadable source, syntax): "file:line: ..." */
};

/* ---- memory ------------------------------------------------------------ */

_Noreturn void imp_oom(void);
void *imp_xmalloc(size_t n);
void *imp_xcalloc(size_t n, size_t size);
void *imp_xrealloc(void *p, size_t n);
char *imp_xstrdup(const char *s);
char *imp_xstrndup(const char *s, size_t n);
char *imp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *imp_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Frees a NULL-terminated vector of strings and the strings. */
void imp_strv_free(char **v);

/* ---- values ------------------------------------------------------------ */

struct imp_iv *imp_iv_new(enum imp_iv_kind kind);
void imp_iv_free(struct imp_iv *v);
/* The entry of map named key, or NULL. */
struct imp_iv *imp_iv_get(const struct imp_iv *map, const char *key);
/* Sets map[key] to a scalar, replacing an entry of that key (in its place)
 * or appending one. Returns the entry. */
struct imp_iv *imp_iv_set(struct imp_iv *map, const char *key, const char *text, bool plain);
struct imp_iv *imp_iv_setf(struct imp_iv *map, const char *key, bool plain, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* map[key] as a map or list, made (empty) when missing or of another kind. */
struct imp_iv *imp_iv_child(struct imp_iv *map, const char *key, enum imp_iv_kind kind);
/* Removes map[key]; true when there was one. */
bool imp_iv_del(struct imp_iv *map, const char *key);
/* Appends a scalar to a list. Returns it. */
struct imp_iv *imp_iv_push(struct imp_iv *list, const char *text, bool plain);
/* Sets an entry's trailing comment (replacing one). */
void imp_iv_note(struct imp_iv *entry, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t imp_iv_count(const struct imp_iv *v);

/* ---- the import -------------------------------------------------------- */

void imp_init(struct imp *m, const char *format, const char *root);
void imp_free(struct imp *m);
/* Error: the import stops. Returns -1 for the caller to return. */
int imp_fail(struct imp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A service named after src_name (lowercased, other characters made '-',
 * cut to IMP_NAME_MAX; a rename is reported; a taken name gets -2, -3...,
 * cut so that it still fits). */
struct imp_service *imp_svc(struct imp *m, const char *src_name, const char *where, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));
struct imp_service *imp_find(const struct imp *m, const char *name);
/* A source's name as a service name would be made of it (before a taken
 * name gets its -2). Caller frees. */
char *imp_name(const char *src);
/* A group's name as corral takes it in groups: (the rules of a service's
 * name, imp_name), or NULL for an empty one. Where where is not NULL, a
 * rename or an empty name is reported there. Caller frees. */
char *imp_group_name(struct imp *m, const char *src, const char *where);
/* Appends group (a name of imp_group_name) to s's groups:, whose comment
 * becomes note; a group already listed, or one past CONF_GROUPS_MAX, is
 * not added, reported at where. */
void imp_group_add(struct imp *m, struct imp_service *s, const char *group, const char *where,
                   const char *note);
/* Takes dep out of s's depends_on (and depends_on, left empty); returns
 * whether it was there. */
bool imp_dep_del(struct imp_service *s, const char *dep);
/* Drops a service (and every depends_on entry naming it, reported). */
void imp_drop(struct imp *m, const char *name);
void imp_report(struct imp *m, enum imp_kind kind, const char *where, const char *what,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* corral.yaml's map. */
struct imp_iv *imp_global(struct imp *m);

/* ---- files under the root ---------------------------------------------- */

/* The host path of an image path (root + path). Caller frees. */
char *imp_host_path(const struct imp *m, const char *image_path);
/* An image path made absolute (relative to base's directory, or to the
 * current directory when base is NULL and there is no root) and
 * normalised. Caller frees. */
char *imp_abs(const struct imp *m, const char *base, const char *path);
/* Reads an image path into a NUL-terminated buffer (*len without the NUL),
 * at most IMP_FILE_MAX bytes. Returns NULL with errno set. Records the file
 * among the sources. */
char *imp_read(struct imp *m, const char *image_path, size_t *len);
/* Whether an image path exists as a regular file / a directory. */
bool imp_is_file(const struct imp *m, const char *image_path);
bool imp_is_dir(const struct imp *m, const char *image_path);
/* The entries of an image directory, sorted, without . and ..; NULL when it
 * cannot be read. Free with imp_strv_free. */
char **imp_list_dir(const struct imp *m, const char *image_path, size_t *n);

/* The image's account files, /etc/passwd and /etc/group (file): in the
 * first line whose field key_field is key (field 0 is the name, compared
 * as text; field 2 the uid or gid, compared as a number), field `field`
 * (2 the uid or gid, 3 in /etc/passwd the primary gid), which must be
 * digits, copied into buf. Returns 1 then, 0 when the file holds no such
 * line, -1 when it cannot be read. */
int imp_db_get(struct imp *m, const char *file, unsigned key_field, const char *key, unsigned field,
               char *buf, size_t size);

/* ---- the mappers (each returns 0, or -1 with m->err set) -------------- */

int imp_supervisord(struct imp *m, char **sources, size_t n);
int imp_procfile(struct imp *m, char **sources, size_t n);
int imp_compose(struct imp *m, char **sources, size_t n);
int imp_runit(struct imp *m, char **sources, size_t n);
int imp_s6(struct imp *m, char **sources, size_t n);

/* imp_runit.c, shared with imp_s6.c: one runit-shaped service directory
 * (run, down, finish, check, log/run) as service name; *deps gets the
 * names its run script waits for (`sv start`), NULL-terminated. NULL
 * (reported) when it has no run file. */
struct imp_service *imp_runit_dir(struct imp *m, const char *dir, const char *name, char ***deps,
                                  size_t *n_deps);
/* depends_on: {DEP: {condition: cond}} for each name that was imported;
 * the others are reported. */
void imp_deps_resolve(struct imp *m, struct imp_service *s, char **deps, size_t n,
                      const char *cond);
/* imp_check.c: loads every service file and corral.yaml as they would be
 * written with corral's own loader, then the services as one set, and takes
 * out (reported) whatever it refuses: a key, a dependency, or a service whose
 * command or file is refused. import_run calls it after the mapper. Returns
 * 0, or -1 (m->err) when the loader refuses what nothing can be taken out
 * of: nothing is to be written then. */
int imp_check(struct imp *m);

/* corral.yaml's key (startup_scripts...) = dir, when dir exists. */
void imp_startup_dir(struct imp *m, const char *dir, const char *key, const char *from);

#endif
