/* bounds.h - the daemon's caps that several modules share or that an
 * operator may ask about, named in one place (docs/dev/STYLE.md §8); a cap
 * only one module uses is named in that module's header. */
#ifndef CORRAL_BOUNDS_H
#define CORRAL_BOUNDS_H

/* Slots in the pid table: services, probes and hooks alive at once. The table
 * is sized once at start-up and never grows. */
#define PIDTAB_CAPACITY 8192

/* One log line of corral's own, including its "corral: " prefix. */
#define LOG_LINE_MAX 4096

/* Processes examined by one /proc walk (descendants of a service, stragglers
 * at shutdown). A container with more processes than this is already broken;
 * the walk stops at the cap instead of allocating without bound. */
#define PROCTREE_MAX 65536

/* Stragglers named one by one before the final SIGKILL; the rest are counted. */
#define SHUTDOWN_NAME_MAX 20

/* A resolved executable path. */
#define SPAWN_PATH_MAX 4096

/* Bytes of one service's output waiting for corral's stdout. Without drop a
 * service is paused while any of its bytes wait, and only its quiet streams
 * (and the new ones of its next run, and the drain at its exit) are read,
 * up to this (at corral's own exit, every pipe is read to its end); with
 * `logs.overflow: drop`, past it its lines are dropped and counted. Also the
 * bound of what a syslog sender may have waiting. */
#define OUTPUT_QUEUE_HIGH (256 * 1024)

/* A service's pipes that corral holds unread while its lines wait for the
 * output (output_svc_held): from this many on, its next run waits, with
 * backoff, until the output has taken them. Each run brings new pipes, and
 * a crash loop on a stalled stdout would otherwise keep them all open
 * until corral ran out of fds (and could start nothing). A service blocked
 * in write(2) behind a full pipe waits the same way. */
#define OUTPUT_STREAMS_HELD 8

/* The longest line kept whole; longer ones are split with a marker. */
#define OUTPUT_LINE_MAX (64 * 1024)

/* How long a partial line (no newline yet) waits before it is printed. */
#define OUTPUT_PARTIAL_MS 200

/* Reads of one service's pipe in a row when its output keeps up (then the
 * loop gets a turn), as libuv reads a stream. */
#define OUTPUT_PULL_READS 32

/* One read from a service's pipe (one buffer shared by all). */
#define OUTPUT_READ_SIZE (64 * 1024)

/* A stream whose pipe a read finds (nearly) full this many times within
 * OUTPUT_PIPE_GROW_MS (its service keeps the pipe full) gets a pipe of
 * OUTPUT_PIPE_GROWN bytes, while the pipes grown and open hold no more than
 * OUTPUT_PIPE_BUDGET in all: the kernel counts a pipe's size against its
 * user's pipe-user-pages-soft, which every container of that uid shares. */
#define OUTPUT_PIPE_GROW_READS 16
#define OUTPUT_PIPE_GROW_MS    1000
#define OUTPUT_PIPE_GROWN      (1024 * 1024)
#define OUTPUT_PIPE_BUDGET     (4 * 1024 * 1024)

/* corral's own messages queued while stderr is stalled; past it they are
 * dropped and counted. */
#define LOG_QUEUE_MAX (1024 * 1024)

/* Control socket: pending connections, clients at once, and bytes of
 * replies queued for one client before it is cut off as too slow (requests
 * stop being read at CONTROL_REPLIES_HELD, so past that only a large reply
 * or a stream's items reach it). */
#define CONTROL_BACKLOG     64
#define CONTROL_CLIENTS_MAX 256
#define CONTROL_OUT_MAX     (4 * 1024 * 1024)
/* Of CONTROL_CLIENTS_MAX, the slots only root and corral's own uid may take:
 * other users, however many, never lock those two out. */
#define CONTROL_CLIENTS_RESERVED 32
/* Clients at once of one uid other than root and corral's own. */
#define CONTROL_CLIENTS_PER_UID 32
/* Requests of one client handled per loop turn, and the unread replies
 * past which it is not read: every other client, timer and child gets the
 * loop between two turns, and a client that reads none of its replies
 * stops being served before it is cut off. */
#define CONTROL_REQUESTS_PER_TURN 16
#define CONTROL_REPLIES_HELD      (256 * 1024)
/* How long a new client has to send a request it may run; past it the
 * connection is closed, so that a silent one holds no slot for long. Once a
 * request has run the client may stay (a stream, a wait). */
#define CONTROL_FIRST_REQUEST_MS 2000
/* A stream (events, logs -f) whose reader falls this far behind loses items
 * instead: counted, and reported to it once it has caught up to half. */
#define CONTROL_STREAM_MAX (1024 * 1024)
/* What every stream's unread items may hold together: past it, every
 * lagging stream drops items, so that many slow readers cannot add up. */
#define CONTROL_STREAMS_MAX (16 * 1024 * 1024)
/* Past that, a reader holding less than this still streams: it keeps up. */
#define CONTROL_STREAM_KEEPING_UP (64 * 1024)
/* After a peak of unread replies past this, freed memory goes back to the
 * system once they are all gone. */
#define CONTROL_TRIM_AFTER (1024 * 1024)

/* Refusals that anyone may provoke (a control client past its cap, an
 * sd_notify datagram from a stranger) are logged at most once per interval;
 * the next line counts those refused meanwhile. */
#define REFUSED_LOG_INTERVAL_MS 10000

/* Datagrams read from the sd_notify socket per wakeup: a flood never holds
 * the loop. */
#define SDNOTIFY_READ_BATCH 64

/* Datagrams read from the /dev/log socket per wakeup, for the same reason. */
#define SYSLOGD_READ_BATCH 64

#endif
