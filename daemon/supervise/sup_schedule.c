/* sup_schedule.c - a scheduled job's clock: one timer per scheduled record,
 * armed for the earlier of its next due time (core/schedule.c, wall clock,
 * UTC or corral's local time) and the end of its run_timeout, and for nothing else, so that an idle
 * corral wakes only when a job is due (docs/dev/DESIGN.md "Event loop").
 * What a due time means (run, skip, queue) is the runtime's: it is told
 * through sup->on_due and sup->on_run_timeout. The timer may outlive its
 * record: a dropped schedule closes and frees itself (docs/dev/STYLE.md
 * §5a). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "schedule.h"
#include "supervisor_int.h"
#include "units.h"

/* `timezone: local`: corral's own local time, as libc reads it (TZ, or
 * /etc/localtime), the zone cron uses. */
static long sup_sched_utcoff(void *arg, int64_t utc_s)
{
    (void)arg;
    time_t t = (time_t)utc_s;
    struct tm tm;
    return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

static const struct schedule_zone sup_sched_local = {sup_sched_utcoff, NULL};

/* A timer that fires this much before the wall clock says the time has
 * come (the monotonic and the wall clock drift apart a little) still
 * counts as on time, rather than costing a second wakeup. */
#define SUP_SCHED_SLOP_MS 2

static void sup_sched_closed(uv_handle_t *h)
{
    free(h->data);
}

static void sup_sched_arm(struct sup_sched *sc);

static void sup_sched_on_timer(uv_timer_t *t)
{
    struct sup_sched *sc = t->data;
    struct sup_service *ss = sc->ss;
    uv_loop_t *loop = ss->sup->env.loop;

    uv_update_time(loop);
    if (sc->deadline_ms && uv_now(loop) + SUP_SCHED_SLOP_MS >= sc->deadline_ms) {
        sc->deadline_ms = 0;
        if (svc_is_running(&ss->svc))
            ss->sup->on_run_timeout(ss);
    }
    uint64_t now = clock_wall_ms();
    if (sc->next_ms != SCHEDULE_NEVER && now + SUP_SCHED_SLOP_MS >= sc->next_ms) {
        uint64_t due = sc->next_ms;
        /* The next time after this one (a time missed while the clock
         * jumped ahead is not made up for). */
        sc->next_ms =
            schedule_next(ss->svc.conf, &sup_sched_local, sc->anchor_ms, now > due ? now : due);
        ss->sup->on_due(ss);
    }
    if (sc->ss) /* on_due may not drop it, but stay safe */
        sup_sched_arm(sc);
}

/* Arms the timer for whichever comes first: the next due time or the run's
 * deadline. */
static void sup_sched_arm(struct sup_sched *sc)
{
    uv_loop_t *loop = sc->ss->sup->env.loop;
    uint64_t delay = UINT64_MAX;

    uv_update_time(loop);
    if (sc->next_ms != SCHEDULE_NEVER) {
        uint64_t now = clock_wall_ms();
        delay = sc->next_ms > now ? sc->next_ms - now : 0;
    }
    if (sc->deadline_ms) {
        uint64_t now = uv_now(loop);
        uint64_t d = sc->deadline_ms > now ? sc->deadline_ms - now : 0;
        if (d < delay)
            delay = d;
    }
    if (delay == UINT64_MAX)
        uv_timer_stop(&sc->timer);
    else
        uv_timer_start(&sc->timer, sup_sched_on_timer, delay, 0);
}

void sup_sched_update(struct sup_service *ss)
{
    const struct conf_service *conf = ss->svc.conf;
    struct sup_sched *sc = ss->sched;

    if (!schedule_is_scheduled(conf)) {
        sup_sched_drop(ss);
        return;
    }
    uint64_t now = clock_wall_ms();
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc) {
            log_error("%s: out of memory: its schedule does not run", conf->name);
            return;
        }
        uv_timer_init(ss->sup->env.loop, &sc->timer); /* cannot fail on Linux */
        sc->timer.data = sc;
        sc->anchor_ms = now;
        ss->sched = sc;
    } else if (conf->every_ms != sc->every_ms) {
        sc->anchor_ms = now; /* a new interval counts from now */
    }
    sc->ss = ss;
    if (ss->svc.state == SVC_DOWN && !ss->svc.reason[0])
        snprintf(ss->svc.reason, sizeof ss->svc.reason, "waiting for its next run");
    sc->every_ms = conf->every_ms;
    if (conf->schedule_local)
        tzset(); /* localtime_r need not read TZ and /etc/localtime again itself */
    sc->next_ms = schedule_next(conf, &sup_sched_local, sc->anchor_ms, now);
    if (!conf->run_timeout_ms)
        sc->deadline_ms = 0;
    sup_sched_arm(sc);
}

void sup_sched_drop(struct sup_service *ss)
{
    struct sup_sched *sc = ss->sched;
    if (!sc)
        return;
    ss->sched = NULL;
    sc->ss = NULL;
    uv_close((uv_handle_t *)&sc->timer, sup_sched_closed);
}

void sup_sched_started(struct sup_service *ss)
{
    struct sup_sched *sc = ss->sched;
    if (!sc)
        return;
    sc->last_start_ms = clock_wall_ms();
    if (ss->svc.conf->run_timeout_ms) {
        uv_update_time(ss->sup->env.loop);
        sc->deadline_ms = uv_now(ss->sup->env.loop) + ss->svc.conf->run_timeout_ms;
        sup_sched_arm(sc);
    }
}

bool sup_sched_ended(struct sup_service *ss)
{
    struct sup_sched *sc = ss->sched;
    if (!sc)
        return false;
    if (sc->deadline_ms) {
        sc->deadline_ms = 0;
        sup_sched_arm(sc);
    }
    bool queued = sc->queued;
    sc->queued = false;
    return queued;
}

const char *sup_sched_timeout_text(const struct sup_service *ss, char *buf, size_t len)
{
    char dur[32];
    snprintf(buf, len, "ran longer than run_timeout %s",
             units_format_duration(ss->svc.conf->run_timeout_ms, dur, sizeof dur));
    return buf;
}
