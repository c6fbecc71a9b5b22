/* conf.c - the loader's entry points: a services directory (every NAME.yaml
 * or NAME.yml in it, all errors of all files collected) and a single service
 * from memory. Parsing is conf_service.c's job, the checks across files
 * conf_set.c's. */
#include "conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_instances.h"
#include "conf_parse.h"
#include "conf_set.h"
#include "readfile.h"
#include "ynode.h"

struct conf_list {
    char **v;
    size_t n;
    size_t cap;
};

static int conf_list_push(struct conf_list *l, char *s)
{
    if (!s)
        return -ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            free(s);
            return -ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static void conf_list_free(struct conf_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int conf_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stem length of a service file name, or 0 when name is not one. */
static size_t conf_service_stem(const char *name)
{
    size_t len = strlen(name), stem;
    if (len > 5 && strcmp(name + len - 5, ".yaml") == 0)
        stem = len - 5;
    else if (len > 4 && strcmp(name + len - 4, ".yml") == 0)
        stem = len - 4;
    else
        return 0;
    if (name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.-") < stem)
        return 0;
    return stem;
}

/* Parses one service file from memory: its service, or with a list to
 * append to, one per instance (conf_instances.c). Returns 0 with *out (or
 * the services appended to list), or a negative errno. */
static int conf_parse_one(const char *name, const char *label, const char *base_dir,
                          const char *data, size_t len, const struct conf_env *env,
                          const struct conf_scale *scales, size_t n_scales,
                          struct conf_svc_list *list, struct conf_service **out,
                          struct conf_errors *errs)
{
    struct ynode_ctx c = {.file = label, .base_dir = base_dir, .errs = errs, .env = env};
    size_t had = list ? list->n : 0;

    if (out)
        *out = NULL;
    int rc = ynode_load(&c, data, len);
    if (rc == 0 && list)
        rc = conf_instances_parse(&c, name, scales, n_scales, list);
    else if (rc == 0)
        rc = conf_service_parse(&c, name, out);
    ynode_close(&c);
    /* Defensive: an error recorded must never yield a service. */
    if (rc == 0 && c.errors)
        rc = -EINVAL;
    if (c.oom && rc != -ENOMEM)
        rc = -ENOMEM;
    if (rc < 0 && out) {
        conf_service_free(*out);
        *out = NULL;
    }
    while (rc < 0 && list && list->n > had)
        conf_service_free(list->v[--list->n]);
    return rc;
}

int conf_load_buffer(const char *name, const char *file_label, const char *data, size_t len,
                     const struct conf_env *env, bool check_deps, struct conf_service **out,
                     struct conf_errors *errs)
{
    struct conf_service *s;

    *out = NULL;
    int rc = conf_parse_one(name, file_label, NULL, data, len, env, NULL, 0, NULL, &s, errs);
    if (rc < 0)
        return rc;
    for (size_t i = 0; check_deps && i < s->n_deps; i++) {
        struct conf_dep *d = &s->deps[i];
        rc = conf_errors_add(
            errs, s->file, d->line, d->col,
            "depends_on: expected the name of a service, got \"%s\", which does not exist",
            d->name);
        rc = rc < 0 ? rc : -EINVAL;
    }
    if (rc < 0) {
        conf_service_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Records an error at dir/name (no line: the file as a whole). Returns 1
 * when recorded, or -ENOMEM. */
static int conf_scan_error(struct conf_errors *errs, const char *dir, const char *name,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int conf_scan_error(struct conf_errors *errs, const char *dir, const char *name,
                           const char *fmt, ...)
{
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
    char *label = NULL;
    if (asprintf(&label, "%s%s%s", dir, sep, name) < 0)
        return -ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    int rc = conf_errors_vadd(errs, label, 0, 0, fmt, ap);
    va_end(ap);
    free(label);
    return rc < 0 ? rc : 1;
}

/* A service file that cannot be stat'ed: most often a symbolic link to
 * nothing, as when a Kubernetes ConfigMap's ..data link is swapped or a
 * target was removed. Skipping it would make the service vanish without a
 * word; it is an error at the file instead. Returns 1 when recorded, 0 when
 * the entry is gone (removed since readdir), or -ENOMEM. */
static int conf_scan_unreadable(int dfd, const char *dir, const char *name, int err,
                                struct conf_errors *errs)
{
    char target[4096];
    struct stat lst;

    int lrc = fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW);
    if (lrc < 0 && errno == ENOENT)
        return 0;
    bool link = lrc == 0 && S_ISLNK(lst.st_mode);
    ssize_t n = link ? readlinkat(dfd, name, target, sizeof target) : -1;
    if (link && err == ELOOP)
        return conf_scan_error(errs, dir, name, "too many levels of symbolic links");
    if (link && (err == ENOENT || err == ENOTDIR) && n >= 0)
        return conf_scan_error(errs, dir, name, "broken symbolic link to %.*s", (int)n, target);
    if (link && (err == ENOENT || err == ENOTDIR))
        return conf_scan_error(errs, dir, name, "broken symbolic link");
    return conf_scan_error(errs, dir, name, "cannot read: %s", strerror(err));
}

/* A service file that is a FIFO, a device or a socket (a link to
 * /dev/null, say): it has no configuration to read, and skipping it would
 * make the service vanish without a word. Returns 1 when recorded, or
 * -ENOMEM. */
static int conf_scan_special(const char *dir, const char *name, mode_t mode,
                             struct conf_errors *errs)
{
    const char *kind = S_ISFIFO(mode)   ? "a FIFO"
                       : S_ISCHR(mode)  ? "a character device"
                       : S_ISBLK(mode)  ? "a block device"
                       : S_ISSOCK(mode) ? "a socket"
                                        : "not a regular file";
    return conf_scan_error(errs, dir, name, "%s, not a file to read a service from", kind);
}

/* Reads dir's entries into files (service files, sorted) and ignored (a
 * directory is ignored whatever its name); a service file that cannot be
 * stat'ed, or is a FIFO, a device or a socket, is recorded in errs (in name
 * order) and its name goes to failed. */
static int conf_scan(const char *dir, struct conf_list *files, struct conf_list *ignored,
                     struct conf_list *failed, struct conf_errors *errs)
{
    struct conf_list unusable = {0};
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        size_t stem = conf_service_stem(e->d_name);
        /* fstatat follows symlinks: a link to a file is a file (ConfigMaps are links). */
        bool ok = fstatat(dirfd(d), e->d_name, &st, 0) == 0;
        if (!ok && stem)
            rc = conf_list_push(&unusable, strdup(e->d_name));
        else if (ok && S_ISREG(st.st_mode) && stem)
            rc = conf_list_push(files, strdup(e->d_name));
        else if (ok && !S_ISDIR(st.st_mode) && stem)
            rc = conf_list_push(&unusable, strdup(e->d_name));
        else
            rc = conf_list_push(ignored, strdup(e->d_name));
    }
    if (rc == 0 && errno)
        rc = -errno;
    /* qsort(NULL, 0, ...) is undefined behaviour (C11 7.22.5). */
    if (rc == 0 && unusable.n)
        qsort(unusable.v, unusable.n, sizeof *unusable.v, conf_cmp_str);
    for (size_t i = 0; rc == 0 && i < unusable.n; i++) {
        struct stat st;
        const char *name = unusable.v[i];
        int err = fstatat(dirfd(d), name, &st, 0) == 0 ? 0 : errno;
        bool special = !err && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
        rc = err       ? conf_scan_unreadable(dirfd(d), dir, name, err, errs)
             : special ? conf_scan_special(dir, name, st.st_mode, errs)
                       : 0;
        if (rc == 1)
            rc = conf_list_push(failed, strndup(name, conf_service_stem(name)));
        else if (rc == 0 && !err) /* it changed between the two looks */
            rc = conf_list_push(S_ISREG(st.st_mode) ? files : ignored, strdup(name));
    }
    closedir(d);
    conf_list_free(&unusable);
    if (rc == 0 && files->n)
        qsort(files->v, files->n, sizeof *files->v, conf_cmp_str);
    if (rc == 0 && ignored->n)
        qsort(ignored->v, ignored->n, sizeof *ignored->v, conf_cmp_str);
    return rc;
}

int conf_load_dir(const char *dir, const struct conf_env *env, struct conf_set **out,
                  struct conf_errors *errs)
{
    return conf_load_dir_scaled(dir, env, NULL, 0, out, errs);
}

int conf_load_dir_scaled(const char *dir, const struct conf_env *env,
                         const struct conf_scale *scales, size_t n_scales, struct conf_set **out,
                         struct conf_errors *errs)
{
    struct conf_list files = {0}, ignored = {0}, failed = {0};
    struct conf_svc_list services = {0};
    bool bad = false;

    *out = NULL;
    int rc = conf_scan(dir, &files, &ignored, &failed, errs);
    bad = failed.n > 0;
    if (rc == -ENOMEM)
        goto free_lists;
    if (rc < 0) {
        int r = conf_errors_add(errs, dir, 0, 0, "cannot read the services directory: %s",
                                strerror(-rc));
        rc = r < 0 ? r : rc;
        goto free_lists;
    }
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
    for (size_t i = 0; i < files.n; i++) {
        size_t stem = conf_service_stem(files.v[i]);
        char *name = strndup(files.v[i], stem), *label = NULL, *data = NULL;
        size_t len;
        if (!name || asprintf(&label, "%s%s%s", dir, sep, files.v[i]) < 0) {
            free(name);
            rc = -ENOMEM;
            goto err_services;
        }
        /* Sorted, so NAME.yaml and NAME.yml are neighbours. */
        bool twin = i > 0 && conf_service_stem(files.v[i - 1]) == stem &&
                    strncmp(files.v[i - 1], name, stem) == 0;
        int r = twin ? -EEXIST : readfile_all(label, &data, &len);
        bool read = r == 0;
        if (twin)
            r = conf_errors_add(errs, label, 0, 0,
                                "service %s is defined twice: expected %s.yaml or %s.yml, not both",
                                name, name, name);
        else if (r < 0 && r != -ENOMEM)
            r = conf_errors_add(errs, label, 0, 0, "cannot read: %s", readfile_why(r));
        else
            r = conf_parse_one(name, label, dir, data, len, env, scales, n_scales, &services, NULL,
                               errs);
        bool parsed = read && r == 0;
        free(data);
        free(label);
        if (r == -ENOMEM) {
            free(name);
            rc = r;
            goto err_services;
        }
        if (parsed) {
            free(name);
        } else {
            bad = true;
            if (conf_list_push(&failed, name) < 0) {
                rc = -ENOMEM;
                goto err_services;
            }
        }
    }
    struct conf_set *set;
    if (failed.n)
        qsort(failed.v, failed.n, sizeof *failed.v, conf_cmp_str);
    rc = conf_instances_collisions(services.v, services.n, errs);
    if (rc == -ENOMEM)
        goto err_services;
    bad = bad || rc < 0;
    rc = conf_instances_deps(services.v, services.n);
    if (rc < 0)
        goto err_services;
    if (!services.v && !(services.v = calloc(1, sizeof *services.v))) {
        rc = -ENOMEM;
        goto err_services;
    }
    rc = conf_set_build(services.v, services.n, failed.v, failed.n, errs, &set);
    services = (struct conf_svc_list){0}; /* owned by the set now, even on failure */
    if (rc == 0 && bad) {
        conf_set_free(set);
        rc = -EINVAL;
    }
    if (rc < 0)
        goto free_lists;
    set->ignored = ignored.v;
    set->n_ignored = ignored.n;
    ignored = (struct conf_list){0};
    *out = set;
    rc = 0;
    goto free_lists;

err_services:
    for (size_t i = 0; i < services.n; i++)
        conf_service_free(services.v[i]);
    free(services.v);
free_lists:
    conf_list_free(&files);
    conf_list_free(&ignored);
    conf_list_free(&failed);
    return rc;
}
