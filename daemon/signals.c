/* signals.c - catches the signals corral forwards. Delivery goes through
 * libuv's self-pipe, so the callback runs on the loop like any event. */
#include "signals.h"

#include <string.h>

int signals_is_forwarded(int sig)
{
    switch (sig) {
    case SIGKILL:
    case SIGSTOP:
    case SIGCHLD: /* the reaper's */
    /* Faults: delivered by the kernel for corral's own bugs; catching them
     * would loop on the faulting instruction. */
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGTRAP:
    case SIGABRT:
    case SIGSYS:
    /* Ignored (main.c): SIGPIPE so a closed socket is an error return, and
     * the terminal-stop signals so corral can hand its terminal over. */
    case SIGPIPE:
    case SIGTTIN:
    case SIGTTOU:
        return 0;
    default:
        /* glibc keeps the first real-time signals for itself. */
        return sig > 0 && sig < NSIG && (sig < 32 || (sig >= SIGRTMIN && sig <= SIGRTMAX));
    }
}

static void signals_on_signal(uv_signal_t *h, int sig)
{
    struct signals *s = h->data;
    s->cb(s->data, sig);
}

int signals_start(struct signals *s, uv_loop_t *loop, signals_cb cb, void *data)
{
    memset(s->active, 0, sizeof s->active);
    s->cb = cb;
    s->data = data;
    for (int sig = 1; sig < NSIG; sig++) {
        if (!signals_is_forwarded(sig))
            continue;
        int rc = uv_signal_init(loop, &s->handles[sig]);
        if (rc < 0)
            return rc;
        s->active[sig] = 1;
        s->handles[sig].data = s;
        rc = uv_signal_start(&s->handles[sig], signals_on_signal, sig);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void signals_close(struct signals *s)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (s->active[sig] && !uv_is_closing((uv_handle_t *)&s->handles[sig]))
            uv_close((uv_handle_t *)&s->handles[sig], NULL);
}
