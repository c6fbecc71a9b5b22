/* execwatch.h - learns, without blocking, whether a spawned child's execve
 * succeeded: it watches the exec pipe of spawn_start (end-of-file: the exec
 * succeeded; a byte: the child failed before or at it). A service is not
 * `up` before its program runs (docs/dev/DESIGN.md "The event loop and child
 * processes"). */
#ifndef CORRAL_EXECWATCH_H
#define CORRAL_EXECWATCH_H

#include <stdbool.h>

#include <uv.h>

struct execwatch;

/* Called once, with exec_ok; the watch is gone when it returns. */
typedef void (*execwatch_cb)(void *arg, bool exec_ok);

/* Watches fd (taken over: closed in every case). Returns the watch, or
 * NULL when it cannot (the fd is then closed and cb never called: the
 * caller assumes the exec succeeded). */
struct execwatch *execwatch_start(uv_loop_t *loop, int fd, execwatch_cb cb, void *arg);

/* The owner loses interest (it goes away): cb is never called; the watch
 * closes and frees itself (docs/dev/STYLE.md §5a). */
void execwatch_drop(struct execwatch *w);

/* The child has been reaped, so the pipe holds all it ever will: returns
 * whether the exec succeeded, and drops w (cb is never called). A child
 * killed before its execve (SIGKILL, the OOM killer) reads as end-of-file,
 * as for uv_spawn: it counts as run. */
bool execwatch_settle(struct execwatch *w);

#endif
