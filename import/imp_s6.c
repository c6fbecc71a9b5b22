/* imp_s6.c - s6-overlay v3: the s6-rc source directories of
 * /etc/s6-overlay/s6-rc.d (type, run, up, finish, dependencies.d,
 * contents.d, notification-fd, timeout-*, down-signal), the user bundles,
 * /etc/cont-init.d, /etc/cont-finish.d and the legacy /etc/services.d. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "imp_cycles.h"
#include "imp_script.h"
#include "imp_text.h"
#include "signame.h"
#include "units.h"

/* s6-overlay's own services and bundles, which a user's service names as
 * dependencies: under corral they are corral itself. */
static bool s6_internal(const char *name)
{
    return strcmp(name, "base") == 0 || strcmp(name, "legacy-cont-init") == 0 ||
           strcmp(name, "legacy-services") == 0 || strcmp(name, "user") == 0 ||
           strcmp(name, "user2") == 0;
}

static char *s6_file(struct imp *m, const char *dir, const char *name)
{
    char *p = imp_xasprintf("%s/%s", dir, name);
    char *t = imp_is_file(m, p) ? imp_read(m, p, NULL) : NULL;
    free(p);
    if (t)
        imp_trim(t);
    return t;
}

/* The names of dir/sub.d/ (files), or of the lines of dir/sub (s6-rc's
 * older form). */
static char **s6_list(struct imp *m, const char *dir, const char *sub)
{
    char *d = imp_xasprintf("%s/%s.d", dir, sub);
    char **v = imp_list_dir(m, d, NULL);
    free(d);
    if (v)
        return v;
    char *t = s6_file(m, dir, sub);
    if (!t)
        return NULL;
    char **w = imp_words(t, NULL);
    free(t);
    return w;
}

/* One dependency as written: from service from on service to (indexes of
 * names), listed in where as listed (to's name, or a bundle holding it). */
struct s6_edge {
    struct imp_dep dep; /* first: imp_break_cycles reads it */
    char *where, *listed;
};

struct s6 {
    struct imp *m;
    const char *rcd;
    char **names; /* entries of s6-rc.d */
    size_t n;
    struct imp_service **svc;
    char **type;
    bool *enabled;
    struct s6_edge *edges;
    size_t n_edges;
};

static int s6_index(struct s6 *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->names[i], name) == 0)
            return (int)i;
    return -1;
}

/* Marks a service and what it depends on (through bundles too) enabled. */
static void s6_enable(struct s6 *c, const char *name, int depth)
{
    int i = s6_index(c, name);
    if (i < 0 || c->enabled[i] || depth > 64)
        return;
    c->enabled[i] = true;
    char *dir = imp_xasprintf("%s/%s", c->rcd, name);
    const char *subs[] = {"dependencies", "contents"};
    for (size_t k = 0; k < 2; k++) {
        char **v = s6_list(c->m, dir, subs[k]);
        for (size_t j = 0; v && v[j]; j++)
            s6_enable(c, v[j], depth + 1);
        imp_strv_free(v);
    }
    free(dir);
}

static void s6_longrun(struct s6 *c, size_t i, const char *dir)
{
    struct imp *m = c->m;
    char *run = imp_xasprintf("%s/run", dir);
    char *text = imp_read(m, run, NULL);
    if (!text) {
        imp_report(m, IMP_UNMAPPED, dir, c->names[i], "a longrun without run: nothing to start");
        free(run);
        return;
    }
    struct imp_service *s = c->svc[i] = imp_svc(m, c->names[i], dir, "%s", run);
    struct imp_script sc;
    imp_script_parse(text, &sc);
    if (!imp_script_apply(m, s, &sc, run)) {
        c->svc[i] = NULL;
        imp_script_free(&sc);
        free(text);
        free(run);
        return;
    }
    bool check = sc.notify_check;
    imp_script_free(&sc);
    free(text);
    free(run);

    char *t, buf[32];
    char *p = imp_xasprintf("%s/finish", dir);
    if (imp_is_file(m, p)) {
        struct imp_iv *f = imp_iv_child(s->map, "finish", IMP_IV_LIST);
        imp_iv_push(f, p, false);
        imp_iv_note(f, "runs after each exit of run");
    }
    free(p);
    p = imp_xasprintf("%s/data/check", dir);
    if (check && imp_is_file(m, p)) {
        struct imp_iv *r = imp_iv_child(s->map, "readiness", IMP_IV_MAP);
        imp_iv_push(imp_iv_child(r, "exec", IMP_IV_LIST), p, false);
        imp_iv_note(r, "s6-notifyoncheck runs it");
    } else if ((t = s6_file(m, dir, "notification-fd"))) {
        struct imp_iv *r = imp_iv_child(s->map, "readiness", IMP_IV_MAP);
        imp_iv_note(imp_iv_set(r, "notify", "fd", true), "notification-fd %s", t);
        if (strcmp(t, "3") != 0) {
            char *where = imp_xasprintf("%s/notification-fd", dir);
            imp_report(m, IMP_CHANGED, where, t,
                       "corral's readiness fd is 3 ($NOTIFY_FD): make the service write its "
                       "newline there");
            free(where);
        }
        free(t);
    }
    free(p);
    if ((t = s6_file(m, dir, "timeout-up"))) {
        unsigned long ms;
        struct imp_iv *r = imp_iv_get(s->map, "readiness");
        if (r && imp_uint(t, &ms) == 0 && ms > 0)
            imp_iv_note(imp_iv_set(r, "timeout", units_format_duration(ms, buf, sizeof buf), true),
                        "timeout-up %lu", ms);
        else {
            char *where = imp_xasprintf("%s/timeout-up", dir);
            imp_report(m, IMP_UNNEEDED, where, t,
                       r ? "0 means no limit; corral's readiness timeout stays 30s"
                         : "without a readiness check a service is up once it runs");
            free(where);
        }
        free(t);
    }
    if ((t = s6_file(m, dir, "timeout-kill"))) {
        unsigned long ms;
        if (imp_uint(t, &ms) == 0 && ms > 0)
            imp_iv_note(imp_iv_set(s->map, "stop_timeout",
                                   units_format_duration(ms, buf, sizeof buf), true),
                        "timeout-kill %lu", ms);
        free(t);
    }
    if ((t = s6_file(m, dir, "down-signal"))) {
        /* s6-supervise sends SIGTERM when it cannot read down-signal
         * ("invalid down-signal"), as corral does without stop_signal. */
        if (signame_parse(t) > 0) {
            imp_iv_note(imp_iv_set(s->map, "stop_signal", t, false), "down-signal");
        } else {
            char *where = imp_xasprintf("%s/down-signal", dir);
            imp_report(m, IMP_UNMAPPED, where, t,
                       "not a signal corral knows (a name like TERM, SIGINT or RTMIN+2, or a "
                       "number from 1 to %d); left out, so TERM is sent, as s6-supervise sends "
                       "it for a down-signal it cannot read: write the signal's name",
                       NSIG - 1);
            free(where);
        }
        free(t);
    }
    static const char *const unmapped[][2] = {
        {"timeout-down", "s6-rc's own deadline for bringing it down; corral uses stop_timeout"},
        {"max-death-tally", "corral keeps no death tally; start_limit bounds restarts"},
        {"producer-for", "corral runs no logger beside a service: its output goes to corral's "
                         "stdout, or to logs.file"},
        {"consumer-for", "a logger for another service: corral writes that service's output "
                         "itself (logs.file)"},
        {"pipeline-name", "no pipelines: see producer-for"},
        {"lock-fd", "corral has no lock fd"},
        {"flag-newpidns", "corral does not start a service in a new PID namespace"},
    };
    for (size_t k = 0; k < sizeof unmapped / sizeof *unmapped; k++) {
        char *where = imp_xasprintf("%s/%s", dir, unmapped[k][0]);
        if (imp_is_file(m, where))
            imp_report(m, IMP_UNMAPPED, where, unmapped[k][0], "%s", unmapped[k][1]);
        free(where);
    }
}

static void s6_oneshot(struct s6 *c, size_t i, const char *dir)
{
    struct imp *m = c->m;
    char *up = imp_xasprintf("%s/up", dir);
    char *text = imp_read(m, up, NULL);
    if (!text) {
        imp_report(m, IMP_UNMAPPED, dir, c->names[i], "a oneshot without up: nothing to run");
        free(up);
        return;
    }
    struct imp_service *s = c->svc[i] = imp_svc(m, c->names[i], dir, "%s", up);
    /* up is one execline command line, not a script file (s6-rc-compile). */
    char *script = imp_xasprintf("#!/command/execlineb -P\n%s", text);
    struct imp_script sc;
    imp_script_parse(script, &sc);
    if (sc.argv && !imp_script_apply(m, s, &sc, up)) {
        c->svc[i] = NULL;
        imp_script_free(&sc);
        free(script);
        free(text);
        free(up);
        return;
    } else if (!sc.argv) {
        imp_iv_note(imp_iv_child(s->map, "command", IMP_IV_LIST), "%s", up);
        struct imp_iv *cmd = imp_iv_get(s->map, "command");
        imp_iv_push(cmd, "/command/execlineb", false);
        imp_iv_push(cmd, "-Pc", false);
        char *esc = imp_escape_vars(text);
        imp_iv_push(cmd, esc, false);
        free(esc);
        imp_report(m, IMP_CHANGED, up, "up",
                   "an execline line corral cannot take apart: it still runs under execlineb");
    }
    imp_script_free(&sc);
    free(script);
    free(text);
    free(up);
    imp_iv_set(s->map, "type", "oneshot", true);
    char *down = imp_xasprintf("%s/down", dir);
    if (imp_is_file(m, down))
        imp_report(m, IMP_UNMAPPED, down, "down",
                   "corral runs nothing when a oneshot goes down; run it from "
                   "pre_shutdown_scripts or post_shutdown_scripts in corral.yaml");
    free(down);
}

/* Files of an s6-rc source directory that corral import reads or reports
 * by name (s6-rc-compile's documentation of the source format). */
static const char *const s6_known[] = {
    "type",
    "run",
    "finish",
    "up",
    "down",
    "dependencies",
    "dependencies.d",
    "contents",
    "contents.d",
    "notification-fd",
    "timeout-up",
    "timeout-down",
    "timeout-kill",
    "down-signal",
    "max-death-tally",
    "producer-for",
    "consumer-for",
    "pipeline-name",
    "lock-fd",
    "flag-newpidns",
    "data",
    "supervise",
    "event",
};

/* Every other entry of a service's directory, reported. */
static void s6_unknown(struct imp *m, const char *dir)
{
    char **ents = imp_list_dir(m, dir, NULL);
    for (size_t i = 0; ents && ents[i]; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof s6_known / sizeof *s6_known; k++)
            known |= strcmp(ents[i], s6_known[k]) == 0;
        if (known)
            continue;
        char *where = imp_xasprintf("%s/%s", dir, ents[i]);
        imp_report(m, IMP_UNMAPPED, where, ents[i],
                   strcmp(ents[i], "env") == 0
                       ? "an envdir: corral reads KEY=VALUE lines (env_file); if run reads it "
                         "with s6-envdir, it still does"
                       : "not a file s6-rc reads; if run uses it, it is still there");
        free(where);
    }
    imp_strv_free(ents);
}

/* Where service dir lists name as a dependency: its file in
 * dependencies.d, or the line of the dependencies file that holds it. */
static char *s6_dep_where(struct imp *m, const char *dir, const char *name)
{
    char *d = imp_xasprintf("%s/dependencies.d", dir);
    bool is_dir = imp_is_dir(m, d);
    free(d);
    if (is_dir)
        return imp_xasprintf("%s/dependencies.d/%s", dir, name);
    char *file = imp_xasprintf("%s/dependencies", dir);
    char *text = imp_read(m, file, NULL);
    unsigned line = 1, found = 0;
    for (const char *p = text; p && *p && !found; line++) {
        size_t len = strcspn(p, "\n");
        char *l = imp_xstrndup(p, len);
        char **w = imp_words(l, NULL);
        for (size_t i = 0; w && w[i] && !found; i++)
            found = strcmp(w[i], name) == 0 ? line : 0;
        imp_strv_free(w);
        free(l);
        p += len + (p[len] == '\n');
    }
    free(text);
    char *where = found ? imp_xasprintf("%s:%u", file, found) : imp_xstrdup(file);
    free(file);
    return where;
}

static int s6_svc_index(const struct s6 *c, const struct imp_service *s)
{
    for (size_t i = 0; s && i < c->n; i++)
        if (c->svc[i] == s)
            return (int)i;
    return -1;
}

/* Service i depends on dep (listed as listed in its directory dir):
 * depends_on as imp_deps_resolve makes it, and the edge kept for
 * s6_cycles. A service that depends on itself gets no depends_on. */
static void s6_dep(struct s6 *c, size_t i, const char *dir, char *dep, const char *cond,
                   const char *listed)
{
    char *name = imp_name(dep);
    int to = s6_svc_index(c, imp_find(c->m, name));
    free(name);
    if (to != (int)i)
        imp_deps_resolve(c->m, c->svc[i], &dep, 1, cond);
    if (to < 0)
        return;
    c->edges = imp_xrealloc(c->edges, (c->n_edges + 1) * sizeof *c->edges);
    c->edges[c->n_edges++] = (struct s6_edge){.dep = {.from = i, .to = (size_t)to},
                                              .where = s6_dep_where(c->m, dir, listed),
                                              .listed = imp_xstrdup(listed)};
}

/* Takes out edge k, which closes cycle (imp_break_cycles). */
static void s6_break(void *arg, size_t k, const char *cycle)
{
    struct s6 *c = arg;
    struct s6_edge *e = &c->edges[k];
    struct imp_service *from = c->svc[e->dep.from], *to = c->svc[e->dep.to];
    (void)imp_dep_del(from, to->name);
    if (from == to)
        imp_report(c->m, IMP_UNMAPPED, e->where, e->listed,
                   "%s depends on itself: s6-rc-compile refuses a dependency cycle; left out: "
                   "take it out of the source",
                   from->name);
    else
        imp_report(c->m, IMP_UNMAPPED, e->where, e->listed,
                   "a dependency cycle (%s): s6-rc-compile refuses it; this dependency is left "
                   "out, so %s no longer waits for %s: break the cycle in the source",
                   cycle, from->name, to->name);
}

/* s6-rc-compile refuses a set of services with a dependency cycle: each
 * cycle loses the dependency that closes it, in the order of the
 * directory's names, reported with the cycle and where it is listed. */
static void s6_cycles(struct s6 *c)
{
    imp_break_cycles(c->edges, c->n_edges, sizeof *c->edges, c->n, c->svc,
                     (const char *const *)c->names, s6_break, c);
}

static void s6_tree(struct imp *m, const char *rcd, const char *bundles)
{
    struct s6 c = {.m = m, .rcd = rcd};
    c.names = imp_list_dir(m, rcd, &c.n);
    c.svc = imp_xcalloc(c.n + 1, sizeof *c.svc);
    c.type = imp_xcalloc(c.n + 1, sizeof *c.type);
    c.enabled = imp_xcalloc(c.n + 1, sizeof *c.enabled);
    bool any_user = false;
    for (size_t i = 0; i < c.n; i++) {
        char *dir = imp_xasprintf("%s/%s", rcd, c.names[i]);
        c.type[i] = s6_file(m, dir, "type");
        free(dir);
    }
    /* What starts: the user and user2 bundles, in s6-rc.d (3.0, 3.1) or in
     * user-bundles.d (3.2). */
    const char *ub[] = {"user", "user2"};
    for (size_t k = 0; k < 2; k++) {
        char *dir = imp_xasprintf("%s/%s", rcd, ub[k]);
        char **v = s6_list(m, dir, "contents");
        free(dir);
        if (!v && bundles) {
            dir = imp_xasprintf("%s/%s", bundles, ub[k]);
            v = s6_list(m, dir, "contents");
            free(dir);
        }
        for (size_t j = 0; v && v[j]; j++) {
            any_user = true;
            s6_enable(&c, v[j], 0);
        }
        imp_strv_free(v);
    }
    for (size_t i = 0; i < c.n; i++) {
        if (!c.type[i] || s6_internal(c.names[i]))
            continue;
        char *dir = imp_xasprintf("%s/%s", rcd, c.names[i]);
        if (strcmp(c.type[i], "longrun") == 0)
            s6_longrun(&c, i, dir);
        else if (strcmp(c.type[i], "oneshot") == 0)
            s6_oneshot(&c, i, dir);
        else if (strcmp(c.type[i], "bundle") != 0)
            imp_report(m, IMP_UNMAPPED, dir, c.type[i], "not an s6-rc type");
        if (c.svc[i])
            s6_unknown(m, dir);
        if (c.svc[i] && any_user && !c.enabled[i])
            imp_iv_note(imp_iv_set(c.svc[i]->map, "autostart", "false", true),
                        "in no user bundle, needed by nothing in one");
        free(dir);
    }
    for (size_t i = 0; i < c.n; i++) {
        char *dir = imp_xasprintf("%s/%s", rcd, c.names[i]);
        if (c.svc[i]) {
            char **v = s6_list(m, dir, "dependencies");
            for (size_t j = 0; v && v[j]; j++) {
                if (s6_internal(v[j]))
                    continue;
                int d = s6_index(&c, v[j]);
                if (d >= 0 && c.type[d] && strcmp(c.type[d], "bundle") == 0) {
                    /* A bundle dependency: each of its members. */
                    char *bdir = imp_xasprintf("%s/%s", rcd, v[j]);
                    char **mem = s6_list(m, bdir, "contents");
                    for (size_t k = 0; mem && mem[k]; k++)
                        s6_dep(&c, i, dir, mem[k], "ready", v[j]);
                    imp_strv_free(mem);
                    free(bdir);
                    continue;
                }
                const char *cond = d >= 0 && c.type[d] && strcmp(c.type[d], "oneshot") == 0
                                       ? "completed"
                                       : "ready";
                s6_dep(&c, i, dir, v[j], cond, v[j]);
            }
            imp_strv_free(v);
        } else if (c.type[i] && strcmp(c.type[i], "bundle") == 0 && !s6_internal(c.names[i])) {
            char **v = s6_list(m, dir, "contents");
            char *g = imp_group_name(m, c.names[i], dir);
            for (size_t j = 0; g && v && v[j]; j++) {
                int d = s6_index(&c, v[j]);
                if (d >= 0 && c.svc[d])
                    imp_group_add(m, c.svc[d], g, dir, "s6-rc bundles");
            }
            free(g);
            imp_strv_free(v);
        }
        free(dir);
    }
    s6_cycles(&c);
    for (size_t i = 0; i < c.n_edges; i++) {
        free(c.edges[i].where);
        free(c.edges[i].listed);
    }
    free(c.edges);
    for (size_t i = 0; i < c.n; i++)
        free(c.type[i]);
    free(c.type);
    free(c.svc);
    free(c.enabled);
    imp_strv_free(c.names);
}

int imp_s6(struct imp *m, char **sources, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *src = imp_abs(m, NULL, sources[i]);
        const char *r = strcmp(src, "/") == 0 ? "" : src;
        char *rcd = imp_xasprintf("%s/etc/s6-overlay/s6-rc.d", r);
        if (imp_is_dir(m, rcd)) {
            char *bundles = imp_xasprintf("%s/etc/s6-overlay/user-bundles.d", r);
            s6_tree(m, rcd, bundles);
            free(bundles);
            char *p = imp_xasprintf("%s/etc/cont-init.d", r);
            imp_startup_dir(m, p, "startup_scripts", "s6-overlay runs these before the services");
            free(p);
            p = imp_xasprintf("%s/etc/cont-finish.d", r);
            imp_startup_dir(m, p, "post_shutdown_scripts",
                            "s6-overlay runs these after the services stopped");
            free(p);
            p = imp_xasprintf("%s/etc/services.d", r);
            size_t ns;
            char **legacy = imp_list_dir(m, p, &ns);
            for (size_t k = 0; legacy && legacy[k]; k++) {
                char *d = imp_xasprintf("%s/%s", p, legacy[k]);
                char **deps;
                size_t nd;
                struct imp_service *s =
                    imp_is_dir(m, d) ? imp_runit_dir(m, d, legacy[k], &deps, &nd) : NULL;
                if (s) {
                    imp_deps_resolve(m, s, deps, nd, "ready");
                    imp_strv_free(deps);
                }
                free(d);
            }
            imp_strv_free(legacy);
            free(p);
        } else if (imp_is_dir(m, src)) {
            s6_tree(m, src, NULL);
        } else {
            int rc = imp_fail(m,
                              "%s: expected an s6-rc.d directory or an image root with "
                              "etc/s6-overlay/s6-rc.d",
                              src);
            free(rcd);
            free(src);
            return rc;
        }
        free(rcd);
        free(src);
    }
    return 0;
}
