/* signals.c - reads the signals corral handles from one signalfd on the
 * loop: no signal handler runs, so nothing is async-signal-unsafe and a
 * burst of SIGCHLD costs one read, not a handler and a pipe write each. */
#include "signals.h"

#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sigforward.h"

static void signals_on_readable(uv_poll_t *h, int status, int events)
{
    struct signals *s = h->data;
    struct signalfd_siginfo info[32];
    int chld = 0;

    (void)status;
    (void)events;
    for (;;) {
        ssize_t n = read(s->fd, info, sizeof info);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (size_t i = 0; i < (size_t)n / sizeof info[0]; i++) {
            if (info[i].ssi_signo == SIGCHLD)
                chld = 1;
            else
                s->cb(s->data, (int)info[i].ssi_signo);
        }
        if ((size_t)n < sizeof info)
            break;
    }
    if (chld)
        s->cb(s->data, SIGCHLD);
}

int signals_start(struct signals *s, uv_loop_t *loop, signals_cb cb, void *data)
{
    s->cb = cb;
    s->data = data;
    sigemptyset(&s->set);
    sigaddset(&s->set, SIGCHLD);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigforward_is_caught(sig))
            sigaddset(&s->set, sig);
    /* A blocked signal stays pending even for the init of a PID namespace,
     * which would otherwise drop signals at their default disposition
     * (kernel: sig_ignored() checks the mask first); signalfd(2) then hands
     * them to the loop. One fd instead of a libuv handle (a sigaction and a
     * self-pipe round trip) per signal: bench/README.md has the numbers.
     * Children get an empty mask back in spawn.c before exec. */
    if (sigprocmask(SIG_BLOCK, &s->set, NULL) < 0)
        return -errno;
    s->fd = signalfd(-1, &s->set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s->fd < 0)
        return -errno;
    int rc = uv_poll_init(loop, &s->poll, s->fd);
    if (rc < 0)
        return rc;
    s->poll.data = s;
    return uv_poll_start(&s->poll, UV_READABLE, signals_on_readable);
}

static void signals_on_close(uv_handle_t *h)
{
    struct signals *s = h->data;
    close(s->fd);
    s->fd = -1;
}

void signals_close(struct signals *s)
{
    if (s->fd >= 0 && !uv_is_closing((uv_handle_t *)&s->poll))
        uv_close((uv_handle_t *)&s->poll, signals_on_close);
}
