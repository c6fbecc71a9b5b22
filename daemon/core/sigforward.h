/* sigforward.h - which signals corral catches: those it forwards to the
 * main command (or acts on) and may rewrite. Pure. */
#ifndef CORRAL_SIGFORWARD_H
#define CORRAL_SIGFORWARD_H

/* 1 when corral catches sig (on its signalfd), else 0. */
int sigforward_is_caught(int sig);

/* Why corral does not catch sig, or NULL when it does. */
const char *sigforward_why_not(int sig);

#endif
