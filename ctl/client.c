/* client.c - finds the control socket, connects, writes the request and
 * reads newline-delimited replies. The only file of corralctl that touches
 * the network; it blocks, which is fine for a command-line client, but never
 * without a deadline unless asked to (wait without --timeout, events). */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "proto.h"

void client_init(struct client *c)
{
    *c = (struct client){.fd = -1};
}

void client_close(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    client_init(c);
}

/* Appends "path: reason" to c->why. */
static void client_note(struct client *c, const char *path, const char *reason)
{
    size_t used = strlen(c->why);
    snprintf(c->why + used, sizeof c->why - used, "%s%s: %s", used ? "; " : "", path, reason);
}

/* /tmp/corral-UID must be ours: in a world-writable /tmp, another user could
 * have made it and put a socket there to read our commands. */
static int client_check_private(struct client *c, const char *path, uid_t uid)
{
    char dir[SOCKPATH_MAX];
    char reason[SOCKPATH_MAX + 64];
    struct stat st;

    if (sockpath_private_dir(uid, dir, sizeof dir) < 0 || strncmp(path, dir, strlen(dir)) != 0)
        return 0;
    if (lstat(dir, &st) < 0)
        return -errno;
    if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 022)) {
        snprintf(reason, sizeof reason, "refused: %s is not a private directory of uid %lu", dir,
                 (unsigned long)uid);
        client_note(c, path, reason);
        return -EPERM;
    }
    return 0;
}

/* Connects to path, one of the places of corral's uid. Returns 0, or a
 * negative errno with a note in c->why. */
static int client_try(struct client *c, const char *path, uid_t uid)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = CTL_CONNECT_TIMEOUT_MS / 1000};
    socklen_t addr_len = sizeof addr;
    bool abstract = path[0] == '@';
    struct stat st;
    struct ucred cred;
    socklen_t cred_len = sizeof cred;
    int fd, rc;

    if (!abstract && stat(path, &st) < 0) {
        rc = -errno;
        client_note(c, path, strerror(-rc));
        return rc;
    }
    if (!abstract && !S_ISSOCK(st.st_mode)) {
        client_note(c, path, "not a socket");
        return -ENOTSOCK;
    }
    rc = abstract ? 0 : client_check_private(c, path, uid);
    if (rc < 0)
        return rc;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rc = -errno;
        client_note(c, path, strerror(-rc));
        return rc;
    }
    /* connect(2) on a Unix socket whose backlog is full blocks for up to
     * SO_SNDTIMEO (net/unix/af_unix.c, unix_stream_connect). */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    memcpy(addr.sun_path, path, strlen(path));
    if (abstract) {
        /* "@NAME": the abstract socket NAME, exactly strlen(path) bytes. */
        addr.sun_path[0] = '\0';
        addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
    }
    if (connect(fd, (struct sockaddr *)&addr, addr_len) < 0) {
        rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
        close(fd);
        client_note(c, path, strerror(-rc));
        return rc;
    }
    /* Anyone may bind an abstract name: only root's or corral's is corral. */
    if (abstract && (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0 ||
                     (cred.uid != 0 && cred.uid != uid))) {
        close(fd);
        client_note(c, path, "refused: not a socket of root or of this user");
        return -EPERM;
    }
    c->fd = fd;
    /* sockpath_candidates() returns paths shorter than SOCKPATH_MAX, the size
     * of both sun_path and c->path. */
    memcpy(c->path, path, strlen(path) + 1);
    c->why[0] = '\0';
    return 0;
}

/* The uid of the corral that is PID 1 of our PID namespace, or our own: a
 * `podman exec --user 0` into a container run as another user looks where
 * that user's corral listens (/tmp/corral-UID, @corral-UID). */
static uid_t client_pid1_uid(void)
{
    char buf[1024];
    unsigned long uid;
    int fd = open("/proc/1/comm", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0 || strncmp(buf, "corral\n", 7) != 0)
        return getuid();
    fd = open("/proc/1/status", O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return getuid();
    buf[n] = '\0';
    const char *u = strstr(buf, "\nUid:");
    return u && sscanf(u + 5, "%lu", &uid) == 1 ? (uid_t)uid : getuid();
}

int client_connect(struct client *c, const char *explicit_path)
{
    char paths[SOCKPATH_CANDIDATES][SOCKPATH_MAX], theirs[SOCKPATH_CANDIDATES][SOCKPATH_MAX];
    int rc = -ENOENT;
    int n = sockpath_candidates(explicit_path, getuid(), paths, SOCKPATH_CANDIDATES);

    c->why[0] = '\0';
    if (n < 0) {
        client_note(c, explicit_path && *explicit_path ? explicit_path : "$CORRAL_SOCKET",
                    strerror(-n));
        return n;
    }
    for (int i = 0; i < n; i++) {
        rc = client_try(c, paths[i], getuid());
        if (rc == 0)
            return 0;
    }
    /* The defaults failed: the places of PID 1's corral, if it runs as
     * another user. */
    uid_t uid = explicit_path && *explicit_path ? getuid() : client_pid1_uid();
    int m = uid != getuid() ? sockpath_candidates(NULL, uid, theirs, SOCKPATH_CANDIDATES) : 0;
    for (int i = 0; i < m; i++) {
        bool tried = false;
        for (int k = 0; k < n; k++)
            tried |= strcmp(theirs[i], paths[k]) == 0;
        if (!tried && (rc = client_try(c, theirs[i], uid)) == 0)
            return 0;
    }
    return rc;
}

int client_send(struct client *c, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int64_t client_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes room for at least 4 KiB more, dropping the lines already returned. */
static int client_grow(struct client *c)
{
    if (c->used > 0) {
        memmove(c->buf, c->buf + c->used, c->len - c->used);
        c->len -= c->used;
        c->used = 0;
    }
    if (c->cap - c->len >= 4096)
        return 0;
    if (c->cap >= (size_t)PROTO_REPLY_MAX + 4096)
        return -EMSGSIZE;
    size_t cap = c->cap ? c->cap * 2 : 16384;
    char *b = realloc(c->buf, cap);
    if (!b)
        return -ENOMEM;
    c->buf = b;
    c->cap = cap;
    return 0;
}

int client_read_line(struct client *c, int timeout_ms, char **line, size_t *len)
{
    int64_t deadline = timeout_ms < 0 ? -1 : client_now_ms() + timeout_ms;

    for (;;) {
        char *start = c->buf + c->used;
        char *nl = c->len > c->used ? memchr(start, '\n', c->len - c->used) : NULL;
        if (nl) {
            *line = start;
            *len = (size_t)(nl - start);
            c->used += *len + 1;
            return 0;
        }
        if (c->len - c->used > (size_t)PROTO_REPLY_MAX)
            return -EMSGSIZE;
        int rc = client_grow(c);
        if (rc < 0)
            return rc;

        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int wait_ms = -1;
        if (deadline >= 0) {
            int64_t left = deadline - client_now_ms();
            if (left <= 0)
                return -ETIMEDOUT;
            wait_ms = left > 1000000000 ? 1000000000 : (int)left;
        }
        rc = poll(&p, 1, wait_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return -errno;
        if (rc == 0)
            return -ETIMEDOUT;
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -ECONNRESET;
        c->len += (size_t)n;
    }
}
