/* test_import_fixture.h - what the tests of `corral import` share: a run
 * of a mapper on a tree of tests/import/CASE/root compared with the golden
 * files of tests/import/CASE/expected (CORRAL_REGEN_GOLDEN=1 writes them
 * instead), small inputs written to a temporary root, and questions about
 * the report. */
#ifndef CORRAL_TEST_IMPORT_FIXTURE_H
#define CORRAL_TEST_IMPORT_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imp.h"
#include "imp_write.h"
#include "import.h"

static inline char *fx_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        buf = imp_xrealloc(buf, cap = cap * 2 + 4096);
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static inline void fx_write(const char *path, const char *text)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs format on source (an image path) under tests/import/casename/root,
 * leaving the import in *m, and compares every file it would write with
 * tests/import/casename/expected. */
static inline void fx_golden(struct imp *m, const char *format, const char *casename,
                             const char *source)
{
    char root[PATH_MAX / 2], expected[PATH_MAX / 2];
    snprintf(root, sizeof root, "%s/%s/root", CORRAL_TEST_IMPORT_DIR, casename);
    snprintf(expected, sizeof expected, "%s/%s/expected", CORRAL_TEST_IMPORT_DIR, casename);
    imp_init(m, format, root);
    char *src = (char *)source;
    int rc = import_run(m, format, &src, 1);
    if (rc != 0)
        fprintf(stderr, "import failed: %s\n", m->err);
    assert_int_equal(rc, 0);
    struct imp_file *files;
    size_t n;
    imp_outputs(m, &files, &n);
    bool regen = getenv("CORRAL_REGEN_GOLDEN") != NULL;
    size_t n_services = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", expected, files[i].path);
        n_services += strncmp(files[i].path, "services.d/", 11) == 0;
        if (regen) {
            fx_write(path, files[i].text);
            continue;
        }
        char *want = fx_read(path);
        if (!want)
            fprintf(stderr, "%s: missing golden file (CORRAL_REGEN_GOLDEN=1 writes it)\n", path);
        assert_non_null(want);
        if (strcmp(want, files[i].text) != 0)
            fprintf(stderr, "%s differs from the import's:\n%s\n", path, files[i].text);
        assert_string_equal(files[i].text, want);
        free(want);
    }
    /* No golden service file the import no longer writes. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/services.d", expected);
    DIR *d = opendir(dir);
    size_t on_disk = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        on_disk += e->d_name[0] != '.';
    if (d)
        closedir(d);
    if (!regen)
        assert_int_equal(on_disk, n_services);
    imp_files_free(files, n);
}

/* A temporary root holding files given as path, text, ..., NULL. */
static inline char *fx_tree(const char *path, ...)
{
    char tmpl[] = "/tmp/corral-import-test-XXXXXX";
    char *root = mkdtemp(tmpl);
    assert_non_null(root);
    root = imp_xstrdup(root);
    va_list ap;
    va_start(ap, path);
    for (const char *p = path; p; p = va_arg(ap, const char *)) {
        const char *text = va_arg(ap, const char *);
        char full[PATH_MAX];
        snprintf(full, sizeof full, "%s%s", root, p);
        if (strcmp(text, "->") == 0) { /* a symbolic link: the next argument is its target */
            const char *target = va_arg(ap, const char *);
            fx_write(full, "");
            unlink(full);
            assert_int_equal(symlink(target, full), 0);
        } else {
            fx_write(full, text);
        }
    }
    va_end(ap);
    return root;
}

/* Removes a tree of fx_tree, and frees its name. */
static inline void fx_rmtree(char *root)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    free(root);
}

/* Imports source under a temporary root made of the files given. */
static inline void fx_import(struct imp *m, const char *format, const char *source, char *root)
{
    imp_init(m, format, root);
    char *src = (char *)source;
    int rc = import_run(m, format, &src, 1);
    if (rc != 0)
        fprintf(stderr, "import failed: %s\n", m->err);
    assert_int_equal(rc, 0);
}

/* The rendered file of service name (must exist). Caller frees. */
static inline char *fx_service(const struct imp *m, const char *name)
{
    struct imp_service *s = imp_find(m, name);
    if (!s)
        fprintf(stderr, "no service %s\n", name);
    assert_non_null(s);
    return imp_render_service(s);
}

/* Whether the report has an item of kind whose what and why contain the
 * given texts. */
static inline bool fx_reported(const struct imp *m, enum imp_kind kind, const char *what,
                               const char *why)
{
    for (const struct imp_item *it = m->items; it; it = it->next)
        if (it->kind == kind && strstr(it->what, what) && strstr(it->why, why))
            return true;
    return false;
}

/* The report's first item of kind whose what and why contain the given
 * texts, or NULL. */
static inline const struct imp_item *fx_item(const struct imp *m, enum imp_kind kind,
                                             const char *what, const char *why)
{
    for (const struct imp_item *it = m->items; it; it = it->next)
        if (it->kind == kind && strstr(it->what, what) && strstr(it->why, why))
            return it;
    return NULL;
}

/* Whether the last step of the import (imp_check.c) had to take anything
 * out: what a mapper wrote and corral's loader refused. */
static inline bool fx_check_took_out(const struct imp *m)
{
    for (const struct imp_item *it = m->items; it; it = it->next)
        if (strstr(it->why, "corral refuses it") || strstr(it->why, "corral refuses the file")) {
            fprintf(stderr, "taken out by the last check: %s: %s: %s\n", it->where, it->what,
                    it->why);
            return true;
        }
    return false;
}

#define assert_contains(hay, needle)                                     \
    do {                                                                 \
        const char *h_ = (hay), *n_ = (needle);                          \
        if (!strstr(h_, n_))                                             \
            fprintf(stderr, "expected to find:\n%s\nin:\n%s\n", n_, h_); \
        assert_non_null(strstr(h_, n_));                                 \
    } while (0)

#define assert_lacks(hay, needle)                                            \
    do {                                                                     \
        const char *h_ = (hay), *n_ = (needle);                              \
        if (strstr(h_, n_))                                                  \
            fprintf(stderr, "expected not to find:\n%s\nin:\n%s\n", n_, h_); \
        assert_null(strstr(h_, n_));                                         \
    } while (0)

#endif
