/* locate.h - which control socket corralctl connects to: --socket, else
 * $CORRAL_SOCKET, else the `socket:` key of corral.yaml (read through conf/,
 * as corral reads it), else the default candidates of sockpath.h. Reads one
 * file at most; never connects. */
#ifndef CORRAL_LOCATE_H
#define CORRAL_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* corral's own default (daemon/lifecycle/config.c), so that both read the same file. */
#define LOCATE_DEFAULT_CONFIG "/etc/corral/corral.yaml"

struct locate {
    char *path;         /* the only socket to try; NULL: the default candidates. Owned. */
    const char *origin; /* where path came from ("--socket", "$CORRAL_SOCKET", the file) */
    char note[512];     /* why corral.yaml gave no socket although it exists, or "" */
};

/* Decides where to connect. opt_socket is --socket (NULL or "" when not
 * given); config_path the corral.yaml to read when neither --socket nor
 * $CORRAL_SOCKET is set, named on the command line when config_explicit.
 * env supplies $CORRAL_SOCKET and the ${VAR} values of the file (NULL: the
 * real environment). A missing file that was not named explicitly is fine;
 * one that is unreadable or invalid leaves a note in l->note and l->path
 * NULL. Returns 0; -EINVAL when the file was named explicitly and cannot be
 * read or is invalid, with the reason in why; or -ENOMEM. Close l with
 * locate_close, whatever the result; l->origin may point into config_path. */
int locate_socket(const char *opt_socket, const char *config_path, bool config_explicit,
                  const struct conf_env *env, struct locate *l, char *why, size_t why_len);

void locate_close(struct locate *l);

#endif
