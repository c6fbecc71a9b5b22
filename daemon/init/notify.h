/* notify.h - readiness notifications from the services themselves:
 * `notify: fd` (s6 style: a pipe whose write end the service gets as
 * $NOTIFY_FD; a newline means ready) and `notify: systemd` (sd_notify: one
 * datagram socket, $NOTIFY_SOCKET, messages accepted only from a process of
 * the service's own tree, identified by SCM_CREDENTIALS). */
#ifndef CORRAL_NOTIFY_H
#define CORRAL_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include <uv.h>

struct notify_fd;

/* Called once when the service wrote its newline. */
typedef void (*notify_fd_cb)(void *arg);

/* Makes the pipe; *child_fd is the end the service gets. Returns the reader
 * (not started yet) or NULL with errno set. */
struct notify_fd *notify_fd_new(uv_loop_t *loop, notify_fd_cb cb, void *arg, int *child_fd);

/* After the spawn: closes the child's end and starts reading. */
void notify_fd_start(struct notify_fd *n, int child_fd);

/* Stops caring: no more callbacks; the reader closes and is freed. The
 * owner's pointer is the only one: it must drop it exactly once. */
void notify_fd_drop(struct notify_fd *n);

/* The sd_notify socket. Anyone in corral's network namespace can send to an
 * abstract socket: a datagram nobody takes is counted, and said in at most
 * one line per REFUSED_LOG_INTERVAL_MS (bounds.h), never one line each. */
struct sdnotify;

/* How far up its parents a sender is looked for in a service's tree. */
#define NOTIFY_DEPTH_MAX 64

/* The sender of a datagram: its pid (as seen by corral), then its parent,
 * and so on, NOTIFY_DEPTH_MAX of them and the one after, ending early at
 * pid 1 or where a process vanished (what follows is not known, so not a
 * service's). Walked up /proc once per sender in a burst: the callback
 * compares it with every service that uses notify: systemd, so a sender
 * deep in a tree flooding the socket costs a walk per datagram, not one
 * per service. */
struct notify_sender {
    pid_t pid;
    size_t n;
    pid_t chain[NOTIFY_DEPTH_MAX + 1];
};

/* A datagram from a process of corral's PID namespace, then the message.
 * Returns true when a service took it; false makes it a refusal, counted
 * and logged here. A datagram from outside the namespace never reaches the
 * callback. */
typedef bool (*sdnotify_cb)(void *arg, const struct notify_sender *from, const char *msg,
                            size_t len);

/* Binds an abstract datagram socket with SO_PASSCRED. *env_value becomes
 * what NOTIFY_SOCKET must be set to ("@corral-notify-..."). Returns 0 or
 * -errno. sdnotify_close ends it (its memory goes in close callbacks). */
int sdnotify_open(struct sdnotify **out, uv_loop_t *loop, sdnotify_cb cb, void *arg,
                  char *env_value, size_t env_len);
void sdnotify_close(struct sdnotify *s);

/* True when the sender is root_pid or one of its descendants. */
bool notify_sender_in_tree(const struct notify_sender *from, pid_t root_pid);

#endif
