/* control.c - the control socket's server side: where it lives, who may
 * connect and run what, reading bounded request lines, and passing on what
 * the supervisor tells (state changes, records going away) to every
 * client. A connection's replies and streams are control_client.c's; what
 * each request does is control_cmd.c's. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

/* SIOCUNIXFILE (linux/un.h: SIOCPROTOPRIVATE + 0, Linux 6.1): an O_PATH
 * descriptor of the file a Unix socket is bound to. Named here because
 * linux/un.h and sys/un.h cannot both be included. */
#define CONTROL_SIOCUNIXFILE 0x89E0

/* The mode of the socket file: other users can connect only when groups are
 * configured; their commands are then checked one by one (SO_PEERCRED). */
static mode_t control_mode(const struct control *ctl)
{
    return ctl->has_read_gid || ctl->has_admin_gid ? 0666 : 0600;
}

/* Makes the directory of path when it is missing: /run/corral 0755,
 * /tmp/corral-UID 0700. For a default place (checked), refuses a directory
 * where someone else could swap corral's socket for something of theirs: not
 * a directory (a symlink included), owned by another user than uid or root,
 * or writable by group or others without the sticky bit; /tmp/corral-UID
 * must be uid's and writable by nobody else, as corralctl checks before it
 * connects there. why says it for people. */
static int control_make_dir(const char *path, uid_t uid, bool checked, char *why, size_t why_len)
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
    if (mkdir(dir, is_private ? 0700 : 0755) < 0 && errno != EEXIST) {
        int rc = -errno;
        snprintf(why, why_len, "%s: %s", dir, strerror(-rc));
        return rc;
    }
    if (!checked)
        return 0;
    if (lstat(dir, &st) < 0) {
        int rc = -errno;
        snprintf(why, why_len, "%s: %s", dir, strerror(-rc));
        return rc;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, why_len, "%s is not a directory", dir);
        return -ENOTDIR;
    }
    if (st.st_uid != uid && (is_private || st.st_uid != 0)) {
        snprintf(why, why_len, "%s belongs to uid %lu, not %lu", dir, (unsigned long)st.st_uid,
                 (unsigned long)uid);
        return -EPERM;
    }
    if ((st.st_mode & 022) && (is_private || !(st.st_mode & S_ISVTX))) {
        snprintf(why, why_len, "%s is writable by other users (mode %04o)", dir,
                 (unsigned)(st.st_mode & 07777));
        return -EPERM;
    }
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

/* Keeps an O_PATH descriptor of the file bind(2) made for sock, so that a
 * later change of its mode (control_set_groups) reaches that very file,
 * whatever has been put at its path since. SIOCUNIXFILE hands it over from
 * the socket itself (it needs CAP_NET_ADMIN); otherwise the path is opened
 * at once without following a symlink, and must be a socket of corral's
 * user. */
static void control_keep_file(struct control *ctl, int sock, const char *path)
{
    struct stat st;
    int fd = ioctl(sock, CONTROL_SIOCUNIXFILE, 0);
    if (fd < 0) {
        fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid())) {
            close(fd);
            fd = -1;
        }
    }
    ctl->file_fd = fd;
    ctl->has_file = fd >= 0;
}

/* Binds the server to path ("@NAME": an abstract socket, which has no file
 * and no mode). The file is born with the socket's mode: bind(2) creates it
 * with that mode less the umask (net/unix/af_unix.c, unix_bind_bsd), so the
 * umask is set around it and no chmod by path follows, which someone able
 * to write the directory could send through a symlink to a file of
 * root's. */
static int control_bind(struct control *ctl, const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    bool abstract = path[0] == '@';

    if (len >= sizeof a.sun_path)
        return -ENAMETOOLONG;
    memcpy(a.sun_path, path, len);
    if (abstract)
        a.sun_path[0] = '\0'; /* the name is exactly len bytes: no NUL after it */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    mode_t umask_was = umask(~control_mode(ctl) & 0777);
    int rc = bind(fd, (struct sockaddr *)&a,
                  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + !abstract));
    if (rc < 0)
        rc = -errno;
    umask(umask_was);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    if (!abstract)
        control_keep_file(ctl, fd, path);
    rc = uv_pipe_open(&ctl->server, fd);
    if (rc < 0)
        close(fd);
    return rc;
}

static void control_on_connect(uv_stream_t *server, int status);
static void control_retry(struct acceptdrop *d);

/* Listens on path. checked: a default place, whose directory must be safe
 * (control_make_dir). Returns 0, or -errno with why filled for people. */
static int control_try(struct control *ctl, const char *path, bool checked, char *why,
                       size_t why_len)
{
    struct stat st;
    int rc = 0;

    why[0] = '\0';
    if (path[0] != '@') {
        rc = control_make_dir(path, ctl->self_uid, checked, why, why_len);
        if (rc < 0)
            return rc;
        if (lstat(path, &st) == 0) {
            if (!S_ISSOCK(st.st_mode)) {
                snprintf(why, why_len, "something other than a socket is there");
                return -EEXIST;
            }
            if (control_is_live(path)) {
                snprintf(why, why_len, "another corral is listening there");
                return -EADDRINUSE;
            }
            /* A socket nobody answers on: left by a corral that was killed. */
            if (unlink(path) < 0) {
                rc = -errno;
                snprintf(why, why_len, "cannot replace a stale socket: %s", strerror(-rc));
                return rc;
            }
            /* Where the socket is, and so this, is a debug line in pure
             * init mode (docs/cli.md): a drop-in tini says nothing. */
            log_at(ctl->env.quiet ? LOG_DEBUG : LOG_INFO, "replaced the stale control socket %s",
                   path);
        }
    }
    rc = control_bind(ctl, path);
    if (rc == 0) {
        memcpy(ctl->path, path, strlen(path) + 1); /* fits: it was bound */
        rc = uv_listen((uv_stream_t *)&ctl->server, CONTROL_BACKLOG, control_on_connect);
        if (rc < 0 && path[0] != '@')
            (void)unlink(path);
    }
    if (rc == -EADDRINUSE && path[0] == '@')
        snprintf(why, why_len, "the name is taken (another corral, or another program)");
    else if (rc < 0)
        snprintf(why, why_len, "%s", strerror(-rc));
    return rc;
}

void control_set_groups(struct control *ctl, const struct conf_global *g)
{
    mode_t was = control_mode(ctl);
    ctl->has_read_gid = g->read_group != NULL;
    ctl->read_gid = g->read_gid;
    ctl->has_admin_gid = g->admin_group != NULL;
    ctl->admin_gid = g->admin_gid;
    if (!ctl->listening || ctl->path[0] == '@' || control_mode(ctl) == was)
        return;
    /* Who may connect at all follows (each command is still checked), on
     * the file corral bound: through the descriptor kept since, never by
     * path (/proc/self/fd/N leads to that inode, as fchmodat does for
     * AT_SYMLINK_NOFOLLOW in glibc; fchmod refuses an O_PATH descriptor). */
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", ctl->file_fd);
    if (!ctl->has_file)
        log_warn("control socket %s: its mode stays %04o: corral could not hold on to the "
                 "file it bound",
                 ctl->path, (unsigned)was);
    else if (chmod(fdpath, control_mode(ctl)) < 0)
        log_warn("control socket %s: chmod %s: %s", ctl->path, fdpath, strerror(errno));
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

void control_publish_warning(struct control *ctl, const char *kind, const char *service,
                             const char *text)
{
    json_t *item =
        json_pack("{s:I, s:s, s:o, s:s}", "time_ms", (json_int_t)clock_wall_ms(), "warning", kind,
                  "service", service ? json_string(service) : json_null(), "text", text);
    if (!item)
        return;
    for (struct control_client *cl = ctl->clients, *next; cl; cl = next) {
        next = cl->next; /* a send may close it */
        if (cl->events && !cl->closing && control_client_stream_room(cl))
            control_client_stream(cl, json_incref(item));
    }
    json_decref(item);
}

size_t control_clients(const struct control *ctl)
{
    return ctl->nclients;
}

/* Appends "path: why" to the list of places that failed. */
static void control_note_failure(char *buf, size_t len, const char *path, const char *why)
{
    size_t used = strlen(buf);
    if (used < len)
        snprintf(buf + used, len - used, "%s%s: %s", used ? "; " : "", path, why);
}

int control_listen(struct control *ctl, const struct control_env *env, const struct conf_global *g,
                   const char *explicit_path)
{
    char cands[SOCKPATH_CANDIDATES][SOCKPATH_MAX];
    char why[SOCKPATH_MAX + 128], failed[1024] = "";
    bool refused = false; /* a default place was passed over as unsafe */
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
    bool named = (explicit_path && *explicit_path) || (env_sock && *env_sock);
    if (!named) {
        explicit_path = g->socket_path;
        named = explicit_path && *explicit_path;
    }
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
        acceptdrop_init(&ctl->drop, (uv_stream_t *)&ctl->server, control_retry);
        rc = control_try(ctl, cands[i], !named, why, sizeof why);
        if (rc == 0) {
            ctl->listening = true;
            /* A default place passed over as unsafe is said with the one
             * taken, and so are all of them when that is the abstract
             * socket, the last resort. */
            if ((refused || ctl->path[0] == '@') && !env->quiet)
                log_warn("control socket: %s (%s)", ctl->path, failed);
            else if (env->quiet)
                log_debug("control socket: %s", ctl->path);
            else
                log_info("control socket: %s", ctl->path);
            return 0;
        }
        uv_close((uv_handle_t *)&ctl->server, NULL);
        uv_run(env->loop, UV_RUN_NOWAIT); /* let the close finish before reuse */
        if (ctl->has_file) {
            close(ctl->file_fd);
            ctl->has_file = false;
        }
        /* A path named explicitly is final, and so is another corral on a
         * default path (only root or this uid can have put it there) --
         * except for a drop-in tini (corral -- CMD), whose socket is a
         * convenience: it never keeps the command from running. */
        if (named || (rc == -EADDRINUSE && cands[i][0] != '@' && !env->quiet)) {
            log_error("control socket %s: %s", cands[i], why);
            return rc;
        }
        /* The defaults fall through (a read-only /run, a non-root USER, a
         * directory someone else took). */
        log_debug("control socket %s: %s; trying the next place", cands[i], why);
        control_note_failure(failed, sizeof failed, cands[i], why);
        refused |= rc == -EPERM || rc == -ENOTDIR;
    }
    /* The services run all the same; only corralctl cannot reach them. */
    if (env->quiet)
        log_debug("control socket: none (%s)", failed);
    else
        log_warn("control socket: none, corralctl cannot reach this corral (%s)", failed);
    return 0;
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

/* Root and corral's own uid: every command, and slots nobody else may take. */
static bool control_is_owner(const struct control *ctl, uid_t uid)
{
    return uid == 0 || uid == ctl->self_uid;
}

static bool control_allowed(const struct control_client *cl, enum proto_cmd cmd)
{
    const struct control *ctl = cl->ctl;
    if (control_is_owner(ctl, cl->uid))
        return true;
    if (proto_cmd_is_changing(cmd))
        return ctl->has_admin_gid && control_in_group(cl, ctl->admin_gid);
    return (ctl->has_read_gid && control_in_group(cl, ctl->read_gid)) ||
           (ctl->has_admin_gid && control_in_group(cl, ctl->admin_gid));
}

/* Anyone able to connect can make corral refuse them, or deny what they
 * ask, as often as they like: at most one line per REFUSED_LOG_INTERVAL_MS
 * says so, with how many were refused since the last. */
static void control_log_refusal(struct control *ctl, const struct control_client *cl,
                                const char *why)
{
    uint64_t now = uv_now(ctl->env.loop);
    if (ctl->refusal_logged && now - ctl->refusal_log_ms < REFUSED_LOG_INTERVAL_MS) {
        ctl->refusals_unlogged++;
        return;
    }
    if (ctl->refusals_unlogged)
        log_warn("control: uid %u pid %d refused: %s (and %llu more refused since the last line)",
                 (unsigned)cl->uid, (int)cl->pid, why, (unsigned long long)ctl->refusals_unlogged);
    else
        log_warn("control: uid %u pid %d refused: %s", (unsigned)cl->uid, (int)cl->pid, why);
    ctl->refusal_logged = true;
    ctl->refusal_log_ms = now;
    ctl->refusals_unlogged = 0;
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
        char why[64];
        snprintf(why, sizeof why, "%s: permission denied", proto_cmd_name(req.cmd));
        control_log_refusal(cl->ctl, cl, why);
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
    /* A client that may run a request stays as long as it likes (a stream,
     * a wait): the caps on slots bound how many. */
    if (!cl->requested) {
        cl->requested = true;
        uv_timer_stop(&cl->deadline);
    }
    control_cmd_run(cl, &req); /* takes req */
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

/* Why cl may not have a slot, in words, or NULL when it may. Every slot
 * but CONTROL_CLIENTS_RESERVED is open to anyone, at most
 * CONTROL_CLIENTS_PER_UID per uid; root and corral's own uid may take the
 * reserved ones too, so other users, however many connections they open,
 * never lock them out. */
static const char *control_admit(const struct control *ctl, const struct control_client *cl,
                                 char *why, size_t why_len)
{
    size_t all = 0, others = 0, same = 0;
    for (const struct control_client *o = ctl->clients; o; o = o->next) {
        if (o == cl || o->refused)
            continue;
        all++;
        if (!control_is_owner(ctl, o->uid)) {
            others++;
            same += o->uid == cl->uid;
        }
    }
    if (all >= CONTROL_CLIENTS_MAX)
        snprintf(why, why_len, "too many clients: %d connected", CONTROL_CLIENTS_MAX);
    else if (control_is_owner(ctl, cl->uid))
        return NULL;
    else if (same >= CONTROL_CLIENTS_PER_UID)
        snprintf(why, why_len,
                 "too many clients of uid %u: %d connected, the most one user may have",
                 (unsigned)cl->uid, CONTROL_CLIENTS_PER_UID);
    else if (others >= CONTROL_CLIENTS_MAX - CONTROL_CLIENTS_RESERVED)
        snprintf(why, why_len, "too many clients: the slots left are root's and corral's own");
    else
        return NULL;
    return why;
}

static void control_on_deadline(uv_timer_t *t)
{
    struct control_client *cl = t->data;
    /* A request that waits unread (a loop turn runs timers before it reads)
     * is not the client's fault: it gets read first, once. A client that
     * keeps sending requests it may not run holds its slot no longer. */
    if (!cl->deadline_extended && control_client_has_input(cl)) {
        cl->deadline_extended = true;
        uv_timer_start(&cl->deadline, control_on_deadline, CONTROL_FIRST_REQUEST_MS, 0);
        return;
    }
    log_debug("control: uid %u pid %d: no request in %dms; closing its connection",
              (unsigned)cl->uid, (int)cl->pid, CONTROL_FIRST_REQUEST_MS);
    control_client_close(cl);
}

/* Accepts the connection libuv holds. */
static void control_take(struct control *ctl)
{
    uv_stream_t *server = (uv_stream_t *)&ctl->server;
    char why[128];
    struct control_client *cl = control_client_new(ctl, server->loop);
    if (!cl) { /* else libuv would watch the socket no more (acceptdrop.h) */
        acceptdrop_drop(&ctl->drop);
        return;
    }
    if (uv_accept(server, (uv_stream_t *)&cl->pipe) < 0) {
        control_client_close(cl);
        return;
    }
    control_peer(cl);
    /* Until it runs a request; a refused client is closed by then at the
     * latest, if its reply cannot go out. */
    uv_timer_start(&cl->deadline, control_on_deadline, CONTROL_FIRST_REQUEST_MS, 0);
    const char *refusal = control_admit(ctl, cl, why, sizeof why);
    if (refusal) {
        cl->refused = true;
        control_log_refusal(ctl, cl, refusal);
        control_send_error(cl, PROTO_ID_NONE, PROTO_ERR_BAD_REQUEST, refusal);
        control_client_end(cl);
        return;
    }
    control_client_read(cl, control_handle_line);
}

static void control_retry(struct acceptdrop *d)
{
    control_take((struct control *)((char *)d - offsetof(struct control, drop)));
}

static void control_on_connect(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    control_take(server->data);
}

void control_close(struct control *ctl)
{
    while (ctl->clients)
        control_client_close(ctl->clients);
    if (ctl->listening) {
        acceptdrop_close(&ctl->drop);
        uv_close((uv_handle_t *)&ctl->server, NULL);
        if (ctl->path[0] != '@')
            (void)unlink(ctl->path);
        ctl->listening = false;
    }
    if (ctl->has_file) {
        close(ctl->file_fd);
        ctl->has_file = false;
    }
}
