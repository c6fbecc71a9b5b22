/* imp_procfile.c - a Procfile (foreman, overmind, honcho: `name: command`,
 * one process type per line) into services. Each command runs under
 * /bin/sh -c as those tools run it, with the PORT they would give it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "imp_text.h"

/* foreman, overmind and honcho give the Nth process type (from 0) the port
 * 5000 + 100 * N. */
#define PROCFILE_PORT_BASE 5000
#define PROCFILE_PORT_STEP 100

static void procfile_env_file(struct imp *m, const char *procfile, struct imp_service **svcs,
                              size_t n)
{
    char *env = imp_abs(m, procfile, ".env");
    if (imp_is_file(m, env))
        for (size_t i = 0; i < n; i++)
            imp_env_file(m, svcs[i], env, "foreman and honcho read .env", i == 0);
    free(env);
}

int imp_procfile(struct imp *m, char **sources, size_t n)
{
    for (size_t si = 0; si < n; si++) {
        char *img = imp_abs(m, NULL, sources[si]);
        char *text = imp_read(m, img, NULL);
        if (!text) {
            int rc = imp_fail(m, "%s: cannot read: %m", img);
            free(img);
            return rc;
        }
        struct imp_service **svcs = NULL;
        size_t n_svcs = 0;
        struct imp_service *release = NULL;
        unsigned line = 0;
        for (const char *p = text; *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            char *l = imp_trim(imp_xstrndup(p, len));
            p += len + (nl ? 1 : 0);
            line++;
            if (!l[0] || l[0] == '#') {
                free(l);
                continue;
            }
            char *where = imp_xasprintf("%s:%u", img, line);
            size_t nlen = strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789_-");
            if (nlen == 0 || l[nlen] != ':') {
                imp_report(m, IMP_UNMAPPED, where, l,
                           "expected NAME: COMMAND, NAME being letters, digits, '_' and '-'");
                free(where);
                free(l);
                continue;
            }
            l[nlen] = '\0';
            char *cmd = imp_trim(l + nlen + 1);
            if (!cmd[0]) {
                /* foreman, overmind and honcho read NAME: COMMAND with a
                 * command of at least one character: they skip this line,
                 * and it takes no port. */
                char *what = imp_xasprintf("%s:", l);
                imp_report(m, IMP_UNMAPPED, where, what,
                           "no command after the name: foreman, overmind and honcho skip the "
                           "line too; left out (write the command after the colon)");
                free(what);
                free(where);
                free(l);
                continue;
            }
            struct imp_service *s = imp_svc(m, l, where, "%s (%s)", where, l);
            char *esc = imp_escape_vars(cmd);
            imp_iv_set(s->map, "command", esc, false);
            free(esc);
            if (strcmp(l, "release") == 0) {
                release = s;
                imp_iv_set(s->map, "type", "oneshot", true);
                imp_iv_note(imp_iv_set(s->map, "critical", "true", true),
                            "a failed release stops the deploy");
                imp_report(m, IMP_CHANGED, where, "release",
                           "Heroku runs release once before a deploy; here it runs once at "
                           "start, and the other processes wait until it completed");
            } else {
                unsigned port = PROCFILE_PORT_BASE + PROCFILE_PORT_STEP * (unsigned)n_svcs;
                struct imp_iv *env = imp_iv_child(s->map, "environment", IMP_IV_MAP);
                imp_iv_setf(env, "PORT", false, "%u", port);
                imp_iv_note(env, "foreman, overmind and honcho: 5000 + 100 per process type");
                svcs = imp_xrealloc(svcs, (n_svcs + 1) * sizeof *svcs);
                svcs[n_svcs++] = s;
            }
            free(where);
            free(l);
        }
        if (release)
            for (size_t i = 0; i < n_svcs; i++)
                imp_dep(svcs[i], release->name, "completed", NULL);
        if (n_svcs) {
            char *where = imp_xasprintf("%s", img);
            imp_report(m, IMP_CHANGED, where, "every process",
                       "foreman, overmind and honcho stop every process when one exits; corral "
                       "restarts the one that exited (restart: always)");
            free(where);
        }
        if (release) {
            svcs = imp_xrealloc(svcs, (n_svcs + 1) * sizeof *svcs);
            svcs[n_svcs] = release;
        }
        procfile_env_file(m, img, svcs, n_svcs + (release != NULL));
        free(svcs);
        free(text);
        free(img);
    }
    return 0;
}
