/* execwatch.c - the exec pipe watch of execwatch.h: one poll handle on the
 * pipe's read end, freed by its own close callback. */
#include "execwatch.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

struct execwatch {
    uv_poll_t poll;
    int fd;
    execwatch_cb cb; /* NULL once told or dropped */
    void *arg;
};

static void execwatch_on_closed(uv_handle_t *h)
{
    struct execwatch *w = h->data;
    close(w->fd);
    free(w);
}

static void execwatch_close(struct execwatch *w)
{
    w->cb = NULL;
    uv_close((uv_handle_t *)&w->poll, execwatch_on_closed);
}

static void execwatch_on_readable(uv_poll_t *h, int status, int events)
{
    (void)events;
    struct execwatch *w = h->data;
    char byte;
    ssize_t n = status < 0 ? 0 : read(w->fd, &byte, 1);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return; /* woken early: end-of-file or the byte is still to come */
    execwatch_cb cb = w->cb;
    void *arg = w->arg;
    execwatch_close(w);
    if (cb)
        cb(arg, n == 0);
}

struct execwatch *execwatch_start(uv_loop_t *loop, int fd, execwatch_cb cb, void *arg)
{
    struct execwatch *w = malloc(sizeof *w);
    if (!w) {
        close(fd);
        return NULL;
    }
    *w = (struct execwatch){.fd = fd, .cb = cb, .arg = arg};
    if (uv_poll_init(loop, &w->poll, fd) < 0) {
        close(fd);
        free(w);
        return NULL;
    }
    w->poll.data = w;
    if (uv_poll_start(&w->poll, UV_READABLE, execwatch_on_readable) < 0) {
        uv_close((uv_handle_t *)&w->poll, execwatch_on_closed);
        return NULL;
    }
    return w;
}

void execwatch_drop(struct execwatch *w)
{
    if (w)
        execwatch_close(w);
}

bool execwatch_settle(struct execwatch *w)
{
    char byte;
    ssize_t n;
    do
        n = read(w->fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    execwatch_close(w);
    return n != 1; /* a read error tells nothing: the fork counts */
}
