/* output.h - every line of every service: each service's stdout and stderr
 * are pipes read by the loop, split into lines and sent to the sinks its
 * `logs:` names (prefix, json, file), kept in its ring for `corralctl logs`,
 * and never allowed to block the loop: when corral's own stdout is slow a
 * service's share of the queue is bounded and its pipes stop being read. */
#ifndef CORRAL_OUTPUT_H
#define CORRAL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "conf.h"
#include "logfile.h"
#include "outfmt.h"
#include "ring.h"
#include "writer.h"

/* A log file that lost lines has recovered once it has taken writes for
 * this long after its last failed one. */
#define OUTPUT_FILE_RECOVERED_MS 1000

/* Reads are sized in multiples of this, and a read shorter than it does not
 * change the size of the next (output_fit_read). */
#define OUTPUT_FIT_MIN 4096

struct output_stream;
struct output_svc;

/* Someone reading new lines as they come (`corralctl logs -f`). */
struct output_follower {
    void (*on_line)(struct output_follower *f, const struct ring_line *line);
    struct output_follower *next;
};

struct output {
    uv_loop_t *loop;
    struct writer out, err; /* corral's stdout and stderr */
    struct writer_owner log_owner;
    bool timestamps;
    bool json; /* log_format: json */
    bool color;
    int name_width;
    char *readbuf;   /* one buffer for every read: reads are one at a time */
    size_t out_pipe; /* the capacity of corral's stdout pipe (OUTPUT_READ_SIZE if no pipe) */
    /* What one read produces, per destination; kept between reads so that
     * a busy service costs no allocation per read. */
    struct outbuf to_out, to_err, to_file;
    struct outbuf scratch; /* a batch's JSON head is made in it */
    /* Paused services whose queued bytes have all been written: read in
     * the check phase of the same loop turn (output_pull). */
    uv_check_t pull;
    struct output_svc *pull_head;
    size_t pipes_grown; /* bytes of the pipes grown and open, within OUTPUT_PIPE_BUDGET */
    bool closed;
};

struct output_svc {
    struct output *out;
    const struct conf_service *conf;
    struct writer_owner owner;     /* this service's bytes queued for corral's output */
    struct output_stream *streams; /* open pipes, the current ones first */
    bool piped;                    /* its output goes through corral */
    bool paused;                   /* reading stopped: some of its bytes wait in the queue */
    bool pull_pending;             /* in out->pull_head's list */
    struct output_svc *pull_next;
    int child_fds[2]; /* write ends between prepare and started */
    int parent_fds[2];
    struct ring ring;
    struct logfile file;
    uint64_t dropped_lines;     /* since last reported */
    uint64_t file_lost_lines;   /* lines its log file could not take, in all */
    uint64_t file_lost_episode; /* ... since the file last took a write */
    bool file_failing;          /* its log file lost lines, and has not recovered yet */
    uint64_t file_failed_ms;    /* loop time of the last failed write */
    uint64_t run_first_line;    /* ring.pushed when the latest run started: its tail begins there */
    uint64_t run_dropped_lines; /* lines of the latest run that did not reach corral's output */
    int color;
    /* "web   | " and "web   + ", made once (timestamps take the slow path). */
    char head[2][96];
    int head_len[2];
    struct output_follower *followers;
    /* Each line as it comes (readiness.log); NULL when nobody asks. */
    void (*on_line)(void *arg, const char *text, size_t len);
    void *on_line_arg;
};

/* Opens corral's stdout/stderr writers. Returns 0 or -errno. */
int output_init(struct output *o, uv_loop_t *loop, const struct conf_global *g,
                const struct conf_set *set);

/* Pads prefixed names to the longest name of set (at start, and after a
 * reload, followed by output_svc_rehead of every service). */
void output_set_width(struct output *o, const struct conf_set *set);
/* Rebuilds s's line head ("web  | ") for the current name width. */
void output_svc_rehead(struct output_svc *s);

/* Prepares a service's output record; piped tells whether its output goes
 * through pipes (false: it writes straight to corral's stdout/stderr). */
void output_svc_init(struct output_svc *s, struct output *o, const struct conf_service *conf,
                     bool piped, int index);

/* Before a spawn: makes the pipes; *out_fd and *err_fd become the child's
 * stdout and stderr (-1: corral's own). Returns 0 or -errno. */
int output_prepare(struct output_svc *s, int *out_fd, int *err_fd);

/* How many of the service's pipes corral does not read because its lines
 * wait for corral's output: each stays open (its fd with it) until the
 * output takes them, whether or not its run is over. */
int output_svc_held(const struct output_svc *s);

/* After a successful spawn: closes the child's ends and starts reading. */
void output_started(struct output_svc *s);

/* After a failed spawn: closes what output_prepare made. */
void output_abort(struct output_svc *s);

/* Reads what the service's pipes hold right now (before its last lines are
 * printed, and at exit): up to OUTPUT_QUEUE_HIGH queued, or with all (at
 * corral's exit, its processes gone) everything. */
void output_svc_drain(struct output_svc *s, bool all);

/* Prints the last n lines of the service's latest run on corral's stderr,
 * under its exit line, when the container's log has not shown them all: its
 * lines do not go to corral's output (logs: file or none), or some were
 * dropped. In JSON each replayed line says "replay":true. */
void output_print_tail(struct output_svc *s, int n);

void output_follow(struct output_svc *s, struct output_follower *f);
void output_unfollow(struct output_svc *s, struct output_follower *f);

/* Closes the service's pipes (their memory goes in close callbacks). */
void output_svc_close(struct output_svc *s);
void output_svc_free(struct output_svc *s);

/* Writes what is still queued (bounded wait) and closes the writers. */
void output_close(struct output *o);

#endif
