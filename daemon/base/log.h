/* log.h - corral's own messages: "corral: SUBJECT: what happened: cause".
 * The level is tested before anything is formatted. */
#ifndef CORRAL_LOG_H
#define CORRAL_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
    LOG_ERROR,
    LOG_WARN,
    LOG_INFO,
    LOG_DEBUG,
};

/* One of the few mutable globals (docs/dev/STYLE.md §5): set at start and by a
 * reload of corral.yaml (the composition root), read everywhere. */
extern enum log_level log_max_level;

struct writer;
struct writer_owner;

/* From the loop's start to its end, lines go through corral's non-blocking
 * stderr writer (never blocking the loop); before and after, straight to
 * stderr. NULL goes back to direct writes. While more than LOG_QUEUE_MAX
 * bytes wait for a stalled stderr, lines are dropped and counted; once the
 * queue has drained, one line says how many. */
void log_set_writer(struct writer *w, struct writer_owner *owner);

/* Writes lines as JSON objects {"time","service":"corral","level","line"}. */
void log_set_json(bool json);

/* Starts each text line with the time, as timestamps: true does for the
 * services' lines. */
void log_set_timestamps(bool on);

/* Writes one line to stderr in a single write(2), so that lines of corral and
 * of its children never tear each other. */
void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a block of `lines` lines formatted elsewhere (a failed service's
 * last lines) the way log_write writes one: bounded while stderr stalls. */
void log_write_block(const char *p, size_t len, size_t lines);

#define log_at(level, ...)                   \
    do {                                     \
        if ((level) <= log_max_level)        \
            log_write((level), __VA_ARGS__); \
    } while (0)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
