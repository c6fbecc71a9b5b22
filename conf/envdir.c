/* envdir.c - a directory of NAME files, each holding the value of the
 * variable NAME (corral.yaml's container_environment: my_init's
 * /etc/container_environment, daemontools' envdir). Startup scripts and
 * oneshots write there; corral reads it after each of them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "readfile.h"

static bool envdir_name_ok(const char *k)
{
    if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_'))
        return false;
    return strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
           strlen(k);
}

static int envdir_cmp(const void *a, const void *b)
{
    return strcmp(((const struct conf_kv *)a)->key, ((const struct conf_kv *)b)->key);
}

void conf_envdir_free(struct conf_kv *vars, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(vars[i].key);
        free(vars[i].value);
    }
    free(vars);
}

int conf_envdir_read(const char *dir, struct conf_kv **out, size_t *nout, struct conf_errors *errs)
{
    struct conf_kv *v = NULL;
    size_t n = 0, cap = 0, total = 0;
    int rc = 0;

    *out = NULL;
    *nout = 0;
    DIR *d = opendir(dir);
    if (!d) {
        rc = -errno;
        int r = conf_errors_add(errs, dir, 0, 0, "cannot read: %s", strerror(-rc));
        return r < 0 ? r : rc;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char path[4096], *data;
        size_t len;
        if (e->d_name[0] == '.')
            continue;
        if (!envdir_name_ok(e->d_name)) {
            rc = conf_errors_warn(errs, dir, 0, 0,
                                  "%.100s: not a variable name ([A-Za-z_][A-Za-z0-9_]*); skipped",
                                  e->d_name);
            if (rc < 0)
                goto err;
            continue;
        }
        if (n >= CONF_ENTRIES_MAX) {
            rc = conf_errors_add(errs, dir, 0, 0, "expected at most %d variables, got more",
                                 CONF_ENTRIES_MAX);
            rc = rc < 0 ? rc : -EINVAL;
            goto err;
        }
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path)
            continue;
        rc = readfile_all(path, &data, &len);
        if (rc == -ENOMEM)
            goto err;
        if (rc < 0) {
            /* Gone since the listing, or a directory: not a variable. */
            rc = conf_errors_warn(errs, path, 0, 0, "cannot read: %s; skipped", readfile_why(rc));
            if (rc < 0)
                goto err;
            continue;
        }
        /* Text files end with a newline that is not part of the value
         * (my_init drops one). */
        if (len && data[len - 1] == '\n')
            data[--len] = '\0';
        if (strlen(data) != len) {
            free(data);
            rc = conf_errors_warn(errs, path, 0, 0,
                                  "holds a NUL byte, which no variable can; "
                                  "skipped");
            if (rc < 0)
                goto err;
            continue;
        }
        total += len + strlen(e->d_name) + 2;
        if (total > CONF_FILE_MAX_BYTES) {
            free(data);
            rc = conf_errors_add(errs, dir, 0, 0, "expected at most 1 MiB of variables, got more");
            rc = rc < 0 ? rc : -EINVAL;
            goto err;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct conf_kv *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                free(data);
                rc = -ENOMEM;
                goto err;
            }
            v = nv;
            cap = ncap;
        }
        v[n].key = strdup(e->d_name);
        v[n].value = data;
        if (!v[n++].key) {
            rc = -ENOMEM;
            goto err;
        }
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, envdir_cmp);
    *out = v;
    *nout = n;
    return 0;

err:
    closedir(d);
    conf_envdir_free(v, n);
    return rc;
}
