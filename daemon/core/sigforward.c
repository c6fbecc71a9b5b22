/* sigforward.c - which signals corral catches (and so can forward or
 * rewrite), and why it leaves the others alone. See sigforward.h. */
#include "sigforward.h"

#include <signal.h>
#include <stddef.h>

const char *sigforward_why_not(int sig)
{
    switch (sig) {
    case SIGKILL:
    case SIGSTOP:
        return "no process can catch it";
    case SIGCHLD:
        return "corral reaps on it";
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGTRAP:
    case SIGABRT:
    case SIGSYS:
        /* Delivered by the kernel for corral's own bugs: catching them
         * would loop on the faulting instruction. */
        return "it reports a fault of the process that receives it";
    case SIGPIPE: /* ignored (main.c) */
        return "corral ignores it, so that a reader gone away is an error, not its death";
    case SIGTTIN:
    case SIGTTOU:
        return "corral ignores it, to hand its terminal to the main command";
    }
    if (sig <= 0 || sig >= NSIG)
        return "no such signal";
    /* glibc keeps the first real-time signals for itself. */
    if (sig >= 32 && (sig < SIGRTMIN || sig > SIGRTMAX))
        return "it is reserved by the C library";
    return NULL;
}

int sigforward_is_caught(int sig)
{
    return sigforward_why_not(sig) == NULL;
}
