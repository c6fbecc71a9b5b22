/* test_conf_fixture.h - what the conf tests share: a fake environment (no
 * dependency on the process environment or /etc/passwd), loading a service
 * from a string, reading errors back as "file:line:col: msg" lines, and
 * writing fixture files into a mkdtemp directory. Header-only: every test
 * program is one .c file. */
#ifndef TEST_CONF_FIXTURE_H
#define TEST_CONF_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

#define FIX_UNUSED __attribute__((unused))

/* Variables: PORT=8080, HOME=/home/app, EMPTY="". */
static FIX_UNUSED const char *fix_lookup(void *arg, const char *name)
{
    (void)arg;
    if (strcmp(name, "PORT") == 0)
        return "8080";
    if (strcmp(name, "HOME") == 0)
        return "/home/app";
    if (strcmp(name, "EMPTY") == 0)
        return "";
    return NULL;
}

/* Users: root 0:0, redis 999:999 (also in staff 50), app 1000:1000. */
static const struct {
    const char *name;
    uid_t uid;
    gid_t gid;
} fix_users[] = {{"root", 0, 0}, {"redis", 999, 999}, {"app", 1000, 1000}};

static const struct {
    const char *name;
    gid_t gid;
} fix_groups[] = {{"root", 0}, {"staff", 50}, {"redis", 999}, {"app", 1000}};

static FIX_UNUSED int fix_user_by_name(void *arg, const char *name, uid_t *uid, gid_t *gid)
{
    (void)arg;
    for (size_t i = 0; i < sizeof fix_users / sizeof fix_users[0]; i++) {
        if (strcmp(fix_users[i].name, name) == 0) {
            *uid = fix_users[i].uid;
            *gid = fix_users[i].gid;
            return 0;
        }
    }
    return -ENOENT;
}

static FIX_UNUSED int fix_user_by_uid(void *arg, uid_t uid, char *name, size_t len, gid_t *gid)
{
    (void)arg;
    for (size_t i = 0; i < sizeof fix_users / sizeof fix_users[0]; i++) {
        if (fix_users[i].uid == uid) {
            snprintf(name, len, "%s", fix_users[i].name);
            *gid = fix_users[i].gid;
            return 0;
        }
    }
    return -ENOENT;
}

static FIX_UNUSED int fix_group_by_name(void *arg, const char *name, gid_t *gid)
{
    (void)arg;
    for (size_t i = 0; i < sizeof fix_groups / sizeof fix_groups[0]; i++) {
        if (strcmp(fix_groups[i].name, name) == 0) {
            *gid = fix_groups[i].gid;
            return 0;
        }
    }
    return -ENOENT;
}

/* redis is also a member of staff; everyone else only of their gid. */
static FIX_UNUSED int fix_group_list(void *arg, const char *user, gid_t gid, gid_t *groups,
                                     size_t *n)
{
    (void)arg;
    size_t need = strcmp(user, "redis") == 0 ? 2 : 1;
    if (*n < need) {
        *n = need;
        return -ERANGE;
    }
    groups[0] = gid;
    if (need == 2)
        groups[1] = 50;
    *n = need;
    return 0;
}

/* Every program exists and runs, except those named "missing..." (not
 * there) and "noexec..." (not executable). */
static FIX_UNUSED int fix_exec_check(void *arg, const char *path)
{
    (void)arg;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "missing", 7) == 0)
        return -ENOENT;
    return strncmp(base, "noexec", 6) == 0 ? -EACCES : 0;
}

/* The ids corral runs with in the tests: root, unless a test says otherwise. */
static FIX_UNUSED uid_t fix_own_uid;
static FIX_UNUSED gid_t fix_own_gid;
static FIX_UNUSED void fix_own_ids(void *arg, uid_t *uid, gid_t *gid)
{
    (void)arg;
    *uid = fix_own_uid;
    *gid = fix_own_gid;
}

static FIX_UNUSED const struct conf_env fix_env = {
    .lookup = fix_lookup,
    .user_by_name = fix_user_by_name,
    .user_by_uid = fix_user_by_uid,
    .group_by_name = fix_group_by_name,
    .group_list = fix_group_list,
    .exec_check = fix_exec_check,
    .own_ids = fix_own_ids,
};

/* The errors of the last load, one "file:line:col: msg" per line. */
static char fix_text[8192];

static FIX_UNUSED const char *fix_errors_text(const struct conf_errors *e)
{
    char line[512];
    fix_text[0] = '\0';
    for (size_t i = 0; i < e->n; i++) {
        conf_errors_format(&e->v[i], line, sizeof line);
        size_t used = strlen(fix_text);
        snprintf(fix_text + used, sizeof fix_text - used, "%s%s", i ? "\n" : "", line);
    }
    return fix_text;
}

/* Loads yaml as service "web" from "web.yaml". Returns the service (caller
 * frees) or NULL, with the errors in fix_text either way. */
static FIX_UNUSED struct conf_service *fix_load(const char *yaml, int *rc_out)
{
    struct conf_errors e;
    struct conf_service *s = NULL;
    conf_errors_init(&e);
    int rc = conf_load_buffer("web", "web.yaml", yaml, strlen(yaml), &fix_env, true, &s, &e);
    fix_errors_text(&e);
    conf_errors_close(&e);
    if (rc_out)
        *rc_out = rc;
    return s;
}

/* Loads yaml that must be wrong and returns the error lines. */
static FIX_UNUSED const char *fix_fail(const char *yaml)
{
    int rc;
    struct conf_service *s = fix_load(yaml, &rc);
    if (s || rc >= 0) {
        conf_service_free(s);
        return "(loaded without error)";
    }
    return fix_text;
}

/* A fresh temporary directory; returns its path in buf. */
static FIX_UNUSED char *fix_tmpdir(char *buf, size_t len)
{
    snprintf(buf, len, "%s/corral-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(buf);
}

/* Removes dir and the files in it (one level, as the tests create them). */
static FIX_UNUSED void fix_rmdir(const char *dir);

/* The temporary directory of a test that wants one: made by fix_dir_setup
 * and removed by fix_dir_teardown (cmocka's setup and teardown). */
static FIX_UNUSED char fix_dir[256];

static FIX_UNUSED int fix_dir_setup(void **state)
{
    (void)state;
    return fix_tmpdir(fix_dir, sizeof fix_dir) ? 0 : -1;
}

static FIX_UNUSED int fix_dir_teardown(void **state)
{
    (void)state;
    fix_rmdir(fix_dir);
    return 0;
}

/* Writes text into dir/name. Returns 0 or -1. */
static FIX_UNUSED int fix_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

static FIX_UNUSED void fix_rmdir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

#endif
