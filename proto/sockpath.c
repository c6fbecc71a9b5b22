/* sockpath.c - the control socket's candidate paths, in the order of
 * docs/protocol.md "Where the socket is": --socket, $CORRAL_SOCKET, /run/corral,
 * $XDG_RUNTIME_DIR, /tmp/corral-UID, @corral-UID. Builds strings only;
 * whoever listens or connects checks the file system and the peer. */
#include "sockpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strjoin.h"

static const char *sockpath_getenv(void *arg, const char *name)
{
    (void)arg;
    return getenv(name);
}

/* Copies the formatted path into slot; returns 0 or -ENAMETOOLONG. */
static int sockpath_put(char *slot, const char *dir, const char *name)
{
    int n = name ? strjoin(slot, SOCKPATH_MAX, dir, "/", name, NULL)
                 : strjoin(slot, SOCKPATH_MAX, dir, NULL);
    return n < 0 ? n : 0;
}

int sockpath_private_dir(uid_t uid, char *buf, size_t len)
{
    char num[STRJOIN_ULONG_MAX];
    int n = strjoin(buf, len, "/tmp/corral-", strjoin_ulong(num, uid), NULL);
    return n < 0 ? n : 0;
}

int sockpath_abstract(uid_t uid, char *buf, size_t len)
{
    char num[STRJOIN_ULONG_MAX];
    int n = strjoin(buf, len, "@corral-", strjoin_ulong(num, uid), NULL);
    return n < 0 ? n : 0;
}

int sockpath_candidates_env(const char *explicit_path, uid_t uid, char out[][SOCKPATH_MAX], int max,
                            sockpath_lookup_fn lookup, void *arg)
{
    char dir[SOCKPATH_MAX];
    const char *env;
    int n = 0;

    if (max < 1)
        return -EINVAL;
    if (!lookup)
        lookup = sockpath_getenv;
    if (explicit_path && *explicit_path)
        return sockpath_put(out[0], explicit_path, NULL) < 0 ? -ENAMETOOLONG : 1;
    env = lookup(arg, "CORRAL_SOCKET");
    if (env && *env)
        return sockpath_put(out[0], env, NULL) < 0 ? -ENAMETOOLONG : 1;

    if (sockpath_put(out[n], SOCKPATH_RUN, NULL) == 0)
        n++;
    /* A relative XDG_RUNTIME_DIR is invalid and must be ignored (XDG Base
     * Directory Specification, "Referencing this specification"). */
    env = lookup(arg, "XDG_RUNTIME_DIR");
    if (n < max && env && env[0] == '/' && sockpath_put(out[n], env, SOCKPATH_NAME) == 0)
        n++;
    if (n < max && sockpath_private_dir(uid, dir, sizeof dir) == 0 &&
        sockpath_put(out[n], dir, SOCKPATH_NAME) == 0)
        n++;
    if (n < max && sockpath_abstract(uid, out[n], SOCKPATH_MAX) == 0)
        n++;
    return n;
}

int sockpath_candidates(const char *explicit_path, uid_t uid, char out[][SOCKPATH_MAX], int max)
{
    return sockpath_candidates_env(explicit_path, uid, out, max, NULL, NULL);
}
