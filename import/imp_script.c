/* imp_script.c - recognises the idioms of runit and s6 run scripts that
 * corral has keys for, so that a script which only sets a user, merges
 * stderr or waits for another service becomes a plain command. */
#include "imp_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_text.h"

static void note(struct imp_script *sc, enum imp_kind kind, unsigned line, const char *what,
                 const char *why)
{
    if (sc->n_notes >= IMP_SCRIPT_MAX_ITEMS)
        return;
    struct imp_script_note *n = &sc->notes[sc->n_notes++];
    n->kind = kind;
    n->line = line;
    n->what = imp_xstrdup(what);
    n->why = imp_xstrdup(why);
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = imp_xstrdup(v);
}

static void add_limit(struct imp_script *sc, const char *name, const char *v)
{
    if (sc->n_limits < IMP_SCRIPT_MAX_ITEMS) {
        sc->limits[sc->n_limits].name = name;
        sc->limits[sc->n_limits++].value = imp_xstrdup(v);
    }
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void refuse(struct imp_script *sc, unsigned line, const char *what, const char *why)
{
    if (sc->refused.why)
        return;
    sc->refused.kind = IMP_UNMAPPED;
    sc->refused.line = line;
    sc->refused.what = imp_xstrdup(what);
    sc->refused.why = imp_xstrdup(why);
}

/* The user change names user and group (NULL: none), both taken: by
 * numbers, or by names the caller then marks (sc->by_name). */
static void set_ids(struct imp_script *sc, char *user, char *group)
{
    sc->by_name = NULL;
    sc->primary_group = false;
    free(sc->user);
    sc->user = user;
    free(sc->group);
    sc->group = group;
}

/* The groups past the first that tool lists (rest, ':'-separated), which
 * corral, given group:, does not set. */
static void note_extra_groups(struct imp_script *sc, const char *tool, const char *rest,
                              unsigned line, const char *what)
{
    char why[256];
    snprintf(why, sizeof why,
             "%s sets every group it lists; corral, given group:, sets that group alone: %s are "
             "not set",
             tool, rest);
    note(sc, IMP_CHANGED, line, what, why);
}

/* chpst -u :UID:GID[:GID...] as runit's uidgids_set reads it: each field
 * is scanned as a number, an empty one as 0 (`:0:` is uid 0, gid 0); a
 * uid not followed by ':', or anything but further `:GID` fields after the
 * gid, is refused ("invalid uid/gids"). */
static void set_numeric_user(struct imp_script *sc, const char *spec, const char *what,
                             unsigned line)
{
    const char *p = spec + 1;
    size_t n = strspn(p, "0123456789");
    if (p[n] != ':' || p[n + 1 + strspn(p + n + 1, "0123456789:")]) {
        refuse(sc, line, what,
               "chpst -u :UID:GID takes numbers, a uid then ':' and gids separated by ':', and "
               "refuses anything else at every start (\"invalid uid/gids\"), so the program "
               "never ran");
        return;
    }
    const char *g = p + n + 1;
    size_t gn = strspn(g, "0123456789");
    set_ids(sc, n ? imp_xstrndup(p, n) : imp_xstrdup("0"),
            gn ? imp_xstrndup(g, gn) : imp_xstrdup("0"));
    if (!n || !gn) {
        char why[256];
        snprintf(why, sizeof why,
                 "chpst scans an empty number as 0: it runs the program as uid %s, gid %s, and "
                 "so does corral",
                 sc->user, sc->group);
        note(sc, IMP_CHANGED, line, what, why);
    }
    if (g[gn] == ':')
        note_extra_groups(sc, "chpst", g + gn + 1, line, what);
}

/* The user change of `tool SPEC`: setuser's USER, s6-setuidgid's USER or
 * UID:GID, chpst -u's USER[:GROUP[:GROUP]...] or :UID:GID[:GID...]
 * (runit's chpst(8)), into user and group. An empty name names no user or
 * group: the tool refuses it at every start (chpst: "unknown user/group";
 * setuser and s6-setuidgid: unknown user), so the program never ran, and
 * sc->refused says so; so does setuser's USER with a ':', which it looks
 * up as one name, and s6-setuidgid's UID:GID unless it is two whole
 * numbers (s6-applyuidgid -u UID -g GID). s6-setuidgid '' runs the
 * program unchanged (s6 2.11.2.0). A USER or GROUP is looked up by name
 * (sc->by_name): imp_script_apply resolves one of digits alone, which
 * corral would read as an id, against the image's account files. Without
 * a group, chpst sets the user's primary group alone
 * (sc->primary_group), setuser and s6-setuidgid its groups from
 * /etc/group too, as corral does; chpst sets every group it lists, where
 * corral, given group:, sets that one alone: past the first, they are
 * reported. */
static void set_user(struct imp_script *sc, const char *tool, const char *spec, unsigned line)
{
    bool chpst = strcmp(tool, "chpst -u") == 0;
    char what[160];
    snprintf(what, sizeof what, "%s %s", tool, spec[0] ? spec : "''");
    if (chpst && spec[0] == ':') {
        set_numeric_user(sc, spec, what, line);
        return;
    }
    if (!spec[0] && strcmp(tool, "s6-setuidgid") == 0) {
        note(sc, IMP_UNNEEDED, line, what,
             "s6-setuidgid with an empty user runs the program unchanged (s6 2.11.2.0 and "
             "later; earlier ones refuse it): no user change");
        return;
    }
    if (strcmp(tool, "setuser") == 0 && strchr(spec, ':')) {
        refuse(sc, line, what,
               "setuser looks the whole of it up as one user name, which no user has (a name "
               "holds no ':'), and aborts at every start, so the program never ran");
        return;
    }
    bool s6 = strcmp(tool, "s6-setuidgid") == 0;
    if (s6 && strchr(spec, ':')) {
        /* s6-applyuidgid -u UID -g GID: whole numbers, one each. */
        const char *c = strchr(spec, ':');
        size_t un = strspn(spec, "0123456789"), gn = strspn(c + 1, "0123456789");
        if (un == 0 || spec + un != c || gn == 0 || c[1 + gn]) {
            refuse(sc, line, what,
                   "s6-setuidgid UID:GID passes UID and GID to s6-applyuidgid, which takes "
                   "whole numbers only and refuses it at every start, so the program never ran");
            return;
        }
        set_ids(sc, imp_xstrndup(spec, un), imp_xstrdup(c + 1));
        return;
    }
    const char *p = spec;
    size_t n = strcspn(p, ":");
    const char *g = p[n] ? p + n + 1 : NULL;
    size_t gn = g ? strcspn(g, ":") : 0;
    bool empty = n == 0;
    for (const char *q = g; q;) {
        size_t k = strcspn(q, ":");
        empty |= k == 0;
        q = q[k] ? q + k + 1 : NULL;
    }
    if (empty) {
        char why[160];
        snprintf(why, sizeof why,
                 "an empty %s names none: %s refuses it at every start, so the program never ran",
                 n == 0 ? "user" : "group", tool);
        refuse(sc, line, what, why);
        return;
    }
    set_ids(sc, imp_xstrndup(p, n), gn ? imp_xstrndup(g, gn) : NULL);
    sc->primary_group = chpst && !g;
    sc->by_name = chpst ? "chpst" : s6 ? "s6-setuidgid" : "setuser";
    free(sc->user_what);
    sc->user_what = imp_xstrdup(what);
    sc->user_line = line;
    if (g && g[gn])
        note_extra_groups(sc, tool, g + gn + 1, line, what);
}

/* chpst's options (runit's chpst(8)); returns the index of the program. */
static size_t chpst(struct imp_script *sc, char **w, size_t i, unsigned line)
{
    static const struct {
        char opt;
        const char *limit;
    } limits[] = {{'o', "nofile"}, {'p', "nproc"}, {'f', "fsize"}, {'c', "core"},
                  {'d', "data"},   {'r', "rss"},   {'t', "cpu"}};
    for (i++; w[i] && w[i][0] == '-' && w[i][1]; i++) {
        char o = w[i][1];
        const char *arg = w[i][2] ? w[i] + 2 : NULL;
        bool takes = strchr("uUenlLmdofpcrtb/", o) != NULL;
        if (takes && !arg) {
            if (!w[i + 1])
                return i;
            arg = w[++i];
        }
        char what[128];
        snprintf(what, sizeof what, "chpst -%c%s%s", o, arg ? " " : "", arg ? arg : "");
        if (o == 'u') {
            set_user(sc, "chpst -u", arg, line);
        } else if (o == 'm') {
            add_limit(sc, "data", arg);
            add_limit(sc, "stack", arg);
            add_limit(sc, "memlock", arg);
            add_limit(sc, "as", arg);
        } else if (o == 'v' || o == 'P') {
            note(sc, IMP_UNNEEDED, line, what,
                 o == 'P' ? "corral starts every service in a process group of its own"
                          : "nothing to say");
        } else {
            bool done = false;
            for (size_t k = 0; k < sizeof limits / sizeof *limits; k++)
                if (limits[k].opt == o) {
                    add_limit(sc, limits[k].limit, arg);
                    done = true;
                }
            if (!done)
                note(sc, IMP_UNMAPPED, line, what,
                     o == 'e'   ? "corral reads KEY=VALUE lines (env_file), not an envdir"
                     : o == 'U' ? "corral does not set $UID and $GID"
                                : "corral has no key for this chpst option");
        }
    }
    return i;
}

/* The programs that only change how the next one runs: chpst, setuser,
 * s6-setuidgid, with-contenv, fdmove -c 2 1, cd, s6-notifyoncheck.
 * Returns the index of the program that does the work. */
static size_t chain(struct imp_script *sc, char **w, unsigned line, bool execline)
{
    size_t i = 0;
    while (w[i]) {
        const char *b = base(w[i]);
        if (strcmp(b, "chpst") == 0) {
            i = chpst(sc, w, i, line);
        } else if ((strcmp(b, "setuser") == 0 || strcmp(b, "s6-setuidgid") == 0) && w[i + 1]) {
            set_user(sc, b, w[i + 1], line);
            i += 2;
        } else if (strcmp(b, "with-contenv") == 0) {
            note(sc, IMP_UNNEEDED, line, "with-contenv",
                 "corral's services get the container's environment");
            i++;
        } else if (strcmp(b, "fdmove") == 0 && w[i + 1] && strcmp(w[i + 1], "-c") == 0 &&
                   w[i + 2] && w[i + 3] && strcmp(w[i + 2], "2") == 0 &&
                   strcmp(w[i + 3], "1") == 0) {
            note(sc, IMP_UNNEEDED, line, "fdmove -c 2 1",
                 "corral keeps a service's stdout and stderr in the same sinks");
            i += 4;
        } else if (execline && strcmp(b, "cd") == 0 && w[i + 1]) {
            set_str(&sc->directory, w[i + 1]);
            i += 2;
        } else if (execline && strcmp(b, "exec") == 0) {
            i++;
        } else if (strcmp(b, "s6-notifyoncheck") == 0) {
            sc->notify_check = true;
            for (i++; w[i] && w[i][0] == '-'; i++)
                if (strchr("dsTtwnc3", w[i][1]) && !w[i][2] && strchr("sTtwnc3", w[i][1]))
                    i++; /* options with a value */
        } else {
            break;
        }
    }
    return i;
}

static bool sv_line(struct imp_script *sc, char **w, const char *text, unsigned line)
{
    const char *b = w[0] ? base(w[0]) : "";
    if (strcmp(b, "sv") != 0)
        return false;
    size_t i = 1;
    while (w[i] && w[i][0] == '-') {
        if (strcmp(w[i], "-w") == 0 && w[i + 1])
            i++;
        i++;
    }
    if (!w[i] || (strcmp(w[i], "start") != 0 && strcmp(w[i], "check") != 0 &&
                  strcmp(w[i], "up") != 0 && strcmp(w[i], "u") != 0))
        return false;
    size_t first = ++i;
    while (w[i] && strcmp(w[i], "||") != 0 && w[i][0] != '>' && strncmp(w[i], "2>", 2) != 0)
        i++;
    size_t last = i;
    while (w[i] && strcmp(w[i], "||") != 0)
        i++;
    if (!w[i] || !w[i + 1] || strcmp(w[i + 1], "exit") != 0 || last == first)
        return false;
    for (size_t k = first; k < last && sc->n_deps < IMP_SCRIPT_MAX_ITEMS; k++)
        sc->deps[sc->n_deps++] = imp_xstrdup(base(w[k]));
    note(sc, IMP_CHANGED, line, text,
         "became depends_on (condition: ready): the service starts once the other is up");
    return true;
}

static void parse_execline(const char *text, struct imp_script *sc)
{
    /* Comments out, then one chain of words: with { blocks } or
     * substitutions it stays the script it is. */
    char *flat = imp_xstrdup("");
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *l = imp_trim(imp_xstrndup(p, len));
        if (l[0] && l[0] != '#') {
            char *x = imp_xasprintf("%s %s", flat, l);
            free(flat);
            flat = x;
        }
        free(l);
        p += len + (nl ? 1 : 0);
    }
    char **w = imp_words(flat, NULL);
    free(flat);
    bool simple = w && w[0];
    for (size_t i = 0; simple && w[i]; i++)
        if (strcmp(w[i], "{") == 0 || strcmp(w[i], "}") == 0 || strchr(w[i], '$') ||
            strcmp(w[i], "importas") == 0 || strcmp(w[i], "backtick") == 0 ||
            strcmp(w[i], "foreground") == 0 || strcmp(w[i], "if") == 0)
            simple = false;
    if (simple) {
        size_t i = chain(sc, w, 2, true);
        if (w[i]) {
            size_t n = imp_strv_len(w + i);
            sc->argv = imp_xcalloc(n + 1, sizeof *sc->argv);
            for (size_t k = 0; k < n; k++)
                sc->argv[k] = imp_xstrdup(w[i + k]);
            sc->changed = true;
        }
    }
    if (!sc->argv) {
        /* Nothing may be taken out of a script that stays one. */
        for (size_t i = 0; i < sc->n_notes; i++) {
            free(sc->notes[i].what);
            free(sc->notes[i].why);
        }
        sc->n_notes = 0;
        free(sc->user);
        free(sc->group);
        free(sc->directory);
        sc->user = sc->group = sc->directory = NULL;
        for (size_t i = 0; i < sc->n_limits; i++)
            free(sc->limits[i].value);
        sc->n_limits = 0;
        sc->notify_check = false;
        free(sc->refused.what);
        free(sc->refused.why);
        memset(&sc->refused, 0, sizeof sc->refused);
    }
    imp_strv_free(w);
}

void imp_script_parse(const char *text, struct imp_script *sc)
{
    memset(sc, 0, sizeof *sc);
    const char *body = text;
    if (strncmp(text, "#!", 2) == 0) {
        const char *nl = strchr(text, '\n');
        char *she = imp_xstrndup(text + 2, nl ? (size_t)(nl - text - 2) : strlen(text + 2));
        char **w = imp_words(she, NULL);
        size_t i = 0;
        if (w && w[0] && strcmp(base(w[0]), "with-contenv") == 0) {
            note(sc, IMP_UNNEEDED, 1, "with-contenv",
                 "corral's services get the container's environment");
            sc->changed = true;
            i = 1;
        }
        if (w && w[i] && strcmp(base(w[i]), "env") == 0 && w[i + 1])
            i++;
        if (w && w[i]) {
            if (strcmp(base(w[i]), "execlineb") == 0)
                sc->execline = true;
            else if (strcmp(w[i], "/bin/sh") != 0 && strcmp(base(w[i]), "sh") != 0)
                sc->interp = w[i][0] == '/' ? imp_xstrdup(w[i]) : imp_xasprintf("/bin/%s", w[i]);
        }
        imp_strv_free(w);
        free(she);
        body = nl ? nl + 1 : "";
    }
    if (sc->execline) {
        parse_execline(body, sc);
        return;
    }
    unsigned line = body == text ? 0 : 1;
    char *kept = imp_xstrdup("");
    char *sig[2] = {NULL, NULL}; /* the first two significant lines kept */
    size_t n_sig = 0;
    for (const char *p = body; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *raw = imp_xstrndup(p, len);
        p += len + (nl ? 1 : 0);
        line++;
        char *t = imp_trim(imp_xstrdup(raw));
        bool drop = false;
        if (t[0] && t[0] != '#') {
            if (strcmp(t, "exec 2>&1") == 0) {
                note(sc, IMP_UNNEEDED, line, "exec 2>&1",
                     "corral keeps a service's stdout and stderr in the same sinks");
                drop = true;
            } else {
                char **w = imp_words(t, NULL);
                drop = w && sv_line(sc, w, t, line);
                imp_strv_free(w);
            }
            if (!drop) {
                if (n_sig < 2)
                    sig[n_sig] = imp_xstrdup(t);
                n_sig++;
            }
        }
        if (drop) {
            sc->changed = true;
        } else {
            char *x = imp_xasprintf("%s%s\n", kept, raw);
            free(kept);
            kept = x;
        }
        free(t);
        free(raw);
    }
    /* Down to `[cd DIR] exec CMD` without shell syntax: a plain command. */
    const char *exec_line = n_sig == 1 ? sig[0] : n_sig == 2 ? sig[1] : NULL;
    char **cdw = n_sig == 2 ? imp_words(sig[0], NULL) : NULL;
    bool cd_ok = n_sig == 1 || (cdw && cdw[0] && strcmp(cdw[0], "cd") == 0 && cdw[1] &&
                                cdw[1][0] == '/' && !cdw[2]);
    bool meta = true;
    char **w = exec_line && cd_ok && strncmp(exec_line, "exec ", 5) == 0
                   ? imp_words(exec_line + 5, &meta)
                   : NULL;
    if (w && !meta && w[0]) {
        size_t i = chain(sc, w, line, false);
        if (w[i]) {
            size_t n = imp_strv_len(w + i);
            sc->argv = imp_xcalloc(n + 1, sizeof *sc->argv);
            for (size_t k = 0; k < n; k++)
                sc->argv[k] = imp_xstrdup(w[i + k]);
            if (n_sig == 2)
                sc->directory = imp_xstrdup(cdw[1]);
            sc->changed = true;
        }
    }
    imp_strv_free(w);
    imp_strv_free(cdw);
    free(sig[0]);
    free(sig[1]);
    if (!sc->argv && sc->changed)
        sc->body = kept;
    else
        free(kept);
}

void imp_script_free(struct imp_script *sc)
{
    imp_strv_free(sc->argv);
    free(sc->body);
    free(sc->interp);
    free(sc->user);
    free(sc->group);
    free(sc->directory);
    for (size_t i = 0; i < sc->n_deps; i++)
        free(sc->deps[i]);
    for (size_t i = 0; i < sc->n_limits; i++)
        free(sc->limits[i].value);
    for (size_t i = 0; i < sc->n_notes; i++) {
        free(sc->notes[i].what);
        free(sc->notes[i].why);
    }
    free(sc->refused.what);
    free(sc->refused.why);
    free(sc->user_what);
    free(sc->user_named);
    free(sc->group_named);
    memset(sc, 0, sizeof *sc);
}

static bool digits(const char *s)
{
    return s[0] && !s[strspn(s, "0123456789")];
}

/* A name of USER[:GROUP] that is digits alone, which the tool looks up by
 * name (getpwnam, getgrnam) where corral would read it as a uid or gid:
 * replaced by the id of the entry so named in the image's account file
 * (file, "user" or "group"), or the user change refused when there is no
 * such entry or the file cannot be read. */
static void by_name(struct imp *m, struct imp_script *sc, char **name, const char *file,
                    const char *kind)
{
    if (!*name || !digits(*name))
        return;
    char id[32], why[512];
    int r = imp_db_get(m, file, 0, *name, 2, id, sizeof id);
    const char *use = strcmp(sc->by_name, "chpst") == 0          ? "; use -u :UID:GID"
                      : strcmp(sc->by_name, "s6-setuidgid") == 0 ? "; use UID:GID"
                                                                 : "";
    if (r < 0)
        snprintf(why, sizeof why,
                 "%s looks the %s up by name, and %s cannot be read under the root to say "
                 "whether a %s is named %s (corral would read %s as a number)%s",
                 sc->by_name, kind, file, kind, *name, *name, use);
    else if (r == 0)
        snprintf(why, sizeof why,
                 "%s looks the %s up by name and there is no %s named %s in %s: it never "
                 "started%s",
                 sc->by_name, kind, kind, *name, file, use);
    if (r <= 0) {
        refuse(sc, sc->user_line, sc->user_what, why);
        return;
    }
    if (name == &sc->user)
        sc->user_named = imp_xstrdup(*name);
    else
        sc->group_named = imp_xstrdup(*name);
    free(*name);
    *name = imp_xstrdup(id);
}

/* chpst -u USER sets USER's primary group alone, where corral, given no
 * group:, also sets the groups /etc/group lists USER in: group: is the
 * primary gid of the image's /etc/passwd. Where USER is not in it, chpst
 * refuses the user at every start; where the file cannot be read, the
 * difference is reported. */
static void primary_group(struct imp *m, struct imp_script *sc, const char *path)
{
    char gid[32];
    const char *name = sc->user_named ? sc->user_named : sc->user;
    int r = imp_db_get(m, "/etc/passwd", 0, name, 3, gid, sizeof gid);
    if (r > 0) {
        sc->group = imp_xstrdup(gid);
        return;
    }
    if (r == 0) {
        char why[256];
        snprintf(why, sizeof why,
                 "chpst looks the user up by name and there is no user named %s in /etc/passwd: "
                 "it never started",
                 name);
        refuse(sc, sc->user_line, sc->user_what, why);
        return;
    }
    sc->primary_group = false;
    char *where = imp_xasprintf("%s:%u", path, sc->user_line);
    imp_report(m, IMP_CHANGED, where, sc->user_what,
               "chpst -u %s sets %s's primary group alone; corral, given no group:, also gives "
               "it the groups /etc/group lists it in, and /etc/passwd (under the root) does not "
               "say %s's primary group, so group: is not written: set group: to it",
               name, name, name);
    free(where);
}

bool imp_script_apply(struct imp *m, struct imp_service *s, struct imp_script *sc, const char *path)
{
    struct imp_iv *map = s->map;
    if (!sc->refused.why && sc->user && sc->by_name) {
        by_name(m, sc, &sc->user, "/etc/passwd", "user");
        if (!sc->refused.why)
            by_name(m, sc, &sc->group, "/etc/group", "group");
        if (!sc->refused.why && !sc->group && sc->primary_group)
            primary_group(m, sc, path);
    }
    if (sc->refused.why) {
        char *where = imp_xasprintf("%s:%u", path, sc->refused.line);
        imp_report(m, IMP_UNMAPPED, where, sc->refused.what,
                   "%s; %s is left out rather than run as corral's own user (root in most "
                   "containers): name a user and group of the image",
                   sc->refused.why, s->name);
        free(where);
        imp_drop(m, s->name);
        return false;
    }
    if (sc->argv) {
        imp_iv_note(imp_command_list(map, sc->argv, true), "%s", path);
    } else if (sc->body) {
        char *esc = imp_escape_vars(sc->body);
        struct imp_iv *e;
        if (!sc->interp) {
            e = imp_iv_set(map, "command", esc, false);
        } else {
            e = imp_iv_child(map, "command", IMP_IV_LIST);
            imp_iv_push(e, sc->interp, false);
            imp_iv_push(e, "-c", false);
            imp_iv_push(e, esc, false);
        }
        imp_iv_note(e, "%s, without the lines corral does itself", path);
        free(esc);
        static const char *const tools[] = {"chpst", "setuser", "s6-setuidgid"};
        for (size_t i = 0; i < 3; i++)
            if (strstr(sc->body, tools[i])) {
                char *where = imp_xasprintf("%s", path);
                imp_report(m, IMP_CHANGED, where, tools[i],
                           "the script does more than start one program, so it still runs %s: "
                           "keep it in the image, or move the other lines to a oneshot and set "
                           "user:",
                           tools[i]);
                free(where);
            }
    } else {
        struct imp_iv *c = imp_iv_child(map, "command", IMP_IV_LIST);
        imp_iv_push(c, path, false);
        imp_iv_note(c, "the script itself");
    }
    if (sc->user && sc->user_named)
        imp_iv_note(imp_iv_set(map, "user", sc->user, false), "the user named %s (/etc/passwd), %s",
                    sc->user_named, path);
    else if (sc->user)
        imp_iv_note(imp_iv_set(map, "user", sc->user, false), "%s", path);
    if (sc->group && sc->group_named)
        imp_iv_note(imp_iv_set(map, "group", sc->group, false), "the group named %s (/etc/group)",
                    sc->group_named);
    else if (sc->group && sc->primary_group)
        imp_iv_note(imp_iv_set(map, "group", sc->group, false),
                    "%s's primary group (/etc/passwd): the run script sets no other",
                    sc->user_named ? sc->user_named : sc->user);
    else if (sc->group)
        imp_iv_set(map, "group", sc->group, false);
    if (sc->directory)
        imp_iv_set(map, "directory", sc->directory, false);
    if (sc->n_limits) {
        struct imp_iv *rl = imp_iv_child(map, "rlimits", IMP_IV_MAP);
        for (size_t i = 0; i < sc->n_limits; i++)
            imp_iv_set(rl, sc->limits[i].name, sc->limits[i].value, true);
        imp_iv_note(rl, "chpst, %s", path);
    }
    for (size_t i = 0; i < sc->n_notes; i++) {
        char *where = imp_xasprintf("%s:%u", path, sc->notes[i].line);
        imp_report(m, sc->notes[i].kind, where, sc->notes[i].what, "%s", sc->notes[i].why);
        free(where);
    }
    return true;
}
