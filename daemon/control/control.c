/* control.c - the control socket's server side: where it lives, who may
 * connect and run what, reading bounded request lines, and passing on what
 * the supervisor tells (state changes, records going away) to every
 * client. A connection's replies and streams are control_client.c's; what
 * each request does is control_cmd.c's. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounds.h"
#include "clock.h"
#include "control_client.h"
#include "control_cmd.h"
#include "control_query.h"
#include "log.h"

/* ---- the socket file --------------------------------------------------- */

/* Makes the directory of path: /run/corral 0755, /tmp/corral-UID 0700 and
 * ours (a directory there owned by someone else is refused: they could
 * swap our socket). */
static int control_make_dir(const char *path, uid_t uid)
{
    char dir[SOCKPATH_MAX], priv[SOCKPATH_MAX];
    struct stat st;

    if (strlen(path) >= sizeof dir)
        return -ENAMETOOLONG;
    memcpy(dir, path, strlen(path) + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    bool is_private = sockpath_private_dir(uid, priv, sizeof priv) == 0 && !strcmp(dir, priv);
    if (mkdir(dir, is_private ? 0700 : 0755) < 0 && errno != EEXIST)
        return -errno;
    if (is_private && (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid))
        return -EPERM;
    return 0;
}

/* True when a corral answers on path (a live socket is never taken over). */
static bool control_is_live(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    if (strlen(path) >= sizeof a.sun_path) {
        close(fd);
        return false;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    bool live = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return live;
}

static void control_on_connect(uv_stream_t *server, int status);

static int control_try(struct control *ctl, const char *path)
{
    struct stat st;
    int rc = control_make_dir(path, ctl->self_uid);
    if (rc < 0)
        return rc;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return -EEXIST;
        if (control_is_live(path))
            return -EADDRINUSE;
        /* A socket nobody answers on: left by a corral that was killed. */
        if (unlink(path) < 0)
            return -errno;
        log_info("replaced the stale control socket %s", path);
    }
    rc = uv_pipe_bind(&ctl->server, path);
    if (rc < 0)
        return rc;
    /* Other users can connect only when groups are configured; their
     * commands are then checked one by one (SO_PEERCRED). */
    mode_t mode = ctl->has_read_gid || ctl->has_admin_gid ? 0666 : 0600;
    if (chmod(path, mode) < 0)
        return -errno;
    memcpy(ctl->path, path, strlen(path) + 1); /* fits: it was bound */
    return uv_listen((uv_stream_t *)&ctl->server, CONTROL_BACKLOG, control_on_connect);
}

void control_set_groups(struct control *ctl, const struct conf_global *g)
{
    ctl->has_read_gid = g->read_group != NULL;
    ctl->read_gid = g->read_gid;
    ctl->has_admin_gid = g->admin_group != NULL;
    ctl->admin_gid = g->admin_gid;
    /* Who may connect at all follows (each command is still checked), on
     * the socket corral bound: never through whatever replaced it. */
    struct stat st;
    if (ctl->listening && lstat(ctl->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        chmod(ctl->path, ctl->has_read_gid || ctl->has_admin_gid ? 0666 : 0600) < 0)
        log_warn("control socket %s: chmod: %s", ctl->path, strerror(errno));
}

static void control_on_change(struct sup_listener *l, struct sup_service *ss)
{
    struct control *ctl = (struct control *)((char *)l - offsetof(struct control, listener));
    uint64_t now = clock_wall_ms();
    for (struct control_client *cl = ctl->clients, *next; cl; cl = next) {
        next = cl->next; /* a send may close it */
        control_query_on_change(cl, ss, now);
    }
}

static void control_on_gone(struct sup_listener *l, struct sup_service *ss)
{
    struct control *ctl = (struct control *)((char *)l - offsetof(struct control, listener));
    for (struct control_client *cl = ctl->clients, *next; cl; cl = next) {
        next = cl->next; /* a send may close it */
        control_query_on_gone(cl, ss);
    }
}

int control_listen(struct control *ctl, const struct control_env *env, const struct conf_global *g,
                   const char *explicit_path)
{
    char cands[SOCKPATH_CANDIDATES][SOCKPATH_MAX];
    int rc;

    memset(ctl, 0, sizeof *ctl);
    ctl->env = *env;
    ctl->listener.on_change = control_on_change;
    ctl->listener.on_gone = control_on_gone;
    sup_listen(env->sup, &ctl->listener);
    ctl->self_uid = getuid();
    control_set_groups(ctl, g);
    /* --socket, then $CORRAL_SOCKET (sockpath handles it), then corral.yaml,
     * then the defaults: the same order corralctl follows. */
    const char *env_sock = getenv("CORRAL_SOCKET");
    if (!explicit_path && !(env_sock && *env_sock))
        explicit_path = g->socket_path;
    int n = sockpath_candidates(explicit_path, ctl->self_uid, cands, SOCKPATH_CANDIDATES);
    if (n < 0) {
        log_error("control socket: %s", strerror(-n));
        return n;
    }
    for (int i = 0; i < n; i++) {
        rc = uv_pipe_init(env->loop, &ctl->server, 0);
        if (rc < 0)
            return rc;
        ctl->server.data = ctl;
        rc = control_try(ctl, cands[i]);
        if (rc == 0) {
            ctl->listening = true;
            if (env->quiet)
                log_debug("control socket: %s", ctl->path);
            else
                log_info("control socket: %s", ctl->path);
            return 0;
        }
        uv_close((uv_handle_t *)&ctl->server, NULL);
        uv_run(env->loop, UV_RUN_NOWAIT); /* let the close finish before reuse */
        if (rc == -EADDRINUSE) {
            log_error("control socket %s: another corral is listening there", cands[i]);
            return rc;
        }
        /* Only a path given explicitly is final; the defaults fall through
         * (a read-only /run, a non-root USER). */
        if (n == 1 || i == n - 1) {
            log_error("control socket %s: %s", cands[i], strerror(-rc));
            return rc;
        }
        log_debug("control socket %s: %s; trying the next place", cands[i], strerror(-rc));
    }
    return -ENOENT;
}

/* ---- clients ------------------------------------------------------------------ */

static void control_send_error(struct control_client *cl, int64_t id, enum proto_err code,
                               const char *msg)
{
    char *line;
    size_t len;
    if (proto_encode_error(id, code, msg, NULL, &line, &len) == 0)
        control_client_send(cl, line, len);
}

static bool control_in_group(const struct control_client *cl, gid_t g)
{
    if (cl->gid == g)
        return true;
    for (int i = 0; i < cl->ngroups; i++)
        if (cl->groups[i] == g)
            return true;
    return false;
}

static bool control_allowed(const struct control_client *cl, enum proto_cmd cmd)
{
    const struct control *ctl = cl->ctl;
    if (cl->uid == 0 || cl->uid == ctl->self_uid)
        return true;
    if (proto_cmd_is_changing(cmd))
        return ctl->has_admin_gid && control_in_group(cl, ctl->admin_gid);
    return (ctl->has_read_gid && control_in_group(cl, ctl->read_gid)) ||
           (ctl->has_admin_gid && control_in_group(cl, ctl->admin_gid));
}

static void control_handle_line(struct control_client *cl, const char *line, size_t len)
{
    struct proto_request req;
    struct proto_error err;

    if (proto_request_decode(line, len, &req, &err) < 0) {
        log_debug("control: pid %d: %s", (int)cl->pid, err.message);
        control_send_error(cl, req.id, err.code, err.message);
        proto_request_close(&req);
        return;
    }
    if (!control_allowed(cl, req.cmd)) {
        log_warn("control: uid %u pid %d: %s: permission denied", (unsigned)cl->uid, (int)cl->pid,
                 proto_cmd_name(req.cmd));
        control_send_error(cl, req.id, PROTO_ERR_PERMISSION_DENIED,
                           proto_cmd_is_changing(req.cmd)
                               ? "permission denied: this command needs root, corral's own "
                                 "user or admin_group"
                               : "permission denied: this command needs root, corral's own "
                                 "user or read_group");
        proto_request_close(&req);
        return;
    }
    if (proto_cmd_is_changing(req.cmd))
        log_info("control: uid %u pid %d: %s%s%s", (unsigned)cl->uid, (int)cl->pid,
                 proto_cmd_name(req.cmd), req.n_names ? " " : (req.all ? " all" : ""),
                 req.n_names ? req.names[0] : "");
    control_cmd_run(cl, &req); /* takes req */
}

static void control_on_shutdown(uv_shutdown_t *req, int status)
{
    struct control_client *cl = req->data;
    (void)status;
    free(req);
    control_client_close(cl);
}

static void control_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char chunk[16384];
    (void)h;
    (void)suggested;
    buf->base = chunk;
    buf->len = sizeof chunk;
}

static void control_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct control_client *cl = s->data;

    if (n < 0) {
        control_client_close(cl);
        return;
    }
    const char *p = buf->base, *end = buf->base + n;
    while (p < end && !cl->closing) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t take = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (cl->in_len + take + 1 > PROTO_LINE_MAX) {
            control_send_error(cl, PROTO_ID_NONE, PROTO_ERR_TOO_LARGE,
                               "request line longer than 65536 bytes");
            /* The reply goes out, then the connection closes: the rest of
             * an oversized line cannot be told from a new request. */
            uv_read_stop(s);
            uv_shutdown_t *sd = malloc(sizeof *sd);
            if (sd)
                sd->data = cl;
            if (!sd || uv_shutdown(sd, s, control_on_shutdown) < 0) {
                free(sd);
                control_client_close(cl);
            }
            cl->in_len = 0;
            return;
        }
        if (nl && cl->in_len == 0) {
            control_handle_line(cl, p, take);
        } else {
            char *in = realloc(cl->in, cl->in_len + take + 1);
            if (!in) {
                control_client_close(cl);
                return;
            }
            cl->in = in;
            memcpy(cl->in + cl->in_len, p, take);
            cl->in_len += take;
            if (nl) {
                control_handle_line(cl, cl->in, cl->in_len);
                cl->in_len = 0;
            }
        }
        p = nl ? nl + 1 : end;
    }
}

static void control_peer(struct control_client *cl)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    uv_os_fd_t fd;

    cl->uid = (uid_t)-1;
    cl->gid = (gid_t)-1;
    if (uv_fileno((uv_handle_t *)&cl->pipe, &fd) < 0)
        return;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        cl->uid = cred.uid;
        cl->gid = cred.gid;
        cl->pid = cred.pid;
    }
    len = sizeof cl->groups;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, cl->groups, &len) == 0)
        cl->ngroups = (int)(len / sizeof cl->groups[0]);
}

static void control_on_connect(uv_stream_t *server, int status)
{
    struct control *ctl = server->data;
    if (status < 0)
        return;
    bool full = ctl->nclients >= CONTROL_CLIENTS_MAX;
    struct control_client *cl = control_client_new(ctl, server->loop);
    if (!cl)
        return;
    if (uv_accept(server, (uv_stream_t *)&cl->pipe) < 0 || full) {
        if (full)
            log_warn("control: %d clients already connected; refusing one more",
                     CONTROL_CLIENTS_MAX);
        control_client_close(cl);
        return;
    }
    control_peer(cl);
    uv_read_start((uv_stream_t *)&cl->pipe, control_alloc, control_on_read);
}

void control_close(struct control *ctl)
{
    while (ctl->clients)
        control_client_close(ctl->clients);
    if (ctl->listening) {
        uv_close((uv_handle_t *)&ctl->server, NULL);
        (void)unlink(ctl->path);
        ctl->listening = false;
    }
}
