/* diag.c - the PID budget read on events with a bound on how often, the
 * warnings it and the zombie counts give, and the per-service figures of one
 * /proc scan (docs/diagnosing.md; docs/dev/DESIGN.md "Layout", diag/). */
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidbudget.h"
#include "treeowner.h"

/* ---- warnings ---------------------------------------------------------------- */

static void diag_warn(struct diag *d, bool warning, const char *kind, const char *service,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void diag_warn(struct diag *d, bool warning, const char *kind, const char *service,
                      const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (warning)
        log_warn("%s", text);
    else
        log_info("%s", text);
    if (d->env.on_warning)
        d->env.on_warning(d->env.arg, kind, service, text);
}

static struct diag_warned *diag_warned_for(struct diag *d, const char *name)
{
    for (size_t i = 0; i < d->n_warned; i++)
        if (strcmp(d->warned[i].name, name) == 0)
            return &d->warned[i];
    struct diag_warned *more = realloc(d->warned, (d->n_warned + 1) * sizeof *more);
    if (!more)
        return NULL;
    d->warned = more;
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    d->warned[d->n_warned] = (struct diag_warned){.name = copy};
    return &d->warned[d->n_warned++];
}

/* Forgets the services a reload removed. */
static void diag_warned_prune(struct diag *d)
{
    size_t kept = 0;
    for (size_t i = 0; i < d->n_warned; i++) {
        if (sup_find(d->env.sup, d->warned[i].name))
            d->warned[kept++] = d->warned[i];
        else
            free(d->warned[i].name);
    }
    d->n_warned = kept;
}

static void diag_zombie_warnings(struct diag *d, const struct diag_figures *f)
{
    bool watch = false;
    diag_warned_prune(d);
    for (size_t i = 0; i < f->n; i++) {
        const struct diag_svc *s = &f->svc[i];
        const char *name = sup_name(sup_at(d->env.sup, i));
        struct diag_warned *w = diag_warned_for(d, name);
        if (s->zombies >= DIAGWARN_ZOMBIES)
            watch = true;
        if (!w || !diagwarn_zombies(&w->warned, (uint32_t)s->zombies))
            continue;
        diag_warn(d, true, "zombies", name,
                  "%s: %ld zombie children of pid %d (%s), not waited for", name,
                  s->zombie_parent_count, (int)s->zombie_parent, s->zombie_parent_comm);
        if (s->zombies > s->zombie_parent_count)
            log_warn("%s: %ld zombies in its tree in all", name, s->zombies);
    }
    d->zombie_watch = watch;
}

/* ---- one reading --------------------------------------------------------------- */

struct diag_zkey {
    int owner;
    pid_t ppid;
};

static int diag_zkey_cmp(const void *a, const void *b)
{
    const struct diag_zkey *x = a, *y = b;
    if (x->owner != y->owner)
        return x->owner < y->owner ? -1 : 1;
    return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

static const struct procscan_entry *diag_entry(const struct procscan *s, pid_t pid)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->all[i].pid == pid)
            return &s->all[i];
    return NULL;
}

/* Names each service's worst parent of zombies from the (owner, ppid) pairs. */
static void diag_zombie_parents(struct diag_zkey *z, size_t nz, const struct procscan *s,
                                struct diag_figures *f)
{
    qsort(z, nz, sizeof *z, diag_zkey_cmp);
    for (size_t i = 0; i < nz;) {
        size_t j = i;
        while (j < nz && z[j].owner == z[i].owner && z[j].ppid == z[i].ppid)
            j++;
        struct diag_svc *sv = &f->svc[z[i].owner];
        if ((long)(j - i) > sv->zombie_parent_count) {
            sv->zombie_parent_count = (long)(j - i);
            sv->zombie_parent = z[i].ppid;
        }
        i = j;
    }
    for (size_t k = 0; k < f->n; k++) {
        const struct procscan_entry *p =
            f->svc[k].zombie_parent ? diag_entry(s, f->svc[k].zombie_parent) : NULL;
        snprintf(f->svc[k].zombie_parent_comm, sizeof f->svc[k].zombie_parent_comm, "%s",
                 p ? p->comm : "?");
    }
}

/* Adds each process of s to its service's figures. */
static int diag_tally(struct diag *d, const struct procscan *s, bool detail, struct diag_figures *f)
{
    size_t n = s->n, m = f->n;
    pid_t *pid = malloc((n + 1) * sizeof *pid), *ppid = malloc((n + 1) * sizeof *ppid);
    pid_t *roots = malloc((m + 1) * sizeof *roots), *pgids = malloc((m + 1) * sizeof *pgids);
    int *owner = malloc((n + 1) * sizeof *owner), *root_of = malloc((m + 1) * sizeof *root_of);
    struct diag_zkey *z = malloc((n + 1) * sizeof *z);
    int rc = -ENOMEM;
    if (!pid || !ppid || !roots || !pgids || !owner || !root_of || !z)
        goto out;
    size_t nroots = 0;
    for (size_t i = 0; i < m; i++) {
        struct sup_view v;
        sup_view(sup_at(d->env.sup, i), 0, &v);
        pgids[i] = v.pgid;
        if (v.pid > 0) {
            root_of[nroots] = (int)i;
            roots[nroots++] = v.pid;
        }
    }
    for (size_t i = 0; i < n; i++) {
        pid[i] = s->all[i].pid;
        ppid[i] = s->all[i].ppid;
    }
    if ((rc = treeowner_assign(pid, ppid, n, roots, nroots, owner)) < 0)
        goto out;
    size_t nz = 0;
    pid_t self = getpid();
    for (size_t i = 0; i < n; i++) {
        const struct procscan_entry *e = &s->all[i];
        int o = owner[i] >= 0 ? root_of[owner[i]] : -1;
        /* What a dead main left keeps its group outside the tree. */
        for (size_t k = 0; o < 0 && k < m && e->pid != self; k++)
            if (pgids[k] > 0 && e->pgrp == pgids[k])
                o = (int)k;
        f->procs_total++;
        if (e->state == 'Z')
            f->zombies_total++;
        if (o < 0)
            continue;
        struct diag_svc *sv = &f->svc[o];
        sv->procs++;
        sv->tasks += e->threads;
        if (e->state == 'Z') {
            sv->zombies++;
            z[nz++] = (struct diag_zkey){.owner = o, .ppid = e->ppid};
        }
        if (detail) {
            sv->cpu_ticks += e->cpu_ticks;
            sv->rss_kib += e->rss_kib;
            if (e->fds >= 0)
                sv->fds = (sv->fds < 0 ? 0 : sv->fds) + e->fds;
        }
    }
    diag_zombie_parents(z, nz, s, f);
    rc = 0;
out:
    free(pid);
    free(ppid);
    free(roots);
    free(pgids);
    free(owner);
    free(root_of);
    free(z);
    return rc;
}

static void diag_read_budget(struct diag *d, struct diag_figures *f)
{
    struct pidbudget b;
    f->has_budget = d->env.pids_dir[0] && pidbudget_read_at(d->env.pids_dir, &b) == 0;
    f->pids_current = f->has_budget ? b.current : 0;
    f->pids_max = f->has_budget ? b.max : -1;
}

/* Forgets the scan kept for requests: something changed the processes. */
static void diag_forget_scan(struct diag *d)
{
    if (d->kept_valid)
        procscan_free(&d->kept);
    d->kept_valid = false;
}

/* The scan behind diag_collect, without the warnings; with reuse, the one
 * kept for requests when it was made in this loop turn (struct diag). */
static int diag_scan(struct diag *d, bool detail, bool reuse, struct diag_figures *f)
{
    memset(f, 0, sizeof *f);
    diag_read_budget(d, f);
    f->n = sup_count(d->env.sup);
    f->svc = calloc(f->n + 1, sizeof *f->svc);
    if (!f->svc)
        return -ENOMEM;
    for (size_t i = 0; i < f->n; i++)
        f->svc[i].fds = -1;
    f->has_self = procscan_one(getpid(), detail, &f->self) == 0;
    uint64_t now = uv_now(d->env.loop);
    if (!reuse || !d->kept_valid || now != d->kept_ms || (detail && !d->kept_fds)) {
        diag_forget_scan(d);
        if (procscan_read(&d->kept, detail) < 0)
            return 0; /* no /proc: the budget alone */
        d->kept_valid = true;
        d->kept_fds = detail;
        d->kept_ms = now;
        if (f->has_budget)
            d->scan_base = f->pids_current;
    }
    f->scanned = true;
    return diag_tally(d, &d->kept, detail, f);
}

/* The budget's line, naming the service whose tree holds the most tasks:
 * "pids 1640/2048 (80%): worker holds 1203 processes". */
static void diag_announce(struct diag *d, enum diagwarn_level was, const struct diag_figures *f)
{
    char holder[160] = "";
    int pct = diagwarn_percent(f->pids_current, f->pids_max);
    size_t best = f->n;
    for (size_t i = 0; f->scanned && i < f->n; i++)
        if (f->svc[i].tasks > 0 && (best == f->n || f->svc[i].tasks > f->svc[best].tasks))
            best = i;
    if (best < f->n) {
        const struct diag_svc *s = &f->svc[best];
        const char *name = sup_name(sup_at(d->env.sup, best));
        const char *plural = s->procs == 1 ? "" : "es";
        if (s->tasks == s->procs)
            snprintf(holder, sizeof holder, ": %s holds %ld process%s", name, s->procs, plural);
        else
            snprintf(holder, sizeof holder, ": %s holds %ld process%s (%ld tasks)", name, s->procs,
                     plural, s->tasks);
    }
    if (d->level > was)
        diag_warn(d, true, "pids", NULL, "pids %ld/%ld (%d%%)%s", f->pids_current, f->pids_max, pct,
                  holder);
    else
        diag_warn(d, false, "pids", NULL, "pids %ld/%ld (%d%%): back below %d%%%s", f->pids_current,
                  f->pids_max, pct,
                  d->level == DIAGWARN_OK ? DIAGWARN_HIGH_PCT : DIAGWARN_CRITICAL_PCT, holder);
}

static void diag_check_within(struct diag *d, uint64_t ms);

/* The budget as f read it: a new level is announced; while it is high, or
 * zombies pile up, the watch keeps reading it. */
static void diag_budget_level(struct diag *d, const struct diag_figures *f)
{
    enum diagwarn_level was = d->level;
    d->level = diagwarn_budget(was, f->pids_current, f->pids_max);
    if (d->level != was)
        diag_announce(d, was, f);
    if (d->level >= DIAGWARN_HIGH || d->zombie_watch)
        diag_check_within(d, DIAG_WATCH_MS);
}

/* Reads the figures; with reuse (a request), from a recent scan. */
static int diag_collect_scan(struct diag *d, bool detail, bool reuse, struct diag_figures *f)
{
    int rc = diag_scan(d, detail, reuse, f);
    if (rc == 0 && f->scanned)
        diag_zombie_warnings(d, f);
    if (rc == 0 && f->has_budget && d->open)
        diag_budget_level(d, f);
    return rc;
}

int diag_collect(struct diag *d, bool detail, struct diag_figures *f)
{
    return diag_collect_scan(d, detail, true, f);
}

void diag_figures_free(struct diag_figures *f)
{
    free(f->svc);
    f->svc = NULL;
    f->n = 0;
}

/* ---- the budget on events -------------------------------------------------------- */

static long diag_growth(long max)
{
    return max > 20 * DIAG_GROWTH_MIN ? max / 20 : DIAG_GROWTH_MIN;
}

static void diag_arm(uv_timer_t *t, bool *armed, uint64_t ms)
{
    if (*armed)
        return;
    *armed = true;
    uv_timer_start(t, (void (*)(uv_timer_t *))t->data, ms, 0);
}

/* The budget is read again in ms at the latest (an event's read is not
 * delayed by the watch's longer wait). */
static void diag_check_within(struct diag *d, uint64_t ms)
{
    uint64_t due = uv_now(d->env.loop) + ms;
    if (d->check_armed && d->check_due_ms <= due)
        return;
    d->check_armed = false;
    d->check_due_ms = due;
    diag_arm(&d->check_timer, &d->check_armed, ms);
}

static void diag_check(struct diag *d)
{
    struct pidbudget b;
    d->last_check_ms = uv_now(d->env.loop);
    d->checked = true;
    if (pidbudget_read_at(d->env.pids_dir, &b) < 0)
        return;
    if (b.current < d->scan_base)
        d->scan_base = b.current;
    if (diagwarn_budget(d->level, b.current, b.max) != d->level) {
        /* A new level: one scan names the holder (diag_collect says it). */
        struct diag_figures f;
        (void)diag_collect_scan(d, false, false, &f);
        diag_figures_free(&f);
        return;
    }
    if (b.current >= d->scan_base + diag_growth(b.max))
        diag_arm(&d->settle_timer, &d->settle_armed, DIAG_SETTLE_MS);
    if (d->level >= DIAGWARN_HIGH || d->zombie_watch)
        diag_check_within(d, DIAG_WATCH_MS);
}

static void diag_on_check_timer(uv_timer_t *t)
{
    struct diag *d = (struct diag *)((char *)t - offsetof(struct diag, check_timer));
    d->check_armed = false;
    diag_check(d);
}

static void diag_on_settle_timer(uv_timer_t *t)
{
    struct diag *d = (struct diag *)((char *)t - offsetof(struct diag, settle_timer));
    struct pidbudget b;
    d->settle_armed = false;
    if (pidbudget_read_at(d->env.pids_dir, &b) < 0 || b.current < d->scan_base + diag_growth(b.max))
        return; /* reaped meanwhile: nothing piles up */
    struct diag_figures f;
    (void)diag_collect_scan(d, false, false, &f);
    diag_figures_free(&f);
    if (d->zombie_watch)
        diag_check_within(d, DIAG_WATCH_MS);
}

void diag_poke(struct diag *d)
{
    diag_forget_scan(d);
    if (!d->open || !d->env.pids_dir[0])
        return;
    uint64_t now = uv_now(d->env.loop);
    if (!d->checked || now >= d->last_check_ms + DIAG_CHECK_MS) {
        diag_check(d);
        return;
    }
    diag_check_within(d, d->last_check_ms + DIAG_CHECK_MS - now);
}

static void diag_on_change(struct sup_listener *l, struct sup_service *ss)
{
    (void)ss;
    diag_poke((struct diag *)((char *)l - offsetof(struct diag, listener)));
}

int diag_init(struct diag *d, const struct diag_env *env)
{
    memset(d, 0, sizeof *d);
    d->env = *env;
    if (!d->env.pids_dir)
        d->env.pids_dir = "";
    uv_timer_init(env->loop, &d->check_timer); /* cannot fail on Linux */
    uv_timer_init(env->loop, &d->settle_timer);
    d->check_timer.data = (void *)diag_on_check_timer;
    d->settle_timer.data = (void *)diag_on_settle_timer;
    d->listener.on_change = diag_on_change;
    sup_listen(env->sup, &d->listener);
    d->open = true;
    /* The level at start (a container restarted into a full budget). */
    diag_poke(d);
    return 0;
}

void diag_close(struct diag *d)
{
    if (!d->open)
        return;
    d->open = false;
    uv_close((uv_handle_t *)&d->check_timer, NULL);
    uv_close((uv_handle_t *)&d->settle_timer, NULL);
    diag_forget_scan(d);
    for (size_t i = 0; i < d->n_warned; i++)
        free(d->warned[i].name);
    free(d->warned);
    d->warned = NULL;
    d->n_warned = 0;
}

/* ---- as JSON ------------------------------------------------------------------- */

static const char *diag_level_name(enum diagwarn_level l)
{
    return l == DIAGWARN_CRITICAL ? "critical" : l == DIAGWARN_HIGH ? "high" : "ok";
}

json_t *diag_json(const struct diag *d, const struct diag_figures *f, bool detail)
{
    json_t *budget = json_null(), *svcs = json_object(), *me = json_object();
    if (f->has_budget) {
        bool v1 = strncmp(d->env.pids_dir, "/sys/fs/cgroup/pids", 19) == 0;
        budget = json_pack("{s:I, s:o, s:i, s:s, s:s}", "current", (json_int_t)f->pids_current,
                           "max", f->pids_max < 0 ? json_null() : json_integer(f->pids_max),
                           "percent", diagwarn_percent(f->pids_current, f->pids_max), "level",
                           diag_level_name(diagwarn_budget(d->level, f->pids_current, f->pids_max)),
                           "cgroup", v1 ? "v1" : "v2");
    }
    for (size_t i = 0; f->scanned && i < f->n; i++) {
        const struct diag_svc *s = &f->svc[i];
        json_t *o = json_pack("{s:I, s:I, s:I}", "procs", (json_int_t)s->procs, "tasks",
                              (json_int_t)s->tasks, "zombies", (json_int_t)s->zombies);
        if (o && s->zombies)
            json_object_set_new(o, "zombie_parent",
                                json_pack("{s:i, s:s, s:I}", "pid", (int)s->zombie_parent, "comm",
                                          s->zombie_parent_comm, "zombies",
                                          (json_int_t)s->zombie_parent_count));
        if (o && detail) {
            json_object_set_new(o, "cpu_ticks", json_integer((json_int_t)s->cpu_ticks));
            json_object_set_new(o, "rss_kib", json_integer((json_int_t)s->rss_kib));
            json_object_set_new(o, "fds", s->fds < 0 ? json_null() : json_integer(s->fds));
        }
        json_object_set_new(svcs, sup_name(sup_at(d->env.sup, i)), o);
    }
    if (me && f->scanned) {
        json_object_set_new(me, "procs_total", json_integer(f->procs_total));
        json_object_set_new(me, "zombies_total", json_integer(f->zombies_total));
    }
    if (me && detail && f->has_self) {
        json_object_set_new(me, "cpu_ticks", json_integer((json_int_t)f->self.cpu_ticks));
        json_object_set_new(me, "rss_kib", json_integer((json_int_t)f->self.rss_kib));
        json_object_set_new(me, "fds", f->self.fds < 0 ? json_null() : json_integer(f->self.fds));
        json_object_set_new(me, "ticks_per_second", json_integer(procscan_ticks_per_second()));
    }
    json_t *o = json_pack("{s:o, s:o, s:o}", "budget", budget ? budget : json_null(), "services",
                          svcs, "corral", me);
    return o;
}
