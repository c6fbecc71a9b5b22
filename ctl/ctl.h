/* ctl.h - what every part of corralctl shares: its exit codes (the contract
 * of docs/corralctl.md) and its time limits. */
#ifndef CORRAL_CTL_H
#define CORRAL_CTL_H

enum ctl_exit {
    CTL_EXIT_OK = 0,
    CTL_EXIT_FAILED = 1,      /* an error reply, or `check` found errors */
    CTL_EXIT_USAGE = 2,       /* bad command line */
    CTL_EXIT_UNHEALTHY = 3,   /* health: not healthy; wait: timed out */
    CTL_EXIT_UNREACHABLE = 4, /* no daemon at any socket path, or it did not answer */
};

/* How long a request may wait for its reply (wait adds its own timeout). */
#define CTL_REPLY_TIMEOUT_MS 30000
/* How long connect(2) may block on a daemon whose backlog is full. */
#define CTL_CONNECT_TIMEOUT_MS 10000

#endif
