/* sigforward.c - which signals corral catches (and so can forward or
 * rewrite), and why it leaves the others alone. See sigforward.h. */
#include "sigforward.h"

#include <signal.h>

int sigforward_is_caught(int sig)
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
        return "it reports a fault of the process that receives it";
    case SIGPIPE:
        return "corral ignores it, so that a reader gone away is an error, not its death";
    case SIGTTIN:
    case SIGTTOU:
        return "corral ignores it, to hand its terminal to the main command";
    }
    return sigforward_is_caught(sig) ? NULL : "it is reserved by the C library";
}
