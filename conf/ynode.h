/* ynode.h - reading a libyaml document with the schema's eyes: typed getters
 * that record "path: expected X, got Y" at the node's line and column, and a
 * walker that dispatches the keys of a mapping to handlers, catching unknown
 * keys (with a "did you mean") and duplicate keys. Internal to conf/. */
#ifndef CORRAL_YNODE_H
#define CORRAL_YNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "conf.h"

#define YNODE_PATH_MAX 256
#define YNODE_MAX_KEYS 64 /* known keys of one map in the schema */

/* One file being read. errors counts the errors (not the warnings) this
 * file added to errs. */
struct ynode_ctx {
    yaml_document_t doc;
    bool loaded;
    const char *file;
    const char *base_dir; /* for relative paths in the file (env_file), or NULL */
    struct conf_errors *errs;
    const struct conf_env *env;
    const char *instance; /* while an instance is read: ${CORRAL_INSTANCE}, else NULL */
    unsigned errors;
    bool oom;
    /* The text the document was parsed from (ynode_load's data), to place a
     * message inside a scalar, and the last place found in it: libyaml
     * marks count characters, so a byte offset is found by walking. */
    const char *src;
    size_t src_len;
    size_t at_index; /* a character index of libyaml's marks ... */
    size_t at_byte;  /* ... and its byte offset in src */
    /* The last scalar a message was placed in (ynode.c, ynode_place). */
    const yaml_node_t *pl_node;
    bool pl_ok;
    size_t pl_v, pl_b, pl_end;
    unsigned pl_line, pl_col;
};

/* A handler gets the value node of its key and the dotted path of that key
 * ("backoff.initial"). Returns 0, -EINVAL (error recorded) or -ENOMEM. */
typedef int (*ynode_handler_fn)(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj);

struct ynode_key {
    const char *name;
    ynode_handler_fn fn;
};

/* Parses data as one YAML document into c->doc. A syntax error, or a second
 * document, is recorded with libyaml's problem and mark; so is a file past
 * the caps of conf.h (CONF_FILE_MAX_BYTES, CONF_DEPTH_MAX, CONF_ENTRIES_MAX,
 * CONF_ANCHORS_MAX), found from libyaml's events before any tree is built.
 * data must stay valid until ynode_close. Returns 0, -EINVAL or -ENOMEM.
 * Call ynode_close in every case. */
int ynode_load(struct ynode_ctx *c, const char *data, size_t len);
void ynode_close(struct ynode_ctx *c);

/* The root node, or NULL for an empty document. */
yaml_node_t *ynode_root(struct ynode_ctx *c);
yaml_node_t *ynode_at(struct ynode_ctx *c, int id);

/* Records an error at n's start mark (or at line 0 when n is NULL). Always
 * returns -EINVAL (or -ENOMEM when the list could not grow). */
int ynode_error(struct ynode_ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an error at byte at of the scalar n's value: at its own line and
 * column in the file when that place can be told (a "${" inside a block
 * scalar), else at n's start mark. Returns as ynode_error. */
int ynode_error_at(struct ynode_ctx *c, const yaml_node_t *n, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a warning, placed the same way; c->errors does not change.
 * Returns 0, or -ENOMEM (c->oom set). */
int ynode_warn_at(struct ynode_ctx *c, const yaml_node_t *n, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "a string", "a list" or "a map", for "got ..." in messages. */
const char *ynode_kind(const yaml_node_t *n);

/* Writes s quoted and cut to ~40 characters, with control bytes escaped, for
 * "got \"...\"" in messages. Returns buf. */
const char *ynode_quote(const char *s, char *buf, size_t len);

/* Joins parent and key with a dot into buf. */
const char *ynode_path(char *buf, size_t len, const char *parent, const char *key);

/* The text of a scalar node, or NULL after recording "path: expected what". */
const char *ynode_scalar(struct ynode_ctx *c, yaml_node_t *n, const char *path, const char *what);

/* Typed getters: 0, -EINVAL (recorded) or -ENOMEM. */
int ynode_string(struct ynode_ctx *c, yaml_node_t *n, const char *path, bool expand, char **out);
int ynode_bool(struct ynode_ctx *c, yaml_node_t *n, const char *path, bool *out);
int ynode_duration(struct ynode_ctx *c, yaml_node_t *n, const char *path, uint64_t *out_ms);
int ynode_size(struct ynode_ctx *c, yaml_node_t *n, const char *path, uint64_t *out);
int ynode_uint(struct ynode_ctx *c, yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
               uint64_t *out);
int ynode_enum(struct ynode_ctx *c, yaml_node_t *n, const char *path, const char *const *names,
               size_t count, int *out);
/* A non-empty list of strings into a NULL-terminated, caller-owned argv. */
int ynode_argv(struct ynode_ctx *c, yaml_node_t *n, const char *path, bool expand, char ***out,
               size_t *argc);
void ynode_argv_free(char **argv);

/* Walks the mapping n, calling each key's handler (keys ends with {NULL},
 * at most YNODE_MAX_KEYS of them). Unknown and duplicate keys are recorded
 * and skipped; other keys go on after
 * an error so that every error of the file is found. Returns 0, -EINVAL when
 * anything was recorded, or -ENOMEM. */
int ynode_map(struct ynode_ctx *c, yaml_node_t *n, const char *path, const struct ynode_key *keys,
              void *obj);

/* The value node of key in the mapping n (the first one), or NULL. */
yaml_node_t *ynode_lookup(struct ynode_ctx *c, yaml_node_t *n, const char *key);

#endif
