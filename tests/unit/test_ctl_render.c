/* test_ctl_render.c - what corralctl prints for people: durations, aligned
 * tables with colour only on the state column, the status table and its
 * corral line, health, reload and error lines. Output goes to a memory
 * stream and is compared whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../ctl/field.c"
#include "../../ctl/fmt.c"
#include "../../ctl/render.c"
#include "../../ctl/render_status.c"
#include "../../ctl/render_top.c"
#include "../../ctl/table.c"

struct capture {
    char *buf;
    size_t len;
    FILE *f;
};

static void capture_open(struct capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
}

/* Closes the stream, compares with want, frees. */
static void capture_check(struct capture *c, const char *want)
{
    fclose(c->f);
    assert_string_equal(c->buf, want);
    free(c->buf);
}

static json_t *load(const char *s)
{
    json_error_t e;
    json_t *v = json_loads(s, 0, &e);
    if (!v)
        fail_msg("%s: %s", s, e.text);
    return v;
}

static void durations_use_two_units_at_most(void **state)
{
    (void)state;
    char b[32];

    assert_string_equal(fmt_duration(850, b, sizeof b), "850ms");
    assert_string_equal(fmt_duration(12999, b, sizeof b), "12s");
    assert_string_equal(fmt_duration(312000, b, sizeof b), "5m12s");
    assert_string_equal(fmt_duration(3 * 3600000 + 4 * 60000 + 5000, b, sizeof b), "3h04m");
    assert_string_equal(fmt_duration(2 * 86400000ULL + 3 * 3600000, b, sizeof b), "2d3h");
}

static void status_prints_an_aligned_table_and_a_corral_line(void **state)
{
    (void)state;
    struct capture c;
    json_t *r = load(
        "{\"corral\":{\"pid\":1,\"uptime_ms\":312000,\"orphans_reaped\":4,\"children_reaped\":9,"
        "\"pids_current\":12,\"pids_max\":2048,\"shutting_down\":false},\"services\":["
        "{\"name\":\"web\",\"state\":\"up\",\"pid\":12,\"uptime_ms\":5000,\"restarts\":0,"
        "\"last_exit\":null,\"reason\":\"running\"},"
        "{\"name\":\"worker\",\"state\":\"backoff\",\"pid\":0,\"uptime_ms\":0,\"restarts\":7,"
        "\"last_exit\":{\"code\":1,\"signal\":null,\"text\":\"exited 1\"},"
        "\"reason\":\"exited 1, restart in 400ms\"}]}");

    capture_open(&c);
    render_status(r, c.f, false);
    capture_check(&c,
                  "NAME    STATE    PID  UPTIME  RESTARTS  LAST-EXIT  REASON\n"
                  "web     up       12   5s      0         -          running\n"
                  "worker  backoff  -    -       7         exited 1   exited 1, restart in 400ms\n"
                  "corral: pid 1, up 5m12s, reaped 9 (4 orphans), pids 12/2048\n");
    json_decref(r);
}

static void status_shows_processes_zombies_budget_and_troubles(void **state)
{
    (void)state;
    struct capture c;
    json_t *r =
        load("{\"corral\":{\"pid\":1,\"uptime_ms\":1000,\"orphans_reaped\":0,\"children_reaped\":0,"
             "\"pids_current\":1640,\"pids_max\":2048},\"budget\":{\"current\":1640,\"max\":2048,"
             "\"percent\":80,\"level\":\"high\",\"cgroup\":\"v1\"},\"services\":["
             "{\"name\":\"zabbix\",\"state\":\"up\",\"pid\":57,\"uptime_ms\":5000,\"restarts\":0,"
             "\"last_exit\":null,\"reason\":\"running\",\"procs\":313,\"zombies\":312,"
             "\"zombie_parent\":{\"pid\":57,\"comm\":\"zabbix_server\",\"zombies\":312},"
             "\"fork_failures\":0},"
             "{\"name\":\"w\",\"state\":\"backoff\",\"pid\":0,\"uptime_ms\":0,\"restarts\":2,"
             "\"last_exit\":null,\"reason\":\"fork failed\",\"procs\":0,\"zombies\":0,"
             "\"fork_failures\":3,\"fork_failure_pids\":{\"current\":2048,\"max\":2048}}]}");

    capture_open(&c);
    render_status(r, c.f, false);
    capture_check(&c,
                  "NAME    STATE    PID  UPTIME  RESTARTS  PROCS  ZOMBIES  LAST-EXIT  REASON\n"
                  "zabbix  up       57   5s      0         313    312      -          running\n"
                  "w       backoff  -    -       2         0      0        -          fork failed\n"
                  "corral: pid 1, up 1s, reaped 0 (0 orphans), pids 1640/2048\n"
                  "budget: pids 1640/2048 (80%, high); cgroup v1\n"
                  "zabbix: 312 zombie children of pid 57 (zabbix_server), not waited for\n"
                  "w: 3 failed forks (the last at pids 2048/2048)\n");
    json_decref(r);
}

static void status_from_a_corral_without_a_pids_cgroup_says_so(void **state)
{
    (void)state;
    struct capture c;
    json_t *r = load("{\"corral\":{\"pid\":1,\"uptime_ms\":1000,\"orphans_reaped\":0,"
                     "\"children_reaped\":0},\"budget\":null,\"services\":[]}");
    capture_open(&c);
    render_status(r, c.f, false);
    capture_check(&c, "NAME  STATE  PID  UPTIME  RESTARTS  LAST-EXIT  REASON\n"
                      "corral: pid 1, up 1s, reaped 0 (0 orphans)\n"
                      "budget: no pids cgroup visible (cgroup v2 or v1's pids controller)\n");
    json_decref(r);
}

static void top_shows_cpu_between_two_samples(void **state)
{
    (void)state;
    struct capture c;
    json_t *a = load("{\"sample_ms\":1000,\"corral\":{\"pid\":1,\"cpu_ticks\":10,"
                     "\"ticks_per_second\":100},\"services\":[{\"name\":\"web\",\"pid\":12,"
                     "\"cpu_ticks\":100}]}");
    json_t *b = load("{\"sample_ms\":3000,\"corral\":{\"pid\":1,\"cpu_ticks\":11,\"rss_kib\":"
                     "2168,\"fds\":24,\"procs_total\":5,\"zombies_total\":0,\"ticks_per_second\":"
                     "100},\"budget\":{\"current\":5,\"max\":null,\"percent\":0},\"services\":["
                     "{\"name\":\"web\",\"pid\":12,\"state\":\"up\",\"cpu_ticks\":150,\"procs\":3,"
                     "\"zombies\":0,\"rss_kib\":48212,\"fds\":41,\"restarts\":1,\"uptime_ms\":"
                     "312000}]}");
    top_add_cpu(a, b);
    capture_open(&c);
    top_render(b, c.f);
    capture_check(&c, "NAME  PID  STATE  PROCS  ZOMBIES  CPU%  RSS  FDS  RESTARTS  UPTIME\n"
                      "web   12   up     3      0        25.0  47M  41   1         5m12s\n"
                      "corral: pid 1, CPU 0.5%, RSS 2168K, fds 24; 5 processes, 0 zombies in all; "
                      "pids 5/max (0%)\n");
    json_decref(a);
    json_decref(b);
}

static void status_without_pids_cgroup_or_limit_says_so(void **state)
{
    (void)state;
    struct capture c;
    json_t *r = load("{\"corral\":{\"pid\":1,\"uptime_ms\":1000,\"orphans_reaped\":0,"
                     "\"children_reaped\":0,\"pids_current\":3,\"pids_max\":null,"
                     "\"shutting_down\":true},\"services\":[]}");

    capture_open(&c);
    render_status(r, c.f, false);
    capture_check(&c, "NAME  STATE  PID  UPTIME  RESTARTS  LAST-EXIT  REASON\n"
                      "corral: pid 1, up 1s, reaped 0 (0 orphans), pids 3/max, shutting down\n");
    json_decref(r);
}

static void colour_goes_on_the_state_only_and_keeps_alignment(void **state)
{
    (void)state;
    struct capture c;
    json_t *r = load("{\"services\":[{\"name\":\"web\",\"state\":\"up\",\"pid\":12,"
                     "\"uptime_ms\":5000,\"restarts\":0,\"reason\":\"running\"},"
                     "{\"name\":\"db\",\"state\":\"done\",\"pid\":null,\"restarts\":0,"
                     "\"reason\":\"finished\"}]}");

    capture_open(&c);
    render_status(r, c.f, true);
    capture_check(&c, "NAME  STATE  PID  UPTIME  RESTARTS  LAST-EXIT  REASON\n"
                      "web   \033[32mup\033[0m     12   5s      0         -          running\n"
                      "db    done   -    -       0         -          finished\n");
    json_decref(r);
}

static void health_is_one_line(void **state)
{
    (void)state;
    struct capture c;
    json_t *ok = load("{\"healthy\":true,\"services\":[]}");
    json_t *bad = load("{\"healthy\":false,\"services\":[{\"name\":\"db\",\"state\":\"backoff\","
                       "\"reason\":\"exited 1\"},{\"name\":\"web\",\"state\":\"fatal\"}]}");

    capture_open(&c);
    render_health(ok, c.f);
    render_health(bad, c.f);
    capture_check(&c, "healthy\nunhealthy: db backoff (exited 1), web fatal\n");
    json_decref(ok);
    json_decref(bad);
}

static void reload_lists_each_kind_of_change(void **state)
{
    (void)state;
    struct capture c;
    struct proto_request req;
    json_t *r = load("{\"dry_run\":true,\"added\":[\"x\"],\"removed\":[],\"restarted\":[\"z\"],"
                     "\"kept\":[\"web\",\"db\"]}");

    proto_request_init(&req);
    req.cmd = PROTO_CMD_RELOAD;
    capture_open(&c);
    render_result(&req, r, c.f, false);
    capture_check(&c, "would add      x\n"
                      "would remove   -\n"
                      "would restart  z\n"
                      "would keep     web db\n"
                      "(dry run: nothing was changed)\n");
    json_decref(r);
}

static void invalid_config_lists_every_error_with_its_place(void **state)
{
    (void)state;
    struct capture c;
    struct proto_reply r = {.kind = PROTO_REPLY_ERROR, .message = "2 errors, nothing changed"};

    r.root = load("[{\"file\":\"services.d/web.yaml\",\"line\":4,\"column\":10,"
                  "\"message\":\"restart: expected always\"},"
                  "{\"file\":\"services.d/x.yaml\",\"line\":0,\"column\":0,\"message\":\"gone\"}]");
    r.errors = r.root;
    capture_open(&c);
    render_error(&r, c.f);
    capture_check(&c, "corralctl: 2 errors, nothing changed\n"
                      "services.d/web.yaml:4:10: restart: expected always\n"
                      "services.d/x.yaml: gone\n");
    json_decref(r.root);
}

static void states_and_pid_print_plainly(void **state)
{
    (void)state;
    struct capture c;
    struct proto_request req;
    json_t *states = load("{\"services\":[{\"name\":\"web\",\"state\":\"starting\"},"
                          "{\"name\":\"database\",\"state\":\"stopping\"}]}");
    json_t *pid = load("{\"name\":\"web\",\"pid\":4242}");

    proto_request_init(&req);
    req.cmd = PROTO_CMD_RESTART;
    capture_open(&c);
    render_result(&req, states, c.f, false);
    req.cmd = PROTO_CMD_PID;
    render_result(&req, pid, c.f, false);
    capture_check(&c, "web       starting\ndatabase  stopping\n4242\n");
    json_decref(states);
    json_decref(pid);
}

static void log_items_print_their_text(void **state)
{
    (void)state;
    struct capture c;
    struct proto_request req;
    json_t *one = load("{\"time_ms\":1,\"stream\":\"stdout\",\"line\":\"hello\"}");
    json_t *batch = load("{\"lines\":[{\"line\":\"a\"},{\"line\":\"b\"}]}");

    proto_request_init(&req);
    req.cmd = PROTO_CMD_LOGS;
    capture_open(&c);
    render_stream(&req, one, c.f);
    render_stream(&req, batch, c.f);
    capture_check(&c, "hello\na\nb\n");
    json_decref(one);
    json_decref(batch);
}

static void a_warning_on_the_events_stream_prints_its_text(void **state)
{
    (void)state;
    struct capture c;
    struct proto_request req;
    json_t *w = load("{\"warning\":\"pids\",\"service\":null,\"text\":\"pids 1640/2048 (80%): "
                     "worker holds 1203 processes\"}");

    proto_request_init(&req);
    req.cmd = PROTO_CMD_EVENTS;
    capture_open(&c);
    render_stream(&req, w, c.f);
    capture_check(&c, "-  warning  pids 1640/2048 (80%): worker holds 1203 processes\n");
    json_decref(w);
}

static void a_gap_in_a_stream_is_told_as_such(void **state)
{
    (void)state;
    struct capture c;
    struct proto_request req;
    json_t *gap = load("{\"dropped\":1234}");
    json_t *line = load("{\"line\":\"a\"}");

    proto_request_init(&req);
    req.cmd = PROTO_CMD_LOGS;
    capture_open(&c);
    assert_true(render_stream_gap(&req, gap, c.f));
    assert_false(render_stream_gap(&req, line, c.f));
    req.cmd = PROTO_CMD_EVENTS;
    assert_true(render_stream_gap(&req, gap, c.f));
    capture_check(&c, "corralctl: 1234 lines dropped here: this reader did not keep up\n"
                      "corralctl: 1234 events dropped here: this reader did not keep up\n");
    json_decref(gap);
    json_decref(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_use_two_units_at_most),
        cmocka_unit_test(status_prints_an_aligned_table_and_a_corral_line),
        cmocka_unit_test(status_without_pids_cgroup_or_limit_says_so),
        cmocka_unit_test(colour_goes_on_the_state_only_and_keeps_alignment),
        cmocka_unit_test(health_is_one_line),
        cmocka_unit_test(reload_lists_each_kind_of_change),
        cmocka_unit_test(invalid_config_lists_every_error_with_its_place),
        cmocka_unit_test(states_and_pid_print_plainly),
        cmocka_unit_test(log_items_print_their_text),
        cmocka_unit_test(a_gap_in_a_stream_is_told_as_such),
        cmocka_unit_test(status_shows_processes_zombies_budget_and_troubles),
        cmocka_unit_test(status_from_a_corral_without_a_pids_cgroup_says_so),
        cmocka_unit_test(top_shows_cpu_between_two_samples),
        cmocka_unit_test(a_warning_on_the_events_stream_prints_its_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
