/* imp_script.h - what a runit or s6 run script says in idioms corral has
 * keys for: `exec chpst -u USER ...`, `exec setuser USER ...`,
 * `s6-setuidgid USER`, `sv start DEP || exit 1`, `sv check DEP`,
 * `exec 2>&1`, `fdmove -c 2 1`, `with-contenv`, `cd DIR`. A script that
 * comes down to one command becomes that command; otherwise it keeps its
 * other lines (or runs as the file it is). */
#ifndef CORRAL_IMP_SCRIPT_H
#define CORRAL_IMP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "imp.h"

#define IMP_SCRIPT_MAX_ITEMS 64

struct imp_script_note {
    enum imp_kind kind;
    unsigned line;
    char *what;
    char *why;
};

struct imp_script_limit {
    const char *name; /* an rlimits: key */
    char *value;
};

struct imp_script {
    char **argv;   /* the one command it comes down to, or NULL */
    char *body;    /* else, when lines were recognised: the rest of it */
    char *interp;  /* the #! interpreter ("/bin/bash"), NULL for /bin/sh */
    bool execline; /* an execline script (#!.../execlineb) */
    bool changed;  /* some line or word was recognised */
    char *user, *group, *directory;
    char *deps[IMP_SCRIPT_MAX_ITEMS];
    size_t n_deps;
    struct imp_script_limit limits[IMP_SCRIPT_MAX_ITEMS];
    size_t n_limits;
    bool notify_check; /* s6-notifyoncheck: ready when data/check passes */
    /* chpst -u USER: USER's primary group alone, which imp_script_apply
     * writes as group: from the image's /etc/passwd; user_what and
     * user_line say where. */
    bool primary_group;
    char *user_what;
    unsigned user_line;
    /* The tool that looks user and group up by name ("chpst", "setuser",
     * "s6-setuidgid"), or NULL for numbers; a name that is digits alone
     * becomes, in imp_script_apply, the id of the entry so named
     * (user_named, group_named keep the names). */
    const char *by_name;
    char *user_named, *group_named;
    /* With why set: the user change (chpst -u, setuser, s6-setuidgid)
     * names no user or group, which the tool refuses at every start. */
    struct imp_script_note refused;
    struct imp_script_note notes[IMP_SCRIPT_MAX_ITEMS];
    size_t n_notes;
};

/* Reads a run script. Never fails: at worst nothing is recognised. */
void imp_script_parse(const char *text, struct imp_script *sc);
void imp_script_free(struct imp_script *sc);

/* Sets command: (and user, group, directory, rlimits) of s from a parsed
 * script at image path `path`, and reports its notes at path. Returns
 * false when the script's user change was refused (sc->refused): then s is
 * dropped (imp_drop, reported), not run as corral's own user, and the
 * caller forgets it. */
bool imp_script_apply(struct imp *m, struct imp_service *s, struct imp_script *sc,
                      const char *path);

#endif
