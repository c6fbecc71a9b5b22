/* render_top.c - `corralctl top` for people: each service's CPU share
 * between two samples, and the table (docs/corralctl.md "top"). */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "field.h"
#include "fmt.h"
#include "table.h"
#include "top.h"

static double top_num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : -1;
}

/* CPU % of o between the samples; o_prev may be NULL. */
static void top_cpu_of(json_t *o_prev, json_t *o, double secs, double hz)
{
    double a = top_num(o_prev, "cpu_ticks"), b = top_num(o, "cpu_ticks");
    if (!json_is_object(o) || a < 0 || b < 0 || secs <= 0)
        return;
    /* A tree that lost a process loses its CPU time too: never below 0. */
    double pct = b > a ? (b - a) / hz / secs * 100.0 : 0;
    json_object_set_new(o, "cpu_percent", json_real((double)(int64_t)(pct * 10 + 0.5) / 10));
}

void top_add_cpu(json_t *prev, json_t *cur)
{
    if (!prev || !cur)
        return;
    double secs = (top_num(cur, "sample_ms") - top_num(prev, "sample_ms")) / 1000.0;
    double hz = top_num(json_object_get(cur, "corral"), "ticks_per_second");
    if (hz <= 0)
        hz = 100;
    json_t *svc, *old;
    size_t i, j;
    json_array_foreach(json_object_get(cur, "services"), i, svc)
    {
        json_t *match = NULL;
        json_array_foreach(json_object_get(prev, "services"), j, old)
        {
            if (strcmp(field_str(old, "name", ""), field_str(svc, "name", "?")) == 0 &&
                top_num(old, "pid") == top_num(svc, "pid"))
                match = old;
        }
        top_cpu_of(match, svc, secs, hz);
    }
    top_cpu_of(json_object_get(prev, "corral"), json_object_get(cur, "corral"), secs, hz);
}

static const char *top_int(json_t *o, const char *key, char *buf, size_t len)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return "-";
    snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return buf;
}

static const char *top_cpu(json_t *o, char *buf, size_t len)
{
    json_t *v = json_object_get(o, "cpu_percent");
    if (!json_is_number(v))
        return "-";
    snprintf(buf, len, "%.1f", json_number_value(v));
    return buf;
}

static const char *top_rss(json_t *o, char *buf, size_t len)
{
    json_t *v = json_object_get(o, "rss_kib");
    if (!json_is_integer(v))
        return "-";
    json_int_t k = json_integer_value(v);
    if (k >= 10 * 1024 * 1024)
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT "G", k / (1024 * 1024));
    else if (k >= 10 * 1024)
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT "M", k / 1024);
    else
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT "K", k);
    return buf;
}

static const char *top_uptime(json_t *svc, char *buf, size_t len)
{
    json_t *v = json_object_get(svc, "uptime_ms");
    if (!json_is_integer(v) || top_num(svc, "pid") <= 0)
        return "-";
    return fmt_duration((uint64_t)json_integer_value(v), buf, len);
}

void top_render(json_t *result, FILE *out)
{
    static const char *const head[] = {"NAME", "PID", "STATE", "PROCS",    "ZOMBIES",
                                       "CPU%", "RSS", "FDS",   "RESTARTS", "UPTIME"};
    struct table t;
    json_t *svc, *me = json_object_get(result, "corral"), *budget;
    size_t i;
    table_init(&t, 10);
    t.has_header = true;
    table_add(&t, head);
    json_array_foreach(json_object_get(result, "services"), i, svc)
    {
        char pid[24], procs[24], zombies[24], cpu[24], rss[24], fds[24], restarts[24], up[32];
        const char *cells[10] = {
            field_str(svc, "name", "?"),
            top_int(svc, "pid", pid, sizeof pid),
            field_str(svc, "state", "?"),
            top_int(svc, "procs", procs, sizeof procs),
            top_int(svc, "zombies", zombies, sizeof zombies),
            top_cpu(svc, cpu, sizeof cpu),
            top_rss(svc, rss, sizeof rss),
            top_int(svc, "fds", fds, sizeof fds),
            top_int(svc, "restarts", restarts, sizeof restarts),
            top_uptime(svc, up, sizeof up),
        };
        table_add(&t, cells);
    }
    table_print(&t, out, NULL);
    table_close(&t);
    if (json_is_object(me)) {
        char pid[24], cpu[24], rss[24], fds[24], procs[24], zombies[24];
        fprintf(out, "corral: pid %s, CPU %s%%, RSS %s, fds %s; %s processes, %s zombies in all",
                top_int(me, "pid", pid, sizeof pid), top_cpu(me, cpu, sizeof cpu),
                top_rss(me, rss, sizeof rss), top_int(me, "fds", fds, sizeof fds),
                top_int(me, "procs_total", procs, sizeof procs),
                top_int(me, "zombies_total", zombies, sizeof zombies));
        budget = json_object_get(result, "budget");
        if (json_is_object(budget)) {
            char cur[24], max[24], pct[24];
            fprintf(out, "; pids %s/%s (%s%%)", top_int(budget, "current", cur, sizeof cur),
                    json_is_integer(json_object_get(budget, "max"))
                        ? top_int(budget, "max", max, sizeof max)
                        : "max",
                    top_int(budget, "percent", pct, sizeof pct));
        }
        fputc('\n', out);
    }
}
