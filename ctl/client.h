/* client.h - corralctl's side of the control socket: find the daemon by the
 * rules of sockpath.h, connect, send one request, read reply lines with a
 * deadline. Plain blocking POSIX sockets and poll(2). */
#ifndef CORRAL_CLIENT_H
#define CORRAL_CLIENT_H

#include <stddef.h>

#include "sockpath.h"

#define CLIENT_WHY_MAX 1024

struct client {
    int fd;                   /* -1 when not connected */
    char path[SOCKPATH_MAX];  /* the socket connected to */
    char why[CLIENT_WHY_MAX]; /* after a failure: what was tried and why it failed */
    char *buf;                /* received bytes, owned */
    size_t len;               /* bytes in buf */
    size_t used;              /* bytes of buf already returned as lines */
    size_t cap;
};

/* Embedded; client_close closes the socket and frees the buffer. */
void client_init(struct client *c);
void client_close(struct client *c);

/* Connects to explicit_path (--socket) or the first candidate that exists as
 * a socket and accepts. Returns 0; or a negative errno with c->why listing
 * each path tried and why it failed ("/run/corral/corral.sock: No such file
 * or directory; ..."). */
int client_connect(struct client *c, const char *explicit_path);

/* Writes len bytes (never raises SIGPIPE). Returns 0 or a negative errno. */
int client_send(struct client *c, const char *data, size_t len);

/* Reads the next line. timeout_ms < 0 waits for ever. On success *line
 * points into c's buffer (valid until the next call), *len excludes the
 * "\n". Returns 0; -ETIMEDOUT; -ECONNRESET when the daemon closed the
 * connection first; -EMSGSIZE for a line longer than PROTO_REPLY_MAX; or
 * another negative errno. */
int client_read_line(struct client *c, int timeout_ms, char **line, size_t *len);

#endif
