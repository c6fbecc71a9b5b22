/* render.c - every result but status and health as people read it, error
 * replies as "corralctl: MESSAGE" lines, and the items of the events and
 * logs streams. Tolerant: a member missing from a reply prints as "-". */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "field.h"
#include "fmt.h"
#include "render_status.h"
#include "table.h"
#include "top.h"

void render_list(json_t *list, const char *sep, FILE *out)
{
    size_t i;
    json_t *v;

    if (json_array_size(list) == 0)
        fputs("-", out);
    json_array_foreach(list, i, v)
    {
        fprintf(out, "%s%s", i ? sep : "", json_is_string(v) ? json_string_value(v) : "?");
    }
}

/* start, stop, restart, wait: {"services":[{"name","state"}]} as NAME STATE. */
static void render_states(json_t *result, FILE *out, bool colour)
{
    json_t *services = json_object_get(result, "services");
    struct table t;
    size_t i;
    json_t *svc;

    table_init(&t, 2);
    t.colour_col = 1;
    json_array_foreach(services, i, svc)
    {
        const char *cells[2] = {field_str(svc, "name", "?"), field_str(svc, "state", "?")};
        table_add(&t, cells);
    }
    table_print(&t, out, colour ? render_status_colour : NULL);
    table_close(&t);
}

static void render_reload(json_t *result, FILE *out)
{
    static const char *const keys[] = {"added", "removed", "restarted", "kept"};
    static const char *const dry[] = {"would add", "would remove", "would restart", "would keep"};
    bool dry_run = json_is_true(json_object_get(result, "dry_run"));

    for (size_t i = 0; i < 4; i++) {
        fprintf(out, "%-15s", dry_run ? dry[i] : keys[i]);
        render_list(json_object_get(result, keys[i]), " ", out);
        fputc('\n', out);
    }
    if (dry_run)
        fputs("(dry run: nothing was changed)\n", out);
}

/* One line of a service's output: {"time_ms","stream","line"}. */
static void render_log_line(json_t *l, FILE *out)
{
    json_t *text = json_object_get(l, "line");
    if (!json_is_string(text))
        return;
    /* Whole, NUL bytes included, as the service wrote it. */
    fwrite(json_string_value(text), 1, json_string_length(text), out);
    fputc('\n', out);
}

void render_result(const struct proto_request *req, json_t *result, FILE *out, bool colour)
{
    json_t *v = NULL;
    size_t i;

    switch (req->cmd) {
    case PROTO_CMD_STATUS:
        render_status(result, out, colour);
        break;
    case PROTO_CMD_HEALTH:
        render_health(result, out);
        break;
    case PROTO_CMD_START:
    case PROTO_CMD_STOP:
    case PROTO_CMD_RESTART:
    case PROTO_CMD_WAIT:
        render_states(result, out, colour);
        break;
    case PROTO_CMD_SIGNAL:
        fputs("signalled ", out);
        render_list(json_object_get(result, "signalled"), ", ", out);
        fputc('\n', out);
        break;
    case PROTO_CMD_PID:
        v = json_object_get(result, "pid");
        if (json_is_integer(v))
            fprintf(out, "%" JSON_INTEGER_FORMAT "\n", json_integer_value(v));
        break;
    case PROTO_CMD_LOGS:
        /* Older lines that did not fit in one reply come first, as a note
         * on stderr. */
        v = json_object_get(result, "omitted");
        if (json_is_integer(v))
            fprintf(stderr,
                    "corralctl: %" JSON_INTEGER_FORMAT
                    " older lines omitted: a reply holds at most "
                    "2 MiB of lines (ask for fewer with -n)\n",
                    json_integer_value(v));
        json_array_foreach(json_object_get(result, "lines"), i, v)
        {
            render_log_line(v, out);
        }
        break;
    case PROTO_CMD_RELOAD:
    case PROTO_CMD_SCALE:
        render_reload(result, out);
        break;
    case PROTO_CMD_SHUTDOWN:
        fputs("corral is shutting down\n", out);
        break;
    case PROTO_CMD_VERSION:
        v = json_object_get(result, "protocol");
        fprintf(out, "corral %s (protocol %" JSON_INTEGER_FORMAT ")\n",
                field_str(result, "version", "?"), json_is_integer(v) ? json_integer_value(v) : 0);
        break;
    case PROTO_CMD_METRICS:
        v = json_object_get(result, "text");
        if (json_is_string(v))
            fwrite(json_string_value(v), 1, json_string_length(v), out);
        break;
    case PROTO_CMD_TOP:
        top_render(result, out);
        break;
    case PROTO_CMD_EVENTS:
    case PROTO_CMD_COUNT:
        break;
    }
}

void render_error(const struct proto_reply *r, FILE *err)
{
    size_t i;
    json_t *e;

    fprintf(err, "corralctl: %s\n", r->message ? r->message : r->code_name);
    json_array_foreach(r->errors, i, e)
    {
        json_t *line = json_object_get(e, "line");
        json_t *col = json_object_get(e, "column");
        fputs(field_str(e, "file", "?"), err);
        if (json_is_integer(line) && json_integer_value(line) > 0)
            fprintf(err, ":%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT,
                    json_integer_value(line), json_is_integer(col) ? json_integer_value(col) : 0);
        fprintf(err, ": %s\n", field_str(e, "message", "?"));
    }
}

static void render_event(json_t *item, FILE *out)
{
    char when[48];
    json_t *t = json_object_get(item, "time_ms");
    json_t *pid = json_object_get(item, "pid");
    const char *reason = field_str(item, "reason", "");

    /* A warning of the diagnostics: its words as corral logged them. */
    if (json_is_string(json_object_get(item, "warning"))) {
        fprintf(out, "%s  warning  %s\n",
                json_is_integer(t) && json_integer_value(t) >= 0
                    ? fmt_time((uint64_t)json_integer_value(t), when, sizeof when)
                    : "-",
                field_str(item, "text", "?"));
        return;
    }
    fprintf(out, "%s  %s  %s",
            json_is_integer(t) && json_integer_value(t) >= 0
                ? fmt_time((uint64_t)json_integer_value(t), when, sizeof when)
                : "-",
            field_str(item, "service", "?"), field_str(item, "state", "?"));
    if (json_is_integer(pid) && json_integer_value(pid) > 0)
        fprintf(out, "  pid %" JSON_INTEGER_FORMAT, json_integer_value(pid));
    if (*reason)
        fprintf(out, "  (%s)", reason);
    fputc('\n', out);
}

bool render_stream_gap(const struct proto_request *req, json_t *item, FILE *err)
{
    json_t *n = json_object_get(item, "dropped");
    if (!json_is_integer(n))
        return false;
    fprintf(err,
            "corralctl: %" JSON_INTEGER_FORMAT " %s dropped here: this reader did not keep up\n",
            json_integer_value(n), req->cmd == PROTO_CMD_EVENTS ? "events" : "lines");
    return true;
}

void render_stream(const struct proto_request *req, json_t *item, FILE *out)
{
    json_t *lines = json_object_get(item, "lines");
    size_t i;
    json_t *l;

    if (req->cmd == PROTO_CMD_EVENTS) {
        render_event(item, out);
        return;
    }
    /* A logs item is one line; a batch {"lines":[...]} is read too. */
    if (!json_is_array(lines)) {
        render_log_line(item, out);
        return;
    }
    json_array_foreach(lines, i, l)
    {
        render_log_line(l, out);
    }
}
