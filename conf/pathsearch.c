/* pathsearch.c - see pathsearch.h. */
#include "pathsearch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pathsearch_runnable(const void *arg, const char *path)
{
    struct stat st;
    (void)arg;
    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EACCES; /* what execve says of a directory */
    return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0 ? -errno : 0;
}

/* buf = the PATH entry dir (dlen bytes; empty means ".") + "/" + name.
 * Returns 0, or -1 when it does not fit. */
static int pathsearch_join(char *buf, size_t len, const char *dir, size_t dlen, const char *name)
{
    size_t n = strlen(name);
    if (dlen == 0) {
        dir = ".";
        dlen = 1;
    }
    if (dlen + 1 + n >= len)
        return -1;
    memcpy(buf, dir, dlen);
    buf[dlen] = '/';
    memcpy(buf + dlen + 1, name, n + 1);
    return 0;
}

static void pathsearch_copy(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (n >= len)
        n = len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

int pathsearch(const char *name, const char *path_env, pathsearch_try_cb try, const void *arg,
               char *buf, size_t len)
{
    const char *denied = NULL; /* the entry of the first candidate not runnable */
    size_t denied_len = 0;

    if (len == 0)
        return -ENOENT;
    if (!path_env || !*path_env)
        path_env = PATHSEARCH_DEFAULT;
    for (const char *p = path_env; p;) {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        if (pathsearch_join(buf, len, p, dlen, name) == 0) {
            int r = try(arg, buf);
            if (r == 0)
                return 0;
            if (r == -EACCES && !denied) {
                denied = p;
                denied_len = dlen;
            }
        }
        p = colon ? colon + 1 : NULL;
    }
    if (denied) {
        /* Named as the error will name it. */
        (void)pathsearch_join(buf, len, denied, denied_len, name);
        return -EACCES;
    }
    pathsearch_copy(buf, len, name);
    return -ENOENT;
}
