/* syslogd.h - corral's /dev/log: a datagram Unix socket that syslog(3),
 * logger and the daemons that log to syslog write to. Each datagram is
 * handed up with the sender's pid and the chain of its ancestors (from
 * SCM_CREDENTIALS and /proc), so that the layer above can tell whose
 * process tree sent it. Reading is bounded per wakeup: a flood costs the
 * loop a batch at a time, and the senders wait in the kernel, not corral. */
#ifndef CORRAL_SYSLOGD_H
#define CORRAL_SYSLOGD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

/* Ancestors looked up for one sender, itself included. */
#define SYSLOGD_CHAIN_MAX 64

struct syslogd;

/* One datagram (at most SYSLOGMSG_MAX bytes: longer ones are cut). chain
 * holds the sender's pid as corral sees it, then its parent, and so on up
 * to (not including) pid 1; n is 0 when the sender is outside corral's PID
 * namespace or sent no credentials. */
typedef void (*syslogd_cb)(void *arg, const pid_t *chain, size_t n, const char *msg, size_t len);

/* Binds a datagram socket at path (mode 0666: any user may log, as with
 * syslogd), replacing a stale socket or symbolic link there, never another
 * kind of file; rcvbuf is its SO_RCVBUF. Returns 0 or -errno. syslogd_close
 * removes the socket file; its memory goes in close callbacks. */
int syslogd_open(struct syslogd **out, uv_loop_t *loop, const char *path, uint64_t rcvbuf,
                 syslogd_cb cb, void *arg);
void syslogd_close(struct syslogd *s);

/* Reads one batch of what is waiting now, as a wakeup would: called
 * before a process's exit is handled, so that what it sent just before
 * exiting is still placed by its pid. */
void syslogd_drain(struct syslogd *s);

/* Datagrams read since the socket was opened. */
uint64_t syslogd_received(const struct syslogd *s);

#endif
