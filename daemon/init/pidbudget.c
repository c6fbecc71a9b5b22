/* pidbudget.c - finds corral's pids cgroup from /proc/self/cgroup and reads
 * its counters. Inside a container with its own cgroup namespace the path is
 * "/" and the mount is the container's own; without one the path names the
 * host's hierarchy, which the container sees mounted at the root, so the root
 * is tried second. Small file reads: called on fork failure and by status,
 * never on a timer. */
#include "pidbudget.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strjoin.h"

/* Reads a small /proc or cgroup file whole (up to len - 1 bytes) with plain
 * read(2), not stdio: fopen and fgets would map a stdio window of libc into
 * PID 1 for a few hundred bytes. Returns the length or -errno. */
static ssize_t pidbudget_slurp(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t have = 0;
    while (have < len - 1) {
        ssize_t n = read(fd, buf + have, len - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    buf[have] = '\0';
    return (ssize_t)have;
}

static int pidbudget_read_long(const char *dir, const char *file, long *out)
{
    char path[512], buf[64];
    if (strjoin(path, sizeof path, dir, "/", file, NULL) < 0)
        return -ENAMETOOLONG;
    ssize_t n = pidbudget_slurp(path, buf, sizeof buf);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return -EIO;
    if (strncmp(buf, "max", 3) == 0) {
        *out = -1;
        return 0;
    }
    *out = strtol(buf, NULL, 10);
    return 0;
}

int pidbudget_read_at(const char *dir, struct pidbudget *b)
{
    int rc = pidbudget_read_long(dir, "pids.current", &b->current);
    if (rc == 0)
        rc = pidbudget_read_long(dir, "pids.max", &b->max);
    return rc;
}

static int pidbudget_try(const char *mount, const char *rel, char *dir, size_t len)
{
    struct pidbudget b;
    if (strjoin(dir, len, mount, rel, NULL) < 0)
        return -ENAMETOOLONG;
    return pidbudget_read_at(dir, &b) == 0 ? 0 : -ENOENT;
}

/* A container without its own cgroup namespace sees the host's path in
 * /proc/self/cgroup ("/machine.slice/libpod-ab12/sub") while the mount shows
 * its own subtree at the mount point: the right directory is the longest
 * suffix of the path that exists under the mount ("/sub"), down to the
 * mount point itself. */
static int pidbudget_try_suffixes(const char *mount, const char *rel, char *dir, size_t len)
{
    for (const char *p = rel;;) {
        if (pidbudget_try(mount, p, dir, len) == 0)
            return 0;
        if (!*p)
            return -ENOENT;
        const char *next = strchr(p + 1, '/');
        p = next ? next : "";
    }
}

int pidbudget_locate(char *dir, size_t len)
{
    /* A few hundred bytes: one line per v1 hierarchy, or the one v2 line. */
    char text[8192], v1[512] = "", v2[512] = "";
    ssize_t n = pidbudget_slurp("/proc/self/cgroup", text, sizeof text);
    if (n < 0)
        return (int)n;
    for (char *line = text, *next; *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        const char *controllers = c1 + 1, *path = c2 + 1;
        if (*controllers == '\0')
            strjoin(v2, sizeof v2, strcmp(path, "/") == 0 ? "" : path, NULL);
        else if (strstr(controllers, "pids"))
            strjoin(v1, sizeof v1, strcmp(path, "/") == 0 ? "" : path, NULL);
    }
    if (pidbudget_try_suffixes("/sys/fs/cgroup/pids", v1, dir, len) == 0 ||
        pidbudget_try_suffixes("/sys/fs/cgroup", v2, dir, len) == 0)
        return 0;
    dir[0] = '\0';
    return -ENOENT;
}

int pidbudget_read(struct pidbudget *b)
{
    char dir[600];
    int rc = pidbudget_locate(dir, sizeof dir);
    return rc < 0 ? rc : pidbudget_read_at(dir, b);
}
