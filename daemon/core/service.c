/* service.c - the supervision state machine of docs/dev/DESIGN.md "States". Decides
 * restarts (policy, success codes, exponential backoff, start limit) and
 * stops (signal, timeout, SIGKILL). Pure: no syscalls, no clock, no logs. */
#include "service.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "exitstatus.h"
#include "units.h"

static const char *const svc_state_names[SVC_NSTATES] = {
    "down",    "waiting", "starting", "up",    "stopping",
    "backoff", "done",    "failed",   "fatal", "stopped",
};

const char *svc_state_name(enum svc_state st)
{
    return st >= 0 && st < SVC_NSTATES ? svc_state_names[st] : "?";
}

void svc_init(struct svc *s, const struct conf_service *conf)
{
    memset(s, 0, sizeof *s);
    s->conf = conf;
    s->state = SVC_DOWN;
}

bool svc_exit_is_success(const struct svc *s, int wstatus)
{
    return WIFEXITED(wstatus) && conf_is_success(s->conf, WEXITSTATUS(wstatus));
}

bool svc_is_running(const struct svc *s)
{
    return s->state == SVC_STARTING || s->state == SVC_UP || s->state == SVC_STOPPING;
}

bool svc_is_finished(const struct svc *s)
{
    return s->state == SVC_DOWN || s->state == SVC_DONE || s->state == SVC_FAILED ||
           s->state == SVC_FATAL || s->state == SVC_STOPPED;
}

static struct backoff_policy svc_policy(const struct conf_service *c)
{
    return (struct backoff_policy){
        .initial_ms = c->backoff.initial_ms,
        .max_ms = c->backoff.max_ms,
        .factor = c->backoff.factor,
        .reset_after_ms = c->backoff.reset_after_ms,
    };
}

static void svc_push(struct svc_step *st, struct svc_action a)
{
    if (st->nactions < SVC_MAX_ACTIONS)
        st->actions[st->nactions++] = a;
}

/* Moves s to state `to` with a plain reason (no formatting: the hot path of
 * every start and stop, kept off printf). */
static void svc_set_text(struct svc *s, struct svc_step *st, enum svc_state to, const char *text)
{
    size_t n = strnlen(text, SVC_REASON_MAX - 1);
    if (to != s->state || strncmp(text, s->reason, n) != 0 || s->reason[n] != '\0')
        st->changed = true;
    s->state = to;
    memcpy(s->reason, text, n);
    s->reason[n] = '\0';
}

static void svc_set(struct svc *s, struct svc_step *st, enum svc_state to, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void svc_set(struct svc *s, struct svc_step *st, enum svc_state to, const char *fmt, ...)
{
    char reason[SVC_REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    svc_set_text(s, st, to, reason);
}

void svc_free(struct svc *s)
{
    free(s->starts);
    s->starts = NULL;
    s->starts_cap = s->starts_head = s->starts_kept = 0;
    s->start_counted = false;
}

/* The i-th newest start time kept (0: the newest). */
static uint64_t svc_start_at(const struct svc *s, uint32_t i)
{
    return s->starts[(s->starts_head + s->starts_cap - 1 - i) % s->starts_cap];
}

/* Starts within the start_limit interval ending now. */
static uint32_t svc_recent_starts(const struct svc *s, uint64_t now_ms)
{
    uint64_t window = s->conf->start_limit.interval_ms;
    uint32_t n = 0;
    while (n < s->starts_kept && now_ms - svc_start_at(s, n) < window)
        n++;
    return n;
}

/* Makes room for one more start time. The ring doubles when full, to
 * SVC_STARTS_KEPT whatever the times (the newest of them count for any
 * burst and interval a reload may set), and past it only while its oldest
 * time is still within the interval, up to burst: more than burst starts
 * within it never need counting. Otherwise the oldest is written over. Out
 * of memory, it is written over too (or, with no ring yet, nothing is
 * counted): the limit then trips later than set, and corral goes on. */
static void svc_starts_room(struct svc *s, uint64_t now_ms)
{
    uint32_t cap = s->starts_cap, burst = s->conf->start_limit.burst;

    if (s->starts_kept < cap)
        return;
    if (cap >= SVC_STARTS_KEPT &&
        (cap >= burst || now_ms - s->starts[s->starts_head] >= s->conf->start_limit.interval_ms))
        return;
    uint32_t ncap = cap < 4 ? 4 : cap * 2;
    if (cap >= SVC_STARTS_KEPT && ncap > burst)
        ncap = burst;
    uint64_t *t = malloc(ncap * sizeof *t);
    if (!t)
        return;
    for (uint32_t i = 0; i < s->starts_kept; i++)
        t[i] = svc_start_at(s, s->starts_kept - 1 - i);
    free(s->starts);
    s->starts = t;
    s->starts_cap = ncap;
    s->starts_head = s->starts_kept;
}

/* Counts a start at now_ms toward start_limit, so that it can be undone. */
static void svc_count_start(struct svc *s, uint64_t now_ms)
{
    svc_starts_room(s, now_ms);
    s->start_counted = s->starts_cap > 0;
    if (!s->start_counted)
        return;
    s->start_overwrote = s->starts_kept == s->starts_cap;
    if (s->start_overwrote)
        s->start_displaced = s->starts[s->starts_head];
    s->starts[s->starts_head] = now_ms;
    s->starts_head = (s->starts_head + 1) % s->starts_cap;
    if (!s->start_overwrote)
        s->starts_kept++;
}

/* Takes back the latest start: nothing ran. */
static void svc_uncount_start(struct svc *s)
{
    if (!s->start_counted)
        return;
    s->start_counted = false;
    s->starts_head = (s->starts_head + s->starts_cap - 1) % s->starts_cap;
    if (s->start_overwrote)
        s->starts[s->starts_head] = s->start_displaced;
    else
        s->starts_kept--;
}

/* Moves to STARTING with a SPAWN, unless the start limit says FATAL. */
static void svc_spawn(struct svc *s, struct svc_step *st, uint64_t now_ms, const char *why)
{
    const struct conf_start_limit *lim = &s->conf->start_limit;
    char what[64], dur[32];

    bool restart = s->restart_due;
    s->restart_due = false;
    s->restart_counted = false;
    if (lim->burst > 0 && svc_recent_starts(s, now_ms) >= lim->burst) {
        /* The last failure's own words: a run stopped for not getting ready
         * says so, not the SIGTERM that stopped it. */
        const char *last = s->last_failure[0] ? s->last_failure
                           : s->has_exited ? exitstatus_describe(s->last_wstatus, what, sizeof what)
                                           : "could not start";
        svc_set(s, st, SVC_FATAL, "start limit: %u starts within %s, last %s", lim->burst,
                units_format_duration(lim->interval_ms, dur, sizeof dur), last);
        return;
    }
    s->exec_ok = false;
    /* Counted now, and taken back if its process is not spawned after all
     * (SPAWN_FAILED): RESTARTS counts automatic restarts that ran. */
    s->restarts += restart;
    s->restart_counted = restart;
    svc_count_start(s, now_ms);
    s->started_ms = now_ms;
    svc_set_text(s, st, SVC_STARTING, why);
    svc_push(st, (struct svc_action){.kind = SVC_ACT_SPAWN});
}

/* A spawn due now that must wait for its turn (spawns are paced): it waits
 * in BACKOFF with no timer, and its turn brings TIMER. */
static void svc_await_turn(struct svc *s, struct svc_step *st, uint64_t now_ms, const char *why)
{
    s->next_start_ms = now_ms;
    svc_set_text(s, st, SVC_BACKOFF, why);
    svc_push(st, (struct svc_action){.kind = SVC_ACT_AWAIT_TURN});
}

/* The process is gone while it was wanted: decide between a restart, done
 * and failed, by restart policy and success codes. */
static void svc_on_exit_as(struct svc *s, struct svc_step *st, const struct svc_event *ev, bool ok,
                           const char *what, uint64_t now_ms);

static void svc_on_exit(struct svc *s, struct svc_step *st, const struct svc_event *ev,
                        uint64_t now_ms)
{
    char what[64];
    exitstatus_describe(ev->wstatus, what, sizeof what);
    svc_on_exit_as(s, st, ev, svc_exit_is_success(s, ev->wstatus), what, now_ms);
}

/* The decision after an exit, with success decided by the caller (a stop
 * for unreadiness or bad health is a failure whatever the exit status). */
static void svc_on_exit_as(struct svc *s, struct svc_step *st, const struct svc_event *ev, bool ok,
                           const char *what, uint64_t now_ms)
{
    int wstatus = ev->wstatus;
    const struct conf_service *c = s->conf;
    char dur[32];
    bool again;

    s->has_exited = true;
    s->last_wstatus = wstatus;
    s->failed_once = !ok;
    if (!ok)
        snprintf(s->last_failure, sizeof s->last_failure, "%s", what);
    if (ev->as_stop) {
        svc_set_text(s, st, SVC_STOPPED, what);
        svc_push(st, (struct svc_action){.kind = SVC_ACT_CANCEL_TIMER});
        return;
    }
    if (c->restart == CONF_RESTART_ALWAYS)
        again = c->type == CONF_TYPE_LONGRUN || !ok;
    else if (c->restart == CONF_RESTART_ON_FAILURE)
        again = !ok;
    else
        again = false;
    if (s->no_restart)
        again = false;
    if (!again) {
        svc_set_text(s, st, ok ? SVC_DONE : SVC_FAILED, what);
        return;
    }
    /* A clean exit never counts as crashing too fast: only failures grow
     * the delay, and a long enough run forgets them. */
    uint64_t ran = now_ms - s->started_ms;
    struct backoff_policy policy = svc_policy(c);
    uint64_t delay = ok ? 0 : backoff_after_exit(&policy, &s->backoff, ran);
    if (ok)
        s->backoff.failures = 0;
    s->restart_due = true; /* counted once it runs: the start limit may refuse it */
    if (delay == 0) {
        char why[SVC_REASON_MAX];
        snprintf(why, sizeof why, "%s, %s", what,
                 ev->spawn_waits ? "restart waiting for its turn" : "restarted at once");
        if (ev->spawn_waits)
            svc_await_turn(s, st, now_ms, why);
        else
            svc_spawn(s, st, now_ms, why);
        return;
    }
    s->next_start_ms = now_ms + delay;
    svc_set(s, st, SVC_BACKOFF, "%s, restart in %s", what,
            units_format_duration(delay, dur, sizeof dur));
    svc_push(st, (struct svc_action){.kind = SVC_ACT_ARM_TIMER, .delay_ms = delay});
}

static void svc_begin_stop(struct svc *s, struct svc_step *st, const char *why)
{
    svc_set_text(s, st, SVC_STOPPING, why);
    s->stop_cause[0] = '\0';
    svc_push(st, (struct svc_action){.kind = SVC_ACT_SIGNAL, .sig = s->conf->stop_signal});
    svc_push(st,
             (struct svc_action){.kind = SVC_ACT_ARM_TIMER, .delay_ms = s->conf->stop_timeout_ms});
}

struct svc_step svc_step(struct svc *s, const struct svc_event *ev, uint64_t now_ms)
{
    struct svc_step st = {.state = s->state};
    char dur[32];

    switch (s->state) {
    case SVC_DOWN:
    case SVC_DONE:
    case SVC_FAILED:
    case SVC_FATAL:
    case SVC_STOPPED:
        if (ev->kind == SVC_EV_START) {
            /* Asked for again: a fresh start forgets the old failures. */
            s->backoff.failures = 0;
            s->starts_kept = 0;
            s->start_counted = false;
            s->restart_due = false;
            svc_set_text(s, &st, SVC_WAITING, "waiting for dependencies");
        }
        break;
    case SVC_WAITING:
        if (ev->kind == SVC_EV_DEPS_MET)
            svc_spawn(s, &st, now_ms, "starting");
        else if (ev->kind == SVC_EV_STOP)
            svc_set_text(s, &st, SVC_STOPPED, "before it started");
        break;
    case SVC_STARTING:
    case SVC_UP:
        if (ev->kind == SVC_EV_SPAWNED && s->state == SVC_STARTING) {
            s->exec_ok = true;
            bool longrun = s->conf->type == CONF_TYPE_LONGRUN;
            if (longrun && s->conf->readiness.kind == CONF_PROBE_NONE) {
                svc_set_text(s, &st, SVC_UP, "running");
            } else if (longrun) {
                svc_set_text(s, &st, SVC_STARTING, "running, not ready yet");
                if (s->conf->readiness.timeout_ms)
                    svc_push(&st, (struct svc_action){.kind = SVC_ACT_ARM_TIMER,
                                                      .delay_ms = s->conf->readiness.timeout_ms});
            }
        } else if (ev->kind == SVC_EV_TIMER && s->state == SVC_STARTING) {
            /* Not ready in time: stopped, and it counts as a failed start.
             * The last check's result says what was wrong. */
            char why[SVC_REASON_MAX];
            if (ev->text && *ev->text)
                snprintf(why, sizeof why, "not ready in time (last check: %s): stopping", ev->text);
            else
                snprintf(why, sizeof why, "not ready in time: stopping");
            s->stop_is_failure = true;
            svc_begin_stop(s, &st, why);
            snprintf(s->stop_cause, sizeof s->stop_cause, "not ready in time");
        } else if (ev->kind == SVC_EV_UNHEALTHY && s->state == SVC_UP) {
            char why[SVC_REASON_MAX];
            snprintf(why, sizeof why, "unhealthy: %s", ev->text ? ev->text : "check failed");
            s->stop_is_failure = true;
            svc_begin_stop(s, &st, why);
            snprintf(s->stop_cause, sizeof s->stop_cause, "unhealthy");
        } else if (ev->kind == SVC_EV_RUN_TIMEOUT) {
            /* A scheduled run that went on too long: stopped, a failed run. */
            char why[SVC_REASON_MAX];
            const char *late = ev->text && *ev->text ? ev->text : "run timed out";
            snprintf(why, sizeof why, "%s: stopping", late);
            s->stop_is_failure = true;
            svc_begin_stop(s, &st, why);
            snprintf(s->stop_cause, sizeof s->stop_cause, "%s", late);
        } else if (ev->kind == SVC_EV_SPAWN_FAILED) {
            /* Nothing ran: the start svc_spawn counted does not count
             * toward start_limit (a service waiting for a fork or for its
             * output would otherwise go fatal without ever running). */
            svc_uncount_start(s);
            /* Nor does it count as a restart: the retry will, if it runs. */
            if (s->restart_counted) {
                s->restarts--;
                s->restart_counted = false;
                s->restart_due = true;
            }
            struct backoff_policy policy = svc_policy(s->conf);
            uint64_t delay = backoff_after_error(&policy, &s->backoff);
            s->next_start_ms = now_ms + delay;
            if (ev->text) /* not a fork that failed: why the start must wait */
                svc_set(s, &st, SVC_BACKOFF, "%s, retry in %s", ev->text,
                        units_format_duration(delay, dur, sizeof dur));
            else
                svc_set(s, &st, SVC_BACKOFF, "%s: %s, retry in %s", ev->what ? ev->what : "fork",
                        strerror(ev->err), units_format_duration(delay, dur, sizeof dur));
            svc_push(&st, (struct svc_action){.kind = SVC_ACT_ARM_TIMER, .delay_ms = delay});
        } else if (ev->kind == SVC_EV_READY && s->state == SVC_STARTING) {
            svc_set_text(s, &st, SVC_UP, "ready");
            svc_push(&st, (struct svc_action){.kind = SVC_ACT_CANCEL_TIMER});
        } else if (ev->kind == SVC_EV_EXITED) {
            svc_on_exit(s, &st, ev, now_ms);
        } else if (ev->kind == SVC_EV_STOP) {
            s->stop_is_failure = false;
            svc_begin_stop(s, &st, "stopping");
        }
        break;
    case SVC_STOPPING:
        if (ev->kind == SVC_EV_EXITED && s->stop_is_failure) {
            char what[SVC_REASON_MAX];
            /* The reason it was stopped is the cause worth showing. */
            snprintf(what, sizeof what, "%s", s->stop_cause[0] ? s->stop_cause : "stopped");
            s->stop_is_failure = false;
            svc_push(&st, (struct svc_action){.kind = SVC_ACT_CANCEL_TIMER});
            svc_on_exit_as(s, &st, ev, false, what, now_ms);
        } else if (ev->kind == SVC_EV_STOP && s->stop_is_failure) {
            /* Asked to stop while stopping for a failure: no restart after.
             * The run failed all the same: stop_cause stays, and the
             * reason still says why it is being stopped. */
            s->stop_is_failure = false;
        } else if (ev->kind == SVC_EV_EXITED && s->stop_cause[0]) {
            /* The stop asked for ends it, in the state asked for, and the
             * failure it was being stopped for is the run's: its reason
             * and last failure, as when a failing exit meets a stop queued
             * behind its dependents (as_stop). */
            struct svc_event as = *ev;
            as.as_stop = true;
            svc_on_exit_as(s, &st, &as, false, s->stop_cause, now_ms);
        } else if (ev->kind == SVC_EV_EXITED) {
            char what[64];
            s->has_exited = true;
            s->last_wstatus = ev->wstatus;
            svc_set(s, &st, SVC_STOPPED, "%s", exitstatus_describe(ev->wstatus, what, sizeof what));
            svc_push(&st, (struct svc_action){.kind = SVC_ACT_CANCEL_TIMER});
        } else if (ev->kind == SVC_EV_TIMER) {
            svc_set(s, &st, SVC_STOPPING, "stop timeout (%s): killed",
                    units_format_duration(s->conf->stop_timeout_ms, dur, sizeof dur));
            svc_push(&st, (struct svc_action){.kind = SVC_ACT_SIGNAL, .sig = SIGKILL});
        }
        break;
    case SVC_BACKOFF:
        if (ev->kind == SVC_EV_TIMER && ev->spawn_waits) {
            svc_await_turn(s, &st, now_ms,
                           s->restart_due ? "restart due, waiting for its turn"
                                          : "start due, waiting for its turn");
        } else if (ev->kind == SVC_EV_TIMER) {
            svc_spawn(s, &st, now_ms, "restarting");
        } else if (ev->kind == SVC_EV_START) {
            /* Asked for now (`start`, `restart`, a reload): the rest of the
             * delay is skipped, and the start is the one asked for, not an
             * automatic restart. The failures and starts so far still count
             * toward the delay and start_limit. */
            s->restart_due = false;
            svc_push(&st, (struct svc_action){.kind = SVC_ACT_CANCEL_TIMER});
            if (ev->spawn_waits)
                svc_await_turn(s, &st, now_ms, "start asked for, waiting for its turn");
            else
                svc_spawn(s, &st, now_ms, "starting");
        } else if (ev->kind == SVC_EV_STOP) {
            s->restart_due = false;
            svc_set_text(s, &st, SVC_STOPPED, "while waiting to restart");
            svc_push(&st, (struct svc_action){.kind = SVC_ACT_CANCEL_TIMER});
        }
        break;
    }
    st.state = s->state;
    return st;
}
