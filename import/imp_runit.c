/* imp_runit.c - runit service directories (NAME/run, down, finish, check,
 * log/run) and baseimage-docker's my_init layout (/etc/service and
 * /etc/my_init.d) into services. Also the legacy /etc/services.d of
 * s6-overlay, which has the same shape (imp_s6.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imp.h"
#include "imp_script.h"
#include "imp_text.h"

/* An entry of /etc/service is often a symbolic link to /etc/sv/NAME: an
 * absolute target is taken inside the root. */
static char *rn_resolve(struct imp *m, const char *image_path)
{
    char *host = imp_host_path(m, image_path);
    char target[4096];
    ssize_t n = readlink(host, target, sizeof target - 1);
    free(host);
    if (n <= 0)
        return imp_xstrdup(image_path);
    target[n] = '\0';
    return imp_abs(m, image_path, target);
}

/* log/run: `exec svlogd [-tt] DIR` (or behind chpst) becomes logs.file. */
static void rn_log(struct imp *m, struct imp_service *s, const char *dir)
{
    char *run = imp_xasprintf("%s/log/run", dir);
    char *text = imp_is_file(m, run) ? imp_read(m, run, NULL) : NULL;
    if (!text) {
        free(run);
        return;
    }
    struct imp_script sc;
    imp_script_parse(text, &sc);
    const char *logdir = NULL;
    size_t n = imp_strv_len(sc.argv);
    if (n >= 2 && (strcmp(sc.argv[0], "svlogd") == 0 || strstr(sc.argv[0], "/svlogd")) &&
        sc.argv[n - 1][0] == '/')
        logdir = sc.argv[n - 1];
    if (logdir) {
        struct imp_iv *logs = imp_iv_child(s->map, "logs", IMP_IV_MAP);
        char *file = imp_xasprintf("%s/current", logdir);
        imp_iv_note(imp_iv_set(logs, "file", file, false), "%s", run);
        imp_iv_set(logs, "stdout", "file", true);
        free(file);
        imp_report(m, IMP_CHANGED, run, "svlogd",
                   "became logs.file DIR/current: corral rotates it by size (logs.max_size, "
                   "logs.keep), not svlogd's config");
    } else {
        imp_report(m, IMP_UNMAPPED, run, "log/run",
                   "corral runs no logger beside a service: its output goes to corral's stdout "
                   "(or logs.file)");
    }
    imp_script_free(&sc);
    free(text);
    free(run);
}

struct imp_service *imp_runit_dir(struct imp *m, const char *dir, const char *name, char ***deps,
                                  size_t *n_deps)
{
    *deps = NULL;
    *n_deps = 0;
    char *run = imp_xasprintf("%s/run", dir);
    char *text = imp_read(m, run, NULL);
    if (!text) {
        imp_report(m, IMP_UNMAPPED, dir, name, "no run file: nothing to start");
        free(run);
        return NULL;
    }
    struct imp_service *s = imp_svc(m, name, dir, "%s", run);
    struct imp_script sc;
    imp_script_parse(text, &sc);
    if (!imp_script_apply(m, s, &sc, run)) {
        imp_script_free(&sc);
        free(text);
        free(run);
        return NULL;
    }
    /* runsv and s6-supervise run ./run in the service directory. */
    bool relative = !sc.argv && !sc.body; /* the script itself runs there */
    relative |= sc.body && strstr(sc.body, "./");
    for (size_t i = 0; sc.argv && sc.argv[i]; i++)
        relative |= strncmp(sc.argv[i], "./", 2) == 0;
    if (!sc.directory && relative)
        imp_iv_note(imp_iv_set(s->map, "directory", dir, false),
                    "runit runs ./run in the service's "
                    "directory");
    *deps = imp_xcalloc(sc.n_deps + 1, sizeof **deps);
    for (size_t i = 0; i < sc.n_deps; i++)
        (*deps)[i] = imp_xstrdup(sc.deps[i]);
    *n_deps = sc.n_deps;
    imp_script_free(&sc);
    free(text);

    char *p = imp_xasprintf("%s/down", dir);
    if (imp_is_file(m, p))
        imp_iv_note(imp_iv_set(s->map, "autostart", "false", true), "%s exists", p);
    free(p);
    p = imp_xasprintf("%s/finish", dir);
    if (imp_is_file(m, p)) {
        struct imp_iv *f = imp_iv_child(s->map, "finish", IMP_IV_LIST);
        imp_iv_push(f, p, false);
        imp_iv_note(f, "runs after each exit of run");
    }
    free(p);
    p = imp_xasprintf("%s/check", dir);
    if (imp_is_file(m, p)) {
        struct imp_iv *r = imp_iv_child(s->map, "readiness", IMP_IV_MAP);
        imp_iv_push(imp_iv_child(r, "exec", IMP_IV_LIST), p, false);
        imp_iv_note(r, "sv check runs it");
    }
    free(p);
    rn_log(m, s, dir);
    size_t n;
    char **ents = imp_list_dir(m, dir, &n);
    for (size_t i = 0; ents && ents[i]; i++) {
        static const char *const known[] = {"run", "down", "finish", "check", "log", "supervise"};
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            ok |= strcmp(ents[i], known[k]) == 0;
        if (ok)
            continue;
        char *where = imp_xasprintf("%s/%s", dir, ents[i]);
        imp_report(m, IMP_UNMAPPED, where, ents[i],
                   strcmp(ents[i], "control") == 0
                       ? "corral has no per-signal control scripts; `corralctl signal` sends one"
                       : "not a file runit reads; if run uses it, it is still there");
        free(where);
    }
    imp_strv_free(ents);
    free(run);
    return s;
}

void imp_deps_resolve(struct imp *m, struct imp_service *s, char **deps, size_t n, const char *cond)
{
    for (size_t i = 0; i < n; i++) {
        char *name = imp_name(deps[i]);
        struct imp_service *d = imp_find(m, name);
        free(name);
        if (d && d != s) {
            imp_dep(s, d->name, cond, NULL);
        } else {
            imp_report(m, IMP_UNMAPPED, s->origin, deps[i],
                       "%s: no service of that name was imported, so the dependency is left out",
                       s->name);
        }
    }
}

/* Every NAME/run under dir. */
static int rn_services(struct imp *m, const char *dir)
{
    size_t n;
    char **ents = imp_list_dir(m, dir, &n);
    if (!ents)
        return imp_fail(m, "%s: cannot read the directory", dir);
    struct imp_service **svcs = imp_xcalloc(n + 1, sizeof *svcs);
    char ***deps = imp_xcalloc(n + 1, sizeof *deps);
    size_t *n_deps = imp_xcalloc(n + 1, sizeof *n_deps);
    for (size_t i = 0; i < n; i++) {
        if (ents[i][0] == '.')
            continue;
        char *entry = imp_xasprintf("%s/%s", dir, ents[i]);
        char *real = rn_resolve(m, entry);
        if (imp_is_dir(m, real))
            svcs[i] = imp_runit_dir(m, real, ents[i], &deps[i], &n_deps[i]);
        free(real);
        free(entry);
    }
    for (size_t i = 0; i < n; i++) {
        if (svcs[i])
            imp_deps_resolve(m, svcs[i], deps[i], n_deps[i], "ready");
        imp_strv_free(deps[i]);
    }
    free(deps);
    free(n_deps);
    free(svcs);
    imp_strv_free(ents);
    return 0;
}

void imp_startup_dir(struct imp *m, const char *dir, const char *key, const char *from)
{
    if (!imp_is_dir(m, dir))
        return;
    imp_iv_note(imp_iv_set(imp_global(m), key, dir, false), "%s", from);
}

int imp_runit(struct imp *m, char **sources, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *src = imp_abs(m, NULL, sources[i]);
        char *svcdir = imp_xasprintf("%s/etc/service", strcmp(src, "/") == 0 ? "" : src);
        int rc;
        if (imp_is_dir(m, svcdir)) {
            /* An image root: /etc/service, /etc/my_init.d, /etc/rc.local. */
            const char *r = strcmp(src, "/") == 0 ? "" : src;
            rc = rn_services(m, svcdir);
            char *p = imp_xasprintf("%s/etc/my_init.d", r);
            imp_startup_dir(m, p, "startup_scripts", "my_init runs these before the services");
            free(p);
            p = imp_xasprintf("%s/etc/rc.local", r);
            if (imp_is_file(m, p))
                imp_report(m, IMP_UNMAPPED, p, "rc.local",
                           "my_init runs it after /etc/my_init.d: move it into that directory");
            free(p);
            p = imp_xasprintf("%s/etc/container_environment", r);
            if (imp_is_dir(m, p))
                imp_report(m, IMP_UNNEEDED, p, "container_environment",
                           "corral's services get the container's environment as it is");
            free(p);
        } else if (imp_is_file(m, (free(svcdir), svcdir = imp_xasprintf("%s/run", src)))) {
            char **deps;
            size_t nd;
            const char *base = strrchr(src, '/');
            struct imp_service *s = imp_runit_dir(m, src, base ? base + 1 : src, &deps, &nd);
            if (s)
                imp_deps_resolve(m, s, deps, nd, "ready");
            imp_strv_free(deps);
            rc = 0;
        } else {
            rc = rn_services(m, src);
        }
        free(svcdir);
        free(src);
        if (rc < 0)
            return rc;
    }
    return 0;
}
