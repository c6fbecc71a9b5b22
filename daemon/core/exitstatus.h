/* exitstatus.h - what a wait(2) status means to a person and to a shell:
 * "exited 3" -> 3, "killed by SIGSEGV" -> 139. Pure. */
#ifndef CORRAL_EXITSTATUS_H
#define CORRAL_EXITSTATUS_H

#include <stddef.h>

/* The exit code a shell would report: the exit status, or 128+N when signal N
 * killed the process. */
int exitstatus_code(int wstatus);

/* Describes the status: "exited 0", "exited 3", "killed by SIGSEGV (core
 * dumped)". Returns buf. */
const char *exitstatus_describe(int wstatus, char *buf, size_t len);

/* The exit code for a failed exec(2), as shells use it: 127 when the program
 * was not found, 126 when it was found but could not be run. */
int exitstatus_exec_failure(int err);

#endif
