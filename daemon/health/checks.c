/* checks.c - schedules a service's readiness and health checks and turns
 * their results into events for the state machine (READY, UNHEALTHY). An
 * exec probe forks in its turn (init/forkpace.c, shared with the services'
 * spawns): one that waits has not begun, so its wait is neither a failure
 * nor part of its timeout, which counts from its fork. */
#include "checks.h"

#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "outfmt.h"

static const struct conf_probe *checks_readiness(const struct checks *ck)
{
    return &ck->conf->readiness;
}

static const struct conf_probe *checks_health(const struct checks *ck)
{
    return &ck->conf->health;
}

static bool checks_is_probe(const struct conf_probe *p)
{
    return p->kind == CONF_PROBE_EXEC || p->kind == CONF_PROBE_TCP || p->kind == CONF_PROBE_HTTP;
}

static void checks_run(struct checks *ck);

static void checks_on_tick(uv_timer_t *t)
{
    checks_run(t->data);
}

static void checks_schedule(struct checks *ck, uint64_t delay_ms)
{
    uv_timer_start(&ck->tick, checks_on_tick, delay_ms, 0);
}

static void checks_on_result(struct probe *p, enum probe_result r, const char *why)
{
    struct checks *ck = p->data;
    snprintf(ck->last, sizeof ck->last, "%s", why);
    if (ck->mode == CHECKS_READINESS) {
        if (r == PROBE_OK) {
            ck->ops->ready(ck->arg);
            return;
        }
        checks_schedule(ck, checks_readiness(ck)->interval_ms);
        return;
    }
    if (ck->mode != CHECKS_HEALTH)
        return;
    const struct conf_probe *h = checks_health(ck);
    if (r == PROBE_UNKNOWN) {
        /* Could not even run (PID limit): says nothing about the service. */
        if (!ck->warned_unknown)
            log_warn("%s: health check not run: %s; not counted as a failure", ck->conf->name, why);
        ck->warned_unknown = true;
    } else if (r == PROBE_OK) {
        ck->warned_unknown = false;
        ck->fails = 0;
        if (!ck->healthy) {
            ck->healthy = true;
            ck->ops->healthy(ck->arg); /* dependents waiting for `healthy` */
        }
    } else {
        uint64_t now = uv_now(ck->env->loop);
        if (now - ck->up_ms < h->start_period_ms) {
            log_debug("%s: health check failed in its start period: %s", ck->conf->name, why);
        } else {
            ck->healthy = false; /* failing now, whatever passed before */
            if (++ck->fails >= h->retries) {
                char text[SVC_REASON_MAX];
                snprintf(text, sizeof text, "%s (%u in a row)", why, ck->fails);
                ck->fails = 0;
                ck->ops->unhealthy(ck->arg, text);
                return;
            }
            log_info("%s: health check failed (%u of %u): %s", ck->conf->name, ck->fails,
                     h->retries, why);
        }
    }
    checks_schedule(ck, h->interval_ms);
}

static void checks_on_turn(struct forkpace_waiter *w)
{
    checks_run((struct checks *)((char *)w - offsetof(struct checks, turn)));
}

static void checks_run(struct checks *ck)
{
    const struct conf_probe *p =
        ck->mode == CHECKS_READINESS ? checks_readiness(ck) : checks_health(ck);
    struct spawn_plan plan;
    char path[SPAWN_PATH_MAX];
    if (ck->mode == CHECKS_IDLE || ck->probe.busy)
        return;
    if (p->kind == CONF_PROBE_EXEC && ck->env->pace) {
        if (!forkpace_admit(ck->env->pace, &ck->turn, checks_on_turn))
            return; /* its turn runs it */
        forkpace_forked(ck->env->pace);
    }
    svcplan_fill(ck->plan, ck->conf, ck->env->devnull, false, path, sizeof path, &plan);
    probe_start(&ck->probe, p, &plan, ck->env->devnull);
}

int checks_init(struct checks *ck, const struct checks_env *env, const struct checks_ops *ops,
                void *arg)
{
    memset(ck, 0, sizeof *ck);
    ck->env = env;
    ck->ops = ops;
    ck->arg = arg;
    ck->nfd_child = -1;
    int rc = probe_init(&ck->probe, env->loop, env->pids, checks_on_result, ck);
    if (rc == 0)
        rc = uv_timer_init(env->loop, &ck->tick);
    ck->tick.data = ck;
    return rc;
}

void checks_set_conf(struct checks *ck, const struct conf_service *conf, struct svcplan *plan)
{
    ck->conf = conf;
    ck->plan = plan;
}

static void checks_nfd_ready(void *arg)
{
    struct checks *ck = arg;
    snprintf(ck->last, sizeof ck->last, "wrote to NOTIFY_FD");
    ck->ops->ready(ck->arg);
}

void checks_prepare_spawn(struct checks *ck, int *keep_fd, char *env, size_t env_len)
{
    const struct conf_probe *r = checks_readiness(ck);
    env[0] = '\0';
    *keep_fd = -1;
    notify_fd_drop(ck->nfd);
    ck->nfd = NULL;
    if (r->kind == CONF_PROBE_NOTIFY_FD) {
        ck->nfd = notify_fd_new(ck->env->loop, checks_nfd_ready, ck, &ck->nfd_child);
        if (ck->nfd) {
            *keep_fd = ck->nfd_child;
            snprintf(env, env_len, "NOTIFY_FD=%d", SPAWN_KEEP_FD);
        }
    } else if (r->kind == CONF_PROBE_NOTIFY_SYSTEMD && ck->env->notify_socket[0]) {
        snprintf(env, env_len, "NOTIFY_SOCKET=%s", ck->env->notify_socket);
    }
}

void checks_spawned(struct checks *ck, bool ok)
{
    if (ok) /* a new run: what it says is said again */
        ck->said_mainpid = ck->said_stopping = false;
    if (ck->nfd) {
        if (ok) {
            notify_fd_start(ck->nfd, ck->nfd_child);
        } else {
            close(ck->nfd_child);
            notify_fd_drop(ck->nfd);
            ck->nfd = NULL;
        }
    }
    ck->nfd_child = -1;
}

/* A probe waiting its turn is no longer wanted. */
static void checks_drop_turn(struct checks *ck)
{
    if (ck->env->pace)
        forkpace_drop(ck->env->pace, &ck->turn);
}

void checks_on_state(struct checks *ck, enum svc_state state, int pid)
{
    enum checks_mode want = CHECKS_IDLE;

    ck->state = state;
    ck->pid = pid;
    if (state == SVC_STARTING && pid > 0 && checks_is_probe(checks_readiness(ck)))
        want = CHECKS_READINESS;
    else if (state == SVC_UP && checks_is_probe(checks_health(ck)))
        want = CHECKS_HEALTH;
    if (state != SVC_UP && state != SVC_STARTING)
        ck->healthy = false;
    if (want == ck->mode)
        return;
    checks_drop_turn(ck);
    probe_cancel(&ck->probe);
    uv_timer_stop(&ck->tick);
    ck->mode = want;
    ck->fails = 0;
    if (want == CHECKS_READINESS) {
        checks_run(ck); /* at once: a quick service is ready at the first try */
    } else if (want == CHECKS_HEALTH) {
        ck->up_ms = uv_now(ck->env->loop);
        ck->healthy = false;
        checks_schedule(ck, checks_health(ck)->interval_ms);
    }
    if (state != SVC_STARTING) {
        notify_fd_drop(ck->nfd);
        ck->nfd = NULL;
    }
}

void checks_on_line(struct checks *ck, const char *text, size_t len)
{
    const struct conf_probe *r = checks_readiness(ck);
    if (r->kind != CONF_PROBE_LOG || !r->has_regex || ck->state != SVC_STARTING)
        return;
    char *line = strndup(text, len);
    if (!line)
        return;
    bool match = regexec(&r->regex, line, 0, NULL, 0) == 0;
    free(line);
    if (match) {
        snprintf(ck->last, sizeof ck->last, "a line matched /%s/", r->pattern);
        ck->ops->ready(ck->arg);
    }
}

/* The cut of text to at most max bytes that splits no UTF-8 character (of
 * at most 4 bytes: past that, the bytes are no character anyway). */
static size_t checks_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    /* s[k], the first byte left out, continues a character: it goes whole */
    for (size_t k = max; k > 0 && k + 4 > max; k--)
        if (((unsigned char)s[k] & 0xc0) != 0x80)
            return k;
    return max;
}

/* STATUS=: shown by status as it was sent, so kept as valid UTF-8 (each
 * stray byte as U+00XX; a reply drops a string that is not), cut where a
 * character ends, and with control characters (C0, DEL and C1) as spaces:
 * no terminal escape reaches corralctl's output. */
static void checks_set_status(struct checks *ck, const char *text, size_t n)
{
    char clean[2 * sizeof ck->status_text];
    size_t max = sizeof ck->status_text - 1;
    size_t m = outfmt_utf8_clean(text, checks_utf8_cut(text, n, max), clean);
    m = checks_utf8_cut(clean, m, max);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)clean[i];
        bool c1 = c == 0xc2 && i + 1 < m && (unsigned char)clean[i + 1] < 0xa0; /* U+0080..9F */
        ck->status_text[k++] = c < 0x20 || c == 0x7f || c1 ? ' ' : clean[i];
        i += c1;
    }
    ck->status_text[k] = '\0';
}

void checks_on_sdnotify(struct checks *ck, const char *msg, size_t len)
{
    const char *name = ck->conf->name;
    for (const char *p = msg, *end = msg + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n == 7 && memcmp(p, "READY=1", 7) == 0) {
            snprintf(ck->last, sizeof ck->last, "sd_notify READY=1");
            if (ck->state == SVC_STARTING)
                ck->ops->ready(ck->arg);
        } else if (n > 7 && memcmp(p, "STATUS=", 7) == 0) {
            checks_set_status(ck, p + 7, n - 7);
        } else if (n == 10 && memcmp(p, "STOPPING=1", 10) == 0) {
            if (!ck->said_stopping)
                log_info("%s: says it is stopping (sd_notify STOPPING=1)", name);
            ck->said_stopping = true;
        } else if (n > 8 && memcmp(p, "MAINPID=", 8) == 0 && strtol(p + 8, NULL, 10) != ck->pid) {
            /* Its own pid (php-fpm -F sends it) changes nothing. Said once
             * a run: a service repeating it must not flood corral's log. */
            if (!ck->said_mainpid)
                log_warn("%s: sd_notify MAINPID= refused: corral supervises the process it "
                         "started (run the daemon in the foreground)",
                         name);
            ck->said_mainpid = true;
        }
        p = nl ? nl + 1 : end;
    }
}

int checks_close(struct checks *ck, uv_close_cb cb, void *data)
{
    checks_drop_turn(ck);
    notify_fd_drop(ck->nfd);
    ck->nfd = NULL;
    if (ck->nfd_child >= 0)
        close(ck->nfd_child);
    ck->nfd_child = -1;
    probe_cancel(&ck->probe);
    if (ck->probe.pid > 0)
        (void)pidtab_take(ck->probe.pids, ck->probe.pid);
    /* Both handles report to the owner's close callback. */
    ck->tick.data = data;
    ck->probe.timeout.data = data;
    uv_close((uv_handle_t *)&ck->tick, cb);
    uv_close((uv_handle_t *)&ck->probe.timeout, cb);
    return 2;
}
