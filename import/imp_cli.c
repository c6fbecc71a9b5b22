/* imp_cli.c - the `corral import` command: its arguments, the mapper of
 * each format, and the files written (or printed with --dry-run). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imp_write.h"
#include "import.h"

static const char import_usage[] =
    "usage: corral import FORMAT SOURCE... (--to DIR | --dry-run) [--root DIR]\n"
    "\n"
    "Converts another supervisor's configuration into corral's: one service file\n"
    "per service in DIR/services.d, DIR/corral.yaml (services: services.d), and\n"
    "DIR/import-report.txt listing every key it could not map, and why.\n"
    "\n"
    "formats and their SOURCE:\n"
    "  supervisord   supervisord.conf files ([include] is followed)\n"
    "  procfile      Procfiles (foreman, overmind, honcho)\n"
    "  compose       docker-compose.yaml / compose.yaml files\n"
    "  runit         runit service directories (/etc/service) or an image root with\n"
    "                etc/service and etc/my_init.d (baseimage-docker's my_init)\n"
    "  s6            s6-overlay v3: /etc/s6-overlay/s6-rc.d, or an image root\n"
    "\n"
    "options:\n"
    "  --to DIR      write the files under DIR (made when missing; files of the\n"
    "                same name are replaced)\n"
    "  --dry-run     print the files instead of writing them\n"
    "  --root DIR    read SOURCE and every file it names under DIR, an image's root\n"
    "                unpacked there; the paths written are those inside the image\n"
    "  -h, --help    print this help\n"
    "\n"
    "Then: corral --check --config DIR/corral.yaml\n";

static const struct {
    const char *name;
    int (*run)(struct imp *, char **, size_t);
} import_formats[] = {
    {"supervisord", imp_supervisord}, {"supervisor", imp_supervisord},
    {"procfile", imp_procfile},       {"compose", imp_compose},
    {"docker-compose", imp_compose},  {"runit", imp_runit},
    {"my_init", imp_runit},           {"s6", imp_s6},
    {"s6-overlay", imp_s6},
};

int import_run(struct imp *m, const char *format, char **sources, size_t n)
{
    for (size_t i = 0; i < sizeof import_formats / sizeof *import_formats; i++)
        if (strcmp(import_formats[i].name, format) == 0) {
            m->format = import_formats[i].name;
            for (size_t k = 0; k < n; k++) {
                char *abs = imp_abs(m, NULL, sources[k]);
                char *x =
                    imp_xasprintf("%s%s%s", m->inputs ? m->inputs : "", m->inputs ? ", " : "", abs);
                free(m->inputs);
                m->inputs = x;
                free(abs);
            }
            int rc = import_formats[i].run(m, sources, n);
            if (rc == 0)
                rc = imp_check(m);
            return rc;
        }
    return -2;
}

static int import_mkdir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    snprintf(err, errlen, "%s: cannot make the directory: %s", path, strerror(errno));
    return -1;
}

/* Writes a file whole or not at all: a temporary file renamed over it. */
static int import_write_file(const char *path, const char *text, char *err, size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int import_write(const struct imp *m, const char *dir, char *err, size_t errlen)
{
    char *sub = imp_xasprintf("%s/services.d", dir);
    int rc = import_mkdir(dir, err, errlen);
    if (rc == 0)
        rc = import_mkdir(sub, err, errlen);
    free(sub);
    struct imp_file *files;
    size_t n;
    imp_outputs(m, &files, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = imp_xasprintf("%s/%s", dir, files[i].path);
        rc = import_write_file(path, files[i].text, err, errlen);
        free(path);
    }
    imp_files_free(files, n);
    return rc;
}

static size_t import_count(const struct imp *m, enum imp_kind kind)
{
    size_t n = 0;
    for (const struct imp_item *it = m->items; it; it = it->next)
        n += it->kind == kind;
    return n;
}

int import_main(int argc, char **argv)
{
    const char *to = NULL, *root = NULL, *format = NULL;
    bool dry_run = false;
    char **sources = calloc((size_t)argc + 1, sizeof *sources);
    size_t n = 0;
    if (!sources)
        imp_oom();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(import_usage, stdout);
            free(sources);
            return 0;
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = true;
        } else if ((strcmp(a, "--to") == 0 || strcmp(a, "--root") == 0) && i + 1 < argc) {
            *(a[2] == 't' ? &to : &root) = argv[++i];
        } else if (strncmp(a, "--to=", 5) == 0) {
            to = a + 5;
        } else if (strncmp(a, "--root=", 7) == 0) {
            root = a + 7;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "corral import: unknown option %s\n%s", a, import_usage);
            free(sources);
            return 2;
        } else if (!format) {
            format = a;
        } else {
            sources[n++] = argv[i];
        }
    }
    const char *why = !format           ? "expected a FORMAT"
                      : !n              ? "expected a SOURCE"
                      : !to && !dry_run ? "expected --to DIR or --dry-run"
                      : to && dry_run   ? "expected --to DIR or --dry-run, not both"
                                        : NULL;
    if (why) {
        fprintf(stderr, "corral import: %s\n%s", why, import_usage);
        free(sources);
        return 2;
    }
    struct imp m;
    char rootbuf[4096];
    if (root) {
        /* The root's own trailing slashes would double the image paths'. */
        snprintf(rootbuf, sizeof rootbuf, "%s", root);
        for (size_t l = strlen(rootbuf); l > 0 && rootbuf[l - 1] == '/'; l--)
            rootbuf[l - 1] = '\0';
        root = rootbuf;
    }
    imp_init(&m, format, root);
    int rc = import_run(&m, format, sources, n);
    free(sources);
    if (rc == -2) {
        fprintf(stderr,
                "corral import: unknown format \"%s\" (expected supervisord, procfile, compose, "
                "runit or s6)\n",
                format);
        imp_free(&m);
        return 2;
    }
    if (rc < 0) {
        fprintf(stderr, "corral import: %s\n", m.err);
        imp_free(&m);
        return 1;
    }
    char err[512];
    if (dry_run) {
        struct imp_file *files;
        size_t nf;
        imp_outputs(&m, &files, &nf);
        for (size_t i = 0; i < nf; i++)
            printf("%s==> %s <==\n%s", i ? "\n" : "", files[i].path, files[i].text);
        imp_files_free(files, nf);
    } else if (import_write(&m, to, err, sizeof err) < 0) {
        fprintf(stderr, "corral import: %s\n", err);
        imp_free(&m);
        return 1;
    } else {
        size_t svcs = 0;
        for (const struct imp_service *s = m.svcs; s; s = s->next)
            svcs++;
        fprintf(stderr,
                "corral import: wrote %zu service%s to %s/services.d and %s/corral.yaml; "
                "%zu not mapped, %zu mapped with a difference, %zu not needed: see "
                "%s/import-report.txt\n",
                svcs, svcs == 1 ? "" : "s", to, to, import_count(&m, IMP_UNMAPPED),
                import_count(&m, IMP_CHANGED), import_count(&m, IMP_UNNEEDED), to);
    }
    imp_free(&m);
    return 0;
}
