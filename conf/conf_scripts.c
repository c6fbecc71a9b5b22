/* conf_scripts.c - a directory of scripts (startup_scripts,
 * pre_shutdown_scripts, post_shutdown_scripts of corral.yaml) as a set of
 * oneshot services, one per executable file, in lexical order: the order
 * my_init and s6-overlay run /etc/my_init.d and /etc/cont-init.d in. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_parse.h"

static int conf_scripts_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A oneshot that runs path with no argument, named after its file. */
static struct conf_service *conf_scripts_service(const char *dir, const char *name)
{
    struct conf_service *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    conf_service_defaults(s);
    s->type = CONF_TYPE_ONESHOT;
    s->restart = CONF_RESTART_NEVER;
    s->name = strdup(name);
    s->argv = calloc(2, sizeof *s->argv);
    s->argc = 1;
    if (asprintf(&s->file, "%s/%s", dir, name) < 0)
        s->file = NULL;
    if (!s->name || !s->argv || !s->file || !(s->argv[0] = strdup(s->file))) {
        conf_service_free(s);
        return NULL;
    }
    return s;
}

int conf_scripts_load(const char *dir, struct conf_set **out, struct conf_errors *errs)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = conf_set_new(out);
    if (rc < 0)
        return rc;
    DIR *d = opendir(dir);
    if (!d) {
        rc = -errno;
        if (rc == -ENOENT) { /* as my_init: no directory, no scripts */
            rc = conf_errors_warn(errs, dir, 0, 0, "no such directory: no script to run");
            if (rc == 0)
                return 0;
        }
        conf_set_free(*out);
        *out = NULL;
        int r = conf_errors_add(errs, dir, 0, 0, "cannot read: %s", strerror(-rc));
        return r < 0 ? r : rc;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        if (n >= CONF_ENTRIES_MAX) {
            rc = conf_errors_add(errs, dir, 0, 0, "expected at most %d scripts, got more",
                                 CONF_ENTRIES_MAX);
            rc = rc < 0 ? rc : -EINVAL;
            goto out;
        }
        /* Executable regular files only (a symbolic link counts as what it
         * points to), as my_init's is_exe; the rest is skipped, and said. */
        if (fstatat(dirfd(d), e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode) ||
            faccessat(dirfd(d), e->d_name, X_OK, 0) < 0) {
            char **ig = realloc((*out)->ignored, ((*out)->n_ignored + 1) * sizeof *ig);
            if (!ig || !(ig[(*out)->n_ignored] = strdup(e->d_name))) {
                if (ig)
                    (*out)->ignored = ig;
                rc = -ENOMEM;
                goto out;
            }
            (*out)->ignored = ig;
            (*out)->n_ignored++;
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **v = realloc(names, ncap * sizeof *v);
            if (!v) {
                rc = -ENOMEM;
                goto out;
            }
            names = v;
            cap = ncap;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -ENOMEM;
            goto out;
        }
        n++;
    }
    if (n)
        qsort(names, n, sizeof *names, conf_scripts_cmp);
    struct conf_set *set = *out;
    set->services = calloc(n ? n : 1, sizeof *set->services);
    set->start_order = calloc(n ? n : 1, sizeof *set->start_order);
    if (!set->services || !set->start_order) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        set->services[i] = conf_scripts_service(dir, names[i]);
        if (!set->services[i]) {
            rc = -ENOMEM;
            goto out;
        }
        set->start_order[i] = i;
        set->n = i + 1;
    }
out:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc < 0) {
        conf_set_free(*out);
        *out = NULL;
    }
    return rc;
}
