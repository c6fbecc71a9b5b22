/* render_status.c - `corralctl status` and `corralctl health` for people: an
 * aligned table of services (state coloured on a terminal) with a line about
 * corral itself, and the one-line health verdict a probe log shows. */
#include "render_status.h"

#include <inttypes.h>
#include <string.h>

#include "field.h"
#include "fmt.h"
#include "table.h"

#define RENDER_GREEN  "\033[32m"
#define RENDER_YELLOW "\033[33m"
#define RENDER_RED    "\033[31m"

const char *render_status_colour(const char *state)
{
    static const struct {
        const char *state;
        const char *colour;
    } map[] = {
        {"up", RENDER_GREEN},        {"starting", RENDER_YELLOW}, {"waiting", RENDER_YELLOW},
        {"stopping", RENDER_YELLOW}, {"backoff", RENDER_RED},     {"failed", RENDER_RED},
        {"fatal", RENDER_RED},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(state, map[i].state) == 0)
            return map[i].colour;
    }
    return NULL; /* down, done, stopped: nothing to draw the eye to */
}

/* The integer member key of o when it is > 0 (a pid, a count), else "-". */
static const char *render_int(json_t *o, const char *key, char *buf, size_t len, bool zero_ok)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (!zero_ok && json_integer_value(v) == 0))
        return "-";
    snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return buf;
}

static const char *render_uptime(json_t *svc, char *buf, size_t len)
{
    json_t *v = json_object_get(svc, "uptime_ms");
    json_t *pid = json_object_get(svc, "pid");

    /* Uptime is the age of the process: none without one. */
    if (!json_is_integer(v) || json_integer_value(v) < 0 || !json_is_integer(pid) ||
        json_integer_value(pid) <= 0)
        return "-";
    return fmt_duration((uint64_t)json_integer_value(v), buf, len);
}

static void render_corral(json_t *c, FILE *out)
{
    char pid[24], up[32], reaped[24], orphans[24], cur[24], max[24];
    json_t *uptime = json_object_get(c, "uptime_ms");

    if (!json_is_object(c))
        return;
    fprintf(out, "corral: pid %s, up %s, reaped %s (%s orphans)",
            render_int(c, "pid", pid, sizeof pid, false),
            json_is_integer(uptime) && json_integer_value(uptime) >= 0
                ? fmt_duration((uint64_t)json_integer_value(uptime), up, sizeof up)
                : "-",
            render_int(c, "children_reaped", reaped, sizeof reaped, true),
            render_int(c, "orphans_reaped", orphans, sizeof orphans, true));
    /* pids_current is absent without a pids cgroup; pids_max null is "max". */
    if (json_is_integer(json_object_get(c, "pids_current")))
        fprintf(out, ", pids %s/%s", render_int(c, "pids_current", cur, sizeof cur, true),
                json_is_integer(json_object_get(c, "pids_max"))
                    ? render_int(c, "pids_max", max, sizeof max, true)
                    : "max");
    if (json_is_true(json_object_get(c, "shutting_down")))
        fputs(", shutting down", out);
    fputc('\n', out);
}

void render_status(json_t *result, FILE *out, bool colour)
{
    static const char *const head[] = {"NAME",     "STATE",     "PID",   "UPTIME",
                                       "RESTARTS", "LAST-EXIT", "REASON"};
    json_t *services = json_object_get(result, "services");
    struct table t;
    size_t i;
    json_t *svc;

    table_init(&t, 7);
    t.colour_col = 1;
    t.has_header = true;
    table_add(&t, head);
    json_array_foreach(services, i, svc)
    {
        char pid[24], uptime[32], restarts[24], reason[320];
        /* The service's own words (sd_notify STATUS=) after corral's. */
        const char *status_text = field_str(svc, "status_text", NULL);
        snprintf(reason, sizeof reason, status_text ? "%s; %s" : "%s",
                 field_str(svc, "reason", "-"), status_text ? status_text : "");
        const char *cells[7] = {
            field_str(svc, "name", "?"),
            field_str(svc, "state", "?"),
            render_int(svc, "pid", pid, sizeof pid, false),
            render_uptime(svc, uptime, sizeof uptime),
            render_int(svc, "restarts", restarts, sizeof restarts, true),
            field_str(json_object_get(svc, "last_exit"), "text", "-"),
            reason,
        };
        table_add(&t, cells);
    }
    table_print(&t, out, colour ? render_status_colour : NULL);
    table_close(&t);
    render_corral(json_object_get(result, "corral"), out);
}

void render_health(json_t *result, FILE *out)
{
    json_t *services = json_object_get(result, "services");
    size_t i;
    json_t *svc;

    if (json_is_true(json_object_get(result, "healthy"))) {
        fputs("healthy\n", out);
        return;
    }
    fputs("unhealthy", out);
    json_array_foreach(services, i, svc)
    {
        fprintf(out, "%s %s %s", i ? "," : ":", field_str(svc, "name", "?"),
                field_str(svc, "state", "?"));
        const char *reason = field_str(svc, "reason", NULL);
        if (reason && *reason)
            fprintf(out, " (%s)", reason);
    }
    fputc('\n', out);
}
