/* conf_schedule.c - a scheduled oneshot: `schedule` (crontab(5) times, read
 * by cronexpr.c, in UTC or local time: `timezone`) or `every` (an
 * interval), what happens when a run is due
 * while the last one still goes (`overlap`), and how long a run may take
 * (`run_timeout`); and the checks across keys (a schedule only on a
 * oneshot that is not the main). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parse.h"
#include "cronexpr.h"

int conf_schedule_schedule(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    char err[160];
    size_t at = 0;
    p->schedule = v;
    int rc = ynode_string(c, v, path, false, &p->s->schedule);
    if (rc < 0)
        return rc;
    if (cronexpr_parse(p->s->schedule, &p->s->cron, err, sizeof err, &at) == 0)
        return 0;
    /* The column of the bad field itself when the value is written on one
     * line as it is read (plain, or quoted without escapes). */
    size_t width = v->end_mark.column - v->start_mark.column, len = v->data.scalar.length;
    if (v->start_mark.line == v->end_mark.line && (width == len || width == len + 2)) {
        size_t col = v->start_mark.column + 1 + (width - len) / 2 + at;
        c->errors++;
        if (conf_errors_add(c->errs, c->file, (unsigned)v->start_mark.line + 1, (unsigned)col,
                            "%s: %s", path, err) < 0) {
            c->oom = true;
            return -ENOMEM;
        }
        return -EINVAL;
    }
    return ynode_error(c, v, "%s: %s", path, err);
}

int conf_schedule_every(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    p->every = v;
    int rc = ynode_duration(c, v, path, &p->s->every_ms);
    if (rc == 0 && p->s->every_ms < 1000)
        return ynode_error(c, v, "%s: expected a duration of 1s or more", path);
    return rc;
}

int conf_schedule_timezone(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    char q[64];
    p->timezone = v;
    const char *s = ynode_scalar(c, v, path, "UTC or local");
    if (!s)
        return -EINVAL;
    if (strcmp(s, "UTC") == 0 || strcmp(s, "local") == 0) {
        p->s->schedule_local = s[0] == 'l';
        return 0;
    }
    /* A zone by name is corral's own: TZ, or /etc/localtime. */
    return ynode_error(c, v,
                       "%s: expected UTC or local, got %s (for a named zone, set TZ=%.60s in "
                       "corral's environment and write local)",
                       path, ynode_quote(s, q, sizeof q), strchr(s, '/') ? s : "Area/City");
}

int conf_schedule_overlap(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const names[] = {"skip", "queue"};
    struct conf_parse *p = obj;
    int i;
    p->overlap = v;
    int rc = ynode_enum(c, v, path, names, 2, &i);
    if (rc == 0)
        p->s->overlap = (enum conf_overlap)i;
    return rc;
}

int conf_schedule_run_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_parse *p = obj;
    p->run_timeout = v;
    int rc = ynode_duration(c, v, path, &p->s->run_timeout_ms);
    if (rc == 0 && p->s->run_timeout_ms == 0)
        return ynode_error(c, v, "%s: expected a duration greater than 0", path);
    return rc;
}

int conf_schedule_check(struct ynode_ctx *c, struct conf_parse *p)
{
    struct conf_service *s = p->s;
    yaml_node_t *when = p->schedule ? p->schedule : p->every;
    int rc = 0;

    if (p->schedule && p->every)
        rc = ynode_error(c, p->every,
                         "every: expected either schedule or every, not both (remove one)");
    if (when && s->type != CONF_TYPE_ONESHOT)
        rc = ynode_error(c, when,
                         "%s: expected type: oneshot (a scheduled job runs to completion each "
                         "time)",
                         p->schedule ? "schedule" : "every");
    else if (when && s->main)
        rc = ynode_error(c, when,
                         "%s: expected no schedule on the main service (its exit ends the "
                         "container)",
                         p->schedule ? "schedule" : "every");
    if (!when && p->overlap)
        rc = ynode_error(c, p->overlap, "overlap: set, but there is no schedule or every");
    if (!p->schedule && p->timezone)
        rc = ynode_error(c, p->timezone,
                         p->every ? "timezone: set, but every is a fixed rate, not a time of day"
                                  : "timezone: set, but there is no schedule");
    if (!when && p->run_timeout)
        rc = ynode_error(c, p->run_timeout, "run_timeout: set, but there is no schedule or every");
    return rc;
}
