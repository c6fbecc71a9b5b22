/* sockpath.h - where the control socket is: the candidate paths, in order,
 * shared by the daemon (which listens on the first it can use) and corralctl
 * (which connects to the first that exists as a socket). A candidate that
 * starts with '@' names a Linux abstract socket (the '@' stands for the
 * leading NUL of sun_path, as in $NOTIFY_SOCKET). Pure: the environment
 * comes through a lookup hook (or getenv). */
#ifndef CORRAL_SOCKPATH_H
#define CORRAL_SOCKPATH_H

#include <sys/types.h>

#define SOCKPATH_MAX        108 /* sizeof(((struct sockaddr_un *)0)->sun_path) */
#define SOCKPATH_CANDIDATES 4   /* most candidates ever returned */
#define SOCKPATH_RUN        "/run/corral/corral.sock"
#define SOCKPATH_NAME       "corral.sock"

/* Returns the value of an environment variable, or NULL when it is unset. */
typedef const char *(*sockpath_lookup_fn)(void *arg, const char *name);

/* Fills out[0..] with the candidates, in order:
 *   1. explicit_path (--socket), when not NULL or empty: the only one;
 *   2. $CORRAL_SOCKET, when set and not empty: the only one;
 *   3. /run/corral/corral.sock;
 *   4. $XDG_RUNTIME_DIR/corral.sock, when XDG_RUNTIME_DIR is an absolute path;
 *   5. /tmp/corral-UID/corral.sock (the directory must be 0700 and owned by
 *      uid: checking that is the caller's job);
 *   6. @corral-UID, an abstract socket: the last resort of a corral that
 *      could use none of 3-5 (anyone in its network namespace can bind or
 *      connect to the name: the caller checks the peer).
 * A path of 3-5 that does not fit in SOCKPATH_MAX bytes is skipped. Returns
 * the number of paths written (at most max), or -ENAMETOOLONG when the path
 * of 1 or 2 does not fit, or -EINVAL when max < 1. */
int sockpath_candidates_env(const char *explicit_path, uid_t uid, char out[][SOCKPATH_MAX], int max,
                            sockpath_lookup_fn lookup, void *arg);

/* sockpath_candidates_env() with getenv(3). */
int sockpath_candidates(const char *explicit_path, uid_t uid, char out[][SOCKPATH_MAX], int max);

/* Writes into buf the directory of candidate 5 for uid ("/tmp/corral-1000").
 * Returns 0, or -ENAMETOOLONG. */
int sockpath_private_dir(uid_t uid, char *buf, size_t len);

/* Writes into buf candidate 6 for uid ("@corral-1000"). Returns 0, or
 * -ENAMETOOLONG. */
int sockpath_abstract(uid_t uid, char *buf, size_t len);

#endif
