/* sup_cenv.c - the container environment (corral.yaml's
 * container_environment): a directory of NAME files that startup scripts
 * and oneshots write and corral reads again after each of them exits, so
 * that every process started after sees the variables (my_init reads
 * /etc/container_environment after each script). A record's spawn plan is
 * rebuilt when the environment has changed since it was made; plans share
 * the strings of the snapshot they were built from, which lives while any
 * record still holds it. Optionally the final environment is written out
 * for shells and jobs (DIR's files, DIR.sh, DIR.json, as my_init does),
 * never readable by others. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cenv.h"
#include "log.h"
#include "supervisor_int.h"

extern char **environ;

void sup_cenv_put(struct sup_cenv_snap *snap)
{
    if (snap && --snap->refs == 0) {
        cenv_env_close(&snap->env);
        free(snap);
    }
}

/* Writes data to path through a file beside it renamed over it: mode 0600,
 * or the group and group bits of the file it replaces (an image may give a
 * group read access, as baseimage does), never anything for others. */
static int sup_cenv_write_file(const char *path, const char *data, size_t len)
{
    char tmp[4200];
    struct stat old;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.corral-tmp", path) >= sizeof tmp)
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -errno;
    int rc = 0;
    if (stat(path, &old) == 0 && S_ISREG(old.st_mode)) {
        (void)!fchown(fd, (uid_t)-1, old.st_gid);
        rc = fchmod(fd, old.st_mode & 0660) < 0 ? -errno : 0;
    } else {
        rc = fchmod(fd, 0600) < 0 ? -errno : 0;
    }
    for (size_t off = 0; rc == 0 && off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = -errno;
        else
            off += (size_t)n;
    }
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0)
        unlink(tmp);
    return rc;
}

/* DIR.sh and DIR.json, and with files, DIR/NAME for each variable. */
static void sup_cenv_write(struct supervisor *sup, char *const *envp, bool files)
{
    char path[4200];
    const char *dir = sup->cenv_dir;
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    if (files)
        for (char *const *e = envp; *e; e++) {
            const char *eq = strchr(*e, '=');
            if (!eq || cenv_is_personal(*e))
                continue;
            snprintf(path, sizeof path, "%.*s/%.*s", (int)dlen, dir, (int)(eq - *e), *e);
            int rc = sup_cenv_write_file(path, eq + 1, strlen(eq + 1));
            if (rc < 0)
                log_warn("container_environment: %s: %s", path, strerror(-rc));
        }
    char *sh = cenv_render_sh(envp), *json = cenv_render_json(envp);
    const char *ext[2] = {".sh", ".json"};
    char *data[2] = {sh, json};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%.*s%s", (int)dlen, dir, ext[i]);
        int rc = data[i] ? sup_cenv_write_file(path, data[i], strlen(data[i])) : -ENOMEM;
        if (rc < 0)
            log_warn("container_environment: %s: %s", path, strerror(-rc));
    }
    free(sh);
    free(json);
}

static bool sup_cenv_same(const struct conf_kv *a, size_t na, const struct conf_kv *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].key, b[i].key) != 0 || strcmp(a[i].value, b[i].value) != 0)
            return false;
    return true;
}

/* A copy of vars into *out; returns how many were copied (fewer when out of
 * memory: a later read then differs and rebuilds). */
static size_t sup_cenv_copy(const struct conf_kv *vars, size_t n, struct conf_kv **out)
{
    size_t k = 0;
    *out = calloc(n ? n : 1, sizeof **out);
    for (; *out && k < n; k++) {
        (*out)[k].key = strdup(vars[k].key);
        (*out)[k].value = strdup(vars[k].value);
        if (!(*out)[k].key || !(*out)[k].value) {
            free((*out)[k].key);
            free((*out)[k].value);
            break;
        }
    }
    return k;
}

void sup_cenv_load(struct supervisor *sup)
{
    struct conf_errors errs;
    struct conf_kv *vars;
    size_t n;
    char line[512];

    if (!sup->cenv_dir)
        return;
    conf_errors_init(&errs);
    int rc = conf_envdir_read(sup->cenv_dir, &vars, &n, &errs);
    for (size_t i = 0; i < errs.n; i++)
        log_warn("container_environment: %s", conf_errors_format(&errs.v[i], line, sizeof line));
    conf_errors_close(&errs);
    if (rc < 0)
        return; /* the environment stays as it was */
    bool first = !sup->cenv_loaded;
    if (!first && sup_cenv_same(vars, n, sup->cenv_vars, sup->n_cenv_vars)) {
        conf_envdir_free(vars, n);
        return;
    }
    struct sup_cenv_snap *snap = calloc(1, sizeof *snap);
    const struct conf_kv *initial = first ? vars : sup->cenv_initial;
    size_t ninitial = first ? n : sup->n_cenv_initial;
    if (!snap || cenv_build(&snap->env, environ, vars, n, initial, ninitial) < 0) {
        free(snap);
        conf_envdir_free(vars, n);
        log_error("container_environment: out of memory; the environment stays as it was");
        return;
    }
    snap->refs = 1;
    if (first) {
        /* What the image shipped: corral's own environment wins over it
         * (docker run -e), as long as the file stays as it was. */
        sup->cenv_loaded = true;
        sup->cenv_initial = vars;
        sup->n_cenv_initial = n;
    } else {
        log_info("container_environment: %zu variables, read again", n);
        conf_envdir_free(sup->cenv_vars, sup->n_cenv_vars);
    }
    if (first) {
        /* Kept twice: the first read and the current one. */
        sup->n_cenv_vars = sup_cenv_copy(vars, n, &sup->cenv_vars);
    } else {
        sup->cenv_vars = vars;
        sup->n_cenv_vars = n;
    }
    sup_cenv_put(sup->cenv);
    sup->cenv = snap;
    sup->cenv_gen++;
    if (sup->cenv_write)
        sup_cenv_write(sup, snap->env.envp, first);
}

void sup_cenv_replan(struct sup_service *ss)
{
    struct supervisor *sup = ss->sup;
    struct svcplan plan;
    if (!sup->cenv || ss->cenv_gen == sup->cenv_gen)
        return;
    if (svcplan_init(&plan, ss->svc.conf, sup->cenv->env.envp) < 0) {
        log_error("%s: out of memory applying the container environment", sup_record_name(ss));
        return;
    }
    svcplan_close(&ss->plan);
    ss->plan = plan;
    checks_set_conf(&ss->checks, ss->svc.conf, &ss->plan);
    sup->cenv->refs++;
    sup_cenv_put(ss->cenv);
    ss->cenv = sup->cenv;
    ss->cenv_gen = sup->cenv_gen;
}

int sup_container_env(struct supervisor *sup, const char *dir, bool write)
{
    if (!dir)
        return 0;
    sup->cenv_dir = strdup(dir);
    if (!sup->cenv_dir)
        return -ENOMEM;
    sup->cenv_write = write;
    /* Scripts write there: it exists from the start, readable by corral's
     * user alone unless the image made it otherwise. */
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        log_warn("container_environment: mkdir %s: %s", dir, strerror(errno));
    sup_cenv_load(sup);
    return 0;
}

void sup_cenv_free(struct supervisor *sup)
{
    sup_cenv_put(sup->cenv);
    sup->cenv = NULL;
    conf_envdir_free(sup->cenv_initial, sup->n_cenv_initial);
    conf_envdir_free(sup->cenv_vars, sup->n_cenv_vars);
    free(sup->cenv_dir);
}
