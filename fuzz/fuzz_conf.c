/* fuzz_conf.c - libFuzzer target over the YAML loaders: each input is read as
 * a service file and as a corral.yaml, every error and warning is formatted,
 * everything is freed. Lookups go through fixed hooks, so a run depends neither on the
 * environment nor on /etc/passwd. Crashes, leaks and UB are the findings. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

static const char *fuzz_lookup(void *arg, const char *name)
{
    (void)arg;
    if (strcmp(name, "PORT") == 0)
        return "8080";
    if (strcmp(name, "EMPTY") == 0)
        return "";
    return NULL;
}

static int fuzz_user_by_name(void *arg, const char *name, uid_t *uid, gid_t *gid)
{
    (void)arg;
    if (strcmp(name, "app") != 0)
        return -ENOENT;
    *uid = 1000;
    *gid = 1000;
    return 0;
}

static int fuzz_user_by_uid(void *arg, uid_t uid, char *name, size_t len, gid_t *gid)
{
    (void)arg;
    if (uid != 1000)
        return -ENOENT;
    snprintf(name, len, "app");
    *gid = 1000;
    return 0;
}

static int fuzz_group_by_name(void *arg, const char *name, gid_t *gid)
{
    (void)arg;
    if (strcmp(name, "staff") != 0)
        return -ENOENT;
    *gid = 50;
    return 0;
}

static int fuzz_group_list(void *arg, const char *user, gid_t gid, gid_t *groups, size_t *n)
{
    (void)arg;
    (void)user;
    if (*n < 2) {
        *n = 2;
        return -ERANGE;
    }
    groups[0] = gid;
    groups[1] = 50;
    *n = 2;
    return 0;
}

/* No file system lookups: a program named "missing..." does not exist. */
static int fuzz_exec_check(void *arg, const char *path)
{
    (void)arg;
    return strstr(path, "missing") ? -ENOENT : 0;
}

static void fuzz_own_ids(void *arg, uid_t *uid, gid_t *gid)
{
    (void)arg;
    *uid = 0;
    *gid = 0;
}

static const struct conf_env fuzz_env = {
    .lookup = fuzz_lookup,
    .user_by_name = fuzz_user_by_name,
    .user_by_uid = fuzz_user_by_uid,
    .group_by_name = fuzz_group_by_name,
    .group_list = fuzz_group_list,
    .exec_check = fuzz_exec_check,
    .own_ids = fuzz_own_ids,
};

static void fuzz_format(const struct conf_errors *e)
{
    char line[512];
    for (size_t i = 0; i < e->n; i++)
        conf_errors_format(&e->v[i], line, sizeof line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conf_errors e;
    struct conf_service *s = NULL;
    struct conf_global g;

    conf_errors_init(&e);
    int rc =
        conf_load_buffer("fuzz", "fuzz.yaml", (const char *)data, size, &fuzz_env, true, &s, &e);
    /* The contract: a service exactly when there is no error (warnings may
     * come with either), and a refusal names at least one error. */
    if ((rc == 0) != (s != NULL) || (rc == 0 && (e.n != e.warnings || e.dropped)) ||
        (rc == -EINVAL && e.n == e.warnings && !e.dropped) || e.warnings > e.n ||
        e.warnings > CONF_WARNINGS_MAX || e.n - e.warnings > CONF_ERRORS_MAX)
        __builtin_trap();
    fuzz_format(&e);
    conf_service_free(s);
    conf_errors_close(&e);

    conf_errors_init(&e);
    conf_global_init(&g);
    rc = conf_global_load_buffer("corral.yaml", (const char *)data, size, &fuzz_env, &g, &e);
    if ((rc == 0 && e.n != e.warnings) || (rc == -EINVAL && e.n == e.warnings && !e.dropped))
        __builtin_trap();
    fuzz_format(&e);
    conf_global_close(&g);
    conf_errors_close(&e);
    return 0;
}
