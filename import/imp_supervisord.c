/* imp_supervisord.c - supervisord.conf (and the files its [include] pulls
 * in) into services: every [program:x] key is mapped, reported as not
 * mapped, or reported as not needed (docs/importing.md has the table). */
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "imp.h"
#include "imp_ini.h"
#include "imp_text.h"
#include "signame.h"
#include "units.h"

struct sv_prog {
    struct imp_ini_sec *sec;
    const char *name; /* after "program:" */
    struct imp_service *svc;
    unsigned long priority;
    bool autostart;
    unsigned long numprocs;
    char *group; /* [group:x] that lists it, or NULL */
};

struct sv {
    struct imp *m;
    struct imp_ini ini;
    struct sv_prog *progs;
    size_t n_progs;
};

static char *sv_where(const struct imp_ini_sec *s, unsigned line)
{
    return imp_xasprintf("%s:%u", s->file, line);
}

static void sv_report(struct sv *c, enum imp_kind kind, struct imp_ini_sec *s,
                      struct imp_ini_key *k, const char *why)
{
    char *where = sv_where(s, k ? k->line : s->line);
    char *what =
        k ? imp_xasprintf("[%s] %s=%s", s->name, k->key, k->val) : imp_xasprintf("[%s]", s->name);
    imp_report(c->m, kind, where, what, "%s", why);
    free(where);
    free(what);
}

/* The expansions supervisord makes in a value (%(ENV_X)s, %(here)s,
 * %(program_name)s...), with corral's `${` escaped first. */
static char *sv_expand(struct sv *c, struct sv_prog *p, struct imp_ini_sec *s,
                       struct imp_ini_key *k)
{
    char *esc = imp_escape_vars(k->val);
    size_t cap = strlen(esc) * 2 + 64, n = 0;
    char *out = imp_xmalloc(cap);
    for (const char *q = esc; *q;) {
        if (n + 64 > cap) {
            cap *= 2;
            out = imp_xrealloc(out, cap);
        }
        if (q[0] == '%' && q[1] == '%') {
            out[n++] = '%';
            q += 2;
            continue;
        }
        if (q[0] != '%' || q[1] != '(') {
            out[n++] = *q++;
            continue;
        }
        const char *close = strchr(q, ')');
        if (!close) {
            out[n++] = *q++;
            continue;
        }
        const char *conv = close + 1 + strspn(close + 1, "0123456789");
        if (*conv != 's' && *conv != 'd') {
            out[n++] = *q++;
            continue;
        }
        char *name = imp_xstrndup(q + 2, (size_t)(close - q - 2));
        char *val = NULL;
        if (strncmp(name, "ENV_", 4) == 0) {
            val = imp_xasprintf("${%s}", name + 4);
        } else if (strcmp(name, "here") == 0) {
            const char *slash = strrchr(s->file, '/');
            val = imp_xstrndup(s->file, slash && slash != s->file ? (size_t)(slash - s->file) : 1);
        } else if (strcmp(name, "program_name") == 0 && p) {
            val = imp_xstrdup(p->name);
        } else if (strcmp(name, "group_name") == 0 && p) {
            val = imp_xstrdup(p->group ? p->group : p->name);
        } else if (strcmp(name, "numprocs") == 0 && p) {
            val = imp_xasprintf("%lu", p->numprocs);
        } else if (strcmp(name, "process_num") == 0 && p && p->numprocs == 1) {
            val = imp_xstrdup("0");
        } else if (strcmp(name, "process_num") == 0 && p) {
            /* Each instance reads its file with ${CORRAL_INSTANCE} set
             * (docs/configuration.md, "Instances"). */
            val = imp_xstrdup("${CORRAL_INSTANCE}");
            char *why = imp_xasprintf("%%(process_num)%.*s became ${CORRAL_INSTANCE}: instances "
                                      "count from 1 (supervisord's from numprocs_start, 0 by "
                                      "default)%s",
                                      (int)(conv + 1 - (close + 1)), close + 1,
                                      conv > close + 1 ? ", without zero padding" : "");
            sv_report(c, IMP_CHANGED, s, k, why);
            free(why);
        } else if (strcmp(name, "host_node_name") == 0) {
            val = imp_xstrdup("${HOSTNAME}");
            sv_report(c, IMP_CHANGED, s, k,
                      "%(host_node_name)s became ${HOSTNAME}, the container's host name as "
                      "corral's environment has it");
        }
        if (!val) {
            char *why = imp_xasprintf("%%(%s)%c is kept as written: corral has no value for it",
                                      name, *conv);
            sv_report(c, IMP_UNMAPPED, s, k, why);
            free(why);
            val = imp_xstrndup(q, (size_t)(conv + 1 - q));
        }
        size_t vl = strlen(val);
        if (n + vl + 64 > cap) {
            cap = n + vl + 128;
            out = imp_xrealloc(out, cap);
        }
        memcpy(out + n, val, vl);
        n += vl;
        free(val);
        free(name);
        q = conv + 1;
    }
    out[n] = '\0';
    free(esc);
    return out;
}

/* environment=A="1",B='x y',C=plain into map. Returns 0 or -1. */
static int sv_env(struct sv *c, struct sv_prog *p, struct imp_ini_sec *s, struct imp_ini_key *k,
                  struct imp_iv *env)
{
    char *text = sv_expand(c, p, s, k);
    const char *q = text;
    int rc = 0;
    for (;;) {
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == ',')
            q++;
        if (!*q)
            break;
        const char *eq = strchr(q, '=');
        if (!eq) {
            rc = -1;
            break;
        }
        char *key = imp_trim(imp_xstrndup(q, (size_t)(eq - q)));
        q = eq + 1;
        while (*q == ' ')
            q++;
        char *val;
        if (*q == '"' || *q == '\'') {
            char quote = *q++;
            const char *end = strchr(q, quote);
            if (!end) {
                free(key);
                rc = -1;
                break;
            }
            val = imp_xstrndup(q, (size_t)(end - q));
            q = end + 1;
        } else {
            size_t len = strcspn(q, ",");
            val = imp_trim(imp_xstrndup(q, len));
            q += len;
        }
        if (!imp_env_name_ok(key)) {
            char *why = imp_xasprintf(
                "\"%s\" is not a variable name corral takes ([A-Za-z_][A-Za-z0-9_]*)", key);
            sv_report(c, IMP_UNMAPPED, s, k, why);
            free(why);
            free(key);
            free(val);
            continue;
        }
        struct imp_iv *e = imp_iv_set(env, key, val, false);
        if (strcmp(s->name, "supervisord") == 0)
            imp_iv_note(e, "[supervisord] environment, %s:%u", s->file, k->line);
        free(key);
        free(val);
    }
    free(text);
    return rc;
}

/* supervisord's byte sizes count in 1024s: 50MB is 50 MiB. */
static char *sv_size(const char *v)
{
    size_t n = strspn(v, "0123456789");
    if (n == 0 || n > 12)
        return NULL;
    const char *u = v + n;
    if (!*u)
        return imp_xstrdup(v);
    if (strcasecmp(u, "KB") == 0)
        return imp_xasprintf("%.*sKiB", (int)n, v);
    if (strcasecmp(u, "MB") == 0)
        return imp_xasprintf("%.*sMiB", (int)n, v);
    if (strcasecmp(u, "GB") == 0)
        return imp_xasprintf("%.*sGiB", (int)n, v);
    return NULL;
}

/* supervisord's "no log file" (logfile_name): NONE, OFF (any case), and
 * an empty value, which it reads as a path that names no file. */
static bool sv_is_none(const char *v)
{
    return !v[0] || strcasecmp(v, "NONE") == 0 || strcasecmp(v, "OFF") == 0;
}

static bool sv_is_console(const char *v)
{
    return strcmp(v, "/dev/stdout") == 0 || strcmp(v, "/dev/stderr") == 0 ||
           strcmp(v, "/dev/fd/1") == 0 || strcmp(v, "/dev/fd/2") == 0 ||
           strcmp(v, "/proc/self/fd/1") == 0 || strcmp(v, "/proc/self/fd/2") == 0;
}

static void sv_bool_key(struct sv *c, struct sv_prog *p, const char *key, bool dflt, bool *out)
{
    struct imp_ini_key *k = imp_ini_get(p->sec, key);
    *out = dflt;
    if (k && imp_bool(k->val, out) < 0) {
        *out = dflt;
        char *why = imp_xasprintf("expected true or false; supervisord's default (%s) is used",
                                  dflt ? "true" : "false");
        sv_report(c, IMP_CHANGED, p->sec, k, why);
        free(why);
    }
}

static void sv_uint_key(struct sv *c, struct sv_prog *p, const char *key, unsigned long dflt,
                        unsigned long *out, struct imp_ini_key **kout)
{
    struct imp_ini_key *k = imp_ini_get(p->sec, key);
    *out = dflt;
    if (k && imp_uint(k->val, out) < 0) {
        *out = dflt;
        char *why =
            imp_xasprintf("expected a whole number; supervisord's default (%lu) is used", dflt);
        sv_report(c, IMP_CHANGED, p->sec, k, why);
        free(why);
    }
    if (kout)
        *kout = k;
}

/* stdout_logfile, stderr_logfile and their settings into logs:. */
static void sv_logs(struct sv *c, struct sv_prog *p, bool redirect)
{
    struct imp_ini_sec *s = p->sec;
    struct imp_ini_key *out = imp_ini_get(s, "stdout_logfile");
    struct imp_ini_key *err = imp_ini_get(s, "stderr_logfile");
    if (redirect && err)
        sv_report(c, IMP_UNNEEDED, s, err,
                  "redirect_stderr=true: supervisord ignores stderr_logfile, and corral keeps "
                  "both streams in the same sinks");
    struct imp_ini_key *file_key = NULL;
    const char *which = "stdout";
    if (out && !sv_is_console(out->val) && strcasecmp(out->val, "AUTO") != 0 &&
        !sv_is_none(out->val))
        file_key = out;
    if (!redirect && err && !sv_is_console(err->val) && strcasecmp(err->val, "AUTO") != 0 &&
        !sv_is_none(err->val)) {
        if (file_key && strcmp(file_key->val, err->val) != 0)
            sv_report(c, IMP_CHANGED, s, err,
                      "one log file per service holds both streams: stderr goes to the "
                      "stdout_logfile");
        else if (!file_key) {
            file_key = err;
            which = "stderr";
        }
    }
    struct imp_iv *logs = NULL;
    if (file_key) {
        logs = imp_iv_child(p->svc->map, "logs", IMP_IV_MAP);
        char *path = sv_expand(c, p, s, file_key);
        imp_iv_note(imp_iv_set(logs, "file", path, false), "%s_logfile, line %u", which,
                    file_key->line);
        free(path);
        if (file_key == out && !redirect && !err)
            sv_report(c, IMP_CHANGED, s, out,
                      "stderr_logfile is not set: supervisord writes stderr to a file of its own "
                      "(AUTO, in childlogdir); corral's log file holds both streams, so stderr "
                      "goes into this one too");
        bool console_too = file_key == err; /* stdout stays on the container's log */
        imp_iv_set(logs, "stdout", console_too ? "both" : "file", true);
        if (console_too)
            sv_report(c, IMP_CHANGED, s, err,
                      "stderr_logfile is the service's log file and holds stdout too; both "
                      "streams also stay on corral's stdout and stderr (logs.stdout: both)");
    }
    for (int i = 0; i < 2; i++) {
        const char *stream = i ? "stderr" : "stdout";
        struct imp_ini_key *lf = i ? err : out;
        char key[64];
        if (lf && sv_is_none(lf->val) && (i == 0 || !redirect)) {
            /* logs.stdout is one setting for both streams: none only
             * when neither has a log (an unset stdout_logfile is
             * supervisord's AUTO; with redirect_stderr, stderr is in
             * stdout's). Else the stream supervisord drops goes where
             * the other one goes. */
            bool out_none = out && sv_is_none(out->val);
            bool err_none = redirect ? out_none : err && sv_is_none(err->val);
            const char *spelled = strcasecmp(lf->val, "NONE") == 0 ? ""
                                  : lf->val[0]                     ? "OFF is supervisord's NONE: "
                                               : "an empty path is supervisord's NONE: ";
            if (out_none && err_none) {
                if (i == 0) {
                    logs = imp_iv_child(p->svc->map, "logs", IMP_IV_MAP);
                    imp_iv_note(imp_iv_set(logs, "stdout", "none", true), "%s_logfile=%s, line %u",
                                stream, lf->val, lf->line);
                }
                if (spelled[0]) {
                    char *why = imp_xasprintf("%sno log file, the stream is dropped; neither "
                                              "stream has a log: logs.stdout: none",
                                              spelled);
                    sv_report(c, IMP_CHANGED, s, lf, why);
                    free(why);
                }
            } else {
                const char *other = i ? "stdout" : "stderr";
                const char *dest =
                    !file_key ? "to corral's stdout and stderr, prefixed"
                    : file_key == err
                        ? "into the log file and onto corral's stdout and stderr (logs.stdout: both)"
                        : "into the log file (logs.stdout: file)";
                char *why = imp_xasprintf(
                    "%ssupervisord drops %s and keeps %s; corral's logs.stdout is one setting for "
                    "both streams, so %s is not dropped: it goes %s, as %s does",
                    spelled, stream, other, stream, dest, other);
                sv_report(c, IMP_CHANGED, s, lf, why);
                free(why);
            }
        } else if (lf && strcasecmp(lf->val, "AUTO") == 0) {
            sv_report(c, IMP_CHANGED, s, lf,
                      "no AUTO file in childlogdir: the output goes to corral's stdout and "
                      "stderr, the container's log (`corralctl logs NAME` reads it too)");
        } else if (lf && sv_is_console(lf->val)) {
            sv_report(c, IMP_UNNEEDED, s, lf,
                      "corral writes a service's output to its own stdout and stderr, prefixed "
                      "with the service's name");
        }
        bool has_file = lf && lf == file_key;
        snprintf(key, sizeof key, "%s_logfile_maxbytes", stream);
        struct imp_ini_key *k = imp_ini_get(s, key);
        if (k && has_file) {
            char *size = sv_size(k->val);
            uint64_t bytes = 0;
            bool read = size && units_parse_size(size, &bytes) == 0;
            if (read && bytes >= CONF_LOGS_MIN_SIZE) {
                imp_iv_note(imp_iv_set(logs, "max_size", size, true), "%s, line %u", key, k->line);
            } else if (read && bytes > 0) {
                /* corral's least max_size (conf_logs.c): rotating oftener
                 * than every few lines is not a log. */
                imp_iv_note(imp_iv_setf(logs, "max_size", true, "%lluKiB",
                                        (unsigned long long)CONF_LOGS_MIN_SIZE / 1024),
                            "%s=%s, line %u", key, k->val, k->line);
                sv_report(c, IMP_CHANGED, s, k,
                          "less than corral's least logs.max_size: the file is rotated at 4KiB");
            } else if (size && !read) {
                sv_report(c, IMP_CHANGED, s, k,
                          "more than corral reads as a size (about 16 PiB): logs.max_size stays "
                          "10MiB");
            } else {
                sv_report(c, IMP_CHANGED, s, k,
                          "corral always rotates a log file: logs.max_size stays 10MiB");
            }
            free(size);
        } else if (k) {
            sv_report(c, IMP_UNNEEDED, s, k, "no log file to rotate");
        }
        snprintf(key, sizeof key, "%s_logfile_backups", stream);
        k = imp_ini_get(s, key);
        unsigned long keep;
        if (k && has_file && imp_uint(k->val, &keep) == 0) {
            if (keep > 100) {
                keep = 100;
                sv_report(c, IMP_CHANGED, s, k, "corral keeps at most 100 rotated files");
            }
            imp_iv_note(imp_iv_setf(logs, "keep", true, "%lu", keep), "%s, line %u", key, k->line);
        } else if (k) {
            sv_report(c, IMP_UNNEEDED, s, k, "no log file to rotate");
        }
        snprintf(key, sizeof key, "%s_capture_maxbytes", stream);
        if ((k = imp_ini_get(s, key)))
            sv_report(c, IMP_UNMAPPED, s, k,
                      "corral has no capture mode; `corralctl logs NAME` reads the last lines "
                      "(logs.ring_size)");
        snprintf(key, sizeof key, "%s_events_enabled", stream);
        if ((k = imp_ini_get(s, key)))
            sv_report(c, IMP_UNMAPPED, s, k,
                      "corral sends no log events; `corralctl logs -f NAME` follows the output");
        snprintf(key, sizeof key, "%s_syslog", stream);
        if ((k = imp_ini_get(s, key)))
            sv_report(c, IMP_UNMAPPED, s, k,
                      "corral does not send service output to syslog; logs.stdout: json writes "
                      "JSON lines for a log collector");
    }
}

/* startsecs and startretries: supervisord retries a program that dies
 * within startsecs, waiting 1, 2, 3... s, and gives up (FATAL) after
 * startretries retries. corral restarts at once, then waits initial,
 * initial*factor... (docs/configuration.md, "Backoff and start limit"): a
 * backoff from 1s capped at startretries seconds keeps the spacing close,
 * reset_after: startsecs forgets a streak after a good start, and a start
 * limit of startretries + 1 starts within the time those quick failures
 * take ends in fatal as supervisord ends in FATAL. */
static void sv_starts(struct sv *c, struct sv_prog *p)
{
    unsigned long secs, retries;
    struct imp_ini_key *ks, *kr;
    sv_uint_key(c, p, "startsecs", 1, &secs, &ks);
    sv_uint_key(c, p, "startretries", 3, &retries, &kr);
    if (retries > 1000) {
        retries = 1000;
        sv_report(c, IMP_CHANGED, p->sec, kr, "corral's start_limit.burst is at most 1001 here");
    }
    unsigned long max = retries ? retries : 1, burst = retries + 1;
    unsigned long window = burst * secs + 1, delay = 0;
    for (unsigned long k = 2; k <= burst; k++) {
        delay = delay ? delay * 2 : 1;
        if (delay > max)
            delay = max;
        window += delay;
    }
    struct imp_iv *b = imp_iv_child(p->svc->map, "backoff", IMP_IV_MAP);
    imp_iv_set(b, "initial", "1s", true);
    imp_iv_setf(b, "max", true, "%lus", max);
    imp_iv_setf(b, "reset_after", true, "%lus", secs);
    imp_iv_note(b, "startsecs=%lu%s: a run that long is a good start", secs,
                ks ? "" : " (supervisord's default)");
    struct imp_iv *l = imp_iv_child(p->svc->map, "start_limit", IMP_IV_MAP);
    imp_iv_setf(l, "burst", true, "%lu", burst);
    imp_iv_setf(l, "interval", true, "%lus", window);
    imp_iv_note(l, "startretries=%lu%s: %lu quick starts, then fatal", retries,
                kr ? "" : " (supervisord's default)", burst);
    if (ks && secs > 0)
        sv_report(c, IMP_CHANGED, p->sec, ks,
                  "became backoff.reset_after (a run that long forgets earlier failures); corral "
                  "counts the service up as soon as it runs: a readiness check (tcp:, http:, "
                  "exec:) says when it is ready");
    if (secs == 0)
        sv_report(c, IMP_CHANGED, p->sec, ks,
                  "supervisord never gives up on a program with startsecs=0; corral's "
                  "start_limit still ends a restart loop in fatal");
}

/* Leaves program p out, reported with why at key k (at its section when
 * k is NULL). Its keys count as read: none is reported again. */
static void sv_skip(struct sv *c, struct sv_prog *p, struct imp_ini_key *k, const char *why)
{
    sv_report(c, IMP_UNMAPPED, p->sec, k, why);
    for (size_t i = 0; i < p->sec->n; i++)
        p->sec->keys[i].used = true;
    imp_drop(c->m, p->svc->name);
    p->svc = NULL;
}

/* Python's int() over [v, end) in base 8 or 10, without the whitespace
 * it strips: an optional sign, for base 8 an optional 0o or 0O (an
 * underscore may follow it), digits with single underscores between them,
 * leading zeros. Returns whether int() takes it, with the value in *out,
 * saturated past 2^40 (no id or C int reaches it). */
static bool sv_py_int(const char *v, const char *end, int base, long long *out)
{
    bool neg = v < end && *v == '-';
    if (v < end && (*v == '-' || *v == '+'))
        v++;
    bool under_ok = false; /* an underscore may come next */
    if (base == 8 && end - v >= 2 && v[0] == '0' && (v[1] == 'o' || v[1] == 'O')) {
        v += 2;
        under_ok = true;
    }
    long long val = 0;
    bool digit = false, last_under = false;
    for (; v < end; v++) {
        if (*v == '_' && under_ok && !last_under) {
            last_under = true;
            continue;
        }
        if (*v < '0' || *v >= '0' + base)
            return false;
        val = val > (1LL << 40) ? val : val * base + (*v - '0');
        digit = true;
        last_under = false;
        under_ok = true;
    }
    if (!digit || last_under)
        return false;
    *out = neg ? -val : val;
    return true;
}

/* Whether user= is a number as supervisord reads it (name_to_uid tries
 * Python's int(value) first), with its value in *uid. */
static bool sv_user_uid(const char *u, long long *uid)
{
    return sv_py_int(u, u + strlen(u), 10, uid);
}

/* Why user= names no user corral could run the program as, or NULL.
 * supervisord takes a user name or a uid and refuses the file when it
 * names no user of the system (name_to_uid); corral takes a name or a uid
 * below 4294967295 ((uid_t)-1, ident.c), and reads user: as written,
 * without variables. Such a program is left out, not run as corral's own
 * user: that would give it more than its file gave it. */
static const char *sv_user_refused(struct imp *m, const struct imp_ini_key *k)
{
    if (!k)
        return NULL;
    const char *u = k->val;
    size_t n = strlen(u);
    if (n == 0)
        return "an empty user= names no user (supervisord refuses it too); the program is left "
               "out rather than run as corral's own user: set user= to a name or uid of the image";
    if (strchr(u, ':'))
        return "not a user name or uid (supervisord refuses it too: a name holds no ':', and "
               "user= takes no group); the program is left out rather than run as corral's own "
               "user: write user: and group: in its service file";
    if (strstr(u, "%("))
        return "a variable: corral reads user: as written, without variables; the program is "
               "left out rather than run as corral's own user: write the user's name";
    long long uid;
    if (sv_user_uid(u, &uid) && (uid < 0 || uid >= 4294967295LL))
        return "not a uid from 0 to 4294967294 (supervisord refuses it too); the program is left "
               "out rather than run as corral's own user: set user= to a name or uid of the image";
    if (sv_user_uid(u, &uid)) {
        /* name_to_uid takes a uid only with a user of it (getpwuid). */
        char key[32], id[32];
        snprintf(key, sizeof key, "%lld", uid);
        int r = imp_db_get(m, "/etc/passwd", 2, key, 2, id, sizeof id);
        if (r == 0)
            return "a uid that no user of /etc/passwd (under the root) has: supervisord refuses "
                   "it (\"Invalid user id\"), so the program never ran; it is left out: set "
                   "user= to a name or uid of the image";
        if (r < 0)
            return "a uid, which supervisord takes only when a user of /etc/passwd has it, and "
                   "/etc/passwd cannot be read under the root to say; the program is left out "
                   "rather than run as a user its file may not have given it: write user: in its "
                   "service file";
    }
    return NULL;
}

/* Python's whitespace in ASCII, which int() strips from both ends. */
#define SV_PY_SPACE " \t\n\v\f\r\x1c\x1d\x1e\x1f"

/* umask= as supervisord reads it, Python's int(value, 8): whitespace
 * around it, an optional sign, an optional 0o or 0O (an underscore may
 * follow it), octal digits with single underscores between them. Returns 0
 * with the value in *out, or -1 where int() raises ValueError (supervisord
 * refuses the file). *out saturates past 2^40, which no C int reaches. */
static int sv_umask_read(const char *v, long long *out)
{
    v += strspn(v, SV_PY_SPACE);
    size_t n = strlen(v);
    while (n && strchr(SV_PY_SPACE, v[n - 1]))
        n--;
    return sv_py_int(v, v + n, 8, out) ? 0 : -1;
}

/* umask=, read as sv_umask_read reads it. supervisord hands it to
 * os.umask, which takes a C int and raises OverflowError past one: the
 * child fails before exec, so the program never runs. Returns true after
 * leaving the program out (sv_skip) where supervisord refuses the value:
 * corral's umask could give it more than its file did. */
static bool sv_umask_refused(struct sv *c, struct sv_prog *p, struct imp_ini_key *k)
{
    long long mask;
    if (sv_umask_read(k->val, &mask) < 0) {
        sv_skip(c, p, k,
                strstr(k->val, "%(")
                    ? "a variable: corral reads umask: as written, without variables; the "
                      "program is left out rather than run with corral's umask: write the mask"
                    : "not an octal number as supervisord reads it (int(value, 8)): supervisord "
                      "refuses the file, so the program never ran; it is left out rather than "
                      "run with corral's umask: write one like 022");
        return true;
    }
    if (mask > INT_MAX || mask < INT_MIN) {
        sv_skip(c, p, k,
                "past a C int: supervisord's os.umask raises OverflowError in the child, so the "
                "program never ran; it is left out rather than run with corral's umask: write "
                "one from 000 to 777");
        return true;
    }
    return false;
}

/* umask=, which sv_umask_refused took, as umask(2) keeps it: the
 * permission bits of the mode_t it gets (mask & 0777, a negative mask in
 * two's complement). corral's umask: is "0000" to "0777". */
static void sv_umask(struct sv *c, struct sv_prog *p, struct imp_ini_key *k)
{
    long long mask = 0;
    sv_umask_read(k->val, &mask);
    unsigned perm = (unsigned)(int)mask & 0777;
    imp_iv_note(imp_iv_setf(p->svc->map, "umask", false, "%04o", perm), "line %u", k->line);
    if (mask < 0 || mask > 0777) {
        char *why = imp_xasprintf("became umask: \"%04o\": umask(2) keeps only the permission "
                                  "bits (0777) of it%s",
                                  perm, mask < 0 ? ", a negative one in two's complement" : "");
        sv_report(c, IMP_CHANGED, p->sec, k, why);
        free(why);
    }
}

static void sv_program(struct sv *c, struct sv_prog *p)
{
    struct imp_ini_sec *s = p->sec;
    struct imp_iv *map;
    char *where = sv_where(s, s->line);
    p->svc = imp_svc(c->m, p->name, where, "%s:%u [%s]", s->file, s->line, s->name);
    free(where);
    map = p->svc->map;

    struct imp_ini_key *k = imp_ini_get(s, "numprocs");
    p->numprocs = 1;
    if (k && (imp_uint(k->val, &p->numprocs) < 0 || p->numprocs == 0)) {
        sv_report(c, IMP_CHANGED, s, k, "expected a whole number from 1; 1 is used");
        p->numprocs = 1;
    }
    unsigned long asked = p->numprocs;
    if (p->numprocs > CONF_INSTANCES_MAX) {
        char *why = imp_xasprintf("%lu: corral runs at most %d instances of a service", p->numprocs,
                                  CONF_INSTANCES_MAX);
        sv_report(c, IMP_CHANGED, s, k, why);
        free(why);
        p->numprocs = CONF_INSTANCES_MAX;
    }
    if (p->numprocs > 1)
        imp_iv_note(imp_iv_setf(map, "instances", true, "%lu", p->numprocs),
                    "numprocs=%lu, line %u", asked, k->line);
    if ((k = imp_ini_get(s, "process_name")))
        sv_report(c, p->numprocs > 1 ? IMP_CHANGED : IMP_UNNEEDED, s, k,
                  p->numprocs > 1 ? "instances are named NAME.1 .. NAME.N"
                                  : "the service is named after its file");
    if ((k = imp_ini_get(s, "numprocs_start")))
        sv_report(c, IMP_CHANGED, s, k, "instances are numbered from 1");

    k = imp_ini_get(s, "command");
    if (!k || !k->val[strspn(k->val, " \t")]) {
        sv_skip(c, p, k,
                k ? "an empty command=: supervisord refuses it too; skipped"
                  : "no command=: supervisord refuses it too; skipped");
        return;
    }
    const char *bad_user = sv_user_refused(c->m, imp_ini_get(s, "user"));
    if (bad_user) {
        sv_skip(c, p, imp_ini_get(s, "user"), bad_user);
        return;
    }
    struct imp_ini_key *um = imp_ini_get(s, "umask");
    if (um && sv_umask_refused(c, p, um))
        return;
    char *cmd = sv_expand(c, p, s, k);
    char **argv = imp_words(cmd, NULL);
    if (argv && argv[0] && !argv[0][0]) {
        /* shlex.split('"" x') is ['', 'x']: supervisord looks for a
         * program named "" at every start and goes FATAL. */
        sv_skip(c, p, k,
                "the program to run (the first word) is an empty string: supervisord cannot "
                "start it either; skipped");
        imp_strv_free(argv);
        free(cmd);
        return;
    }
    if (!argv || !argv[0]) {
        imp_iv_note(imp_iv_set(map, "command", cmd, false),
                    "command, line %u (not split into words)", k->line);
        sv_report(c, IMP_CHANGED, s, k,
                  "a quote is not closed: the command runs as written under /bin/sh -c");
    } else {
        imp_iv_note(imp_command_list(map, argv, false), "command, line %u", k->line);
    }
    imp_strv_free(argv);
    free(cmd);

    sv_bool_key(c, p, "autostart", true, &p->autostart);
    if (!p->autostart)
        imp_iv_note(imp_iv_set(map, "autostart", "false", true), "autostart=false, line %u",
                    imp_ini_get(s, "autostart")->line);

    /* supervisord chdirs to a relative directory from its own working
     * directory, which the files do not say: reported, not guessed. */
    if ((k = imp_ini_get(s, "directory"))) {
        char *d = sv_expand(c, p, s, k);
        if (d[0] == '/' || d[0] == '$')
            imp_iv_note(imp_iv_set(map, "directory", d, false), "line %u", k->line);
        else
            sv_report(c, IMP_UNMAPPED, s, k,
                      "a relative directory is relative to supervisord's own working directory, "
                      "which is not known here; set directory: to an absolute path");
        free(d);
    }
    long long uid;
    if ((k = imp_ini_get(s, "user"))) {
        /* A uid written as corral reads one: "+1" would be a name. */
        char *text = sv_user_uid(k->val, &uid) ? imp_xasprintf("%lld", uid) : imp_xstrdup(k->val);
        struct imp_iv *e = imp_iv_set(map, "user", text, false);
        if (strcmp(text, k->val) == 0)
            imp_iv_note(e, "line %u", k->line);
        else
            imp_iv_note(e, "user=%s, line %u", k->val, k->line);
        free(text);
    }
    if (um)
        sv_umask(c, p, um);
    struct imp_iv *env = NULL;
    for (size_t i = 0; i < c->ini.n; i++) /* [supervisord] environment= first */
        if (strcmp(c->ini.secs[i].name, "supervisord") == 0 &&
            (k = imp_ini_get(&c->ini.secs[i], "environment"))) {
            env = imp_iv_child(map, "environment", IMP_IV_MAP);
            if (sv_env(c, p, &c->ini.secs[i], k, env) < 0)
                sv_report(c, IMP_UNMAPPED, &c->ini.secs[i], k,
                          "expected KEY=\"value\",KEY2=\"value\"; what follows the error is "
                          "left out");
        }
    if ((k = imp_ini_get(s, "environment"))) {
        env = imp_iv_child(map, "environment", IMP_IV_MAP);
        if (sv_env(c, p, s, k, env) < 0)
            sv_report(c, IMP_UNMAPPED, s, k,
                      "expected KEY=\"value\",KEY2=\"value\"; what follows the error is left out");
        imp_iv_note(env, "line %u", k->line);
    }

    bool flag;
    sv_starts(c, p);
    k = imp_ini_get(s, "autorestart");
    const char *ar = k ? k->val : "unexpected";
    const char *policy = NULL;
    if (strcasecmp(ar, "unexpected") == 0)
        policy = "on-failure";
    else if (imp_bool(ar, &flag) == 0)
        policy = flag ? "always" : "never";
    if (!policy) {
        sv_report(c, IMP_CHANGED, s, k,
                  "expected true, false or unexpected; supervisord's default (unexpected) is used");
        policy = "on-failure";
        k = NULL;
    }
    struct imp_iv *r = imp_iv_set(map, "restart", policy, true);
    if (k)
        imp_iv_note(r, "autorestart=%s, line %u", ar, k->line);
    else
        imp_iv_note(r, "autorestart=unexpected, supervisord's default");
    if ((k = imp_ini_get(s, "exitcodes"))) {
        struct imp_iv *codes = imp_iv_child(map, "success_codes", IMP_IV_LIST);
        imp_iv_note(codes, "exitcodes, line %u", k->line);
        char *list = imp_xstrdup(k->val);
        for (char *tok = strtok(list, ", "); tok; tok = strtok(NULL, ", ")) {
            unsigned long code;
            if (imp_uint(tok, &code) == 0 && code <= 255)
                imp_iv_push(codes, tok, true);
            else
                sv_report(c, IMP_UNMAPPED, s, k, "an exit code is a number from 0 to 255");
        }
        free(list);
        if (!codes->first)
            imp_iv_del(map, "success_codes");
    }
    if ((k = imp_ini_get(s, "stopsignal"))) {
        if (signame_parse(k->val) > 0)
            imp_iv_note(imp_iv_set(map, "stop_signal", k->val, false), "stopsignal, line %u",
                        k->line);
        else
            sv_report(c, IMP_UNMAPPED, s, k, "not a signal name corral knows; TERM is used");
    }
    unsigned long wait;
    sv_uint_key(c, p, "stopwaitsecs", 10, &wait, &k);
    if (k)
        imp_iv_note(imp_iv_setf(map, "stop_timeout", true, "%lus", wait), "stopwaitsecs, line %u",
                    k->line);
    /* stopasgroup=false, supervisord's default, signals the program's own
     * process: corral's signal_to: process (docs/configuration.md). */
    sv_bool_key(c, p, "stopasgroup", false, &flag);
    k = imp_ini_get(s, "stopasgroup");
    if (!flag) {
        struct imp_iv *e = imp_iv_set(map, "signal_to", "process", true);
        if (k)
            imp_iv_note(e, "stopasgroup=%s, line %u", k->val, k->line);
        else
            imp_iv_note(e, "stopasgroup=false, supervisord's default");
    } else {
        sv_report(c, IMP_UNNEEDED, s, k,
                  "corral sends the stop signal to the service's process group by default "
                  "(signal_to: group)");
    }
    bool killgroup;
    sv_bool_key(c, p, "killasgroup", flag, &killgroup); /* stopasgroup implies it */
    if ((k = imp_ini_get(s, "killasgroup")))
        sv_report(c, killgroup ? IMP_UNNEEDED : IMP_CHANGED, s, k,
                  killgroup ? "corral's SIGKILL after stop_timeout always reaches the whole tree"
                            : "corral's SIGKILL after stop_timeout reaches the whole process "
                              "tree, not the program's own process only");
    sv_bool_key(c, p, "redirect_stderr", false, &flag);
    if ((k = imp_ini_get(s, "redirect_stderr")) && flag)
        sv_report(c, IMP_UNNEEDED, s, k, "corral keeps both streams in the same sinks");
    sv_logs(c, p, flag);
    if ((k = imp_ini_get(s, "serverurl")))
        sv_report(c, IMP_UNMAPPED, s, k,
                  "no XML-RPC: a service can run corralctl, which finds corral's socket itself "
                  "($CORRAL_SOCKET)");
    if ((k = imp_ini_get(s, "priority")) && imp_uint(k->val, &p->priority) < 0) {
        sv_report(c, IMP_CHANGED, s, k, "expected a whole number; 999 is used");
        p->priority = 999;
    }
}

/* supervisord starts lower priorities first without waiting for them to
 * be RUNNING, and stops in the reverse order: each program depends on the
 * programs of the next lower priority with condition: started, and
 * corral's stop order is the reverse of its start order. */
static void sv_order(struct sv *c)
{
    long prev = -1;
    for (;;) {
        long cur = -1;
        for (size_t i = 0; i < c->n_progs; i++) {
            struct sv_prog *p = &c->progs[i];
            if (p->svc && p->autostart && (long)p->priority > prev &&
                (cur < 0 || (long)p->priority < cur))
                cur = (long)p->priority;
        }
        if (cur < 0)
            break;
        if (prev >= 0)
            for (size_t i = 0; i < c->n_progs; i++) {
                struct sv_prog *p = &c->progs[i];
                if (!p->svc || (long)p->priority != cur)
                    continue;
                for (size_t j = 0; j < c->n_progs; j++) {
                    struct sv_prog *q = &c->progs[j];
                    if (!q->svc || !q->autostart || (long)q->priority != prev)
                        continue;
                    char *note = imp_xasprintf("priority %ld before %ld", prev, cur);
                    imp_dep(p->svc, q->svc->name, "started", note);
                    free(note);
                }
            }
        prev = cur;
    }
}

/* Whether an eventlistener ends supervisord: its command, or the script it
 * runs, kills supervisord or asks it to shut down. */
static bool sv_kills_supervisord(struct sv *c, const char *command)
{
    if (strstr(command, "kill") || strstr(command, "shutdown"))
        return true;
    char **argv = imp_words(command, NULL);
    bool found = false;
    for (size_t i = 0; argv && argv[i] && !found; i++) {
        if (argv[i][0] != '/')
            continue;
        char *text = imp_read(c->m, argv[i], NULL);
        found = text && (strstr(text, "kill") || strstr(text, "shutdown"));
        free(text);
    }
    imp_strv_free(argv);
    return found;
}

static void sv_listener(struct sv *c, struct imp_ini_sec *s)
{
    const char *cmd = imp_ini_val(s, "command");
    struct imp_ini_key *ev = imp_ini_get(s, "events");
    bool fatal = ev && strstr(ev->val, "PROCESS_STATE_FATAL");
    bool exited =
        ev && (strstr(ev->val, "PROCESS_STATE_EXITED") ||
               strstr(ev->val, "PROCESS_STATE_STOPPED") || strcmp(ev->val, "PROCESS_STATE") == 0);
    for (size_t i = 0; i < s->n; i++)
        s->keys[i].used = true;
    if (!cmd || !(fatal || exited) || !sv_kills_supervisord(c, cmd)) {
        sv_report(c, IMP_UNMAPPED, s, NULL,
                  "corral has no event listeners; `corralctl events` streams every state "
                  "change to a service that runs it");
        return;
    }
    for (size_t i = 0; i < c->n_progs; i++)
        if (c->progs[i].svc)
            imp_iv_note(imp_iv_set(c->progs[i].svc->map, "critical", "true", true),
                        "[%s] ends supervisord, %s:%u", s->name, s->file, s->line);
    sv_report(c, exited ? IMP_CHANGED : IMP_UNNEEDED, s, NULL,
              exited ? "became critical: true on every program: corral ends the container when "
                       "a program fails for good (fatal, or failed with restart: never); an exit "
                       "that corral restarts does not end it"
                     : "became critical: true on every program: a program that goes fatal ends "
                       "the container");
}

static const struct {
    const char *key, *why;
} sv_global_keys[] = {
    {"nodaemon", "corral never daemonizes"},
    {"logfile", "corral logs to its stdout and stderr: the container's log"},
    {"logfile_maxbytes", "corral logs to its stdout and stderr: the container's log"},
    {"logfile_backups", "corral logs to its stdout and stderr: the container's log"},
    {"pidfile", "corral is PID 1"},
    {"user", "corral runs as the container's USER; services set user: when that is root"},
    {"directory", "services start in the container's WORKDIR unless they set directory:"},
    {"umask", "services inherit the container's umask unless they set umask:"},
    {"childlogdir", "no AUTO log files: the output goes to the container's log"},
    {"nocleanup", "no AUTO log files to clean up"},
    {"identifier", "no XML-RPC"},
    {"strip_ansi", "corral passes the output on as it is"},
    {"silent", "corral's own messages are set by log_level"},
    {"minprocs", "set rlimits: {nproc: N} on the services that need it"},
};

static void sv_supervisord(struct sv *c, struct imp_ini_sec *s)
{
    struct imp *m = c->m;
    for (size_t i = 0; i < s->n; i++) {
        struct imp_ini_key *k = &s->keys[i];
        if (strcmp(k->key, "environment") == 0) {
            k->used = true; /* merged into each program's (sv_program) */
            continue;
        }
        if (strcmp(k->key, "loglevel") == 0) {
            k->used = true;
            static const char *const lv[][2] = {
                {"critical", "error"}, {"error", "error"}, {"warn", "warn"},    {"info", "info"},
                {"debug", "debug"},    {"trace", "debug"}, {"blather", "debug"}};
            for (size_t j = 0; j < sizeof lv / sizeof *lv; j++)
                if (strcasecmp(k->val, lv[j][0]) == 0)
                    imp_iv_note(imp_iv_set(imp_global(m), "log_level", lv[j][1], true),
                                "[supervisord] loglevel=%s, %s:%u", k->val, s->file, k->line);
            continue;
        }
        if (strcmp(k->key, "minfds") == 0) {
            k->used = true;
            unsigned long n;
            if (imp_uint(k->val, &n) < 0)
                continue;
            for (size_t j = 0; j < c->n_progs; j++) {
                if (!c->progs[j].svc)
                    continue;
                struct imp_iv *rl = imp_iv_child(c->progs[j].svc->map, "rlimits", IMP_IV_MAP);
                imp_iv_setf(rl, "nofile", true, "%lu", n);
                imp_iv_note(rl, "[supervisord] minfds, %s:%u", s->file, k->line);
            }
            sv_report(c, IMP_CHANGED, s, k,
                      "rlimits: {nofile: N} on every service: the soft and hard limit, where "
                      "supervisord raises the soft limit to at least N");
            continue;
        }
        for (size_t j = 0; j < sizeof sv_global_keys / sizeof *sv_global_keys; j++)
            if (strcmp(k->key, sv_global_keys[j].key) == 0) {
                k->used = true;
                sv_report(c, IMP_UNNEEDED, s, k, sv_global_keys[j].why);
            }
    }
}

static int sv_include(struct sv *c, struct imp_ini_sec *s, size_t *n_files)
{
    struct imp_ini_key *k = imp_ini_get(s, "files");
    if (!k)
        return 0;
    /* Parsing adds sections: s and k move, so what is needed is copied. */
    char *list = imp_xstrdup(k->val);
    char *file = imp_xstrdup(s->file);
    unsigned line = k->line;
    int rc = 0;
    for (char *pat = strtok(list, " \t\n"); pat && rc == 0; pat = strtok(NULL, " \t\n")) {
        char *image = imp_abs(c->m, file, pat);
        char *host = imp_host_path(c->m, image);
        glob_t g;
        memset(&g, 0, sizeof g);
        if (glob(host, 0, NULL, &g) == 0) {
            size_t rl = strlen(c->m->root);
            for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
                if (++*n_files > IMP_FILES_MAX) {
                    rc = imp_fail(c->m, "%s:%u: [include] pulls in more than %d files", file, line,
                                  IMP_FILES_MAX);
                    break;
                }
                const char *img = g.gl_pathv[i] + rl;
                char *text = imp_read(c->m, img, NULL);
                if (!text) {
                    rc = imp_fail(c->m, "%s: cannot read: %m", img);
                    break;
                }
                if (imp_ini_parse(&c->ini, img, text, c->m->err, sizeof c->m->err) < 0)
                    rc = -1;
                free(text);
            }
        }
        globfree(&g);
        free(host);
        free(image);
    }
    free(list);
    free(file);
    return rc;
}

int imp_supervisord(struct imp *m, char **sources, size_t n)
{
    struct sv c = {.m = m};
    int rc = 0;
    size_t n_files = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *img = imp_abs(m, NULL, sources[i]);
        char *text = imp_read(m, img, NULL);
        if (!text)
            rc = imp_fail(m, "%s: cannot read: %m", img);
        else if (imp_ini_parse(&c.ini, img, text, m->err, sizeof m->err) < 0)
            rc = -1;
        free(text);
        free(img);
    }
    /* [include] sections, also those of included files, as they come. */
    for (size_t i = 0; i < c.ini.n && rc == 0; i++)
        if (strcmp(c.ini.secs[i].name, "include") == 0)
            rc = sv_include(&c, &c.ini.secs[i], &n_files);
    if (rc < 0) {
        imp_ini_free(&c.ini);
        return rc;
    }
    c.progs = imp_xcalloc(c.ini.n, sizeof *c.progs);
    for (size_t i = 0; i < c.ini.n; i++)
        if (strncmp(c.ini.secs[i].name, "program:", 8) == 0) {
            struct sv_prog *p = &c.progs[c.n_progs++];
            p->sec = &c.ini.secs[i];
            p->name = c.ini.secs[i].name + 8;
            p->priority = 999;
            p->autostart = true;
        }
    for (size_t i = 0; i < c.ini.n; i++) {
        struct imp_ini_sec *s = &c.ini.secs[i];
        if (strncmp(s->name, "group:", 6) != 0)
            continue;
        struct imp_ini_key *k = imp_ini_get(s, "programs");
        char *list = imp_xstrdup(k ? k->val : "");
        for (char *tok = strtok(list, ", \n"); tok; tok = strtok(NULL, ", \n"))
            for (size_t j = 0; j < c.n_progs; j++)
                if (strcmp(c.progs[j].name, tok) == 0)
                    c.progs[j].group = s->name + 6;
        free(list);
        char *where = sv_where(s, s->line);
        free(imp_group_name(m, s->name + 6, where)); /* a rename is reported once */
        free(where);
        if ((k = imp_ini_get(s, "priority")))
            sv_report(&c, IMP_CHANGED, s, k,
                      "the members keep their own priority: corral orders services, not groups");
    }
    for (size_t i = 0; i < c.n_progs; i++)
        sv_program(&c, &c.progs[i]);
    for (size_t i = 0; i < c.n_progs; i++) {
        struct sv_prog *p = &c.progs[i];
        char *g = p->svc && p->group ? imp_group_name(m, p->group, NULL) : NULL;
        if (g) {
            char *note = imp_xasprintf("[group:%s]", p->group);
            imp_group_add(m, p->svc, g, p->svc->origin, note);
            free(note);
        }
        free(g);
    }
    sv_order(&c);
    for (size_t i = 0; i < c.ini.n; i++) {
        struct imp_ini_sec *s = &c.ini.secs[i];
        if (strcmp(s->name, "supervisord") == 0) {
            sv_supervisord(&c, s);
            if (!m->global_origin)
                m->global_origin = imp_xasprintf("%s:%u [supervisord]", s->file, s->line);
        } else if (strncmp(s->name, "eventlistener:", 14) == 0) {
            sv_listener(&c, s);
        } else if (strcmp(s->name, "unix_http_server") == 0 ||
                   strcmp(s->name, "inet_http_server") == 0 ||
                   strcmp(s->name, "supervisorctl") == 0 ||
                   strncmp(s->name, "rpcinterface:", 13) == 0) {
            for (size_t k = 0; k < s->n; k++)
                s->keys[k].used = true;
            sv_report(&c, IMP_UNNEEDED, s, NULL,
                      "corralctl talks to corral's own socket (corral.yaml socket:, "
                      "read_group:, admin_group:)");
        } else if (strncmp(s->name, "fcgi-program:", 13) == 0) {
            for (size_t k = 0; k < s->n; k++)
                s->keys[k].used = true;
            sv_report(&c, IMP_UNMAPPED, s, NULL,
                      "corral does not open sockets for its services; run the FastCGI server "
                      "with its own listening socket");
        } else if (strcmp(s->name, "include") == 0 || strncmp(s->name, "group:", 6) == 0 ||
                   strncmp(s->name, "program:", 8) == 0) {
            /* mapped above */
        } else {
            for (size_t k = 0; k < s->n; k++)
                s->keys[k].used = true;
            sv_report(&c, IMP_UNMAPPED, s, NULL, "not a section supervisord documents");
        }
        for (size_t k = 0; k < s->n; k++)
            if (!s->keys[k].used)
                sv_report(&c, IMP_UNMAPPED, s, &s->keys[k], "not a key supervisord documents here");
    }
    free(c.progs);
    imp_ini_free(&c.ini);
    return 0;
}
